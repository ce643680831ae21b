// Recording, correcting and voiding doses on a real PostgreSQL: idempotent by the source's
// record id, completes the appointment for the dose and withdraws its reminders, and keeps
// an audit row per change.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabaseClient, type PrismaClient } from '../../src/db/client.js';
import { seed } from '../../prisma/seed.js';
import { recordDose, type DoseReport } from '../../src/domain/vaccination/record-dose.js';
import { correctDose, voidDose } from '../../src/domain/vaccination/correct-dose.js';
import { replanAppointmentReminders } from '../../src/domain/notifications/plan-appointment-reminders.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { seedDemoDoses } from '../../prisma/seed.js';
import { claimHeldDoses } from '../../src/domain/vaccination/held-dose-reports.js';
import { createPersonalDataCipher } from '../../src/shared/personal-data.js';
import { DEMO_PERSON } from '../../prisma/data/demo-people.js';

const NOW = new Date('2021-07-01T03:00:00Z'); // 10:00 in Bangkok
let database: TestDatabase;
let db: PrismaClient;
const keys = { hashKey: randomBytes(32), encryptionKey: randomBytes(32) };

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDatabaseClient({ url: database.url, poolSize: 4 });
  await seed({ db, ...keys });
}, 120_000);

afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
});

async function newPerson(): Promise<{ personId: string; lineUserId: string }> {
  const lineUserId = `U${randomBytes(16).toString('hex')}`;
  await db.lineUser.create({ data: { id: lineUserId } });
  const person = await db.person.create({
    data: {
      ownerId: lineUserId, isSelf: true, identityType: 'THAI_ID', idHash: randomBytes(32).toString('hex'), idCiphertext: 'x',
      nationality: 'THA', firstName: 'สมชาย', lastName: 'ใจดี', birthDate: new Date('1950-01-01'), sex: 'male', phone: '+66812345678', provinceCode: '10', verificationStatus: 'VERIFIED',
    },
  });
  return { personId: person.id, lineUserId };
}

function report(personId: string, overrides: Partial<DoseReport> = {}): DoseReport {
  return {
    personId, doseNumber: 1, productCode: 'AZ', lotNumber: 'A1234', administeredAt: new Date('2021-07-01T02:30:00Z'),
    hospitalCode: '10001', source: 'his:10001', sourceRecordId: randomBytes(6).toString('hex'), recordedBy: 'nurse-7', ...overrides,
  };
}

describe('recordDose', () => {
  it('records once per source record id and refuses a different report under the same id', async () => {
    const { personId } = await newPerson();
    const first = report(personId);
    const recorded = await db.$transaction((tx) => recordDose({ db: tx, report: first, now: NOW }));
    const again = await db.$transaction((tx) => recordDose({ db: tx, report: first, now: NOW }));
    expect(recorded.ok && recorded.created).toBe(true);
    expect(again.ok && !again.created && again.vaccination.id).toBe(recorded.ok && recorded.vaccination.id);
    const changed = await db.$transaction((tx) => recordDose({ db: tx, report: { ...first, lotNumber: 'OTHER' }, now: NOW }));
    expect(changed).toEqual({ ok: false, refusal: 'conflicting-report' });
    expect(await db.vaccination.count({ where: { personId } })).toBe(1);
    expect(await db.vaccinationChange.count({ where: { vaccination: { personId } } })).toBe(1);
  });

  it('refuses unknown product or hospital, a future date and a second record of the same dose', async () => {
    const { personId } = await newPerson();
    const run = (r: DoseReport) => db.$transaction((tx) => recordDose({ db: tx, report: r, now: NOW }));
    expect(await run(report(personId, { productCode: 'NOPE' }))).toEqual({ ok: false, refusal: 'unknown-product' });
    expect(await run(report(personId, { hospitalCode: '99999' }))).toEqual({ ok: false, refusal: 'unknown-hospital' });
    expect(await run(report(personId, { administeredAt: new Date('2021-07-02T01:00:00Z') }))).toEqual({ ok: false, refusal: 'in-the-future' });
    expect(await run(report('00000000-0000-4000-8000-000000000000'))).toEqual({ ok: false, refusal: 'unknown-person' });
    expect((await run(report(personId))).ok).toBe(true);
    expect(await run(report(personId))).toEqual({ ok: false, refusal: 'dose-already-recorded' });
  });

  it('completes the appointment for that dose and withdraws its reminders', async () => {
    const { personId, lineUserId } = await newPerson();
    const slot = await db.slot.create({
      data: { hospitalCode: '10001', productCode: 'AZ', date: new Date('2021-07-03'), startTime: '09:00', endTime: '10:30', capacity: 10, booked: 1 },
    });
    const appointment = await db.appointment.create({
      data: { code: randomBytes(4).toString('hex').toUpperCase(), personId, doseNumber: 1, activeDose: 1, slotId: slot.id, idempotencyKey: randomBytes(8).toString('hex'), bookedBy: `line:${lineUserId}` },
    });
    await replanAppointmentReminders(db, { id: appointment.id, version: 1, status: 'BOOKED', personId, lineUserId, date: '2021-07-03' }, NOW);
    expect(await db.notification.count({ where: { appointmentId: appointment.id, status: 'SCHEDULED' } })).toBe(2);

    const recorded = await db.$transaction((tx) => recordDose({ db: tx, report: report(personId), now: NOW }));
    expect(recorded.ok && recorded.vaccination.appointmentId).toBe(appointment.id);
    const after = await db.appointment.findUniqueOrThrow({ where: { id: appointment.id }, include: { events: true } });
    expect(after).toMatchObject({ status: 'COMPLETED', activeDose: null, version: 2 });
    expect(after.events.map((e) => e.type)).toEqual(['completed']);
    expect(await db.notification.count({ where: { appointmentId: appointment.id, status: 'SCHEDULED' } })).toBe(0);
  });
});

describe('correctDose and voidDose', () => {
  it('corrects with a reason and keeps what changed; voiding stops the dose counting', async () => {
    const { personId } = await newPerson();
    const recorded = await db.$transaction((tx) => recordDose({ db: tx, report: report(personId), now: NOW }));
    if (!recorded.ok) throw new Error('setup failed');
    const id = recorded.vaccination.id;
    const correct = (reason: string, lotNumber: string) =>
      db.$transaction((tx) => correctDose({ db: tx, vaccinationId: id, correction: { lotNumber }, reason, actor: 'admin:ops', now: NOW }));

    expect(await correct('  ', 'B999')).toEqual({ ok: false, refusal: 'reason-required' });
    const corrected = await correct('lot misread', 'B999');
    expect(corrected.ok && corrected.changed && corrected.vaccination.lotNumber).toBe('B999');
    const unchanged = await correct('again', 'B999');
    expect(unchanged.ok && unchanged.changed).toBe(false);
    const change = await db.vaccinationChange.findFirstOrThrow({ where: { vaccinationId: id, type: 'corrected' } });
    expect(change).toMatchObject({ actor: 'admin:ops', reason: 'lot misread', before: { lotNumber: 'A1234' }, after: { lotNumber: 'B999' } });

    const voided = await db.$transaction((tx) => voidDose({ db: tx, vaccinationId: id, reason: 'wrong person', actor: 'admin:ops' }));
    expect(voided.ok && voided.vaccination.status).toBe('VOIDED');
    expect(await correct('too late', 'C1')).toEqual({ ok: false, refusal: 'voided' });
    // The dose number is free again for the right record.
    const rerecorded = await db.$transaction((tx) => recordDose({ db: tx, report: report(personId), now: NOW }));
    expect(rerecorded.ok && rerecorded.created).toBe(true);
  });

  it('answers not-found for an unknown record', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    expect(await db.$transaction((tx) => voidDose({ db: tx, vaccinationId: missing, reason: 'x', actor: 'admin:ops' }))).toEqual({ ok: false, refusal: 'not-found' });
  });
});

describe('demo doses', () => {
  const LATER = new Date('2026-11-25T03:00:00Z');

  it('are held for the demo person until they register, then recorded once', async () => {
    const idHash = createPersonalDataCipher(keys).hashIdentity('THAI_ID', DEMO_PERSON.nationalId);
    expect(await seedDemoDoses({ db, ...keys, now: LATER })).toBe('2 held until the person registers');
    expect(await seedDemoDoses({ db, ...keys, now: LATER })).toBe('2 held until the person registers');
    expect(await db.heldDoseReport.count({ where: { idHash } })).toBe(2);
    // The same demo database seeded again under another key (a new .env) is no conflict.
    const otherKeys = { hashKey: randomBytes(32), encryptionKey: randomBytes(32) };
    expect(await seedDemoDoses({ db, ...otherKeys, now: LATER })).toBe('2 held until the person registers');

    const { personId } = await newPerson();
    await db.person.update({ where: { id: personId }, data: { idHash } });
    expect(await db.$transaction((tx) => claimHeldDoses({ db: tx, idHash, personId, now: LATER }))).toBe(2);
    expect(await db.heldDoseReport.count({ where: { idHash } })).toBe(0);
    // A re-run after registration records (idempotently) instead of holding again.
    expect(await seedDemoDoses({ db, ...keys, now: LATER })).toBe('2 recorded');
    const doses = await db.vaccination.findMany({ where: { personId }, orderBy: { doseNumber: 'asc' } });
    expect(doses.map((d) => [d.doseNumber, d.productCode])).toEqual([[1, 'SINOVAC'], [2, 'AZ']]);
  });
});
