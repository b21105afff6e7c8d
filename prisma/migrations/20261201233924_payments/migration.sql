-- CreateTable
CREATE TABLE "PaymentConsent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "clientId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "initiation" TEXT NOT NULL,
    "risk" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "statusUpdatedAt" DATETIME NOT NULL,
    "customerId" TEXT,
    "debtorAccountId" TEXT,
    "grantId" TEXT
);

-- CreateTable
CREATE TABLE "DomesticPayment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "consentId" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "statusUpdatedAt" DATETIME NOT NULL,
    CONSTRAINT "DomesticPayment_consentId_fkey" FOREIGN KEY ("consentId") REFERENCES "PaymentConsent" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "PaymentConsent_grantId_key" ON "PaymentConsent"("grantId");

-- CreateIndex
CREATE INDEX "PaymentConsent_clientId_idx" ON "PaymentConsent"("clientId");

-- CreateIndex
CREATE UNIQUE INDEX "DomesticPayment_consentId_key" ON "DomesticPayment"("consentId");

-- CreateIndex
CREATE INDEX "DomesticPayment_clientId_idx" ON "DomesticPayment"("clientId");
