-- CreateEnum
CREATE TYPE "SlotStatus" AS ENUM ('OPEN', 'CLOSED');

-- CreateEnum
CREATE TYPE "AppointmentStatus" AS ENUM ('BOOKED', 'NEEDS_REBOOKING', 'CANCELLED', 'COMPLETED');

-- CreateEnum
CREATE TYPE "VaccinationStatus" AS ENUM ('RECORDED', 'VOIDED');

-- CreateEnum
CREATE TYPE "NotificationStatus" AS ENUM ('SCHEDULED', 'QUEUED', 'SENT', 'CANCELLED', 'SKIPPED', 'FAILED');

-- CreateTable
CREATE TABLE "risk_screening" (
    "id" UUID NOT NULL,
    "person_id" UUID NOT NULL,
    "answered_by" TEXT NOT NULL,
    "age_years" INTEGER NOT NULL,
    "chronic_diseases" TEXT[],
    "weight_kg" DECIMAL(5,1),
    "height_cm" DECIMAL(5,1),
    "bmi" DECIMAL(4,1),
    "pregnant" BOOLEAN NOT NULL,
    "occupation" TEXT NOT NULL,
    "priority_group" TEXT NOT NULL,
    "screened_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "risk_screening_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "vaccine_allocation" (
    "hospital_code" VARCHAR(5) NOT NULL,
    "product_code" VARCHAR(20) NOT NULL,
    "doses_allocated" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "vaccine_allocation_pkey" PRIMARY KEY ("hospital_code","product_code")
);

-- CreateTable
CREATE TABLE "slot" (
    "id" UUID NOT NULL,
    "hospital_code" VARCHAR(5) NOT NULL,
    "product_code" VARCHAR(20) NOT NULL,
    "date" DATE NOT NULL,
    "start_time" VARCHAR(5) NOT NULL,
    "end_time" VARCHAR(5) NOT NULL,
    "capacity" INTEGER NOT NULL,
    "booked" INTEGER NOT NULL DEFAULT 0,
    "status" "SlotStatus" NOT NULL DEFAULT 'OPEN',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "slot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "appointment" (
    "id" UUID NOT NULL,
    "code" VARCHAR(12) NOT NULL,
    "person_id" UUID NOT NULL,
    "dose_number" INTEGER NOT NULL,
    "active_dose" INTEGER,
    "slot_id" UUID NOT NULL,
    "status" "AppointmentStatus" NOT NULL DEFAULT 'BOOKED',
    "idempotency_key" TEXT NOT NULL,
    "booked_by" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "appointment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "appointment_event" (
    "id" UUID NOT NULL,
    "appointment_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "from_slot_id" UUID,
    "to_slot_id" UUID,
    "reason" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "appointment_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "vaccination" (
    "id" UUID NOT NULL,
    "person_id" UUID NOT NULL,
    "dose_number" INTEGER NOT NULL,
    "product_code" VARCHAR(20) NOT NULL,
    "lot_number" TEXT,
    "administered_at" TIMESTAMPTZ(3) NOT NULL,
    "hospital_code" VARCHAR(5) NOT NULL,
    "recorded_by" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "source_record_id" TEXT NOT NULL,
    "status" "VaccinationStatus" NOT NULL DEFAULT 'RECORDED',
    "appointment_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "vaccination_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notification" (
    "id" UUID NOT NULL,
    "line_user_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "person_id" UUID,
    "appointment_id" UUID,
    "appointment_version" INTEGER,
    "data" JSONB,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "status" "NotificationStatus" NOT NULL DEFAULT 'SCHEDULED',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "line_request_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "queued_at" TIMESTAMPTZ(3),
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "notification_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "risk_screening_person_id_screened_at_idx" ON "risk_screening"("person_id", "screened_at" DESC);

-- CreateIndex
CREATE INDEX "slot_date_status_idx" ON "slot"("date", "status");

-- CreateIndex
CREATE UNIQUE INDEX "slot_hospital_code_date_start_time_product_code_key" ON "slot"("hospital_code", "date", "start_time", "product_code");

-- CreateIndex
CREATE UNIQUE INDEX "appointment_code_key" ON "appointment"("code");

-- CreateIndex
CREATE UNIQUE INDEX "appointment_idempotency_key_key" ON "appointment"("idempotency_key");

-- CreateIndex
CREATE INDEX "appointment_slot_id_status_idx" ON "appointment"("slot_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "appointment_person_id_active_dose_key" ON "appointment"("person_id", "active_dose");

-- CreateIndex
CREATE INDEX "appointment_event_appointment_id_at_idx" ON "appointment_event"("appointment_id", "at");

-- CreateIndex
CREATE INDEX "vaccination_person_id_dose_number_idx" ON "vaccination"("person_id", "dose_number");

-- CreateIndex
CREATE UNIQUE INDEX "vaccination_source_source_record_id_key" ON "vaccination"("source", "source_record_id");

-- CreateIndex
CREATE INDEX "notification_status_due_at_idx" ON "notification"("status", "due_at");

-- CreateIndex
CREATE INDEX "notification_appointment_id_idx" ON "notification"("appointment_id");

-- CreateIndex
CREATE INDEX "notification_line_user_id_idx" ON "notification"("line_user_id");

-- AddForeignKey
ALTER TABLE "risk_screening" ADD CONSTRAINT "risk_screening_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "vaccine_allocation" ADD CONSTRAINT "vaccine_allocation_hospital_code_fkey" FOREIGN KEY ("hospital_code") REFERENCES "hospital"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "vaccine_allocation" ADD CONSTRAINT "vaccine_allocation_product_code_fkey" FOREIGN KEY ("product_code") REFERENCES "vaccine_product"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "slot" ADD CONSTRAINT "slot_hospital_code_fkey" FOREIGN KEY ("hospital_code") REFERENCES "hospital"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "slot" ADD CONSTRAINT "slot_product_code_fkey" FOREIGN KEY ("product_code") REFERENCES "vaccine_product"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "appointment" ADD CONSTRAINT "appointment_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "appointment" ADD CONSTRAINT "appointment_slot_id_fkey" FOREIGN KEY ("slot_id") REFERENCES "slot"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "appointment_event" ADD CONSTRAINT "appointment_event_appointment_id_fkey" FOREIGN KEY ("appointment_id") REFERENCES "appointment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "vaccination" ADD CONSTRAINT "vaccination_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "vaccination" ADD CONSTRAINT "vaccination_product_code_fkey" FOREIGN KEY ("product_code") REFERENCES "vaccine_product"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "vaccination" ADD CONSTRAINT "vaccination_hospital_code_fkey" FOREIGN KEY ("hospital_code") REFERENCES "hospital"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Invariants Prisma's schema language cannot state (kept by hand; db:check-drift ignores CHECKs).
-- A slot is never oversold and never holds a negative count.
ALTER TABLE "slot" ADD CONSTRAINT "slot_booked_within_capacity" CHECK ("booked" >= 0 AND "booked" <= "capacity");
ALTER TABLE "slot" ADD CONSTRAINT "slot_time_window" CHECK ("start_time" ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$' AND "end_time" ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$' AND "start_time" < "end_time");
ALTER TABLE "vaccine_allocation" ADD CONSTRAINT "vaccine_allocation_non_negative" CHECK ("doses_allocated" >= 0);
-- One active appointment per person per dose: active_dose mirrors dose_number exactly while active.
ALTER TABLE "appointment" ADD CONSTRAINT "appointment_active_dose" CHECK (
  ("status" IN ('BOOKED', 'NEEDS_REBOOKING') AND "active_dose" = "dose_number")
  OR ("status" IN ('CANCELLED', 'COMPLETED') AND "active_dose" IS NULL));
ALTER TABLE "appointment" ADD CONSTRAINT "appointment_dose_number" CHECK ("dose_number" >= 1);
