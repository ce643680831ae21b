// The booking flow driven step by step through the conversation engine (real PostgreSQL and
// Redis, every step in a transaction, the session round-tripped through structuredClone and
// JSON, every message validated for LINE): for whom, where (province, region, location),
// hospital, day (carousel or date picker), time, confirm, and what happens around it.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { th } from '../../src/i18n/th.js';
import { formatDate } from '../../src/i18n/index.js';
import { bangkokToday } from '../../src/shared/clock.js';
import { addDays } from '../../src/domain/vaccination/interval-rules.js';
import { bookAppointment } from '../../src/domain/booking/book-appointment.js';
import { moveBookingsToRebooking } from '../../src/domain/slots/move-bookings-to-rebooking.js';
import { startEngineHarness, type Chat, type EngineHarness, type Reply } from '../support/engine-harness.js';
import { hospitalsOf, insertFamilyMember, insertPeople, insertSlots, type SeededPerson } from '../support/booking-fixtures.js';

let h: EngineHarness;
let hospitals: Awaited<ReturnType<typeof hospitalsOf>>;
const today = bangkokToday(new Date());
const day1 = addDays(today, 1);
const day2 = addDays(today, 2);
const lead = (text: string) => text.split('{')[0]!.trim();

beforeAll(async () => {
  h = await startEngineHarness();
  hospitals = await hospitalsOf(h.db, '10', 40);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

let nextHospital = 0;
/** A Bangkok hospital no other test uses, with a morning and an afternoon slot on day 1 and a slot on day 2. */
async function hospitalWithSlots(capacity = 5) {
  const hospital = hospitals[nextHospital++]!;
  const [morning, afternoon, next] = await insertSlots(h.db, [
    { hospitalCode: hospital.code, date: day1, startTime: '09:00', endTime: '12:00', capacity },
    { hospitalCode: hospital.code, date: day1, startTime: '13:00', endTime: '16:00', capacity, productCode: 'AZ' },
    { hospitalCode: hospital.code, date: day2, startTime: '09:00', endTime: '12:00', capacity },
  ]);
  return { hospital, slots: { morning: morning!, afternoon: afternoon!, next: next! } };
}

async function screenedUser(): Promise<{ person: SeededPerson; chat: Chat }> {
  const [person] = await insertPeople(h.db, { count: 1, firstName: 'สมหญิง' });
  return { person: person!, chat: h.chat(person!.lineUserId) };
}

const confirmedBefore = (name: string, dose: number, code: string) =>
  th['booking.confirmedBefore'].replace('{name}', name).replace('{dose}', String(dose)).replace('{code}', code);

function answersOf(reply: Reply, step: string): string[] {
  return reply.postbacks.filter((p) => p.a === 'ans' && p.s === step).map((p) => (p.a === 'ans' ? p.v : ''));
}

/** From the "where" step, through a typed province, to the confirm card of `slotId`. */
async function toConfirm(chat: Chat, hospitalCode: string, date: string, slotId: string): Promise<Reply> {
  const hospitalsReply = await chat.text('กรุงเทพมหานคร');
  expect(chat.session.step).toBe('hospital');
  expect(answersOf(hospitalsReply, 'hospital')).toContain(`code:${hospitalCode}`);
  await chat.answer('hospital', `code:${hospitalCode}`);
  expect(chat.session.step).toBe('date');
  await chat.answer('date', `date:${date}`);
  expect(chat.session.step).toBe('time');
  const confirm = await chat.answer('time', `slot:${slotId}`);
  expect(chat.session.step).toBe('confirm');
  return confirm;
}

describe('booking flow', () => {
  it('asks an unregistered user to register first', async () => {
    const chat = h.chat();
    const answer = await chat.menu('book');
    expect(answer.texts).toEqual([th['register.required']]);
    expect(answer.quickReplies.map((q) => q.postback)).toEqual([{ a: 'menu', f: 'register' }]);
    expect(chat.session.flowId).toBeNull();
  });

  it('offers the risk screening to someone not screened yet, for that person', async () => {
    const [person] = await insertPeople(h.db, { count: 1, priorityGroup: null, firstName: 'สมปอง' });
    const chat = h.chat(person!.lineUserId);
    const answer = await chat.menu('book');
    expect(answer.texts).toEqual([th['booking.notScreened'].replace('{name}', 'สมปอง')]);
    expect(answer.quickReplies.map((q) => q.postback)).toEqual([{ a: 'menu', f: 'screening', p: `person:${person!.personId}` }]);
    expect(chat.session.flowId).toBeNull();
  });

  it('tells a group that may not book yet from which day, in the Buddhist era', async () => {
    const opensOn = addDays(today, 10);
    await h.db.campaignPhase.create({ data: { code: `later-${randomUUID()}`, nameTh: 'ทดสอบ', nameEn: 'Test', priorityGroup: 'test-later', bookingOpensOn: new Date(`${opensOn}T00:00:00Z`) } });
    const [person] = await insertPeople(h.db, { count: 1, priorityGroup: 'test-later', firstName: 'สมศรี' });
    const answer = await h.chat(person!.lineUserId).menu('book');
    const date = formatDate(opensOn, 'th');
    expect(date).toMatch(/25\d\d$/);
    expect(answer.texts).toEqual([th['booking.notYet'].replace('{name}', 'สมศรี').replace('{date}', date)]);
  });

  it('books through province → hospital → day → time → confirm, and a second confirm tap books nothing more', async () => {
    const { hospital, slots } = await hospitalWithSlots();
    const { person, chat } = await screenedUser();
    const where = await chat.text('จองวัคซีน');
    expect(chat.session).toMatchObject({ flowId: 'booking', step: 'where' });
    expect(where.texts).toEqual([th['booking.askWhere']]);
    expect(where.messages[0]!.quickReply?.items?.[0]?.action).toMatchObject({ type: 'location' });

    const hospitalsReply = await chat.text('กรุงเทพ');
    expect(hospitalsReply.messages[0]).toMatchObject({ type: 'flex', altText: th['booking.hospitalsTitle'] });
    expect(hospitalsReply.all).toContain(hospital.nameTh);

    const days = await chat.answer('hospital', `code:${hospital.code}`);
    expect(days.messages[0]).toMatchObject({ type: 'flex', contents: { type: 'carousel' } });
    expect(answersOf(days, 'date')).toEqual([`date:${day1}`, `date:${day2}`, 'picked', 'where']);
    expect(days.all).toContain(formatDate(day1, 'th'));
    expect(days.all).toContain(th['booking.freePlaces'].replace('{count}', '10'));
    const picker = days.messages[0]!.quickReply?.items?.[0]?.action;
    expect(picker).toMatchObject({ type: 'datetimepicker', mode: 'date', min: day1, max: day2 });

    const times = await chat.answer('date', `date:${day1}`);
    expect(times.quickReplies.map((q) => q.label)).toEqual(['09:00 SINOVAC (5)', '13:00 AZ (5)', th['booking.otherDate']]);
    expect(answersOf(times, 'time')).toEqual([`slot:${slots.morning}`, `slot:${slots.afternoon}`, 'date']);

    const confirm = await chat.answer('time', `slot:${slots.morning}`);
    expect(confirm.messages[0]).toMatchObject({ type: 'flex' });
    for (const text of ['สมหญิง ทดสอบ', 'เข็มที่ 1', hospital.nameTh, formatDate(day1, 'th'), '09:00–12:00 น.', th['booking.confirm']]) expect(confirm.all).toContain(text);
    const key = chat.session.data as { idempotencyKey: string };
    // The key books; whom and which dose let a later tap find the appointment.
    const confirmValue = `${key.idempotencyKey}:${person.personId}:1`;
    expect(answersOf(confirm, 'confirm')).toEqual([confirmValue, 'back']);

    const booked = await chat.answer('confirm', confirmValue);
    expect(chat.session.flowId).toBeNull();
    const appointment = await h.db.appointment.findFirstOrThrow({ where: { personId: person.personId } });
    expect(booked.texts[0]).toBe(th['booking.booked'].replace('{code}', appointment.code));
    expect(booked.messages[1]).toMatchObject({ type: 'flex' });
    expect(appointment).toMatchObject({ slotId: slots.morning, doseNumber: 1, status: 'BOOKED', idempotencyKey: key.idempotencyKey, bookedBy: `line:${person.lineUserId}` });

    // The same button again, after the flow ended: the appointment it made, nothing more booked.
    const again = await chat.answer('confirm', confirmValue);
    expect(again.texts[0]).toBe(confirmedBefore('สมหญิง', 1, appointment.code));
    expect(again.messages).toHaveLength(2);
    expect(again.messages[1]).toMatchObject({ type: 'flex', altText: booked.messages[1]!.type === 'flex' ? booked.messages[1]!.altText : '' });
    expect(again.all).toContain(appointment.code);
    expect(chat.session.flowId).toBeNull();
    expect(await h.db.appointment.count({ where: { personId: person.personId } })).toBe(1);
    expect((await h.db.slot.findUniqueOrThrow({ where: { id: slots.morning } })).booked).toBe(1);

    // And booking again says it is booked, with the card.
    const twice = await chat.menu('book');
    expect(twice.texts[0]).toBe(th['booking.alreadyBooked'].replace('{name}', 'สมหญิง').replace('{dose}', '1').replace('{code}', appointment.code));
    expect(twice.messages[1]).toMatchObject({ type: 'flex' });
  });

  it('finds the nearest hospitals from a shared location, with the distance', async () => {
    const { hospital, slots } = await hospitalWithSlots();
    const { chat } = await screenedUser();
    await chat.menu('book');
    const near = await chat.send(h.events.location(chat.userId, { latitude: hospital.latitude + 0.01, longitude: hospital.longitude, title: 'บ้าน', address: 'กรุงเทพ' }));
    expect(chat.session.step).toBe('hospital');
    expect(near.messages[0]).toMatchObject({ type: 'flex', altText: th['booking.hospitalsNear'] });
    expect(answersOf(near, 'hospital')[0]).toBe(`code:${hospital.code}`);
    expect(near.all).toContain(th['booking.distance'].replace('{km}', '1.1'));
    await chat.answer('hospital', `code:${hospital.code}`);
    // The date picker instead of the carousel.
    const times = await chat.answer('date', 'picked', { date: day2 });
    expect(answersOf(times, 'time')).toEqual([`slot:${slots.next}`, 'date']);
  });

  it('picks a province by region, and says when a province has no free place', async () => {
    const { chat } = await screenedUser();
    await chat.menu('book');
    const picker = await chat.answer('where', 'region:south');
    expect(picker.messages[0]).toMatchObject({ type: 'flex' });
    expect(answersOf(picker, 'where')).toContain('code:83');
    const none = await chat.answer('where', 'code:83');
    expect(none.texts[0]).toBe(th['booking.noneInProvince'].replace('{province}', 'ภูเก็ต'));
    expect(chat.session.step).toBe('where');
    const unknown = await chat.text('Atlantis');
    expect(unknown.texts[0]).toBe(th['register.provinceNotFound'].replace('{input}', 'Atlantis'));
    expect(chat.session.step).toBe('where');
  });

  it('offers the next free times when the slot fills while the user decides, then books one of them', async () => {
    const { hospital, slots } = await hospitalWithSlots(2);
    const { person, chat } = await screenedUser();
    await chat.menu('book');
    await toConfirm(chat, hospital.code, day1, slots.morning);
    // Two others take the last places meanwhile.
    const others = await insertPeople(h.db, { count: 2 });
    for (const other of others) {
      const r = await bookAppointment({ db: h.db, personId: other.personId, slotId: slots.morning, idempotencyKey: randomUUID(), actor: 'test', lineUserId: other.lineUserId, now: new Date() });
      expect(r.ok).toBe(true);
    }
    const { idempotencyKey } = chat.session.data as { idempotencyKey: string };
    const full = await chat.answer('confirm', idempotencyKey);
    expect(chat.session.step).toBe('full');
    expect(full.texts.at(-1)).toBe(th['booking.full']);
    const offered = answersOf(full, 'full');
    expect(offered.slice(0, 2)).toEqual([`slot:${slots.afternoon}`, `slot:${slots.next}`]);
    expect(offered.some((v) => v.startsWith('hospital:'))).toBe(true);
    expect(offered.at(-1)).toBe('where');
    expect(await h.db.appointment.count({ where: { personId: person.personId } })).toBe(0);

    const confirm = await chat.answer('full', `slot:${slots.next}`);
    expect(chat.session.step).toBe('confirm');
    expect(confirm.all).toContain(formatDate(day2, 'th'));
    const fresh = (chat.session.data as { idempotencyKey: string }).idempotencyKey;
    expect(fresh).not.toBe(idempotencyKey);
    await chat.answer('confirm', fresh);
    expect((await h.db.appointment.findFirstOrThrow({ where: { personId: person.personId } })).slotId).toBe(slots.next);
  });

  it('asks for whom when the user manages family, and starts for a person or at a hospital from a button', async () => {
    const { hospital } = await hospitalWithSlots();
    const { person, chat } = await screenedUser();
    const memberId = await insertFamilyMember(h.db, person.lineUserId, { firstName: 'มาลี' });
    const ask = await chat.menu('book');
    expect(chat.session.step).toBe('person');
    expect(ask.texts).toEqual([th['booking.askPerson']]);
    expect(ask.quickReplies.map((q) => q.label)).toEqual([th['choosePerson.self'].replace('{name}', 'สมหญิง'), 'มาลี']);
    await chat.answer('person', '2');
    expect(chat.session).toMatchObject({ step: 'where', data: { personId: memberId } });

    await chat.postback({ a: 'menu', f: 'book', p: `person:${memberId}` });
    expect(chat.session).toMatchObject({ step: 'where', data: { personId: memberId } });
    const atHospital = await chat.postback({ a: 'menu', f: 'book', p: `hospital:${hospital.code}` });
    expect(chat.session.step).toBe('person');
    expect(atHospital.texts.at(-1)).toBe(th['booking.askPerson']);
    await chat.answer('person', '1');
    expect(chat.session).toMatchObject({ step: 'date', data: { personId: person.personId, hospitalCode: hospital.code } });
  });

  it('books dose 2 only with the products and days the interval rules allow', async () => {
    const hospital = hospitals[nextHospital++]!;
    // Dose 1 of Sinovac 19 days ago: Sinovac again up to day 28, AstraZeneca from day 21 to 28.
    const [sinovacToday, azTooEarly, azLater] = await insertSlots(h.db, [
      { hospitalCode: hospital.code, date: day1, capacity: 5 },
      { hospitalCode: hospital.code, date: day1, startTime: '13:00', endTime: '15:00', productCode: 'AZ', capacity: 5 },
      { hospitalCode: hospital.code, date: day2, productCode: 'AZ', capacity: 5 },
      { hospitalCode: hospital.code, date: day2, startTime: '13:00', endTime: '15:00', productCode: 'PFIZER', capacity: 5 },
    ]);
    const { person, chat } = await screenedUser();
    await h.db.vaccination.create({
      data: {
        personId: person.personId, doseNumber: 1, productCode: 'SINOVAC', administeredAt: new Date(`${addDays(today, -19)}T03:00:00Z`),
        hospitalCode: hospital.code, recordedBy: 'test', source: 'test', sourceRecordId: randomUUID(),
      },
    });
    const start = await chat.menu('book');
    expect(start.texts[0]).toBe(
      th['booking.doseInfo'].replace('{dose}', '2').replace('{name}', 'สมหญิง').replace('{from}', formatDate(today, 'th')).replace('{to}', formatDate(addDays(today, 9), 'th')),
    );
    await chat.text('กรุงเทพมหานคร');
    await chat.answer('hospital', `code:${hospital.code}`);
    // The Pfizer slot is not offered; AstraZeneca on day 1 is (the flow filters by product, the use case by day).
    const times = await chat.answer('date', `date:${day2}`);
    expect(answersOf(times, 'time')).toEqual([`slot:${azLater}`, 'date']);
    await chat.answer('time', 'date');
    await chat.answer('date', `date:${day1}`);
    await chat.answer('time', `slot:${azTooEarly}`);
    const refused = await chat.answer('confirm', (chat.session.data as { idempotencyKey: string }).idempotencyKey);
    expect(refused.texts[0]).toContain(lead(th['booking.refused.doseNotDue']).replace('{dose}', '2'));
    expect(chat.session.step).toBe('date');
    await chat.answer('date', `date:${day1}`);
    await chat.answer('time', `slot:${sinovacToday}`);
    await chat.answer('confirm', (chat.session.data as { idempotencyKey: string }).idempotencyKey);
    expect(await h.db.appointment.findFirstOrThrow({ where: { personId: person.personId } })).toMatchObject({ doseNumber: 2, slotId: sinovacToday });
  });

  it('answers an old confirm button that never booked with "expired", and shows nothing of another account', async () => {
    const { hospital, slots } = await hospitalWithSlots();
    const { person, chat } = await screenedUser();
    await chat.menu('book');
    const confirmValue = answersOf(await toConfirm(chat, hospital.code, day1, slots.morning), 'confirm')[0]!;
    await chat.text('ยกเลิก');
    expect(chat.session.flowId).toBeNull();

    const stale = await chat.answer('confirm', confirmValue);
    expect(stale.texts[0]).toBe(th['error.staleButton']);
    expect(chat.session.flowId).toBeNull();
    expect(await h.db.appointment.count({ where: { personId: person.personId } })).toBe(0);

    // Booked afterwards: the button of another LINE account (or forged data) shows nothing of it.
    const [other] = await insertPeople(h.db, { count: 1 });
    const otherConfirm = `${randomUUID()}:${person.personId}:1`;
    const booking = await bookAppointment({ db: h.db, personId: person.personId, slotId: slots.morning, idempotencyKey: randomUUID(), actor: 'test', lineUserId: person.lineUserId, now: new Date() });
    expect(booking.ok).toBe(true);
    const foreign = await h.chat(other!.lineUserId).answer('confirm', otherConfirm);
    expect(foreign.texts[0]).toBe(th['error.staleButton']);
    expect(foreign.all).not.toContain(booking.ok ? booking.appointment.code : '?');
  });

  it('shows what an old confirm booked while another step waits, then asks that step again', async () => {
    const { hospital, slots } = await hospitalWithSlots();
    const { person, chat } = await screenedUser();
    await chat.menu('book');
    const confirmValue = answersOf(await toConfirm(chat, hospital.code, day1, slots.morning), 'confirm')[0]!;
    await chat.answer('confirm', confirmValue);
    const appointment = await h.db.appointment.findFirstOrThrow({ where: { personId: person.personId } });

    // A family member's booking is under way (waiting on "for whom"); the old confirm is tapped.
    await insertFamilyMember(h.db, person.lineUserId, { firstName: 'มาลี' });
    await chat.menu('book');
    expect(chat.session.step).toBe('person');
    const stale = await chat.answer('confirm', confirmValue);
    expect(stale.texts[0]).toBe(confirmedBefore('สมหญิง', 1, appointment.code));
    expect(stale.messages[1]).toMatchObject({ type: 'flex' });
    expect(stale.texts.at(-1)).toBe(th['booking.askPerson']);
    expect(chat.session).toMatchObject({ flowId: 'booking', step: 'person' });
    expect(await h.db.appointment.count({ where: { personId: person.personId } })).toBe(1);
  });

  it('rebooks an appointment whose slot was closed, keeping its code', async () => {
    const { hospital, slots } = await hospitalWithSlots();
    const { person, chat } = await screenedUser();
    const first = await bookAppointment({ db: h.db, personId: person.personId, slotId: slots.morning, idempotencyKey: randomUUID(), actor: 'test', lineUserId: person.lineUserId, now: new Date() });
    if (!first.ok) throw new Error('not booked');
    await h.db.$transaction((tx) => moveBookingsToRebooking(tx, { slots: [{ slotId: slots.morning, surplus: 1, change: 'closed' }], actor: 'admin:test', reason: 'closed', now: new Date() }));
    await h.db.slot.update({ where: { id: slots.morning }, data: { status: 'CLOSED' } });

    const start = await chat.postback({ a: 'menu', f: 'book', p: `rebook:${first.appointment.code}` });
    expect(start.texts[0]).toBe(th['booking.rebookStart'].replace('{code}', first.appointment.code).replace('{name}', 'สมหญิง').replace('{dose}', '1'));
    expect(chat.session.step).toBe('where');
    const confirmValue = answersOf(await toConfirm(chat, hospital.code, day2, slots.next), 'confirm')[0]!;
    const done = await chat.answer('confirm', confirmValue);
    expect(done.texts[0]).toBe(th['booking.rebooked'].replace('{code}', first.appointment.code));
    const moved = await h.db.appointment.findMany({ where: { personId: person.personId } });
    expect(moved).toMatchObject([{ code: first.appointment.code, slotId: slots.next, status: 'BOOKED' }]);
    // Its confirm again: the moved appointment, nothing moved twice.
    const again = await chat.answer('confirm', confirmValue);
    expect(again.texts[0]).toBe(confirmedBefore('สมหญิง', 1, first.appointment.code));
    expect(await h.db.appointmentEvent.count({ where: { appointmentId: first.appointment.id, type: 'rescheduled' } })).toBe(1);
    expect((await h.db.slot.findUniqueOrThrow({ where: { id: slots.next } })).booked).toBe(1);

    // The offer's button again: nothing to rebook.
    const stale = await chat.postback({ a: 'menu', f: 'book', p: `rebook:${first.appointment.code}` });
    expect(stale.texts[0]).toBe(th['booking.rebookNothing'].replace('{code}', first.appointment.code));
    const foreign = await h.chat().postback({ a: 'menu', f: 'book', p: `rebook:${first.appointment.code}` });
    expect(foreign.texts[0]).not.toContain(first.appointment.code);
  });
});
