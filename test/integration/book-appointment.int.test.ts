// The booking use case on real PostgreSQL: the rules it refuses with, and what concurrency
// cannot break (no slot oversold, one appointment per key and per person and dose).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/client.js';
import { bookAppointment, type BookAppointmentResult } from '../../src/domain/booking/book-appointment.js';
import { rebookAppointment } from '../../src/domain/booking/rebook-appointment.js';
import { getAppointmentView } from '../../src/domain/booking/appointment-view.js';
import { BOOKING_CODE_ALPHABET } from '../../src/domain/booking/booking-code.js';
import { moveBookingsToRebooking } from '../../src/domain/slots/move-bookings-to-rebooking.js';
import { createSeededDatabase, type SeededDatabase } from '../support/seeded-database.js';
import { hospitalsOf, insertPeople, insertSlots, runConcurrently, type SeededPerson } from '../support/booking-fixtures.js';
import { sqlStateOf } from '../../src/db/errors.js';

let seeded: SeededDatabase;
let db: PrismaClient;
let hospitals: Awaited<ReturnType<typeof hospitalsOf>>;

/** 20 Jul 2021, 10:00 in Bangkok: the elderly may book (from 1 May), ages 18-59 too (7 Jun). */
const NOW = new Date('2021-07-20T03:00:00Z');

beforeAll(async () => {
  seeded = await createSeededDatabase({ poolSize: 30 });
  db = seeded.db;
  hospitals = await hospitalsOf(db, '10', 5);
}, 60_000);

afterAll(async () => {
  await seeded?.close();
});

const book = (p: SeededPerson, slotId: string, options: { key?: string; now?: Date } = {}) =>
  bookAppointment({
    db,
    personId: p.personId,
    slotId,
    idempotencyKey: options.key ?? randomUUID(),
    actor: `line:${p.lineUserId}`,
    lineUserId: p.lineUserId,
    now: options.now ?? NOW,
  });

let slotCount = 0;
/** One slot; unless given, a start time no other test slot uses (the natural key is unique). */
async function slot(overrides: Partial<Parameters<typeof insertSlots>[1][number]> = {}): Promise<string> {
  const n = slotCount++;
  const startTime = `0${Math.floor(n / 60)}:${String(n % 60).padStart(2, '0')}`;
  const [id] = await insertSlots(db, [{ hospitalCode: hospitals[0]!.code, date: '2021-07-22', capacity: 10, startTime, ...overrides }]);
  return id!;
}

function refusal(result: BookAppointmentResult) {
  if (result.ok) throw new Error(`expected a refusal, got appointment ${result.appointment.code}`);
  return result.refusal;
}

describe('bookAppointment', () => {
  it('books the next dose with a short code, an audit event and two reminders', async () => {
    const [person] = await insertPeople(db, { count: 1 });
    const slotId = await slot({ date: '2021-07-23', startTime: '13:00', endTime: '16:00' });
    const result = await book(person!, slotId);
    if (!result.ok) throw new Error(JSON.stringify(result.refusal));
    expect(result.repeated).toBe(false);
    const a = result.appointment;
    expect(a.code).toMatch(new RegExp(`^[${BOOKING_CODE_ALPHABET}]{8}$`));
    expect(a.code).not.toMatch(/[ILOU]/);
    expect(a).toMatchObject({ status: 'BOOKED', doseNumber: 1, personId: person!.personId, ownerLineUserId: person!.lineUserId, date: '2021-07-23', startTime: '13:00', hospitalCode: hospitals[0]!.code });

    expect((await db.slot.findUniqueOrThrow({ where: { id: slotId } })).booked).toBe(1);
    const events = await db.appointmentEvent.findMany({ where: { appointmentId: a.id } });
    expect(events).toMatchObject([{ type: 'booked', actor: `line:${person!.lineUserId}`, toSlotId: slotId }]);
    const reminders = await db.notification.findMany({ where: { appointmentId: a.id }, orderBy: { dueAt: 'asc' } });
    expect(reminders.map((r) => [r.kind, r.dueAt.toISOString(), r.lineUserId, r.appointmentVersion, r.status])).toEqual([
      ['appointment-reminder-day-before', '2021-07-22T02:00:00.000Z', person!.lineUserId, 1, 'SCHEDULED'],
      ['appointment-reminder-day-of', '2021-07-23T00:00:00.000Z', person!.lineUserId, 1, 'SCHEDULED'],
    ]);
  });

  it('answers a repeated key with the same appointment, booking once', async () => {
    const [person] = await insertPeople(db, { count: 1 });
    const slotId = await slot();
    const key = randomUUID();
    const first = await book(person!, slotId, { key });
    const again = await book(person!, slotId, { key });
    expect(first.ok && again.ok).toBe(true);
    if (!first.ok || !again.ok) return;
    expect(again.repeated).toBe(true);
    expect(again.appointment.code).toBe(first.appointment.code);
    // Both answers are built from the booking's read, not read back: they show what is stored.
    const stored = await getAppointmentView(db, { id: first.appointment.id });
    expect(first.appointment).toEqual(stored);
    expect(again.appointment).toEqual(stored);
    expect((await db.slot.findUniqueOrThrow({ where: { id: slotId } })).booked).toBe(1);
  });

  it('books once when the same key is confirmed many times at the same moment', async () => {
    const [person] = await insertPeople(db, { count: 1 });
    const slotId = await slot();
    const key = randomUUID();
    const results = await Promise.all(Array.from({ length: 8 }, () => book(person!, slotId, { key })));
    expect(results.every((r) => r.ok)).toBe(true);
    const codes = new Set(results.map((r) => (r.ok ? r.appointment.code : '')));
    expect(codes.size).toBe(1);
    expect(results.filter((r) => r.ok && !r.repeated)).toHaveLength(1);
    const stored = await getAppointmentView(db, { id: results[0]!.ok ? results[0]!.appointment.id : '' });
    expect(results.map((r) => r.ok && r.appointment)).toEqual(Array(8).fill(stored));
    expect(await db.appointment.count({ where: { personId: person!.personId } })).toBe(1);
    expect((await db.slot.findUniqueOrThrow({ where: { id: slotId } })).booked).toBe(1);
  });

  it('never oversells: 200 people at once for 50 places give exactly 50 appointments', async () => {
    const people = await insertPeople(db, { count: 200 });
    const slotIds = await insertSlots(db, [
      { hospitalCode: hospitals[1]!.code, date: '2021-07-25', startTime: '09:00', endTime: '12:00', capacity: 30 },
      { hospitalCode: hospitals[1]!.code, date: '2021-07-25', startTime: '13:00', endTime: '16:00', capacity: 20 },
    ]);
    // 25 callers at a time (the pool has 30 connections), 200 attempts.
    const results = await runConcurrently(people, 25, (p, i) => book(p, slotIds[i % 2]!));
    const ok = results.filter((r) => r.ok);
    expect(ok).toHaveLength(50);
    expect(results.filter((r) => !r.ok).map((r) => refusal(r).code)).toEqual(Array(150).fill('slot-full'));
    const slots = await db.slot.findMany({ where: { id: { in: slotIds } }, orderBy: { startTime: 'asc' } });
    expect(slots.map((s) => [s.booked, s.capacity])).toEqual([[30, 30], [20, 20]]);
    expect(await db.appointment.count({ where: { slotId: { in: slotIds } } })).toBe(50);
  });

  it('keeps one active appointment per person and dose, also when two slots are confirmed at once', async () => {
    const [person] = await insertPeople(db, { count: 1 });
    const slotIds = await insertSlots(db, [
      { hospitalCode: hospitals[2]!.code, date: '2021-07-26', capacity: 5 },
      { hospitalCode: hospitals[3]!.code, date: '2021-07-27', capacity: 5 },
    ]);
    const results = await Promise.all(slotIds.map((id) => book(person!, id)));
    const won = results.filter((r) => r.ok);
    expect(won).toHaveLength(1);
    const lost = refusal(results.find((r) => !r.ok)!);
    expect(lost).toEqual({ code: 'already-booked', appointmentCode: won[0]!.ok ? won[0]!.appointment.code : '', doseNumber: 1 });
    const slots = await db.slot.findMany({ where: { id: { in: slotIds } } });
    expect(slots.reduce((sum, s) => sum + s.booked, 0)).toBe(1);
    // And later, with a fresh key: still refused.
    expect(refusal(await book(person!, slotIds[1]!))).toMatchObject({ code: 'already-booked', doseNumber: 1 });
  });

  it('refuses people who have not screened, whose group does not book yet, or who are not the user\'s', async () => {
    const slotId = await slot({ date: '2021-05-21' });
    const [unscreened] = await insertPeople(db, { count: 1, priorityGroup: null });
    expect(refusal(await book(unscreened!, slotId, { now: new Date('2021-05-20T03:00:00Z') }))).toEqual({ code: 'not-screened' });
    const [young] = await insertPeople(db, { count: 1, priorityGroup: 'general', screenedAt: new Date('2021-05-01T00:00:00Z') });
    expect(refusal(await book(young!, slotId, { now: new Date('2021-05-20T03:00:00Z') }))).toEqual({ code: 'not-eligible-yet', opensOn: '2021-06-07' });
    const [other] = await insertPeople(db, { count: 1 });
    const forged = await bookAppointment({ db, personId: other!.personId, slotId, idempotencyKey: randomUUID(), actor: 'line:U0', lineUserId: young!.lineUserId, now: new Date('2021-05-20T03:00:00Z') });
    expect(refusal(forged)).toEqual({ code: 'not-owner' });
    const unknown = await bookAppointment({ db, personId: randomUUID(), slotId, idempotencyKey: randomUUID(), actor: 'line:U0', lineUserId: young!.lineUserId, now: NOW });
    expect(refusal(unknown)).toEqual({ code: 'unknown-person' });
    expect((await db.slot.findUniqueOrThrow({ where: { id: slotId } })).booked).toBe(0);
  });

  it('refuses past and closed slots, and answers a full one with alternatives, same hospital first', async () => {
    const [person] = await insertPeople(db, { count: 1 });
    const hospital = hospitals[4]!;
    expect(refusal(await book(person!, await slot({ hospitalCode: hospital.code, date: '2021-07-19' })))).toEqual({ code: 'in-the-past' });
    // Today, but the window ended at 10:00 and it is 10:00 now.
    expect(refusal(await book(person!, await slot({ hospitalCode: hospital.code, date: '2021-07-20', startTime: '08:00', endTime: '10:00' })))).toEqual({ code: 'in-the-past' });
    expect(refusal(await book(person!, await slot({ hospitalCode: hospital.code, date: '2021-07-21', status: 'CLOSED' })))).toEqual({ code: 'slot-closed' });

    const [full, laterSameDay, nextDay] = await insertSlots(db, [
      { hospitalCode: hospital.code, date: '2021-07-28', startTime: '09:00', endTime: '12:00', capacity: 3, booked: 3 },
      { hospitalCode: hospital.code, date: '2021-07-28', startTime: '13:00', endTime: '16:00', capacity: 3, booked: 1 },
      { hospitalCode: hospital.code, date: '2021-07-29', startTime: '09:00', endTime: '12:00', capacity: 3 },
    ]);
    const answer = refusal(await book(person!, full!));
    expect(answer.code).toBe('slot-full');
    if (answer.code !== 'slot-full') return;
    expect(answer.alternatives.sameHospital.map((s) => [s.slotId, s.free])).toEqual([[laterSameDay, 2], [nextDay, 3]]);
    expect(answer.alternatives.nearbyHospitals.length).toBeGreaterThan(0);
    expect(answer.alternatives.nearbyHospitals.every((h) => h.hospitalCode !== hospital.code)).toBe(true);
    const distances = answer.alternatives.nearbyHospitals.map((h) => h.distanceKm!);
    expect([...distances].sort((a, b) => a - b)).toEqual(distances);
    expect(await db.appointment.count({ where: { personId: person!.personId } })).toBe(0);
  });

  it('applies the dose-2 window and products from the recorded dose 1', async () => {
    const [person] = await insertPeople(db, { count: 1 });
    await db.vaccination.create({
      data: {
        personId: person!.personId, doseNumber: 1, productCode: 'SINOVAC', administeredAt: new Date('2021-07-10T03:00:00Z'),
        hospitalCode: hospitals[0]!.code, recordedBy: 'test', source: 'test', sourceRecordId: randomUUID(),
      },
    });
    const h = hospitals[0]!.code;
    // Sinovac then Sinovac: 14-28 days (24 Jul - 7 Aug); Sinovac then AZ: 21-28 days (31 Jul - 7 Aug).
    expect(refusal(await book(person!, await slot({ hospitalCode: h, productCode: 'PFIZER', date: '2021-08-02' })))).toEqual({
      code: 'product-not-allowed', doseNumber: 2, allowedProducts: ['AZ', 'SINOVAC'],
    });
    expect(refusal(await book(person!, await slot({ hospitalCode: h, productCode: 'SINOVAC', date: '2021-07-22' })))).toEqual({
      code: 'dose-not-due', doseNumber: 2, earliest: '2021-07-24', latest: '2021-08-07',
    });
    expect(refusal(await book(person!, await slot({ hospitalCode: h, productCode: 'AZ', date: '2021-07-30' })))).toEqual({
      code: 'dose-not-due', doseNumber: 2, earliest: '2021-07-31', latest: '2021-08-07',
    });
    expect(refusal(await book(person!, await slot({ hospitalCode: h, productCode: 'SINOVAC', date: '2021-08-08' })))).toEqual({
      code: 'dose-window-passed', doseNumber: 2, earliest: '2021-07-24', latest: '2021-08-07',
    });
    const ok = await book(person!, await slot({ hospitalCode: h, productCode: 'AZ', date: '2021-08-01' }));
    expect(ok.ok && ok.appointment).toMatchObject({ doseNumber: 2, productCode: 'AZ' });
    // A voided dose does not count: a second person with a voided dose 1 books dose 1.
    const [voided] = await insertPeople(db, { count: 1 });
    await db.vaccination.create({
      data: {
        personId: voided!.personId, doseNumber: 1, productCode: 'SINOVAC', administeredAt: new Date('2021-07-10T03:00:00Z'), status: 'VOIDED',
        hospitalCode: h, recordedBy: 'test', source: 'test', sourceRecordId: randomUUID(),
      },
    });
    const first = await book(voided!, await slot({ hospitalCode: h, productCode: 'PFIZER', date: '2021-08-02' }));
    expect(first.ok && first.appointment.doseNumber).toBe(1);
  });

  it('in a caller\'s transaction: reads through it, commits the booking alone, and a retry with the key answers the same appointment', async () => {
    const [person] = await insertPeople(db, { count: 1 });
    const slotId = await slot({ capacity: 1 });
    const args = { personId: person!.personId, slotId, idempotencyKey: randomUUID(), actor: 'line:x', lineUserId: person!.lineUserId, now: NOW };
    // Reads see the caller's own uncommitted writes: a slot it closed is closed.
    const closed = await db.$transaction(async (tx) => {
      await tx.$executeRaw`UPDATE slot SET status = 'CLOSED' WHERE id = ${slotId}::uuid`;
      const result = await bookAppointment({ db: tx, commitOn: db, ...args, idempotencyKey: randomUUID() });
      throw Object.assign(new Error('roll back'), { result });
    }).catch((err: { result: unknown }) => err.result);
    expect(refusal(closed as never).code).toBe('slot-closed');
    // The write commits on its own: the caller rolling back (a chat round that failed) keeps it.
    let code: string | undefined;
    await db.$transaction(async (tx) => {
      const result = await bookAppointment({ db: tx, commitOn: db, ...args });
      code = result.ok ? result.appointment.code : undefined;
      throw new Error('the round fails after the booking');
    }).catch(() => undefined);
    expect(code).toBeDefined();
    expect(await db.appointment.count({ where: { code: code! } })).toBe(1);
    // The event handled again carries the same key: the same appointment, not a second place.
    const again = await db.$transaction((tx) => bookAppointment({ db: tx, commitOn: db, ...args }));
    expect(again).toMatchObject({ ok: true, repeated: true, appointment: { code } });
    expect((await db.slot.findUniqueOrThrow({ where: { id: slotId } })).booked).toBe(1);
  });

  it('refuses to run in a transaction without the root client to commit on', async () => {
    const [person] = await insertPeople(db, { count: 1 });
    const slotId = await slot({ capacity: 1 });
    await expect(
      db.$transaction((tx) => bookAppointment({ db: tx, personId: person!.personId, slotId, idempotencyKey: randomUUID(), actor: 'line:x', lineUserId: person!.lineUserId, now: NOW })),
    ).rejects.toThrow(/commitOn/);
    expect(await db.appointment.count({ where: { personId: person!.personId } })).toBe(0);
  });

  it('gives up within seconds, not never, when the caller\'s own transaction holds the slot\'s row', async () => {
    const [person] = await insertPeople(db, { count: 1 });
    const slotId = await slot({ capacity: 2 });
    const started = Date.now();
    // A chat round that gave a place back in this slot (a cancellation) and then books it for
    // someone else: the write, on another connection, would wait for the round forever.
    const outcome = await db
      .$transaction(async (tx) => {
        await tx.$executeRaw`UPDATE slot SET updated_at = now() WHERE id = ${slotId}::uuid`;
        return bookAppointment({ db: tx, commitOn: db, personId: person!.personId, slotId, idempotencyKey: randomUUID(), actor: 'line:x', lineUserId: person!.lineUserId, now: NOW });
      }, { timeout: 20_000 })
      .then(() => 'booked', (err: unknown) => sqlStateOf(err));
    expect(outcome).toBe('55P03');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await db.appointment.count({ where: { personId: person!.personId } })).toBe(0);
  });

  it.each(['root client', 'caller transaction'] as const)(
    'answers "full" when the last place goes between reading and writing, leaving nothing behind (%s)',
    async (mode) => {
      const [person] = await insertPeople(db, { count: 1 });
      const slotId = await slot({ capacity: 1 });
      // Another booking holds the last place, not yet committed, while ours reads and writes.
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let holding!: () => void;
      const isHolding = new Promise<void>((resolve) => (holding = resolve));
      const other = db.$transaction(async (tx) => {
        await tx.$executeRaw`UPDATE slot SET booked = booked + 1 WHERE id = ${slotId}::uuid`;
        holding();
        await held;
      });
      await isHolding;
      const args = { personId: person!.personId, slotId, idempotencyKey: randomUUID(), actor: 'line:x', lineUserId: person!.lineUserId, now: NOW };
      const ours = mode === 'root client'
        ? bookAppointment({ db, ...args })
        : db.$transaction(async (tx) => {
            const result = await bookAppointment({ db: tx, commitOn: db, ...args });
            // The caller's transaction is still usable.
            await tx.$queryRaw`SELECT 1`;
            return result;
          });
      // Let ours reach the capacity UPDATE and wait on the other's row lock, then commit the other.
      await new Promise((r) => setTimeout(r, 200));
      release();
      await other;
      expect(refusal(await ours).code).toBe('slot-full');
      expect(await db.appointment.count({ where: { personId: person!.personId } })).toBe(0);
      expect((await db.slot.findUniqueOrThrow({ where: { id: slotId } })).booked).toBe(1);
    },
  );

  it('rebooks an appointment that needs rebooking into a new slot, keeping its code', async () => {
    const [person] = await insertPeople(db, { count: 1 });
    const [oldSlot, newSlot] = await insertSlots(db, [
      { hospitalCode: hospitals[2]!.code, date: '2021-07-30', capacity: 2 },
      { hospitalCode: hospitals[2]!.code, date: '2021-07-31', capacity: 2 },
    ]);
    const key = randomUUID();
    const booked = await book(person!, oldSlot!, { key });
    if (!booked.ok) throw new Error('not booked');
    await db.$transaction((tx) => moveBookingsToRebooking(tx, { slots: [{ slotId: oldSlot!, surplus: 1, change: 'closed' }], actor: 'admin:test', reason: 'closed', now: NOW }));
    const args = { db, appointmentCode: booked.appointment.code, slotId: newSlot!, actor: `line:${person!.lineUserId}`, lineUserId: person!.lineUserId, now: NOW };
    const moved = await rebookAppointment(args);
    expect(moved.ok && moved.appointment).toMatchObject({ code: booked.appointment.code, slotId: newSlot, status: 'BOOKED', version: 3 });
    const again = await rebookAppointment(args);
    expect(again.ok && again.repeated).toBe(true);
    const slots = await db.slot.findMany({ where: { id: { in: [oldSlot!, newSlot!] } }, orderBy: { date: 'asc' } });
    expect(slots.map((s) => s.booked)).toEqual([0, 1]);
    const events = await db.appointmentEvent.findMany({ where: { appointmentId: booked.appointment.id }, orderBy: { at: 'asc' } });
    expect(events.map((e) => e.type)).toEqual(['booked', 'needs-rebooking', 'rescheduled']);
    const reminders = await db.notification.findMany({ where: { appointmentId: booked.appointment.id, status: 'SCHEDULED', kind: { startsWith: 'appointment-reminder' } } });
    expect(reminders.map((r) => r.appointmentVersion)).toEqual([3, 3]);
    // The first confirm tapped again: its appointment as it is now, in the new slot.
    const retried = await book(person!, oldSlot!, { key });
    expect(retried.ok && retried.repeated && retried.appointment).toEqual(await getAppointmentView(db, { id: booked.appointment.id }));
    expect(retried.ok && retried.appointment).toMatchObject({ slotId: newSlot, version: 3 });
  });
});
