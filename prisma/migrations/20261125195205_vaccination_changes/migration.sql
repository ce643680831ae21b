-- CreateTable
CREATE TABLE "vaccination_change" (
    "id" UUID NOT NULL,
    "vaccination_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "reason" TEXT,
    "before" JSONB,
    "after" JSONB,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "vaccination_change_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "vaccination_change_vaccination_id_at_idx" ON "vaccination_change"("vaccination_id", "at");

-- AddForeignKey
ALTER TABLE "vaccination_change" ADD CONSTRAINT "vaccination_change_vaccination_id_fkey" FOREIGN KEY ("vaccination_id") REFERENCES "vaccination"("id") ON DELETE CASCADE ON UPDATE CASCADE;
