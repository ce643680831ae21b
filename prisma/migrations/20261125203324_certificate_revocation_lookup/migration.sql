-- CreateIndex
CREATE INDEX "certificate_revocation_id_idx" ON "certificate"("revocation_id");
