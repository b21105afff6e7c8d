-- CreateTable
CREATE TABLE "Instance" (
    "bootId" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "host" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "lastSeen" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Instance_pkey" PRIMARY KEY ("bootId")
);

-- CreateIndex
CREATE INDEX "Instance_lastSeen_idx" ON "Instance"("lastSeen");
