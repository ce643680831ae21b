-- CreateEnum
CREATE TYPE "IdentityType" AS ENUM ('THAI_ID', 'PASSPORT');

-- CreateEnum
CREATE TYPE "VerificationStatus" AS ENUM ('VERIFIED', 'UNVERIFIED');

-- CreateEnum
CREATE TYPE "ConsentDecision" AS ENUM ('ACCEPTED', 'DECLINED', 'WITHDRAWN');

-- CreateEnum
CREATE TYPE "OutboundStatus" AS ENUM ('PENDING', 'SENDING', 'SENT', 'FAILED');

-- CreateTable
CREATE TABLE "line_user" (
    "id" TEXT NOT NULL,
    "locale" TEXT NOT NULL DEFAULT 'th',
    "following" BOOLEAN NOT NULL DEFAULT true,
    "followed_at" TIMESTAMPTZ(3),
    "unfollowed_at" TIMESTAMPTZ(3),
    "rich_menu" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "line_user_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "person" (
    "id" UUID NOT NULL,
    "owner_id" TEXT NOT NULL,
    "is_self" BOOLEAN NOT NULL,
    "identity_type" "IdentityType" NOT NULL,
    "id_hash" TEXT NOT NULL,
    "id_ciphertext" TEXT NOT NULL,
    "nationality" CHAR(3) NOT NULL,
    "first_name" TEXT NOT NULL,
    "last_name" TEXT NOT NULL,
    "birth_date" DATE NOT NULL,
    "sex" TEXT NOT NULL,
    "phone" TEXT NOT NULL,
    "province_code" VARCHAR(2) NOT NULL,
    "verification_status" "VerificationStatus" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "person_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "consent_record" (
    "id" UUID NOT NULL,
    "line_user_id" TEXT NOT NULL,
    "person_id" UUID,
    "on_behalf" BOOLEAN NOT NULL DEFAULT false,
    "version" TEXT NOT NULL,
    "decision" "ConsentDecision" NOT NULL,
    "decided_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "consent_record_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "registry_entry" (
    "id_hash" TEXT NOT NULL,
    "birth_date" DATE NOT NULL,
    "imported_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "registry_entry_pkey" PRIMARY KEY ("id_hash")
);

-- CreateTable
CREATE TABLE "province" (
    "code" VARCHAR(2) NOT NULL,
    "name_th" TEXT NOT NULL,
    "name_en" TEXT NOT NULL,
    "region" TEXT NOT NULL,

    CONSTRAINT "province_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "conversation_session" (
    "line_user_id" TEXT NOT NULL,
    "flow_id" TEXT,
    "step" TEXT,
    "data" JSONB,
    "version" INTEGER NOT NULL DEFAULT 0,
    "expires_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "conversation_session_pkey" PRIMARY KEY ("line_user_id")
);

-- CreateTable
CREATE TABLE "inbound_event" (
    "webhook_event_id" TEXT NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "source_key" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payload" TEXT,
    "event_time" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processed_at" TIMESTAMPTZ(3),
    "error" TEXT,

    CONSTRAINT "inbound_event_pkey" PRIMARY KEY ("webhook_event_id")
);

-- CreateTable
CREATE TABLE "outbound_message" (
    "id" UUID NOT NULL,
    "line_user_id" TEXT NOT NULL,
    "reply_token" TEXT,
    "reply_before" TIMESTAMPTZ(3),
    "messages" JSONB NOT NULL,
    "rich_menu" TEXT,
    "status" "OutboundStatus" NOT NULL DEFAULT 'PENDING',
    "claimed_at" TIMESTAMPTZ(3),
    "via" TEXT,
    "line_request_id" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbound_message_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "personal_data_access" (
    "id" UUID NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "person_id" UUID,
    "line_user_id" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "personal_data_access_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "data_export" (
    "token_hash" TEXT NOT NULL,
    "line_user_id" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "data_export_pkey" PRIMARY KEY ("token_hash")
);

-- CreateIndex
CREATE UNIQUE INDEX "person_id_hash_key" ON "person"("id_hash");

-- CreateIndex
CREATE INDEX "person_owner_id_idx" ON "person"("owner_id");

-- CreateIndex
CREATE INDEX "consent_record_line_user_id_decided_at_idx" ON "consent_record"("line_user_id", "decided_at");

-- CreateIndex
CREATE UNIQUE INDEX "inbound_event_seq_key" ON "inbound_event"("seq");

-- CreateIndex
CREATE INDEX "inbound_event_source_key_processed_at_seq_idx" ON "inbound_event"("source_key", "processed_at", "seq");

-- CreateIndex
CREATE INDEX "outbound_message_status_created_at_idx" ON "outbound_message"("status", "created_at");

-- CreateIndex
CREATE INDEX "outbound_message_line_user_id_created_at_idx" ON "outbound_message"("line_user_id", "created_at");

-- CreateIndex
CREATE INDEX "personal_data_access_person_id_idx" ON "personal_data_access"("person_id");

-- CreateIndex
CREATE INDEX "data_export_expires_at_idx" ON "data_export"("expires_at");

-- AddForeignKey
ALTER TABLE "person" ADD CONSTRAINT "person_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "line_user"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "person" ADD CONSTRAINT "person_province_code_fkey" FOREIGN KEY ("province_code") REFERENCES "province"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "consent_record" ADD CONSTRAINT "consent_record_line_user_id_fkey" FOREIGN KEY ("line_user_id") REFERENCES "line_user"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "consent_record" ADD CONSTRAINT "consent_record_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;
