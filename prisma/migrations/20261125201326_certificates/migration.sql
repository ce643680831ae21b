-- CreateTable
CREATE TABLE "certificate" (
    "id" UUID NOT NULL,
    "person_id" UUID NOT NULL,
    "format" TEXT NOT NULL,
    "data_version" TEXT NOT NULL,
    "revocation_id" TEXT NOT NULL,
    "kid" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "issued_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),
    "revoked_reason" TEXT,

    CONSTRAINT "certificate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "correction_request" (
    "id" UUID NOT NULL,
    "person_id" UUID NOT NULL,
    "vaccination_id" UUID,
    "hospital_code" VARCHAR(5),
    "requested_by" TEXT NOT NULL,
    "field" TEXT NOT NULL,
    "correct_value" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'OPEN',
    "resolution" TEXT,
    "resolved_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "correction_request_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "certificate_format_revoked_at_idx" ON "certificate"("format", "revoked_at");

-- CreateIndex
CREATE UNIQUE INDEX "certificate_person_id_format_data_version_key" ON "certificate"("person_id", "format", "data_version");

-- CreateIndex
CREATE INDEX "correction_request_hospital_code_status_idx" ON "correction_request"("hospital_code", "status");

-- CreateIndex
CREATE INDEX "correction_request_person_id_idx" ON "correction_request"("person_id");

-- AddForeignKey
ALTER TABLE "certificate" ADD CONSTRAINT "certificate_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "correction_request" ADD CONSTRAINT "correction_request_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;
