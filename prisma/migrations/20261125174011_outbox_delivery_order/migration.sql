-- DropIndex
DROP INDEX "outbound_message_line_user_id_created_at_idx";

-- AlterTable
ALTER TABLE "outbound_message" ADD COLUMN     "seq" BIGSERIAL NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "outbound_message_seq_key" ON "outbound_message"("seq");

-- CreateIndex
CREATE INDEX "outbound_message_line_user_id_status_seq_idx" ON "outbound_message"("line_user_id", "status", "seq");
