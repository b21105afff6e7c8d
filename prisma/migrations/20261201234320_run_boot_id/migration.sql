-- AlterTable
ALTER TABLE "Run" ADD COLUMN "bootId" TEXT;
