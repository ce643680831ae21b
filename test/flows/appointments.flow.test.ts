// "My appointments", rescheduling and cancelling, driven step by step through the conversation
// engine on a real database: slots and appointments are inserted with Prisma, the clock is
// fixed (10:00 Bangkok on 1 March 2031, far from any seeded slot), every message is validated
// for LINE and the session round-tripped through JSON after every step.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoPeople, type DemoPerson } from '../../prisma/data/demo-people.js';
import { th } from '../../src/i18n/th.js';
import { en } from '../../src/i18n/en.js';
import { formatDate } from '../../src/i18n/index.js';
import { newBookingCode } from '../../src/domain/booking/booking-code.js';
import { replanAppointmentReminders } from '../../src/domain/notifications/plan-appointment-reminders.js';
import { addDays } from '../../src/domain/vaccination/interval-rules.js';
import type { Postback } from '../../src/bot/postback.js';
import { cancelAppointment } from '../../src/domain/booking/cancel-appointment.js';
import { rescheduleAppointment } from '../../src/domain/booking/reschedule-appointment.js';
import { answerUntil, startEngineHarness, type Chat, type EngineHarness, type Reply } from '../support/engine-harness.js';

let h: EngineHarness;
/** Hospitals handed out one per test, so one test's free slots never show in another's lists. */
let hospitals: Array<{ code: string; nameTh: string; phone: string | null }>;

beforeAll(async () => {
  h = await startEngineHarness();
  hospitals = await h.db.hospital.findMany({ where: { provinceCode: '10', phone: { not: null } }, orderBy: { code: 'asc' }, take: 40, select: { code: true, nameTh: true, phone: true } });
}, 60_000);

function nextHospital() {
  const next = hospitals.shift();
  if (!next) throw new Error('hospitals exhausted');
  return next;
}

afterAll(async () => {
  await h?.close();
});

/** 10:00 in Bangkok on 1 March 2031. */
const NOW = new Date('2031-03-01T03:00:00Z');
const TODAY = '2031-03-01';
const day = (n: number) => addDays(TODAY, n);
const lead = (text: string) => text.split('{')[0]!.trim();

const pool = generateDemoPeople(60).slice(2);
function nextPerson(): DemoPerson {
  const person = pool.shift();
  if (!person) throw new Error('demo people exhausted');
  return person;
}

/** A LINE user registered as themself, with `family` members; their person ids, self first. */
async function registered(family = 0): Promise<{ chat: Chat; people: Array<{ id: string; firstName: string }> }> {
  const chat = h.chat();
  await chat.follow();
  await answerUntil(chat, nextPerson());
  await chat.answer('summary', 'confirm');
  for (let i = 0; i < family; i++) {
    await chat.menu('family');
    await answerUntil(chat, nextPerson());
    await chat.answer('summary', 'confirm');
  }
  const people = await h.db.person.findMany({ where: { ownerId: chat.userId }, orderBy: [{ isSelf: 'desc' }, { createdAt: 'asc' }], select: { id: true, firstName: true } });
  expect(people).toHaveLength(family + 1);
  return { chat, people };
}

/** An open slot; unique per test by its start time. */
async function slot(options: { date: string; hospital: string; start?: string; capacity?: number; booked?: number; product?: string }): Promise<string> {
  const start = options.start ?? `${String(8 + Math.floor(Math.random() * 8)).padStart(2, '0')}:${String(Math.floor(Math.random() * 60)).padStart(2, '0')}`;
  const [hh, mm] = start.split(':').map(Number);
  const row = await h.db.slot.create({
    data: {
      hospitalCode: options.hospital,
      productCode: options.product ?? 'AZ',
      date: new Date(`${options.date}T00:00:00Z`),
      startTime: start,
      endTime: `${String(hh! + 1).padStart(2, '0')}:${String(mm).padStart(2, '0')}`,
      capacity: options.capacity ?? 10,
      booked: options.booked ?? 0,
    },
  });
  return row.id;
}

/** Books directly (as the booking use case leaves it): place taken, event, reminders planned. */
async function book(chat: Chat, personId: string, slotId: string, options: { status?: 'BOOKED' | 'NEEDS_REBOOKING' | 'CANCELLED' | 'COMPLETED'; dose?: number } = {}) {
  const status = options.status ?? 'BOOKED';
  const dose = options.dose ?? 1;
  const active = status === 'BOOKED' || status === 'NEEDS_REBOOKING';
  return h.db.$transaction(async (tx) => {
    const appointment = await tx.appointment.create({
      data: { code: newBookingCode(), personId, doseNumber: dose, activeDose: active ? dose : null, slotId, status, idempotencyKey: randomUUID(), bookedBy: `line:${chat.userId}` },
      include: { slot: true },
    });
    if (status === 'BOOKED') await tx.slot.update({ where: { id: slotId }, data: { booked: { increment: 1 } } });
    await tx.appointmentEvent.create({ data: { appointmentId: appointment.id, type: 'booked', actor: `line:${chat.userId}`, toSlotId: slotId } });
    await replanAppointmentReminders(tx, { id: appointment.id, version: 1, status, personId, lineUserId: chat.userId, date: appointment.slot.date.toISOString().slice(0, 10) }, NOW);
    return appointment;
  });
}

const tapAt = (chat: Chat, payload: Postback, now = NOW): Promise<Reply> => chat.postback(payload, undefined, now);
const answer = (chat: Chat, step: string, value: string, now = NOW) => tapAt(chat, { a: 'ans', s: step, v: value }, now);
const openList = (chat: Chat, now = NOW) => tapAt(chat, { a: 'menu', f: 'appointments' }, now);
const reschedule = (chat: Chat, code: string, now = NOW) => tapAt(chat, { a: 'menu', f: 'appointments', p: `reschedule:${code}` }, now);
const cancel = (chat: Chat, code: string, now = NOW) => tapAt(chat, { a: 'menu', f: 'appointments', p: `cancel:${code}` }, now);

const slotBooked = async (id: string) => (await h.db.slot.findUniqueOrThrow({ where: { id } })).booked;
const remindersOf = (appointmentId: string) =>
  h.db.notification.findMany({ where: { appointmentId }, orderBy: [{ createdAt: 'asc' }, { dueAt: 'asc' }], select: { kind: true, status: true, dueAt: true, appointmentVersion: true } });

describe('my appointments', () => {
  it('with none: says so and offers to book', async () => {
    const hospital = nextHospital();
    const H = hospital.code;
    const { chat } = await registered();
    const reply = await openList(chat);
    expect(reply.texts).toEqual([th['booking.appt.none']]);
    expect(reply.quickReplies.map((q) => q.postback)).toEqual([{ a: 'menu', f: 'book' }]);
    expect(chat.session.flowId).toBeNull();
  });

  it('shows upcoming cards of the user and family (with change buttons only while allowed) and past ones as a list', async () => {
    const hospital = nextHospital();
    const H = hospital.code;
    const { chat, people } = await registered(1);
    const [self, member] = people;
    const soon = await book(chat, self!.id, await slot({ date: day(3), start: '09:00', hospital: H }));
    const family = await book(chat, member!.id, await slot({ date: day(5), hospital: H }));
    const onTheDay = await book(chat, member!.id, await slot({ date: TODAY, hospital: H }), { dose: 2 });
    const cancelled = await book(chat, self!.id, await slot({ date: day(4), hospital: H }), { status: 'CANCELLED' });
    const completed = await book(chat, self!.id, await slot({ date: day(-30), hospital: H }), { status: 'COMPLETED', dose: 2 });
    // Someone else's appointment never shows.
    const stranger = await registered();
    const foreign = await book(stranger.chat, stranger.people[0]!.id, await slot({ date: day(3), start: '10:00', hospital: H }));

    const reply = await openList(chat);
    expect(chat.session.flowId).toBeNull();
    expect(reply.messages).toHaveLength(2);
    expect(reply.messages[0]).toMatchObject({ type: 'flex', contents: { type: 'carousel' } });
    const carousel = (reply.messages[0] as { contents: { contents: unknown[] } }).contents.contents;
    expect(carousel).toHaveLength(3);
    // Soonest first: today's, then day 3, then day 5.
    expect(carousel.map((b) => /"text":"([0-9A-Z]{8})","size":"3xl"/.exec(JSON.stringify(b))?.[1])).toEqual([onTheDay.code, soon.code, family.code]);
    expect(reply.all).toContain(member!.firstName);
    expect(reply.all).toContain(formatDate(day(5), 'th'));
    expect(reply.postbacks).toEqual(
      expect.arrayContaining([
        { a: 'menu', f: 'appointments', p: `reschedule:${soon.code}` },
        { a: 'menu', f: 'appointments', p: `cancel:${soon.code}` },
        { a: 'menu', f: 'appointments', p: `reschedule:${family.code}` },
        { a: 'menu', f: 'appointments', p: `cancel:${family.code}` },
      ]),
    );
    // On the day: no change buttons.
    expect(reply.postbacks.filter((p) => p.a === 'menu' && p.p?.endsWith(onTheDay.code))).toEqual([]);

    const json = JSON.stringify(reply.messages);
    expect(json).not.toContain(foreign.code);
    expect(json).not.toContain(soon.id);
    // The QR and calendar links carry a signed token for the right appointment.
    const tokens = [...json.matchAll(/https:\/\/morprom\.example\/appointments\/([A-Za-z0-9_-]+)\/(qr\.png|calendar\.ics)/g)];
    expect(tokens).toHaveLength(6);
    expect(h.appointmentLinks.verify(tokens[2]![1]!, NOW)).toMatchObject({ appointmentId: soon.id, locale: 'th' });

    const past = reply.texts.at(-1)!;
    expect(past).toContain(th['booking.appt.pastTitle']);
    expect(past).toContain(cancelled.code);
    expect(past).toContain(completed.code);
    expect(past).toContain(th['booking.appt.status.CANCELLED']);
    expect(past).toContain(th['booking.appt.status.COMPLETED']);
    expect(past).not.toContain(soon.code);
  });

  it('in English', async () => {
    const hospital = nextHospital();
    const H = hospital.code;
    const { chat, people } = await registered();
    await book(chat, people[0]!.id, await slot({ date: day(2), hospital: H }));
    chat.locale = 'en';
    const reply = await openList(chat);
    expect(reply.all).toContain(en['booking.appt.title']);
    expect(reply.all).toContain(en['booking.appt.status.BOOKED']);
    expect(reply.all).toContain(formatDate(day(2), 'en'));
  });
});

describe('rescheduling', () => {
  it('moves to a new day and time at the same hospital: places, audit and reminders follow', async () => {
    const hospital = nextHospital();
    const H = hospital.code;
    const { chat, people } = await registered();
    const from = await slot({ date: day(3), start: '09:00', hospital: H });
    const to = await slot({ date: day(6), start: '13:00', hospital: H });
    await slot({ date: day(6), start: '14:00', capacity: 2, booked: 2, hospital: H }); // full: not offered
    const appointment = await book(chat, people[0]!.id, from);
    const before = await remindersOf(appointment.id);
    expect(before.map((r) => r.status)).toEqual(['SCHEDULED', 'SCHEDULED']);

    const days = await reschedule(chat, appointment.code);
    expect(chat.session).toMatchObject({ flowId: 'appointments', step: 'day' });
    expect(days.all).toContain(lead(th['booking.appt.pickDay']));
    // The current slot's day is offered only if it has other free times: here it has none.
    const offered = days.quickReplies.map((q) => q.postback);
    expect(offered).toContainEqual({ a: 'ans', s: 'day', v: day(6) });
    expect(offered).not.toContainEqual({ a: 'ans', s: 'day', v: day(3) });
    expect(offered.at(-1)).toEqual({ a: 'ans', s: 'day', v: 'other' });

    const times = await answer(chat, 'day', day(6));
    expect(chat.session.step).toBe('time');
    expect(times.quickReplies.map((q) => q.postback)).toEqual([
      { a: 'ans', s: 'time', v: to },
      { a: 'ans', s: 'time', v: 'back' },
    ]);
    const confirm = await answer(chat, 'time', to);
    expect(chat.session.step).toBe('confirm');
    expect(confirm.all).toContain(formatDate(day(3), 'th'));
    expect(confirm.all).toContain(formatDate(day(6), 'th'));

    const done = await answer(chat, 'confirm', 'yes');
    expect(chat.session.flowId).toBeNull();
    expect(done.texts[0]).toBe(th['booking.appt.rescheduled'].replace('{code}', appointment.code));
    expect(done.messages[1]).toMatchObject({ type: 'flex' });
    expect(done.all).toContain(appointment.code);
    expect(done.all).toContain(formatDate(day(6), 'th'));

    const after = await h.db.appointment.findUniqueOrThrow({ where: { id: appointment.id } });
    expect(after).toMatchObject({ code: appointment.code, slotId: to, status: 'BOOKED', version: 2, activeDose: 1 });
    expect([await slotBooked(from), await slotBooked(to)]).toEqual([0, 1]);
    const events = await h.db.appointmentEvent.findMany({ where: { appointmentId: appointment.id }, orderBy: { at: 'asc' } });
    expect(events.at(-1)).toMatchObject({ type: 'rescheduled', actor: `line:${chat.userId}`, fromSlotId: from, toSlotId: to });
    const reminders = await remindersOf(appointment.id);
    expect(reminders.filter((r) => r.status === 'CANCELLED').map((r) => r.appointmentVersion)).toEqual([1, 1]);
    const scheduled = reminders.filter((r) => r.status === 'SCHEDULED');
    expect(scheduled.map((r) => [r.kind, r.dueAt.toISOString(), r.appointmentVersion])).toEqual([
      ['appointment-reminder-day-before', `${day(5)}T02:00:00.000Z`, 2],
      ['appointment-reminder-day-of', `${day(6)}T00:00:00.000Z`, 2],
    ]);

    // "Confirm" tapped twice: the second tap is stale and changes nothing.
    expect((await answer(chat, 'confirm', 'yes')).all).toContain(th['error.staleButton']);
    expect(await h.db.appointment.findUniqueOrThrow({ where: { id: appointment.id } })).toMatchObject({ slotId: to, version: 2 });
    expect([await slotBooked(from), await slotBooked(to)]).toEqual([0, 1]);

    // The old buttons still open the flow, for the same appointment, now at its new time.
    await reschedule(chat, appointment.code);
    expect(chat.session.data).toMatchObject({ code: appointment.code, currentSlotId: to });
  });

  it('one that needs rebooking takes a new place without giving one back, and is booked again', async () => {
    const hospital = nextHospital();
    const H = hospital.code;
    const { chat, people } = await registered();
    // The hospital closed the slot: its place was already released.
    const closed = await slot({ date: day(2), start: '09:00', hospital: H, booked: 0 });
    await h.db.slot.update({ where: { id: closed }, data: { status: 'CLOSED' } });
    const to = await slot({ date: day(4), start: '09:00', hospital: H });
    const appointment = await book(chat, people[0]!.id, closed, { status: 'NEEDS_REBOOKING' });
    await h.db.notification.create({ data: { lineUserId: chat.userId, kind: 'rebooking-offer', appointmentId: appointment.id, appointmentVersion: 1, dueAt: NOW } });

    const list = await openList(chat);
    expect(list.all).toContain(th['booking.appt.status.NEEDS_REBOOKING']);
    expect(list.postbacks).toContainEqual({ a: 'menu', f: 'appointments', p: `reschedule:${appointment.code}` });
    await reschedule(chat, appointment.code);
    await answer(chat, 'day', day(4));
    await answer(chat, 'time', to);
    await answer(chat, 'confirm', 'yes');
    expect(await h.db.appointment.findUniqueOrThrow({ where: { id: appointment.id } })).toMatchObject({ status: 'BOOKED', slotId: to, version: 2, activeDose: 1 });
    expect([await slotBooked(closed), await slotBooked(to)]).toEqual([0, 1]);
    const rows = await h.db.notification.findMany({ where: { appointmentId: appointment.id } });
    expect(rows.find((r) => r.kind === 'rebooking-offer')?.status).toBe('CANCELLED');
    expect(rows.filter((r) => r.status === 'SCHEDULED').map((r) => r.kind).sort()).toEqual(['appointment-reminder-day-before', 'appointment-reminder-day-of']);
  });

  it('a time that filled meanwhile: refused with the remaining times, nothing changed', async () => {
    const hospital = nextHospital();
    const H = hospital.code;
    const { chat, people } = await registered();
    const from = await slot({ date: day(2), start: '09:00', hospital: H });
    const wanted = await slot({ date: day(4), start: '10:00', capacity: 1, hospital: H });
    const other = await slot({ date: day(4), start: '11:00', hospital: H });
    const appointment = await book(chat, people[0]!.id, from);
    await reschedule(chat, appointment.code);
    await answer(chat, 'day', day(4));
    await answer(chat, 'time', wanted);
    // Someone else takes the last place while the user reads the summary.
    await h.db.slot.update({ where: { id: wanted }, data: { booked: 1 } });

    const refused = await answer(chat, 'confirm', 'yes');
    expect(refused.texts[0]).toBe(th['booking.appt.slotTaken']);
    expect(chat.session.step).toBe('time');
    expect(refused.quickReplies.map((q) => q.postback)).toEqual([
      { a: 'ans', s: 'time', v: other },
      { a: 'ans', s: 'time', v: 'back' },
    ]);
    expect(await h.db.appointment.findUniqueOrThrow({ where: { id: appointment.id } })).toMatchObject({ slotId: from, version: 1 });
    expect([await slotBooked(from), await slotBooked(wanted), await slotBooked(other)]).toEqual([1, 1, 0]);

    // A tap on the full slot's old button is refused at the time step too.
    expect((await answer(chat, 'time', wanted)).texts[0]).toBe(th['booking.appt.slotTaken']);
    await answer(chat, 'time', other);
    await answer(chat, 'confirm', 'yes');
    expect([await slotBooked(from), await slotBooked(other)]).toEqual([0, 1]);
  });

  it('to another hospital nearby', async () => {
    const hospital = nextHospital();
    const H = hospital.code;
    const { chat, people } = await registered();
    // Its own vaccine, so other tests' hospitals with free places do not crowd the list.
    const from = await slot({ date: day(2), start: '08:00', hospital: H, product: 'MODERNA' });
    const nearby = nextHospital();
    const there = await slot({ date: day(7), hospital: nearby.code, start: '08:30', product: 'MODERNA' });
    const appointment = await book(chat, people[0]!.id, from);
    await reschedule(chat, appointment.code);
    const list = await answer(chat, 'day', 'other');
    expect(chat.session.step).toBe('hospital');
    expect(list.all).toContain(nearby.nameTh);
    const ref = list.quickReplies.find((q) => nearby.nameTh.startsWith(q.label.replace(/^\d+\. /, '').replace(/…$/, '')))!.postback as { v: string };
    const days = await answer(chat, 'hospital', ref.v);
    expect(days.quickReplies.map((q) => q.postback)).toContainEqual({ a: 'ans', s: 'day', v: day(7) });
    await answer(chat, 'day', day(7));
    await answer(chat, 'time', there);
    const done = await answer(chat, 'confirm', 'yes');
    expect(done.all).toContain(nearby.nameTh);
    expect(await h.db.appointment.findUniqueOrThrow({ where: { id: appointment.id } })).toMatchObject({ slotId: there, version: 2 });
  });

  it('is refused on the appointment day, for a cancelled one, and for codes that are not the user\'s', async () => {
    const hospital = nextHospital();
    const H = hospital.code;
    const { chat, people } = await registered();
    const today = await book(chat, people[0]!.id, await slot({ date: TODAY, start: '15:00', hospital: H }));
    const tooLate = await reschedule(chat, today.code);
    expect(tooLate.texts).toEqual([th['booking.appt.tooLatePhone'].replace('{phone}', hospital.phone!).replace('{hospital}', hospital.nameTh)]);
    expect(chat.session.flowId).toBeNull();

    const cancelled = await book(chat, people[0]!.id, await slot({ date: day(3), start: '09:00', hospital: H }), { status: 'CANCELLED' });
    expect((await reschedule(chat, cancelled.code)).texts).toEqual([th['booking.appt.alreadyCancelled'].replace('{code}', cancelled.code)]);

    const stranger = await registered();
    const theirs = await book(stranger.chat, stranger.people[0]!.id, await slot({ date: day(3), start: '10:00', hospital: H }));
    for (const code of [theirs.code, 'ZZZZZZZZ', 'not a code', '']) {
      const reply = await reschedule(chat, code);
      expect(reply.all).not.toContain(theirs.code);
      expect(reply.texts, code).toEqual(code === '' ? expect.anything() : [th['booking.appt.notFound']]);
      expect(chat.session.flowId).toBeNull();
    }
    expect(await h.db.appointment.findUniqueOrThrow({ where: { id: theirs.id } })).toMatchObject({ status: 'BOOKED', version: 1 });
  });
});

describe('cancelling', () => {
  it('asks, then cancels: place released, reminders cancelled, event recorded; again → already cancelled', async () => {
    const hospital = nextHospital();
    const H = hospital.code;
    const { chat, people } = await registered();
    const slotId = await slot({ date: day(2), start: '10:00', hospital: H });
    const appointment = await book(chat, people[0]!.id, slotId);

    const ask = await cancel(chat, appointment.code);
    expect(chat.session).toMatchObject({ flowId: 'appointments', step: 'confirmCancel' });
    expect(ask.all).toContain(appointment.code);
    expect(ask.quickReplies.map((q) => q.postback)).toEqual([
      { a: 'ans', s: 'confirmCancel', v: 'yes' },
      { a: 'ans', s: 'confirmCancel', v: 'no' },
    ]);
    const done = await answer(chat, 'confirmCancel', 'yes');
    expect(done.texts).toEqual([th['booking.appt.cancelledDone'].replace('{code}', appointment.code)]);
    expect(chat.session.flowId).toBeNull();

    expect(await h.db.appointment.findUniqueOrThrow({ where: { id: appointment.id } })).toMatchObject({ status: 'CANCELLED', activeDose: null, version: 2 });
    expect(await slotBooked(slotId)).toBe(0);
    expect((await remindersOf(appointment.id)).map((r) => r.status)).toEqual(['CANCELLED', 'CANCELLED']);
    const event = await h.db.appointmentEvent.findFirstOrThrow({ where: { appointmentId: appointment.id, type: 'cancelled' } });
    expect(event).toMatchObject({ actor: `line:${chat.userId}`, fromSlotId: slotId });
    expect(event.reason).toBeTruthy();

    // The confirm button tapped again (stale), then the card's cancel button again.
    await answer(chat, 'confirmCancel', 'yes');
    expect((await cancel(chat, appointment.code)).texts).toEqual([th['booking.appt.alreadyCancelled'].replace('{code}', appointment.code)]);
    expect(await slotBooked(slotId)).toBe(0);
    expect(await h.db.appointmentEvent.count({ where: { appointmentId: appointment.id, type: 'cancelled' } })).toBe(1);
  });

  it('two cancels of the same appointment at once (two devices): one cancels, the other answers "already cancelled"', async () => {
    const hospital = nextHospital();
    const H = hospital.code;
    const { chat, people } = await registered();
    const slotId = await slot({ date: day(3), start: '10:00', hospital: H });
    const appointment = await book(chat, people[0]!.id, slotId);
    const results = await Promise.all(
      [1, 2].map(() => h.db.$transaction((tx) => cancelAppointment({ db: tx, code: appointment.code, lineUserId: chat.userId, now: NOW }))),
    );
    expect(results.map((r) => r.outcome).sort()).toEqual(['already-cancelled', 'cancelled']);
    expect(await slotBooked(slotId)).toBe(0);
    expect(await h.db.appointmentEvent.count({ where: { appointmentId: appointment.id, type: 'cancelled' } })).toBe(1);
  });

  it('a reschedule racing a cancel: never both, and the places add up', async () => {
    const hospital = nextHospital();
    const H = hospital.code;
    const { chat, people } = await registered();
    const from = await slot({ date: day(3), start: '11:00', hospital: H });
    const to = await slot({ date: day(5), start: '11:00', hospital: H });
    const appointment = await book(chat, people[0]!.id, from);
    const [moved, cancelled] = await Promise.all([
      h.db.$transaction((tx) => rescheduleAppointment({ db: tx, code: appointment.code, toSlotId: to, lineUserId: chat.userId, now: NOW })),
      h.db.$transaction((tx) => cancelAppointment({ db: tx, code: appointment.code, lineUserId: chat.userId, now: NOW })),
    ]);
    const after = await h.db.appointment.findUniqueOrThrow({ where: { id: appointment.id } });
    expect(after.status).toBe('CANCELLED');
    expect(cancelled.outcome).toBe('cancelled');
    // Whichever ran first, the place it holds at the end is given back: no slot keeps a ghost booking.
    expect([await slotBooked(from), await slotBooked(to)]).toEqual([0, 0]);
    expect(['rescheduled', 'not-active']).toContain(moved.outcome);
  });

  it('"keep it" changes nothing', async () => {
    const hospital = nextHospital();
    const H = hospital.code;
    const { chat, people } = await registered();
    const slotId = await slot({ date: day(2), start: '10:30', hospital: H });
    const appointment = await book(chat, people[0]!.id, slotId);
    await cancel(chat, appointment.code);
    expect((await answer(chat, 'confirmCancel', 'no')).texts).toEqual([th['booking.appt.kept']]);
    expect(await h.db.appointment.findUniqueOrThrow({ where: { id: appointment.id } })).toMatchObject({ status: 'BOOKED', version: 1 });
    expect(await slotBooked(slotId)).toBe(1);
  });

  it('on the day is refused, also when the day came while the user was deciding', async () => {
    const hospital = nextHospital();
    const H = hospital.code;
    const { chat, people } = await registered();
    const slotId = await slot({ date: day(1), start: '11:00', hospital: H });
    const appointment = await book(chat, people[0]!.id, slotId);
    // Asked at 23:50 the day before, confirmed at 00:05: it is now the appointment day.
    const lateEvening = new Date(`${TODAY}T16:50:00Z`);
    const afterMidnight = new Date(`${TODAY}T17:05:00Z`);
    await cancel(chat, appointment.code, lateEvening);
    expect(chat.session.step).toBe('confirmCancel');
    const refused = await answer(chat, 'confirmCancel', 'yes', afterMidnight);
    const tooLate = th['booking.appt.tooLatePhone'].replace('{phone}', hospital.phone!).replace('{hospital}', hospital.nameTh);
    expect(refused.texts).toEqual([tooLate]);
    expect(await h.db.appointment.findUniqueOrThrow({ where: { id: appointment.id } })).toMatchObject({ status: 'BOOKED', version: 1 });
    expect(await slotBooked(slotId)).toBe(1);
    expect((await cancel(chat, appointment.code, afterMidnight)).texts).toEqual([tooLate]);
    expect(chat.session.flowId).toBeNull();
  });

  it('one that needs rebooking can be cancelled (its place was already released)', async () => {
    const hospital = nextHospital();
    const H = hospital.code;
    const { chat, people } = await registered();
    const slotId = await slot({ date: day(2), start: '12:00', booked: 3, hospital: H });
    const appointment = await book(chat, people[0]!.id, slotId, { status: 'NEEDS_REBOOKING' });
    await cancel(chat, appointment.code);
    await answer(chat, 'confirmCancel', 'yes');
    expect(await h.db.appointment.findUniqueOrThrow({ where: { id: appointment.id } })).toMatchObject({ status: 'CANCELLED', activeDose: null });
    expect(await slotBooked(slotId)).toBe(3);
  });

  it('a family member\'s appointment can be cancelled by the account that manages them, not by another', async () => {
    const hospital = nextHospital();
    const H = hospital.code;
    const { chat, people } = await registered(1);
    const appointment = await book(chat, people[1]!.id, await slot({ date: day(3), start: '12:30', hospital: H }));
    const stranger = await registered();
    expect((await cancel(stranger.chat, appointment.code)).texts).toEqual([th['booking.appt.notFound']]);
    expect(stranger.chat.session.flowId).toBeNull();
    await cancel(chat, appointment.code);
    await answer(chat, 'confirmCancel', 'yes');
    expect(await h.db.appointment.findUniqueOrThrow({ where: { id: appointment.id } })).toMatchObject({ status: 'CANCELLED' });
  });
});
