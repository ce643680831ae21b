/**
 * Slots and supply on a real PostgreSQL: allocations, the bulk import (validation, idempotency,
 * the stock rule under concurrency), and shrinking or closing booked slots, which must move the
 * people to NEEDS_REBOOKING with an audit event, withdrawn reminders and a rebooking offer that
 * renders with nearby alternatives. Appointments are inserted directly (status BOOKED,
 * active_dose = dose_number, slot.booked incremented), as the booking use case would leave them.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabaseClient, type PrismaClient } from '../../src/db/client.js';
import { openSlots } from '../../src/domain/slots/open-slots.js';
import { closeSlots } from '../../src/domain/slots/close-slots.js';
import { setAllocations } from '../../src/domain/slots/set-allocations.js';
import { replanAppointmentReminders } from '../../src/domain/notifications/plan-appointment-reminders.js';
import { renderRebookingOffer } from '../../src/notifications/rebooking-offer.renderer.js';
import type { NotificationToRender } from '../../src/notifications/renderer.js';
import type { BotServices } from '../../src/bot/context.js';
import { translator } from '../../src/i18n/index.js';
import { validateMessages } from '../../src/line/validation/index.js';
import { decodePostback } from '../../src/bot/postback.js';
import { seed, seedDemoSlots } from '../../prisma/seed.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { insertPeople } from '../support/booking-fixtures.js';
import { textsOf } from '../support/stack.js';

/** 10:00 in Bangkok, Wednesday 25 November 2026. */
const NOW = new Date('2026-11-25T03:00:00Z');
const TOMORROW = '2026-11-26';
const LATER = '2026-11-27';

let database: TestDatabase;
let db: PrismaClient;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDatabaseClient({ url: database.url, poolSize: 8 });
  await seed({ db, hashKey: Buffer.alloc(32, 1), encryptionKey: Buffer.alloc(32, 2) });
}, 120_000);

afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
});

const slotRow = (over: Record<string, unknown> = {}) => ({
  hospitalCode: '10001',
  productCode: 'AZ',
  date: TOMORROW,
  startTime: '09:00',
  endTime: '10:30',
  capacity: 20,
  ...over,
});
const windows = ['09:00', '10:30', '13:00', '14:30'] as const;
const ends = { '09:00': '10:30', '10:30': '12:00', '13:00': '14:30', '14:30': '16:00' } as const;
const fourSlots = (date: string, capacity = 20, productCode = 'AZ', hospitalCode = '10001') =>
  windows.map((startTime) => slotRow({ date, startTime, endTime: ends[startTime], capacity, productCode, hospitalCode }));

async function slotsOf(hospitalCode: string, productCode: string) {
  return db.slot.findMany({ where: { hospitalCode, productCode }, orderBy: [{ date: 'asc' }, { startTime: 'asc' }] });
}

async function openCapacity(hospitalCode: string, productCode: string): Promise<number> {
  const slots = await slotsOf(hospitalCode, productCode);
  return slots.filter((s) => s.status === 'OPEN').reduce((sum, s) => sum + s.capacity, 0);
}

/** Books `count` people into a slot, one minute apart (the last is the most recent). */
async function book(slotId: string, count: number, firstAt: Date) {
  const people = await insertPeople(db, { count });
  const appointments = [];
  for (const [i, p] of people.entries()) {
    const createdAt = new Date(firstAt.getTime() + i * 60_000);
    const appointment = await db.appointment.create({
      data: {
        code: randomUUID().replace(/-/g, '').slice(0, 8).toUpperCase(),
        personId: p.personId,
        doseNumber: 1,
        activeDose: 1,
        slotId,
        status: 'BOOKED',
        idempotencyKey: randomUUID(),
        bookedBy: `line:${p.lineUserId}`,
        createdAt,
      },
    });
    await db.slot.update({ where: { id: slotId }, data: { booked: { increment: 1 } } });
    const slot = await db.slot.findUniqueOrThrow({ where: { id: slotId } });
    await replanAppointmentReminders(
      db,
      { id: appointment.id, version: 1, status: 'BOOKED', personId: p.personId, lineUserId: p.lineUserId, date: slot.date.toISOString().slice(0, 10) },
      NOW,
    );
    appointments.push({ ...appointment, lineUserId: p.lineUserId });
  }
  return appointments;
}

const services = {} as BotServices; // the renderer needs none of them

async function render(notification: { id: string; appointmentId: string | null; appointmentVersion: number | null; lineUserId: string; personId: string | null; data: unknown; dueAt: Date }, locale: 'th' | 'en' = 'th') {
  const n: NotificationToRender = { ...notification, kind: 'rebooking-offer' };
  return renderRebookingOffer(n, { db, locale, t: translator(locale), now: NOW, services });
}

describe('setAllocations', () => {
  it('sets stock per hospital and product and reports unknown codes and repeats', async () => {
    const result = await setAllocations({
      db,
      now: NOW,
      rows: [
        { hospitalCode: '10001', productCode: 'AZ', doses: 100 },
        { hospitalCode: '10001', productCode: 'pfizer', doses: '60' },
        { hospitalCode: '10002', productCode: 'AZ', doses: 500 },
        { hospitalCode: '99999', productCode: 'AZ', doses: 10 },
        { hospitalCode: '10001', productCode: 'NOVAVAX', doses: 10 },
        { hospitalCode: '10001', productCode: 'AZ', doses: 90 },
        { hospitalCode: '10001', productCode: 'AZ', doses: -5 },
      ],
    });
    expect(result).toEqual({
      applied: 3,
      unchanged: 0,
      invalid: [
        { row: 4, reason: 'unknown hospital 99999' },
        { row: 5, reason: 'unknown product NOVAVAX' },
        { row: 6, reason: 'same hospital and product as row 1' },
        { row: 7, reason: 'doses must be 0 or more' },
      ],
    });
    const stored = await db.vaccineAllocation.findMany({ orderBy: [{ hospitalCode: 'asc' }, { productCode: 'asc' }] });
    expect(stored.map((a) => [a.hospitalCode, a.productCode, a.dosesAllocated])).toEqual([
      ['10001', 'AZ', 100],
      ['10001', 'PFIZER', 60],
      ['10002', 'AZ', 500],
    ]);
    expect((await setAllocations({ db, now: NOW, rows: [{ hospitalCode: '10001', productCode: 'AZ', doses: 100 }] })).unchanged).toBe(1);
  });
});

describe('openSlots', () => {
  it('opens valid rows, reports invalid ones by row, and a re-import changes nothing', async () => {
    const rows = [
      ...fourSlots(TOMORROW), //                                                        rows 1-4: valid, 80 of 100 AZ doses
      slotRow({ date: '2026-11-24' }), //                                                row 5: past
      slotRow({ hospitalCode: '99999' }), //                                             row 6: unknown hospital
      slotRow({ productCode: 'NOVAVAX' }), //                                            row 7: unknown product
      slotRow({ startTime: '11:00', endTime: '10:00' }), //                              row 8: start after end
      slotRow(), //                                                                      row 9: same key as row 1
      slotRow({ productCode: 'SINOVAC', startTime: '16:00', endTime: '17:00' }), //      row 10: no allocation at all
      slotRow({ date: '2026-02-30' }), //                                                row 11: no such day
    ];
    const first = await openSlots({ db, rows, actor: 'admin:test', now: NOW });
    expect(first.applied).toBe(4);
    expect(first.unchanged).toBe(0);
    expect(first.invalid.map((i) => i.row)).toEqual([5, 6, 7, 8, 9, 10, 11]);
    expect(first.invalid.map((i) => i.reason)).toEqual([
      'date 2026-11-24 is in the past (today in Bangkok is 2026-11-25)',
      'unknown hospital 99999',
      'unknown product NOVAVAX',
      'startTime 11:00 must be before endTime 10:00',
      'same slot as row 1 (hospital, date, startTime, product)',
      'capacity 20 would put 20 doses of SINOVAC in open slots at hospital 10001; its allocation is 0 (0 already in open slots)',
      'date 2026-02-30 is not a calendar date',
    ]);
    const before = await slotsOf('10001', 'AZ');
    expect(before.map((s) => [s.startTime, s.endTime, s.capacity, s.booked, s.status])).toEqual([
      ['09:00', '10:30', 20, 0, 'OPEN'],
      ['10:30', '12:00', 20, 0, 'OPEN'],
      ['13:00', '14:30', 20, 0, 'OPEN'],
      ['14:30', '16:00', 20, 0, 'OPEN'],
    ]);

    const again = await openSlots({ db, rows, actor: 'admin:test', now: NOW });
    expect(again).toMatchObject({ applied: 0, unchanged: 4, movedToRebooking: 0 });
    expect(again.invalid).toEqual(first.invalid);
    expect(await slotsOf('10001', 'AZ')).toEqual(before);
  });

  it('updates a changed capacity in place', async () => {
    const result = await openSlots({ db, rows: [slotRow({ startTime: '13:00', endTime: '14:30', capacity: 15 })], actor: 'admin:test', now: NOW });
    expect(result).toMatchObject({ applied: 1, unchanged: 0, invalid: [] });
    const slots = await slotsOf('10001', 'AZ');
    expect(slots).toHaveLength(4);
    expect(slots.find((s) => s.startTime === '13:00')?.capacity).toBe(15);
    expect(await openCapacity('10001', 'AZ')).toBe(75);
  });

  it('refuses capacity over the allocation, counting closes in the same call first', async () => {
    // 75 of 100 doses are in open slots: 30 more does not fit, 25 does.
    const over = await openSlots({ db, rows: [slotRow({ date: LATER, capacity: 30 })], actor: 'admin:test', now: NOW });
    expect(over.applied).toBe(0);
    expect(over.invalid).toEqual([
      { row: 1, reason: 'capacity 30 would put 105 doses of AZ in open slots at hospital 10001; its allocation is 100 (75 already in open slots)' },
    ]);
    const growth = await openSlots({ db, rows: [slotRow({ startTime: '09:00', capacity: 50 })], actor: 'admin:test', now: NOW });
    expect(growth.invalid[0]?.reason).toMatch(/capacity 50 would put 105 doses .* allocation is 100/);
    expect(await openCapacity('10001', 'AZ')).toBe(75);

    // Closing the 14:30 slot (20) in the same file makes room for a 40 later.
    const swap = await openSlots({
      db,
      rows: [slotRow({ date: LATER, capacity: 40 }), { ...slotRow({ startTime: '14:30', endTime: '16:00' }), action: 'close' }],
      actor: 'admin:test',
      now: NOW,
    });
    expect(swap).toMatchObject({ applied: 2, invalid: [] });
    expect(await openCapacity('10001', 'AZ')).toBe(95);
    // Reopening the closed slot is growth again: 95 + 20 > 100.
    const reopen = await openSlots({ db, rows: [slotRow({ startTime: '14:30', endTime: '16:00' })], actor: 'admin:test', now: NOW });
    expect(reopen.invalid[0]?.reason).toMatch(/would put 115 doses/);
  });

  it('never lets two concurrent imports together exceed the allocation', async () => {
    await setAllocations({ db, now: NOW, rows: [{ hospitalCode: '10003', productCode: 'PFIZER', doses: 100 }] });
    const attempts = await Promise.all(
      Array.from({ length: 6 }, (_, i) => openSlots({ db, rows: [slotRow({ hospitalCode: '10003', productCode: 'PFIZER', date: LATER, startTime: `1${i}:00`, endTime: `1${i}:30`, capacity: 30 })], actor: 'admin:test', now: NOW })),
    );
    expect(attempts.filter((a) => a.applied === 1)).toHaveLength(3);
    expect(attempts.filter((a) => a.invalid.length === 1)).toHaveLength(3);
    expect(await openCapacity('10003', 'PFIZER')).toBe(90);
  });

  it('handles thousands of rows in bounded batches, set-based', async () => {
    const hospitals = await db.hospital.findMany({ where: { provinceCode: '50' }, orderBy: { code: 'asc' }, take: 20 });
    await setAllocations({ db, now: NOW, rows: hospitals.map((h) => ({ hospitalCode: h.code, productCode: 'SINOVAC', doses: 10_000 })) });
    const rows = hospitals.flatMap((h) =>
      Array.from({ length: 30 }, (_, d) => `2026-12-${String(d + 1).padStart(2, '0')}`).flatMap((date) => fourSlots(date, 25, 'SINOVAC', h.code)),
    );
    expect(rows).toHaveLength(2_400);
    const started = performance.now();
    const result = await openSlots({ db, rows, actor: 'admin:test', now: NOW, maxRowsPerTransaction: 500 });
    const ms = performance.now() - started;
    expect(result).toMatchObject({ applied: 2_400, unchanged: 0, invalid: [] });
    const again = await openSlots({ db, rows, actor: 'admin:test', now: NOW, maxRowsPerTransaction: 500 });
    expect(again).toMatchObject({ applied: 0, unchanged: 2_400 });
    console.log(`openSlots: 2,400 rows at 20 hospitals in ${ms.toFixed(0)} ms`);
  });
});

describe('set allocations against open slots', () => {
  it('refuses lowering an allocation below the open capacity, with the figures', async () => {
    expect(await openCapacity('10001', 'AZ')).toBe(95);
    const result = await setAllocations({ db, now: NOW, rows: [{ hospitalCode: '10001', productCode: 'AZ', doses: 90 }, { hospitalCode: '10002', productCode: 'AZ', doses: 400 }] });
    expect(result).toEqual({
      applied: 1,
      unchanged: 0,
      invalid: [{ row: 1, reason: 'cannot lower the AZ allocation of hospital 10001 to 90: its open slots from 2026-11-25 hold 95 doses; close or shrink slots first' }],
    });
    expect((await db.vaccineAllocation.findUniqueOrThrow({ where: { hospitalCode_productCode: { hospitalCode: '10001', productCode: 'AZ' } } })).dosesAllocated).toBe(100);
    expect((await setAllocations({ db, now: NOW, rows: [{ hospitalCode: '10001', productCode: 'AZ', doses: 95 }] })).applied).toBe(1);
  });
});

describe('shrinking and closing booked slots', () => {
  it('a shrink moves the most recently booked surplus to NEEDS_REBOOKING, audited, reminders withdrawn, offer planned', async () => {
    const slot = (await slotsOf('10001', 'AZ')).find((s) => s.date.toISOString().startsWith(TOMORROW) && s.startTime === '10:30')!;
    const booked = await book(slot.id, 3, new Date('2026-11-20T00:00:00Z'));
    const result = await openSlots({ db, rows: [slotRow({ startTime: '10:30', endTime: '12:00', capacity: 1 })], actor: 'admin:test', now: NOW });
    expect(result).toMatchObject({ applied: 1, invalid: [], movedToRebooking: 2 });

    const after = await db.slot.findUniqueOrThrow({ where: { id: slot.id } });
    expect([after.capacity, after.booked, after.status]).toEqual([1, 1, 'OPEN']);
    const appointments = await db.appointment.findMany({ where: { slotId: slot.id }, orderBy: { createdAt: 'asc' } });
    expect(appointments.map((a) => [a.status, a.activeDose, a.version])).toEqual([
      ['BOOKED', 1, 1],
      ['NEEDS_REBOOKING', 1, 2],
      ['NEEDS_REBOOKING', 1, 2],
    ]);
    const moved = booked.slice(1);
    const events = await db.appointmentEvent.findMany({ where: { appointmentId: { in: booked.map((b) => b.id) } } });
    expect(events).toHaveLength(2);
    for (const e of events) {
      expect(e).toMatchObject({ type: 'needs-rebooking', actor: 'admin:test', fromSlotId: slot.id, at: NOW });
      expect(e.reason).toMatch(/closed or reduced/);
    }
    expect(events.map((e) => e.appointmentId).sort()).toEqual(moved.map((m) => m.id).sort());

    const notifications = await db.notification.findMany({ where: { appointmentId: { in: booked.map((b) => b.id) } } });
    const ofKept = notifications.filter((n) => n.appointmentId === booked[0]!.id);
    // Booked at 10:00 for tomorrow: the day-before reminder (09:00 today) was never planned.
    expect(ofKept.map((n) => [n.kind, n.status])).toEqual([['appointment-reminder-day-of', 'SCHEDULED']]);
    for (const m of moved) {
      const mine = notifications.filter((n) => n.appointmentId === m.id);
      expect(mine.filter((n) => n.kind.startsWith('appointment-reminder')).map((n) => [n.kind, n.status])).toEqual([['appointment-reminder-day-of', 'CANCELLED']]);
      const offers = mine.filter((n) => n.kind === 'rebooking-offer');
      expect(offers).toHaveLength(1);
      expect(offers[0]).toMatchObject({ status: 'SCHEDULED', lineUserId: m.lineUserId, personId: m.personId, appointmentVersion: 2, dueAt: NOW, data: { change: 'reduced' } });
    }
  });

  it('a close moves everyone and is idempotent; unknown slots are reported', async () => {
    const slot = (await slotsOf('10001', 'AZ')).find((s) => s.date.toISOString().startsWith(TOMORROW) && s.startTime === '09:00')!;
    const booked = await book(slot.id, 2, new Date('2026-11-21T00:00:00Z'));
    const key = { hospitalCode: '10001', productCode: 'AZ', date: TOMORROW, startTime: '09:00' };
    const missing = { ...key, startTime: '07:00' };
    const result = await closeSlots({ db, keys: [key, missing], actor: 'admin:test', reason: 'vaccine delivery late', now: NOW });
    expect(result).toEqual({ closed: [slot.id], alreadyClosed: [], past: [], notFound: ['10001|2026-11-26|07:00|AZ'], movedToRebooking: 2 });
    const after = await db.slot.findUniqueOrThrow({ where: { id: slot.id } });
    expect([after.status, after.booked]).toEqual(['CLOSED', 0]);
    const appointments = await db.appointment.findMany({ where: { id: { in: booked.map((b) => b.id) } } });
    expect(appointments.map((a) => a.status)).toEqual(['NEEDS_REBOOKING', 'NEEDS_REBOOKING']);
    const events = await db.appointmentEvent.findMany({ where: { appointmentId: { in: booked.map((b) => b.id) } } });
    expect(events.map((e) => e.reason)).toEqual(['vaccine delivery late', 'vaccine delivery late']);
    const offers = await db.notification.findMany({ where: { appointmentId: { in: booked.map((b) => b.id) }, kind: 'rebooking-offer' } });
    expect(offers.map((o) => o.data)).toEqual([{ change: 'closed' }, { change: 'closed' }]);

    const again = await closeSlots({ db, slotIds: [slot.id], actor: 'admin:test', now: NOW });
    expect(again).toMatchObject({ closed: [], alreadyClosed: [slot.id], movedToRebooking: 0 });
    expect(await db.notification.count({ where: { appointmentId: { in: booked.map((b) => b.id) }, kind: 'rebooking-offer' } })).toBe(2);
  });

  it('"most recently booked" means most recently brought into the slot (a reschedule counts)', async () => {
    await setAllocations({ db, now: NOW, rows: [{ hospitalCode: '10004', productCode: 'SINOVAC', doses: 50 }] });
    await openSlots({ db, rows: [slotRow({ hospitalCode: '10004', productCode: 'SINOVAC', capacity: 10 })], actor: 'admin:test', now: NOW });
    const slot = (await slotsOf('10004', 'SINOVAC'))[0]!;
    const [movedIn, stayer] = await book(slot.id, 2, new Date('2026-11-01T00:00:00Z'));
    // The first booking was made earlier but rescheduled into this slot after the second one.
    await db.appointmentEvent.create({ data: { appointmentId: movedIn!.id, type: 'rescheduled', actor: 'line:x', toSlotId: slot.id, at: new Date('2026-11-24T00:00:00Z') } });
    const result = await openSlots({ db, rows: [slotRow({ hospitalCode: '10004', productCode: 'SINOVAC', capacity: 1 })], actor: 'admin:test', now: NOW });
    expect(result.movedToRebooking).toBe(1);
    expect((await db.appointment.findUniqueOrThrow({ where: { id: movedIn!.id } })).status).toBe('NEEDS_REBOOKING');
    expect((await db.appointment.findUniqueOrThrow({ where: { id: stayer!.id } })).status).toBe('BOOKED');
  });

  it('leaves slots that have already started alone', async () => {
    const started = await db.slot.create({
      data: { hospitalCode: '10004', productCode: 'SINOVAC', date: new Date('2026-11-25T00:00:00Z'), startTime: '09:00', endTime: '10:30', capacity: 5 },
    });
    const [person] = await book(started.id, 1, new Date('2026-11-10T00:00:00Z'));
    const result = await closeSlots({ db, slotIds: [started.id], actor: 'admin:test', now: NOW });
    expect(result).toMatchObject({ closed: [], past: [started.id], movedToRebooking: 0 });
    expect((await db.appointment.findUniqueOrThrow({ where: { id: person!.id } })).status).toBe('BOOKED');
  });

  it('an import row with action close does the same', async () => {
    const slot = (await slotsOf('10001', 'AZ')).find((s) => s.date.toISOString().startsWith(LATER) && s.startTime === '09:00')!;
    await book(slot.id, 1, new Date('2026-11-22T00:00:00Z'));
    const { endTime: _e, capacity: _c, ...key } = slotRow({ date: LATER });
    const result = await openSlots({ db, rows: [{ ...key, action: 'close' }, { ...key, startTime: '07:00', action: 'close' }], actor: 'admin:test', now: NOW });
    expect(result).toMatchObject({ applied: 1, movedToRebooking: 1, invalid: [{ row: 2, reason: 'no slot 10001 2026-11-27 07:00 AZ to close' }] });
    expect((await db.slot.findUniqueOrThrow({ where: { id: slot.id } })).status).toBe('CLOSED');
  });
});

describe('the rebooking offer, rendered at send time', () => {
  it('lists the nearest hospitals with free places for the same product, and passes LINE validation', async () => {
    // Alternatives with AZ near Phra Nakhon: the same hospital later, and 10002 (Ratchathewi).
    await openSlots({ db, rows: fourSlots(LATER, 30, 'AZ', '10002'), actor: 'admin:test', now: NOW });
    // The first offer planned: the shrink of 10001's 10:30 AZ slot tomorrow.
    const offer = await db.notification.findFirstOrThrow({ where: { kind: 'rebooking-offer', data: { equals: { change: 'reduced' } } }, orderBy: { createdAt: 'asc' } });
    for (const locale of ['th', 'en'] as const) {
      const messages = await render(offer, locale);
      expect(messages).not.toBeNull();
      expect(validateMessages(messages!)).toEqual([]);
      const texts = textsOf(messages!).join('\n');
      expect(texts).toContain(locale === 'th' ? 'ลดจำนวนผู้รับบริการลง' : 'has been reduced');
      expect(texts).toContain(locale === 'th' ? 'โรงพยาบาลสาธิตพระนคร' : 'Phra Nakhon Demonstration Hospital');
      expect(texts).toContain(locale === 'th' ? 'โรงพยาบาลมหาวิทยาลัยสาธิตราชเทวี' : 'Ratchathewi Demonstration University Hospital');
      const json = JSON.stringify(messages);
      const code = (await db.appointment.findUniqueOrThrow({ where: { id: offer.appointmentId! } })).code;
      const datas = [...json.matchAll(/"data":"((?:[^"\\]|\\.)*)"/g)].map((m) => decodePostback(JSON.parse(`"${m[1]}"`) as string));
      expect(datas).toContainEqual({ a: 'menu', f: 'book', p: `rebook:${code}` });
      expect(datas).toContainEqual({ a: 'menu', f: 'appointments', p: `cancel:${code}` });
      // Only AZ counts: 10003 has PFIZER only, and is not offered.
      expect(texts).not.toContain(locale === 'th' ? 'ศูนย์ฉีดวัคซีนสาธิตบางซื่อ' : 'Bang Sue Demonstration Vaccination Centre');
    }
  });

  it('renders nothing once the appointment changed (version) or is no longer waiting', async () => {
    const offer = await db.notification.findFirstOrThrow({ where: { kind: 'rebooking-offer', data: { equals: { change: 'closed' } } } });
    expect(await render({ ...offer, appointmentVersion: 1 })).toBeNull();
    await db.appointment.update({ where: { id: offer.appointmentId! }, data: { status: 'CANCELLED', activeDose: null, version: { increment: 1 } } });
    expect(await render({ ...offer, appointmentVersion: offer.appointmentVersion! + 1 })).toBeNull();
    expect(await render({ ...offer, appointmentId: randomUUID() })).toBeNull();
  });
});

describe('demo slots', () => {
  it('opens 14 days at the demo hospitals, and a re-run changes nothing', async () => {
    const fresh = await createTestDatabase();
    const demoDb = createDatabaseClient({ url: fresh.url, poolSize: 4 });
    try {
      await seed({ db: demoDb, hashKey: Buffer.alloc(32, 1), encryptionKey: Buffer.alloc(32, 2) });
      const started = performance.now();
      const first = await seedDemoSlots({ db: demoDb, now: NOW });
      const ms = performance.now() - started;
      // Today's 09:00 window has started at 10:00: 5 hospitals × (14 × 4 − 1).
      expect(first).toMatchObject({ applied: 5 * 55, unchanged: 0, invalid: [] });
      expect(await demoDb.slot.count({ where: { status: 'OPEN' } })).toBe(275);
      expect(await demoDb.vaccineAllocation.count()).toBe(15);
      const again = await seedDemoSlots({ db: demoDb, now: NOW });
      expect(again).toMatchObject({ applied: 0, unchanged: 275 });
      // The next day only adds the new day (and leaves yesterday's slots alone).
      const nextDay = await seedDemoSlots({ db: demoDb, now: new Date('2026-11-26T00:30:00Z') });
      expect(nextDay).toMatchObject({ applied: 5 * 4, unchanged: 5 * 52 });
      console.log(`demo slots: 275 slots and 15 allocations in ${ms.toFixed(0)} ms`);
    } finally {
      await demoDb.$disconnect();
      await fresh.drop();
    }
  }, 120_000);
});
