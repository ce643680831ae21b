/**
 * Reference and demo data: the 77 provinces, about 1,500 demo hospitals, the vaccine products
 * and their effective-dated dose-interval rules, the campaign phases, and the demo population
 * register (synthetic people with valid ID checksums; the README names one).
 * Idempotent: run it as often as you like. Rows are upserted from prisma/data, so an edited
 * data file updates its rows; rows added in the database and not in the files are left alone.
 * `npm run db:seed` and `npm run demo` also open 14 days of demo slots with their stock at the
 * demo hospitals (seedDemoSlots); `seed()` alone, which the tests use, does not.
 * Usage: npm run db:seed
 */
import { fileURLToPath } from 'node:url';
import { ConfigError, parseEnvFields } from '../src/config/env.js';
import { createDatabaseClient, type Db, type PrismaClient } from '../src/db/client.js';
import { createPersonalDataCipher } from '../src/shared/personal-data.js';
import { PostgresPopulationRegister } from '../src/db/repositories/population-register.repository.js';
import { importRegisterCsv } from '../src/domain/identity/import-register.js';
import { provinces } from './data/provinces.js';
import { generateHospitals, type HospitalSeed } from './data/hospitals.js';
import { doseIntervalRules, vaccineProducts } from './data/vaccines.js';
import { campaignPhases } from './data/campaign-phases.js';
import { demoDoses } from './data/demo-doses.js';
import { DEMO_PERSON } from './data/demo-people.js';
import { holdDoseReport } from '../src/domain/vaccination/held-dose-reports.js';
import { recordDose } from '../src/domain/vaccination/record-dose.js';
import { demoAllocationRows, demoSlotRows, DEMO_SLOT_DAYS } from './data/demo-slots.js';
import { openSlots, type OpenSlotsResult } from '../src/domain/slots/open-slots.js';
import { setAllocations } from '../src/domain/slots/set-allocations.js';
import { bangkokInstant, bangkokToday } from '../src/shared/clock.js';

const demoRegisterCsv = fileURLToPath(new URL('./data/demo-register.csv', import.meta.url));

/** What {@link seed} loaded: rows in the data files (each now in the database as written there). */
export interface SeedResult {
  provinces: number;
  registerEntries: number;
  hospitals: number;
  vaccineProducts: number;
  intervalRules: number;
  campaignPhases: number;
}

/** A YYYY-MM-DD day as Prisma writes a `@db.Date`. */
const asDate = (day: string) => new Date(`${day}T00:00:00Z`);

/**
 * Upserts the hospitals in one statement (1,500 single-row upserts would take seconds):
 * new codes are inserted, changed rows updated, unchanged rows left untouched.
 */
async function upsertHospitals(db: Db, hospitals: readonly HospitalSeed[]): Promise<void> {
  const column = <K extends keyof HospitalSeed>(key: K) => hospitals.map((h) => h[key]);
  await db.$executeRaw`
    INSERT INTO "hospital" ("code", "name_th", "name_en", "province_code", "district_th", "district_en", "latitude", "longitude", "type", "phone")
    SELECT * FROM unnest(
      ${column('code')}::varchar[], ${column('nameTh')}::text[], ${column('nameEn')}::text[], ${column('provinceCode')}::varchar[],
      ${column('districtTh')}::text[], ${column('districtEn')}::text[], ${column('latitude')}::float8[], ${column('longitude')}::float8[],
      ${column('type')}::text[], ${column('phone')}::text[])
    ON CONFLICT ("code") DO UPDATE SET
      "name_th" = EXCLUDED."name_th", "name_en" = EXCLUDED."name_en", "province_code" = EXCLUDED."province_code",
      "district_th" = EXCLUDED."district_th", "district_en" = EXCLUDED."district_en", "latitude" = EXCLUDED."latitude",
      "longitude" = EXCLUDED."longitude", "type" = EXCLUDED."type", "phone" = EXCLUDED."phone"
    WHERE ("hospital"."name_th", "hospital"."name_en", "hospital"."province_code", "hospital"."district_th", "hospital"."district_en",
           "hospital"."latitude", "hospital"."longitude", "hospital"."type", "hospital"."phone")
      IS DISTINCT FROM (EXCLUDED."name_th", EXCLUDED."name_en", EXCLUDED."province_code", EXCLUDED."district_th", EXCLUDED."district_en",
           EXCLUDED."latitude", EXCLUDED."longitude", EXCLUDED."type", EXCLUDED."phone")`;
}

/** The reference data (provinces, hospitals, vaccines, interval rules, phases), all or nothing. */
async function seedReferenceData(db: PrismaClient, hospitals: readonly HospitalSeed[]): Promise<void> {
  await db.$transaction(
    async (tx) => {
      for (const p of provinces) await tx.province.upsert({ where: { code: p.code }, create: p, update: p });
      await upsertHospitals(tx, hospitals);
      for (const v of vaccineProducts) await tx.vaccineProduct.upsert({ where: { code: v.code }, create: v, update: v });
      for (const rule of doseIntervalRules) {
        const key = { firstProductCode: rule.firstProductCode, secondProductCode: rule.secondProductCode, effectiveFrom: asDate(rule.effectiveFrom) };
        const values = {
          minDays: rule.minDays,
          maxDays: rule.maxDays,
          effectiveTo: rule.effectiveTo === null ? null : asDate(rule.effectiveTo),
          note: rule.note,
          source: rule.source,
        };
        await tx.doseIntervalRule.upsert({ where: { firstProductCode_secondProductCode_effectiveFrom: key }, create: { ...key, ...values }, update: values });
      }
      for (const phase of campaignPhases) {
        const row = { ...phase, bookingOpensOn: asDate(phase.bookingOpensOn) };
        await tx.campaignPhase.upsert({ where: { code: phase.code }, create: row, update: row });
      }
    },
    { timeout: 60_000, maxWait: 10_000 },
  );
}

export async function seed(options: { db: PrismaClient; hashKey: Buffer; encryptionKey: Buffer }): Promise<SeedResult> {
  const { db } = options;
  const hospitals = generateHospitals();
  await seedReferenceData(db, hospitals);
  const cipher = createPersonalDataCipher({ hashKey: options.hashKey, encryptionKey: options.encryptionKey });
  const { imported } = await importRegisterCsv({ input: demoRegisterCsv, cipher, register: new PostgresPopulationRegister(db) });
  return {
    provinces: provinces.length,
    registerEntries: imported,
    hospitals: hospitals.length,
    vaccineProducts: vaccineProducts.length,
    intervalRules: doseIntervalRules.length,
    campaignPhases: campaignPhases.length,
  };
}

/**
 * Demo supply (prisma/data/demo-slots.ts): allocations and 14 days of slots at the demo
 * hospitals, through the same use cases as the admin import, so the stock rule holds and a
 * re-run changes nothing (or only adds the days since the last run). Allocations are only
 * raised, never lowered, so a demo that an admin has edited keeps its larger stock. Windows
 * of today that have already started are left out (they could not be booked).
 */
export async function seedDemoSlots(options: { db: PrismaClient; now: Date }): Promise<OpenSlotsResult> {
  const { db, now } = options;
  const wanted = demoAllocationRows();
  const existing = await db.vaccineAllocation.findMany({
    where: { hospitalCode: { in: [...new Set(wanted.map((a) => a.hospitalCode))] } },
    select: { hospitalCode: true, productCode: true, dosesAllocated: true },
  });
  const current = new Map(existing.map((a) => [`${a.hospitalCode}|${a.productCode}`, a.dosesAllocated]));
  const raise = wanted.filter((a) => (current.get(`${a.hospitalCode}|${a.productCode}`) ?? -1) < a.doses);
  const allocations = await setAllocations({ db, rows: raise, now });
  const today = bangkokToday(now);
  const slots = await openSlots({
    db,
    rows: demoSlotRows(today).filter((r) => r.date !== today || bangkokInstant(r.date, r.startTime).getTime() > now.getTime()),
    actor: 'system:demo-seed',
    now,
  });
  const invalid = [...allocations.invalid, ...slots.invalid];
  if (invalid.length > 0) throw new Error(`demo slots: ${invalid.map((i) => `row ${i.row}: ${i.reason}`).join('; ')}`);
  return slots;
}

/**
 * The demo person's doses (prisma/data/demo-doses.ts), as a hospital would report them: held
 * until DEMO_PERSON registers, or recorded at once if they already have. Idempotent.
 */
export async function seedDemoDoses(options: { db: PrismaClient; hashKey: Buffer; encryptionKey: Buffer; now: Date }): Promise<string> {
  const { db, now } = options;
  const cipher = createPersonalDataCipher({ hashKey: options.hashKey, encryptionKey: options.encryptionKey });
  const idHash = cipher.hashIdentity('THAI_ID', DEMO_PERSON.nationalId);
  const person = await db.person.findUnique({ where: { idHash }, select: { id: true } });
  for (const demoDose of demoDoses) {
    // The record id names the key too: a demo database seeded before with another ID_HASH_KEY
    // (a new .env) holds the same doses under another hash, which must not read as a conflict.
    const dose = { ...demoDose, sourceRecordId: `${demoDose.sourceRecordId}:${idHash.slice(0, 16)}` };
    const result = person
      ? await db.$transaction((tx) => recordDose({ db: tx, report: { ...dose, personId: person.id }, now }))
      : await holdDoseReport({ db, idHash, report: dose });
    if (!result.ok) throw new Error(`demo dose ${dose.doseNumber}: ${result.refusal}`);
  }
  return person ? `${demoDoses.length} recorded` : `${demoDoses.length} held until the person registers`;
}

/** Seeds the database the settings name, with its own short-lived client, and says what it did. */
export async function seedFromSettings(env: { DATABASE_URL: string; ID_HASH_KEY: Buffer; ID_ENCRYPTION_KEY: Buffer }): Promise<void> {
  const db = createDatabaseClient({ url: env.DATABASE_URL, poolSize: 4 });
  try {
    const result = await seed({ db, hashKey: env.ID_HASH_KEY, encryptionKey: env.ID_ENCRYPTION_KEY });
    console.log(
      `seeded ${result.provinces} provinces, ${result.hospitals} hospitals, ${result.vaccineProducts} vaccine products, ` +
        `${result.intervalRules} dose-interval rules, ${result.campaignPhases} campaign phases and ${result.registerEntries} demo register entries`,
    );
    const slots = await seedDemoSlots({ db, now: new Date() });
    console.log(`demo slots for the next ${DEMO_SLOT_DAYS} days at the demo hospitals: ${slots.applied} opened or updated, ${slots.unchanged} unchanged`);
    const doses = await seedDemoDoses({ db, hashKey: env.ID_HASH_KEY, encryptionKey: env.ID_ENCRYPTION_KEY, now: new Date() });
    console.log(`demo doses of the README's demo person: ${doses}`);
  } finally {
    await db.$disconnect();
  }
}

async function main(): Promise<void> {
  await seedFromSettings(parseEnvFields(['DATABASE_URL', 'ID_HASH_KEY', 'ID_ENCRYPTION_KEY']));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => {
    console.error(err instanceof ConfigError ? err.message : `db:seed failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
