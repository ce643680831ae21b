-- AlterTable
ALTER TABLE "outbound_message" ADD COLUMN     "reply_uncertain" BOOLEAN NOT NULL DEFAULT false;
