// Booking through the real webhook: the emulator's virtual user shares a location, picks a
// hospital, a day and a time, confirms (twice: one booking; the old confirm again later: the
// appointment), and meets a slot that filled while they decided. Real PostgreSQL, Redis,
// signatures and LINE message validation.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VirtualUser } from '../../src/emulator/index.js';
import { th } from '../../src/i18n/th.js';
import { formatDate } from '../../src/i18n/index.js';
import { bangkokToday } from '../../src/shared/clock.js';
import { addDays } from '../../src/domain/vaccination/interval-rules.js';
import { bookAppointment } from '../../src/domain/booking/book-appointment.js';
import { say, startStack, tap, textsOf, type TestStack } from '../support/stack.js';
import { hospitalsOf, insertPeople, insertSlots, type SeededPerson } from '../support/booking-fixtures.js';

let stack: TestStack;
let hospitals: Awaited<ReturnType<typeof hospitalsOf>>;
const day1 = addDays(bangkokToday(new Date()), 1);

beforeAll(async () => {
  stack = await startStack();
  hospitals = await hospitalsOf(stack.db, '50', 10);
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

const confirmedBefore = (code: string) => th['booking.confirmedBefore'].replace('{name}', 'บุญมี').replace('{dose}', '1').replace('{code}', code);

let nextHospital = 0;
async function hospitalWithSlots(capacity: number) {
  const hospital = hospitals[nextHospital++]!;
  const [morning, afternoon] = await insertSlots(stack.db, [
    { hospitalCode: hospital.code, date: day1, startTime: '09:00', endTime: '12:00', capacity },
    { hospitalCode: hospital.code, date: day1, startTime: '13:00', endTime: '16:00', capacity },
  ]);
  return { hospital, morning: morning!, afternoon: afternoon! };
}

/** A registered, screened person whose LINE user follows the OA, at the confirm step of the morning slot. */
async function atConfirm(hospital: { code: string; nameTh: string; latitude: number; longitude: number }): Promise<{ user: VirtualUser; person: SeededPerson }> {
  const [person] = await insertPeople(stack.db, { count: 1, provinceCode: '50', firstName: 'บุญมี' });
  const user = stack.emulator.user(person!.lineUserId);
  await user.follow();
  await user.nextMessages();
  expect(await say(user, 'จองวัคซีน')).toEqual([th['booking.askWhere']]);
  await user.tap(th['booking.shareLocation'], { location: { latitude: hospital.latitude, longitude: hospital.longitude, title: 'บ้าน', address: 'เชียงใหม่' } });
  const near = textsOf(await user.nextMessages());
  expect(near).toContain(hospital.nameTh);
  expect(near).toContain(th['booking.distance'].replace('{km}', '0.0'));
  // Nearest first: this hospital's button is the first (earlier tests left others with room).
  await user.tap(th['booking.choose'], { nth: 0 });
  const days = textsOf(await user.nextMessages());
  expect(days).toContain(formatDate(day1, 'th'));
  await tap(user, th['booking.choose']);
  const summary = await tap(user, '09:00-12:00 (3)');
  expect(summary).toContain('บุญมี ทดสอบ');
  expect(summary).toContain(hospital.nameTh);
  return { user, person: person! };
}

describe('booking through the webhook', () => {
  it('books from a shared location to the appointment card, with its reminders planned', async () => {
    const { hospital, morning } = await hospitalWithSlots(3);
    const { user, person } = await atConfirm(hospital);
    const done = await tap(user, th['booking.confirm']);
    const appointment = await stack.db.appointment.findFirstOrThrow({ where: { personId: person.personId } });
    expect(done[0]).toBe(th['booking.booked'].replace('{code}', appointment.code));
    expect(done.join('\n')).toContain(appointment.code);
    expect(appointment).toMatchObject({ slotId: morning, status: 'BOOKED', doseNumber: 1 });
    const reminders = await stack.db.notification.findMany({ where: { appointmentId: appointment.id } });
    // The morning of the day always; the day before at 09:00 only if that is still to come.
    expect(reminders.map((r) => r.kind)).toContain('appointment-reminder-day-of');
    expect(reminders.every((r) => r.status === 'SCHEDULED' && r.dueAt > appointment.createdAt && r.lineUserId === person.lineUserId)).toBe(true);
    expect(await stack.db.appointmentEvent.count({ where: { appointmentId: appointment.id, type: 'booked' } })).toBe(1);
  });

  it('books once when confirm is tapped twice at once', async () => {
    const { hospital, morning } = await hospitalWithSlots(3);
    const { user, person } = await atConfirm(hospital);
    const confirm = user.availableActions().find((a) => a.label === th['booking.confirm'])!;
    await Promise.all([user.tapAction(confirm), user.tapAction(confirm)]);
    // One tap books (text and card); the other finds the flow ended and shows that booking.
    const answers = textsOf(await user.nextMessages({ count: 4 }));
    const appointments = await stack.db.appointment.findMany({ where: { personId: person.personId } });
    expect(appointments).toHaveLength(1);
    expect(answers).toContain(th['booking.booked'].replace('{code}', appointments[0]!.code));
    expect(answers).toContain(confirmedBefore(appointments[0]!.code));
    expect((await stack.db.slot.findUniqueOrThrow({ where: { id: morning } })).booked).toBe(1);
  });

  it('shows the appointment when the old confirm button is tapped again after the booking, and books nothing more', async () => {
    const { hospital, morning } = await hospitalWithSlots(3);
    const { user, person } = await atConfirm(hospital);
    const confirm = user.availableActions().find((a) => a.label === th['booking.confirm'])!;
    await user.tapAction(confirm);
    const done = textsOf(await user.nextMessages({ count: 2 }));
    const appointment = await stack.db.appointment.findFirstOrThrow({ where: { personId: person.personId } });
    expect(done[0]).toBe(th['booking.booked'].replace('{code}', appointment.code));

    // Later, the same button in the chat history.
    await user.tapAction(confirm);
    const again = await user.nextMessages({ count: 2 });
    const texts = textsOf(again);
    expect(texts[0]).toBe(confirmedBefore(appointment.code));
    expect(again[1]).toMatchObject({ type: 'flex' });
    expect(texts.slice(1).join('\n')).toContain(appointment.code);
    expect(await stack.db.appointment.count({ where: { personId: person.personId } })).toBe(1);
    expect(await stack.db.appointmentEvent.count({ where: { appointmentId: appointment.id } })).toBe(1);
    expect((await stack.db.slot.findUniqueOrThrow({ where: { id: morning } })).booked).toBe(1);
  });

  it('still answers "expired" to the old confirm button of a booking that was cancelled before it booked', async () => {
    const { hospital, morning } = await hospitalWithSlots(3);
    const { user, person } = await atConfirm(hospital);
    const confirm = user.availableActions().find((a) => a.label === th['booking.confirm'])!;
    expect((await tap(user, th['common.cancel'])).join('\n')).toContain(th['common.cancelled']);
    await user.tapAction(confirm);
    const stale = textsOf(await user.nextMessages());
    expect(stale[0]).toBe(th['error.staleButton']);
    expect(await stack.db.appointment.count({ where: { personId: person.personId } })).toBe(0);
    expect((await stack.db.slot.findUniqueOrThrow({ where: { id: morning } })).booked).toBe(0);
  });

  it('offers the next free times when the slot filled meanwhile, and books the one tapped', async () => {
    const { hospital, morning, afternoon } = await hospitalWithSlots(3);
    const { user, person } = await atConfirm(hospital);
    for (const other of await insertPeople(stack.db, { count: 3, provinceCode: '50' })) {
      const r = await bookAppointment({ db: stack.db, personId: other.personId, slotId: morning, idempotencyKey: randomUUID(), actor: 'test', lineUserId: other.lineUserId, now: new Date() });
      expect(r.ok).toBe(true);
    }
    const full = await tap(user, th['booking.confirm']);
    expect(full).toEqual([th['booking.full']]);
    expect(await stack.db.appointment.count({ where: { personId: person.personId } })).toBe(0);
    const label = th['booking.altSlot'].replace('{date}', formatDate(day1, 'th')).replace('{start}', '13:00');
    expect(await tap(user, label)).toContain(th['booking.confirmTitle']);
    await tap(user, th['booking.confirm']);
    expect(await stack.db.appointment.findFirstOrThrow({ where: { personId: person.personId } })).toMatchObject({ slotId: afternoon, status: 'BOOKED' });
  });
});
