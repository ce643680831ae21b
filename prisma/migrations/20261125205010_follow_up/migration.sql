-- AlterTable
ALTER TABLE "person" ADD COLUMN     "follow_ups_stopped_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "vaccination" ADD COLUMN     "follow_ups_stopped_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "follow_up_checkin" (
    "id" UUID NOT NULL,
    "person_id" UUID NOT NULL,
    "vaccination_id" UUID NOT NULL,
    "label" TEXT NOT NULL,
    "profile" TEXT NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'SCHEDULED',
    "answer" TEXT,
    "sent_at" TIMESTAMPTZ(3),
    "reminded_at" TIMESTAMPTZ(3),
    "answered_at" TIMESTAMPTZ(3),

    CONSTRAINT "follow_up_checkin_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "symptom_report" (
    "id" UUID NOT NULL,
    "person_id" UUID NOT NULL,
    "vaccination_id" UUID NOT NULL,
    "checkin_id" UUID,
    "reported_by" TEXT NOT NULL,
    "symptoms" TEXT[],
    "red_flags" TEXT[],
    "severity" TEXT NOT NULL,
    "onset_date" DATE NOT NULL,
    "saw_doctor" BOOLEAN NOT NULL,
    "admitted" BOOLEAN NOT NULL,
    "note" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "symptom_report_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "aefi_case" (
    "id" UUID NOT NULL,
    "report_id" UUID NOT NULL,
    "person_id" UUID NOT NULL,
    "vaccination_id" UUID NOT NULL,
    "hospital_code" VARCHAR(5) NOT NULL,
    "serious" BOOLEAN NOT NULL,
    "criteria" TEXT[],
    "onset_date" DATE NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'OPEN',
    "hospital_notified_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "aefi_case_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "follow_up_checkin_status_due_at_idx" ON "follow_up_checkin"("status", "due_at");

-- CreateIndex
CREATE INDEX "follow_up_checkin_person_id_idx" ON "follow_up_checkin"("person_id");

-- CreateIndex
CREATE UNIQUE INDEX "follow_up_checkin_vaccination_id_label_key" ON "follow_up_checkin"("vaccination_id", "label");

-- CreateIndex
CREATE INDEX "symptom_report_vaccination_id_idx" ON "symptom_report"("vaccination_id");

-- CreateIndex
CREATE INDEX "symptom_report_created_at_idx" ON "symptom_report"("created_at");

-- CreateIndex
CREATE UNIQUE INDEX "aefi_case_report_id_key" ON "aefi_case"("report_id");

-- CreateIndex
CREATE INDEX "aefi_case_hospital_code_status_idx" ON "aefi_case"("hospital_code", "status");

-- CreateIndex
CREATE INDEX "aefi_case_created_at_idx" ON "aefi_case"("created_at");

-- AddForeignKey
ALTER TABLE "follow_up_checkin" ADD CONSTRAINT "follow_up_checkin_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "follow_up_checkin" ADD CONSTRAINT "follow_up_checkin_vaccination_id_fkey" FOREIGN KEY ("vaccination_id") REFERENCES "vaccination"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "symptom_report" ADD CONSTRAINT "symptom_report_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "symptom_report" ADD CONSTRAINT "symptom_report_vaccination_id_fkey" FOREIGN KEY ("vaccination_id") REFERENCES "vaccination"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "aefi_case" ADD CONSTRAINT "aefi_case_report_id_fkey" FOREIGN KEY ("report_id") REFERENCES "symptom_report"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "aefi_case" ADD CONSTRAINT "aefi_case_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "aefi_case" ADD CONSTRAINT "aefi_case_hospital_code_fkey" FOREIGN KEY ("hospital_code") REFERENCES "hospital"("code") ON DELETE RESTRICT ON UPDATE CASCADE;
