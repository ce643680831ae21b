-- CreateTable
CREATE TABLE "hospital" (
    "code" VARCHAR(5) NOT NULL,
    "name_th" TEXT NOT NULL,
    "name_en" TEXT NOT NULL,
    "province_code" VARCHAR(2) NOT NULL,
    "district_th" TEXT NOT NULL,
    "district_en" TEXT NOT NULL,
    "latitude" DOUBLE PRECISION NOT NULL,
    "longitude" DOUBLE PRECISION NOT NULL,
    "type" TEXT NOT NULL,
    "phone" TEXT,

    CONSTRAINT "hospital_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "vaccine_product" (
    "code" VARCHAR(20) NOT NULL,
    "name_th" TEXT NOT NULL,
    "name_en" TEXT NOT NULL,
    "brand" TEXT NOT NULL,
    "manufacturer" TEXT NOT NULL,
    "primary_series_doses" INTEGER NOT NULL,
    "certificate_product_id" TEXT NOT NULL,
    "certificate_holder_id" TEXT NOT NULL,

    CONSTRAINT "vaccine_product_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "dose_interval_rule" (
    "id" UUID NOT NULL,
    "first_product_code" VARCHAR(20) NOT NULL,
    "second_product_code" VARCHAR(20) NOT NULL,
    "min_days" INTEGER NOT NULL,
    "max_days" INTEGER NOT NULL,
    "effective_from" DATE NOT NULL,
    "effective_to" DATE,
    "note" TEXT,
    "source" TEXT,

    CONSTRAINT "dose_interval_rule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "campaign_phase" (
    "code" TEXT NOT NULL,
    "name_th" TEXT NOT NULL,
    "name_en" TEXT NOT NULL,
    "priority_group" TEXT NOT NULL,
    "province_code" VARCHAR(2),
    "booking_opens_on" DATE NOT NULL,
    "note" TEXT,

    CONSTRAINT "campaign_phase_pkey" PRIMARY KEY ("code")
);

-- CreateIndex
CREATE INDEX "hospital_province_code_type_idx" ON "hospital"("province_code", "type");

-- CreateIndex
CREATE INDEX "dose_interval_rule_second_product_code_idx" ON "dose_interval_rule"("second_product_code");

-- CreateIndex
CREATE UNIQUE INDEX "dose_interval_rule_first_product_code_second_product_code_e_key" ON "dose_interval_rule"("first_product_code", "second_product_code", "effective_from");

-- CreateIndex
CREATE INDEX "campaign_phase_priority_group_province_code_idx" ON "campaign_phase"("priority_group", "province_code");

-- CreateIndex
CREATE INDEX "campaign_phase_province_code_idx" ON "campaign_phase"("province_code");

-- AddForeignKey
ALTER TABLE "hospital" ADD CONSTRAINT "hospital_province_code_fkey" FOREIGN KEY ("province_code") REFERENCES "province"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "dose_interval_rule" ADD CONSTRAINT "dose_interval_rule_first_product_code_fkey" FOREIGN KEY ("first_product_code") REFERENCES "vaccine_product"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "dose_interval_rule" ADD CONSTRAINT "dose_interval_rule_second_product_code_fkey" FOREIGN KEY ("second_product_code") REFERENCES "vaccine_product"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "campaign_phase" ADD CONSTRAINT "campaign_phase_province_code_fkey" FOREIGN KEY ("province_code") REFERENCES "province"("code") ON DELETE RESTRICT ON UPDATE CASCADE;
