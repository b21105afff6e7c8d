-- CreateTable
CREATE TABLE "Instance" (
    "bootId" TEXT NOT NULL PRIMARY KEY,
    "pid" INTEGER NOT NULL,
    "host" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL,
    "lastSeen" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "Instance_lastSeen_idx" ON "Instance"("lastSeen");
