/**
 * Data for booking tests and the booking benchmark, inserted set-based (thousands of people in
 * one statement): LINE users, their people (synthetic: random hashes and ciphertexts, no real
 * ID), risk screenings, and open slots at seeded hospitals.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { PrismaClient } from '../../src/db/client.js';

export interface SeededPerson {
  personId: string;
  lineUserId: string;
}

/** A LINE user id as LINE writes them: U + 32 hex. */
export function lineUserId(): string {
  return `U${randomBytes(16).toString('hex')}`;
}

/**
 * `count` LINE users, each with one person (themself) in `provinceCode`, screened into
 * `priorityGroup` (null: not screened). One statement per table.
 */
export async function insertPeople(
  db: PrismaClient,
  options: { count: number; provinceCode?: string; priorityGroup?: string | null; firstName?: string; screenedAt?: Date },
): Promise<SeededPerson[]> {
  const people = Array.from({ length: options.count }, () => ({ personId: randomUUID(), lineUserId: lineUserId() }));
  const owners = people.map((p) => p.lineUserId);
  const ids = people.map((p) => p.personId);
  const provinceCode = options.provinceCode ?? '10';
  await db.$executeRaw`
    INSERT INTO line_user (id, locale, following, created_at, updated_at)
    SELECT u, 'th', true, now(), now() FROM unnest(${owners}::text[]) AS u`;
  await db.$executeRaw`
    INSERT INTO person (id, owner_id, is_self, identity_type, id_hash, id_ciphertext, nationality, first_name, last_name,
                        birth_date, sex, phone, province_code, verification_status, created_at, updated_at)
    SELECT t.id, t.owner, true, 'THAI_ID', md5(t.id::text || random()::text), 'synthetic', 'THA',
           ${options.firstName ?? 'สมชาย'}, 'ทดสอบ', DATE '1955-04-12', 'male', '+66812345678', ${provinceCode},
           'VERIFIED', now(), now()
      FROM unnest(${ids}::uuid[], ${owners}::text[]) AS t(id, owner)`;
  if (options.priorityGroup !== null) {
    await db.$executeRaw`
      INSERT INTO risk_screening (id, person_id, answered_by, age_years, chronic_diseases, pregnant, occupation, priority_group, screened_at)
      SELECT gen_random_uuid(), t.id, t.owner, 66, ARRAY[]::text[], false, 'other', ${options.priorityGroup ?? 'elderly'},
             ${options.screenedAt ?? new Date('2021-07-01T00:00:00Z')}
        FROM unnest(${ids}::uuid[], ${owners}::text[]) AS t(id, owner)`;
  }
  return people;
}

/** Seeded hospitals of a province, by code (a stable choice for tests). */
export async function hospitalsOf(db: PrismaClient, provinceCode: string, count: number) {
  return db.hospital.findMany({ where: { provinceCode }, orderBy: { code: 'asc' }, take: count });
}

export interface NewSlot {
  hospitalCode: string;
  productCode?: string;
  /** YYYY-MM-DD */
  date: string;
  startTime?: string;
  endTime?: string;
  capacity: number;
  booked?: number;
  status?: 'OPEN' | 'CLOSED';
}

/** Opens slots directly (the stock checks of opening slots are another use case's business). */
export async function insertSlots(db: PrismaClient, slots: readonly NewSlot[]): Promise<string[]> {
  const rows = slots.map((s) => ({
    id: randomUUID(),
    hospitalCode: s.hospitalCode,
    productCode: s.productCode ?? 'SINOVAC',
    date: new Date(`${s.date}T00:00:00Z`),
    startTime: s.startTime ?? '09:00',
    endTime: s.endTime ?? '12:00',
    capacity: s.capacity,
    booked: s.booked ?? 0,
    status: s.status ?? 'OPEN',
  }));
  await db.slot.createMany({ data: rows });
  return rows.map((r) => r.id);
}

/**
 * Runs `fn` over `items` with at most `limit` calls in flight (a pool of callers), in order
 * of start. Each transaction holds a database connection, so more callers than connections
 * would only queue inside the driver.
 */
export async function runConcurrently<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** A family member managed by `ownerId` (screened into `priorityGroup` unless null). */
export async function insertFamilyMember(db: PrismaClient, ownerId: string, options: { firstName: string; priorityGroup?: string | null }): Promise<string> {
  const personId = randomUUID();
  await db.person.create({
    data: {
      id: personId, ownerId, isSelf: false, identityType: 'THAI_ID', idHash: randomBytes(32).toString('hex'), idCiphertext: 'synthetic',
      nationality: 'THA', firstName: options.firstName, lastName: 'ทดสอบ', birthDate: new Date('1950-01-01T00:00:00Z'), sex: 'female',
      phone: '+66812345678', provinceCode: '10', verificationStatus: 'VERIFIED',
    },
  });
  if (options.priorityGroup !== null) {
    await db.riskScreening.create({
      data: { personId, answeredBy: ownerId, ageYears: 71, chronicDiseases: [], pregnant: false, occupation: 'other', priorityGroup: options.priorityGroup ?? 'elderly' },
    });
  }
  return personId;
}
