// "My appointments", rescheduling and cancelling through the real webhook and the LINE
// emulator: the user taps the card's buttons and quick replies; the QR image and the calendar
// file are fetched over HTTP through the links in the card. Real PostgreSQL and Redis; the
// service's clock is fixed (10:00 Bangkok, 1 March 2031) and moved by the tests.
import { randomUUID } from 'node:crypto';
import QRCode from 'qrcode';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { messagingApi } from '@line/bot-sdk';
import type { VirtualUser } from '../../src/emulator/index.js';
import type { TappableAction } from '../../src/emulator/actions.js';
import { generateDemoPeople, type DemoPerson } from '../../prisma/data/demo-people.js';
import { th } from '../../src/i18n/th.js';
import { formatDate } from '../../src/i18n/index.js';
import { newBookingCode } from '../../src/domain/booking/booking-code.js';
import { replanAppointmentReminders } from '../../src/domain/notifications/plan-appointment-reminders.js';
import { addDays } from '../../src/domain/vaccination/interval-rules.js';
import { validateMessages } from '../../src/line/validation/index.js';
import { say, startStack, tap, textsOf, type TestStack, registerThroughChat } from '../support/stack.js';
import { freePort } from '../support/ports.js';

let stack: TestStack;
const register = (user: VirtualUser, person: DemoPerson) => registerThroughChat(stack, user, person);
let publicBaseUrl: string;
let clock = new Date('2031-03-01T03:00:00Z');
const TODAY = '2031-03-01';
const day = (n: number) => addDays(TODAY, n);
const HOSPITAL = '10001';


beforeAll(async () => {
  const port = await freePort();
  publicBaseUrl = `http://127.0.0.1:${port}`;
  stack = await startStack({ now: () => clock, env: { PORT: String(port), PUBLIC_BASE_URL: publicBaseUrl } });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

const people = generateDemoPeople(20).slice(2);


async function slot(date: string, start: string, capacity = 10): Promise<string> {
  const end = `${String(Number(start.slice(0, 2)) + 1).padStart(2, '0')}${start.slice(2)}`;
  return (await stack.db.slot.create({ data: { hospitalCode: HOSPITAL, productCode: 'AZ', date: new Date(`${date}T00:00:00Z`), startTime: start, endTime: end, capacity } })).id;
}

/** A booked appointment as the booking use case leaves it: place taken, reminders planned. */
async function book(user: VirtualUser, personId: string, slotId: string) {
  return stack.db.$transaction(async (tx) => {
    const row = await tx.appointment.create({
      data: { code: newBookingCode(), personId, doseNumber: 1, activeDose: 1, slotId, idempotencyKey: randomUUID(), bookedBy: `line:${user.userId}` },
      include: { slot: true },
    });
    await tx.slot.update({ where: { id: slotId }, data: { booked: { increment: 1 } } });
    await replanAppointmentReminders(tx, { id: row.id, version: 1, status: 'BOOKED', personId, lineUserId: user.userId, date: row.slot.date.toISOString().slice(0, 10) }, clock);
    return row;
  });
}

const booked = async (slotId: string) => (await stack.db.slot.findUniqueOrThrow({ where: { id: slotId } })).booked;
const reminders = (appointmentId: string) =>
  stack.db.notification.findMany({ where: { appointmentId }, orderBy: [{ createdAt: 'asc' }, { dueAt: 'asc' }], select: { status: true, dueAt: true, appointmentVersion: true } });

/** The QR image URL and calendar URL in the card of `code` on screen. */
function cardLinks(messages: readonly messagingApi.Message[], code: string): { qr: string; calendar: string } {
  const bubbles = messages.flatMap((m) => (m.type !== 'flex' ? [] : m.contents.type === 'carousel' ? m.contents.contents : [m.contents]));
  const json = JSON.stringify(bubbles.find((b) => JSON.stringify(b).includes(`"text":"${code}"`)) ?? null);
  const qr = /"url":"([^"]+\/qr\.png)"/.exec(json)?.[1];
  const calendar = /"uri":"([^"]+\/calendar\.ics)"/.exec(json)?.[1];
  expect(qr && calendar, json.slice(0, 500)).toBeTruthy();
  return { qr: qr!, calendar: calendar! };
}

describe('appointments through the webhook', () => {
  // One registered user per test: a person has one active appointment per dose.
  let user: VirtualUser;
  let personId: string;

  beforeEach(async () => {
    user = stack.emulator.user();
    personId = await register(user, people.shift()!);
  }, 30_000);

  it('lists the appointment as a card whose QR and calendar links work over HTTP', async () => {
    const slotId = await slot(day(4), '09:00');
    const appointment = await book(user, personId, slotId);
    const texts = await say(user, 'นัดหมายของฉัน');
    expect(texts).toContain(appointment.code);
    expect(texts).toContain(formatDate(day(4), 'th'));
    expect(validateMessages([...user.lastMessages])).toEqual([]);
    const links = cardLinks(user.lastMessages, appointment.code);
    expect(links.qr.startsWith(`${publicBaseUrl}/appointments/`)).toBe(true);

    // "Add to calendar" opens the .ics link (a uri action: no webhook event).
    const opened = await user.tap('เพิ่มลงปฏิทิน');
    expect(opened.uri).toBe(links.calendar);

    const png = await fetch(links.qr);
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(png.headers.get('cache-control')).toMatch(/^private/);
    const bytes = Buffer.from(await png.arrayBuffer());
    expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    // The QR holds the booking code and nothing else.
    expect(bytes.equals(await QRCode.toBuffer(appointment.code, { type: 'png', errorCorrectionLevel: 'M', margin: 2, scale: 10 }))).toBe(true);
    // Served again from the cache, identical.
    expect(Buffer.from(await (await fetch(links.qr)).arrayBuffer()).equals(bytes)).toBe(true);

    const ics = await fetch(links.calendar);
    expect(ics.status).toBe(200);
    expect(ics.headers.get('content-type')).toMatch(/^text\/calendar/);
    expect(ics.headers.get('cache-control')).toMatch(/^private/);
    const body = await ics.text();
    expect(body).toMatch(/^BEGIN:VCALENDAR\r\n/);
    const lines = body.replace(/\r\n /g, '').split('\r\n');
    expect(lines).toContain(`UID:${appointment.code}@morprom`);
    expect(lines).toContain(`DTSTART:${day(4).replace(/-/g, '')}T020000Z`);
    expect(lines).toContain(`DTEND:${day(4).replace(/-/g, '')}T030000Z`);
    expect(lines).toContain('STATUS:CONFIRMED');
    expect(lines.some((l) => l.startsWith('LOCATION:โรงพยาบาลสาธิตพระนคร'))).toBe(true);
  });

  it('a forged, unknown or expired link is a 404 problem detail', async () => {
    const slotId = await slot(day(2), '10:00');
    const appointment = await book(user, personId, slotId);
    await say(user, 'นัดหมายของฉัน');
    const { qr, calendar } = cardLinks(user.lastMessages, appointment.code);
    const token = /appointments\/([^/]+)\//.exec(qr)![1]!;
    const raw = Buffer.from(token, 'base64url');
    raw[3]! ^= 0x40; // another appointment id, same MAC
    const forged = raw.toString('base64url');
    for (const url of [
      `${publicBaseUrl}/appointments/${forged}/qr.png`,
      `${publicBaseUrl}/appointments/${forged}/calendar.ics`,
      `${publicBaseUrl}/appointments/${'A'.repeat(token.length)}/qr.png`,
      `${publicBaseUrl}/appointments/nonsense/calendar.ics`,
      `${publicBaseUrl}/appointments/${token}x/qr.png`,
    ]) {
      const response = await fetch(url);
      expect(response.status, url).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toMatchObject({ status: 404, title: 'Not found' });
    }
    // Links stop working 14 days after the appointment day.
    const saved = clock;
    clock = new Date(`${day(2 + 15)}T00:00:00Z`);
    try {
      expect((await fetch(calendar)).status).toBe(404);
    } finally {
      clock = saved;
    }
    expect((await fetch(calendar)).status).toBe(200);
  });

  it('reschedule moves the place and the reminders', async () => {
    const from = await slot(day(3), '13:00');
    const to = await slot(day(8), '14:00');
    const appointment = await book(user, personId, from);
    expect((await reminders(appointment.id)).map((r) => r.status)).toEqual(['SCHEDULED', 'SCHEDULED']);

    await say(user, 'นัดหมายของฉัน');
    // Several cards are on screen now: tap this appointment's button.
    const rescheduleButtons = user.availableActions().filter((a) => a.label === 'เลื่อนนัด');
    const mine = rescheduleButtons.find((a) => a.action.type === 'postback' && a.action.data?.includes(appointment.code))!;
    await user.tapAction(mine);
    expect(textsOf(await user.nextMessages()).join('\n')).toContain(appointment.code);
    const times = await tap(user, formatDate(day(8), 'th'));
    expect(times.join('\n')).toContain(formatDate(day(8), 'th'));
    const summary = await tap(user, '14:00–15:00 (10)');
    expect(summary.join('\n')).toContain(formatDate(day(3), 'th'));
    const done = await tap(user, th['booking.appt.confirmRescheduleButton']);
    expect(done[0]).toBe(th['booking.appt.rescheduled'].replace('{code}', appointment.code));
    expect(done).toContain(formatDate(day(8), 'th'));

    expect(await stack.db.appointment.findUniqueOrThrow({ where: { id: appointment.id } })).toMatchObject({ slotId: to, version: 2, status: 'BOOKED' });
    expect([await booked(from), await booked(to)]).toEqual([0, 1]);
    const rows = await reminders(appointment.id);
    // The old date's reminders are withdrawn, the new date's planned for version 2.
    expect(rows.filter((r) => r.status === 'CANCELLED').map((r) => r.dueAt.toISOString())).toEqual([`${day(2)}T02:00:00.000Z`, `${day(3)}T00:00:00.000Z`]);
    expect(rows.filter((r) => r.status === 'SCHEDULED').map((r) => [r.dueAt.toISOString(), r.appointmentVersion])).toEqual([
      [`${day(7)}T02:00:00.000Z`, 2],
      [`${day(8)}T00:00:00.000Z`, 2],
    ]);
    // The new card's calendar link gives the new time (and its sequence).
    const body = await (await fetch(cardLinks(user.lastMessages, appointment.code).calendar)).text();
    expect(body).toContain(`DTSTART:${day(8).replace(/-/g, '')}T070000Z`);
    expect(body).toContain('SEQUENCE:1');
  });

  it('cancel releases the place and cancels the reminders; the calendar link then says CANCELLED', async () => {
    const slotId = await slot(day(5), '15:00');
    const appointment = await book(user, personId, slotId);
    await say(user, 'นัดหมายของฉัน');
    const { qr, calendar } = cardLinks(user.lastMessages, appointment.code);
    const cancelButton = user.availableActions().find((a) => a.label === 'ยกเลิกนัด' && a.action.type === 'postback' && a.action.data?.includes(appointment.code))!;
    await user.tapAction(cancelButton);
    expect(textsOf(await user.nextMessages()).join('\n')).toContain(appointment.code);
    const done = await tap(user, th['booking.appt.confirmCancelButton']);
    expect(done).toEqual([th['booking.appt.cancelledDone'].replace('{code}', appointment.code)]);

    expect(await stack.db.appointment.findUniqueOrThrow({ where: { id: appointment.id } })).toMatchObject({ status: 'CANCELLED', activeDose: null, version: 2 });
    expect(await booked(slotId)).toBe(0);
    expect((await reminders(appointment.id)).map((r) => r.status)).toEqual(['CANCELLED', 'CANCELLED']);
    expect(await stack.db.appointmentEvent.count({ where: { appointmentId: appointment.id, type: 'cancelled', actor: `line:${user.userId}` } })).toBe(1);

    const lines = (await (await fetch(calendar)).text()).replace(/\r\n /g, '').split('\r\n');
    expect(lines).toContain('STATUS:CANCELLED');
    expect(lines).toContain('SEQUENCE:1');
    const gone = await fetch(qr);
    expect(gone.status).toBe(410);
    expect(gone.headers.get('content-type')).toMatch(/^application\/problem\+json/);

    // It is listed among the past appointments now.
    const list = await say(user, 'นัดหมายของฉัน');
    expect(list.at(-1)).toContain(th['booking.appt.pastTitle']);
    expect(list.at(-1)).toContain(appointment.code);
  });

  it('cancel on the appointment day is refused, and nothing changes', async () => {
    const slotId = await slot(TODAY, '16:00');
    const appointment = await book(user, personId, slotId);
    // The card offers no cancel button on the day; an old button (from yesterday) is refused.
    const data = JSON.stringify({ a: 'menu', f: 'appointments', p: `cancel:${appointment.code}` });
    await user.tapAction({ label: 'ยกเลิกนัด', place: 'flex', action: { type: 'postback', label: 'ยกเลิกนัด', data } } as TappableAction);
    const answer = textsOf(await user.nextMessages());
    expect(answer).toEqual([th['booking.appt.tooLatePhone'].replace('{phone}', '02-225-1001').replace('{hospital}', 'โรงพยาบาลสาธิตพระนคร')]);
    expect(await stack.db.appointment.findUniqueOrThrow({ where: { id: appointment.id } })).toMatchObject({ status: 'BOOKED', version: 1 });
    expect(await booked(slotId)).toBe(1);
    // Booked at 10:00 on the day: both reminder times had passed, none was planned.
    expect(await reminders(appointment.id)).toEqual([]);
  });
});
