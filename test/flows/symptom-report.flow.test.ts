// The symptom report flow and the check-in buttons, driven through the conversation engine
// (real PostgreSQL, each step in a transaction, the session round-tripped, every message
// validated for LINE): for whom, which dose, the multi-select checklist, severity, onset,
// doctor, admission, note, summary; red flags answer with the emergency card first and open
// an AEFI case at once (kept when the user cancels).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { messagingApi } from '@line/bot-sdk';
import { th } from '../../src/i18n/th.js';
import { en } from '../../src/i18n/en.js';
import { startEngineHarness, type Chat, type EngineHarness, type Reply } from '../support/engine-harness.js';
import { insertFamilyMember, insertPeople } from '../support/booking-fixtures.js';
import { daysBefore, recordDoseFor } from '../support/follow-up-fixtures.js';
import { bangkokToday } from '../../src/shared/clock.js';
import { addDays } from '../../src/domain/vaccination/interval-rules.js';

let h: EngineHarness;

beforeAll(async () => {
  h = await startEngineHarness();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

/** A registered user whose own dose was given `daysAgo` days ago (at real time: the harness clock is now). */
async function vaccinatedUser(daysAgo = 1, firstName = 'สมหญิง') {
  const [person] = await insertPeople(h.db, { count: 1, firstName });
  const now = new Date();
  const dose = await recordDoseFor(h.db, { personId: person!.personId, administeredAt: daysBefore(now, daysAgo), now: daysBefore(now, daysAgo) });
  return { person: person!, dose, chat: h.chat(person!.lineUserId) };
}

const values = (reply: Reply, step: string) => reply.postbacks.flatMap((p) => (p.a === 'ans' && p.s === step ? [p.v] : []));

function isEmergencyCard(message: unknown): boolean {
  const json = JSON.stringify(message);
  return (message as messagingApi.Message).type === 'flex' && json.includes('"uri":"tel:1669"');
}

describe('symptom report flow', () => {
  it('asks an unregistered user to register, and a user without a recent dose is told politely', async () => {
    expect((await h.chat().menu('symptoms')).texts).toEqual([th['register.required']]);
    const [person] = await insertPeople(h.db, { count: 1 });
    const chat = h.chat(person!.lineUserId);
    expect((await chat.menu('symptoms')).texts).toEqual([th['followup.report.noDose']]);
    // A dose 43 days ago is outside the 42-day window.
    await recordDoseFor(h.db, { personId: person!.personId, administeredAt: daysBefore(new Date(), 43), now: daysBefore(new Date(), 43) });
    expect((await chat.menu('symptoms')).texts).toEqual([th['followup.report.noDose']]);
    expect(chat.session.flowId).toBeNull();
  });

  it('walks every step: multi-select with the selection shown, severity, onset, doctor, admission, note, summary → stored', async () => {
    const { person, dose, chat } = await vaccinatedUser(2);
    const first = await chat.menu('symptoms');
    expect(chat.session.step).toBe('symptoms');
    expect(first.all).toContain(th['followup.report.noneSelected']);
    expect(first.quickReplies.length).toBeLessThanOrEqual(13);
    expect(values(first, 'symptoms')).toEqual(expect.arrayContaining(['fever', 'injection_site', 'rash', 'page', 'done']));

    // Done with nothing selected is refused.
    expect((await chat.answer('symptoms', 'done')).texts[0]).toBe(th['followup.report.pickAtLeastOne']);
    let reply = await chat.answer('symptoms', 'fever');
    expect(reply.all).toContain(th['followup.report.selected'].replace('{list}', th['followup.symptom.fever']));
    expect(reply.quickReplies.map((q) => q.label)).toContain(`✓ ${th['followup.symptom.fever']}`);
    reply = await chat.answer('symptoms', 'headache');
    expect(reply.all).toContain(`${th['followup.symptom.fever']}, ${th['followup.symptom.headache']}`);
    // A second tap unselects.
    reply = await chat.answer('symptoms', 'fever');
    expect(reply.all).toContain(th['followup.report.selected'].replace('{list}', th['followup.symptom.headache']));
    // The serious page and back: no emergency card without a red flag.
    reply = await chat.answer('symptoms', 'page');
    expect(values(reply, 'symptoms')).toEqual(expect.arrayContaining(['chest_pain', 'anaphylaxis', 'seizure']));
    expect(reply.messages.some(isEmergencyCard)).toBe(false);
    await chat.answer('symptoms', 'page');
    await chat.answer('symptoms', 'fatigue');

    reply = await chat.answer('symptoms', 'done');
    expect(chat.session.step).toBe('severity');
    expect(values(reply, 'severity')).toEqual(['mild', 'moderate', 'severe', 'unable_daily_activities']);
    expect((await chat.text('very bad')).texts[0]).toBe(th['followup.report.pickFromButtons']);
    reply = await chat.answer('severity', 'moderate');
    expect(chat.session.step).toBe('onset');
    expect(values(reply, 'onset')).toEqual(['today', 'yesterday', 'picked']);
    // The date picker: a day before the dose is refused.
    const doseDay = bangkokToday(dose.administeredAt);
    reply = await chat.answer('onset', 'picked', { date: addDays(doseDay, -1) });
    expect(reply.texts[0]).toContain(th['followup.onset.outOfRange'].split('{')[0]!);
    expect(chat.session.step).toBe('onset');
    await chat.answer('onset', 'picked', { date: doseDay });
    expect(chat.session.step).toBe('doctor');
    await chat.answer('doctor', 'yes');
    reply = await chat.answer('admitted', 'no');
    expect(reply.messages.some(isEmergencyCard)).toBe(false);
    expect(chat.session.step).toBe('note');
    reply = await chat.text('ปวดหัวตอนบ่าย เลขบัตร 1-1037-02071-98-1');
    expect(chat.session.step).toBe('summary');
    expect(reply.messages[0]!.type).toBe('flex');
    expect(reply.all).toContain(th['followup.symptom.headache']);
    expect(reply.all).toContain(th['followup.severity.moderate']);
    expect(await h.db.symptomReport.count({ where: { personId: person.personId } })).toBe(0);

    const done = await chat.answer('summary', 'confirm');
    expect(done.texts).toEqual([th['followup.report.saved']]);
    expect(chat.session.flowId).toBeNull();
    const [report] = await h.db.symptomReport.findMany({ where: { personId: person.personId } });
    expect(report).toMatchObject({
      vaccinationId: dose.id,
      symptoms: ['headache', 'fatigue'],
      redFlags: [],
      severity: 'moderate',
      onsetDate: new Date(`${doseDay}T00:00:00Z`),
      sawDoctor: true,
      admitted: false,
      reportedBy: `line:${person.lineUserId}`,
    });
    expect(report!.note).not.toContain('1037');
    expect(report!.note).toContain('x-xxxx-xxxxx-98-1');
    expect(await h.db.aefiCase.count({ where: { personId: person.personId } })).toBe(0);
  });

  it('a red flag answers with the emergency card first, opens the AEFI case at once, and the case stays when the user cancels', async () => {
    const { person, dose, chat } = await vaccinatedUser(1);
    await chat.menu('symptoms');
    await chat.answer('symptoms', 'fever');
    await chat.answer('symptoms', 'page');
    const reply = await chat.answer('symptoms', 'chest_pain');
    // The very next message is the emergency card: 1669, the hospital and its phone.
    expect(isEmergencyCard(reply.messages[0])).toBe(true);
    const card = JSON.stringify(reply.messages[0]);
    expect(card).toContain('tel:022251001');
    const hospital = await h.db.hospital.findUniqueOrThrow({ where: { code: '10001' } });
    expect(reply.texts.join('\n')).toContain(hospital.nameTh);
    expect(chat.session.step).toBe('symptoms');

    // Saved with what is known, before any further answer.
    const cases = await h.db.aefiCase.findMany({ where: { personId: person.personId } });
    expect(cases).toHaveLength(1);
    expect(cases[0]).toMatchObject({ hospitalCode: '10001', vaccinationId: dose.id, serious: true, status: 'OPEN' });
    expect(cases[0]!.criteria).toEqual(expect.arrayContaining(['red_flag:chest_pain', 'life_threatening']));

    // A second red flag: the card again, the same report and case updated.
    const again = await chat.answer('symptoms', 'seizure');
    expect(isEmergencyCard(again.messages[0])).toBe(true);
    await chat.text('ยกเลิก');
    expect(chat.session.flowId).toBeNull();
    const reports = await h.db.symptomReport.findMany({ where: { personId: person.personId } });
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ symptoms: ['fever'], redFlags: ['chest_pain', 'seizure'], severity: 'unknown' });
    expect(await h.db.aefiCase.count({ where: { personId: person.personId } })).toBe(1);
  });

  it('"admitted to hospital" answers with the emergency card first and the confirmed report updates the serious case', async () => {
    const { person, chat } = await vaccinatedUser(3);
    chat.locale = 'en';
    await chat.menu('symptoms');
    await chat.answer('symptoms', 'fever');
    await chat.answer('symptoms', 'done');
    await chat.answer('severity', 'severe');
    await chat.answer('onset', 'today');
    await chat.answer('doctor', 'yes');
    const reply = await chat.answer('admitted', 'yes');
    expect(isEmergencyCard(reply.messages[0])).toBe(true);
    expect(reply.all).toContain(en['followup.emergency.call1669']);
    expect(chat.session.step).toBe('note');
    expect(await h.db.aefiCase.count({ where: { personId: person.personId } })).toBe(1);
    await chat.answer('note', 'skip');
    const done = await chat.answer('summary', 'confirm');
    expect(done.texts[0]).toContain(en['followup.report.savedCase'].split('{')[0]!);
    const [aefi] = await h.db.aefiCase.findMany({ where: { personId: person.personId } });
    expect(aefi).toMatchObject({ serious: true, criteria: ['hospitalisation'] });
    const [report] = await h.db.symptomReport.findMany({ where: { personId: person.personId } });
    expect(report).toMatchObject({ severity: 'severe', admitted: true, sawDoctor: true, note: null });
  });

  it('asks for whom and which dose when there is a choice (only doses of the last 42 days)', async () => {
    const [owner] = await insertPeople(h.db, { count: 1, firstName: 'แม่' });
    const child = await insertFamilyMember(h.db, owner!.lineUserId, { firstName: 'ลูก' });
    const now = new Date();
    await recordDoseFor(h.db, { personId: owner!.personId, administeredAt: daysBefore(now, 100), now: daysBefore(now, 100) });
    await recordDoseFor(h.db, { personId: owner!.personId, doseNumber: 2, administeredAt: daysBefore(now, 5), now: daysBefore(now, 5) });
    await recordDoseFor(h.db, { personId: child, administeredAt: daysBefore(now, 30), now: daysBefore(now, 30) });
    const dose2 = await recordDoseFor(h.db, { personId: child, doseNumber: 2, administeredAt: daysBefore(now, 2), now: daysBefore(now, 2) });
    const chat = h.chat(owner!.lineUserId);
    const reply = await chat.menu('symptoms');
    expect(chat.session.step).toBe('person');
    expect(reply.quickReplies.map((q) => q.label)).toHaveLength(2);
    const ref = Object.entries((chat.session.data as { people: Record<string, string> }).people).find(([, id]) => id === child)![0];
    const doses = await chat.answer('person', ref);
    expect(chat.session.step).toBe('dose');
    expect(values(doses, 'dose')).toHaveLength(2);
    expect((await chat.answer('dose', '9')).texts[0]).toBe(th['followup.report.pickFromButtons']);
    await chat.answer('dose', '1'); // newest first: dose 2
    expect(chat.session.step).toBe('symptoms');
    expect((chat.session.data as { vaccinationId: string }).vaccinationId).toBe(dose2.id);

    // The owner's own dose 1 (100 days ago) is not offered: only dose 2.
    const own = h.chat(owner!.lineUserId);
    await own.menu('symptoms');
    const ownRef = Object.entries((own.session.data as { people: Record<string, string> }).people).find(([, id]) => id === owner!.personId)![0];
    await own.answer('person', ownRef);
    expect(own.session.step).toBe('symptoms');
  });
});

describe('check-in buttons', () => {
  async function checkinOf(personId: string) {
    return h.db.followUpCheckin.findFirstOrThrow({ where: { personId, label: 'd1' } });
  }

  it('"no symptoms" answers the check-in, once, and only for its owner', async () => {
    const { person, chat } = await vaccinatedUser(0);
    const checkin = await checkinOf(person.personId);
    const stranger = h.chat();
    expect((await stranger.postback({ a: 'menu', f: 'symptoms', p: `checkin:${checkin.id}:none` })).texts).toEqual([th['followup.answer.notFound']]);
    expect((await chat.postback({ a: 'menu', f: 'symptoms', p: `checkin:${checkin.id}:none` })).texts).toEqual([th['followup.answer.thanks']]);
    expect(await h.db.followUpCheckin.findUniqueOrThrow({ where: { id: checkin.id } })).toMatchObject({ status: 'ANSWERED', answer: 'none' });
    expect((await chat.postback({ a: 'menu', f: 'symptoms', p: `checkin:${checkin.id}:symptoms` })).texts[0]).not.toBe(th['followup.answer.thanks']);
    expect(await h.db.followUpCheckin.findUniqueOrThrow({ where: { id: checkin.id } })).toMatchObject({ answer: 'none' });
    // (That tap opened a report; a forged button leaves it.)
    expect((await chat.postback({ a: 'menu', f: 'symptoms', p: 'checkin:not-a-uuid:none' })).texts.at(-1)).toBe(th['error.staleButton']);
    expect(chat.session.flowId).toBeNull();
  });

  it('"I have symptoms" answers the check-in and starts the report for that person and dose', async () => {
    const { person, dose, chat } = await vaccinatedUser(0);
    const checkin = await checkinOf(person.personId);
    const reply = await chat.postback({ a: 'menu', f: 'symptoms', p: `checkin:${checkin.id}:symptoms` });
    expect(chat.session.step).toBe('symptoms');
    expect(values(reply, 'symptoms')).toContain('fever');
    expect(await h.db.followUpCheckin.findUniqueOrThrow({ where: { id: checkin.id } })).toMatchObject({ status: 'ANSWERED', answer: 'symptoms' });
    await chat.answer('symptoms', 'rash');
    await chat.answer('symptoms', 'done');
    await chat.answer('severity', 'mild');
    await chat.answer('onset', 'today');
    await chat.answer('doctor', 'no');
    await chat.answer('admitted', 'no');
    await chat.answer('note', 'skip');
    await chat.answer('summary', 'confirm');
    expect(await h.db.symptomReport.findFirstOrThrow({ where: { personId: person.personId } })).toMatchObject({ vaccinationId: dose.id, checkinId: checkin.id, symptoms: ['rash'] });
  });

  it('stopping follow-ups asks to confirm, then cancels the pending check-ins and their pushes', async () => {
    const { person, dose, chat } = await vaccinatedUser(0);
    const checkin = await checkinOf(person.personId);
    const ask = await chat.postback({ a: 'menu', f: 'symptoms', p: `stop:${checkin.id}:dose` });
    expect(ask.texts).toEqual([th['followup.stop.confirmDose']]);
    expect(ask.postbacks).toEqual([
      { a: 'menu', f: 'symptoms', p: `stopok:${checkin.id}:dose` },
      { a: 'menu', f: 'symptoms', p: 'keep' },
    ]);
    expect(await h.db.followUpCheckin.count({ where: { vaccinationId: dose.id, status: 'CANCELLED' } })).toBe(0);
    expect((await chat.postback({ a: 'menu', f: 'symptoms', p: 'keep' })).texts).toEqual([th['followup.stop.kept']]);
    expect((await chat.postback({ a: 'menu', f: 'symptoms', p: `stopok:${checkin.id}:dose` })).texts).toEqual([th['followup.stop.doneDose']]);
    const statuses = await h.db.followUpCheckin.findMany({ where: { vaccinationId: dose.id }, select: { status: true } });
    expect(statuses.map((s) => s.status)).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED']);
    const pushes = await h.db.notification.findMany({ where: { personId: person.personId, kind: { in: ['follow-up-checkin', 'follow-up-reminder'] } } });
    expect(pushes.length).toBeGreaterThan(0);
    expect(pushes.every((n) => n.status === 'CANCELLED')).toBe(true);
    expect((await h.db.vaccination.findUniqueOrThrow({ where: { id: dose.id } })).followUpsStoppedAt).not.toBeNull();
    // The next-dose reminder is not a follow-up: it stays.
    expect(await h.db.notification.count({ where: { personId: person.personId, kind: 'next-dose-due', status: 'SCHEDULED' } })).toBe(1);

    // "Stop all" marks the person: a later dose plans no check-ins.
    const other = await vaccinatedUser(0);
    const c2 = await checkinOf(other.person.personId);
    await other.chat.postback({ a: 'menu', f: 'symptoms', p: `stopok:${c2.id}:all` });
    expect((await h.db.person.findUniqueOrThrow({ where: { id: other.person.personId } })).followUpsStoppedAt).not.toBeNull();
    await recordDoseFor(h.db, { personId: other.person.personId, doseNumber: 2, administeredAt: new Date(), now: new Date() });
    expect(await h.db.followUpCheckin.count({ where: { personId: other.person.personId, status: 'SCHEDULED' } })).toBe(0);
  });
});
