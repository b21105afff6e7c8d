-- CreateTable
CREATE TABLE "AccountAccessConsent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "clientId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "permissions" TEXT NOT NULL,
    "expirationDateTime" DATETIME,
    "transactionFromDateTime" DATETIME,
    "transactionToDateTime" DATETIME,
    "createdAt" DATETIME NOT NULL,
    "statusUpdatedAt" DATETIME NOT NULL,
    "customerId" TEXT,
    "accountIds" TEXT,
    "grantId" TEXT,
    CONSTRAINT "AccountAccessConsent_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "AccountAccessConsent_grantId_key" ON "AccountAccessConsent"("grantId");

-- CreateIndex
CREATE INDEX "AccountAccessConsent_clientId_idx" ON "AccountAccessConsent"("clientId");
