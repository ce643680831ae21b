-- CreateTable
CREATE TABLE "held_dose_report" (
    "id" UUID NOT NULL,
    "id_hash" TEXT NOT NULL,
    "dose_number" INTEGER NOT NULL,
    "product_code" VARCHAR(20) NOT NULL,
    "lot_number" TEXT,
    "administered_at" TIMESTAMPTZ(3) NOT NULL,
    "hospital_code" VARCHAR(5) NOT NULL,
    "recorded_by" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "source_record_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "held_dose_report_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "held_dose_report_id_hash_idx" ON "held_dose_report"("id_hash");

-- CreateIndex
CREATE UNIQUE INDEX "held_dose_report_source_source_record_id_key" ON "held_dose_report"("source", "source_record_id");
