-- AlterTable
ALTER TABLE "Run" ADD COLUMN "pid" INTEGER;
