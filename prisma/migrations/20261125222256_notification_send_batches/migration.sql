-- AlterTable
ALTER TABLE "notification" ADD COLUMN     "send_job" TEXT;
