-- CreateTable
CREATE TABLE "travel_document" (
    "person_id" UUID NOT NULL,
    "passport_hash" TEXT NOT NULL,
    "passport_ciphertext" TEXT NOT NULL,
    "nationality" CHAR(3) NOT NULL,
    "given_name_latin" TEXT NOT NULL,
    "family_name_latin" TEXT NOT NULL,
    "linked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "travel_document_pkey" PRIMARY KEY ("person_id")
);

-- CreateIndex
CREATE INDEX "travel_document_passport_hash_idx" ON "travel_document"("passport_hash");

-- AddForeignKey
ALTER TABLE "travel_document" ADD CONSTRAINT "travel_document_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;
