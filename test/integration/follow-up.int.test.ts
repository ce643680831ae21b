// After the dose, end to end with a controllable clock: the hospital records a dose through
// the admin API; the confirmation, the next-dose reminders and the symptom check-ins are
// planned in that transaction, dispatched with the test clock and pushed by the real worker
// to the LINE emulator, whose virtual user answers through the real webhook.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { messagingApi } from '@line/bot-sdk';
import type { VirtualUser } from '../../src/emulator/index.js';
import { th } from '../../src/i18n/th.js';
import { decodePostback } from '../../src/bot/postback.js';
import { lapseUnansweredCheckins } from '../../src/domain/follow-up/answer-checkin.js';
import { startStack, say, textsOf, type TestStack, waitFor } from '../support/stack.js';
import { slotOn } from '../support/reminder-fixtures.js';

const ADMIN_TOKEN = 'test-admin-token-0123456789';
let stack: TestStack;
let clock = new Date('2030-03-01T03:00:00Z');
const at = (iso: string) => (clock = new Date(iso));

beforeAll(async () => {
  stack = await startStack({
    now: () => clock,
    env: { ADMIN_TOKEN, NOTIFICATION_DISPATCH_EVERY_MS: '60000', NOTIFICATION_LOOKAHEAD_MS: '60000' },
    notificationTuning: { dispatch: { retryBackoffMs: 20 }, sender: { rateLimitedPauseMs: 50 } },
  });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

afterEach(async () => {
  // What a test left planned must not fall due in the next one.
  await stack.db.notification.updateMany({ where: { status: 'SCHEDULED' }, data: { status: 'CANCELLED' } });
});


const api = (path: string, init: { method?: string; body?: unknown; token?: string | null } = {}) =>
  fetch(`${stack.service.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...(init.token === null ? {} : { authorization: `Bearer ${init.token ?? ADMIN_TOKEN}` }), ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });

/** A LINE user who follows the OA and is registered (the person row written directly). */
async function registeredUser(firstName = 'สมศรี'): Promise<{ user: VirtualUser; personId: string }> {
  const user = stack.emulator.user();
  await user.follow();
  await user.nextMessages();
  await say(user, 'ยกเลิก');
  const person = await stack.db.person.create({
    data: {
      ownerId: user.userId, isSelf: true, identityType: 'THAI_ID', idHash: randomBytes(32).toString('hex'), idCiphertext: 'synthetic',
      nationality: 'THA', firstName, lastName: 'ทดสอบ', birthDate: new Date('1950-01-01'), sex: 'female', phone: '+66812345678', provinceCode: '10', verificationStatus: 'VERIFIED',
    },
  });
  baseline.set(user.userId, allPushes(user).length);
  return { user, personId: person.id };
}

/** The hospital records a dose given now (AZ at 10001). */
async function recordDose(personId: string, doseNumber = 1): Promise<string> {
  const res = await api('/admin/vaccinations', {
    method: 'POST',
    body: { personId, doseNumber, productCode: 'AZ', lotNumber: 'AZ-LOT-7', administeredAt: clock.toISOString(), hospitalCode: '10001', sourceRecordId: randomBytes(6).toString('hex'), source: 'his:10001' },
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { vaccination: { id: string } }).vaccination.id;
}

const rowsOf = (personId: string) => stack.db.notification.findMany({ where: { personId }, orderBy: [{ dueAt: 'asc' }, { kind: 'asc' }] });

/** One dispatch pass now, then waits until nothing of the person is QUEUED. */
async function dispatch(personId: string) {
  await stack.service.dispatchNotifications();
  return waitFor(() => rowsOf(personId), (rows) => rows.every((r) => r.status !== 'QUEUED'));
}

/** Pushes since the user's registration (the chat's own answers may go out as pushes too, after the reply token). */
const baseline = new Map<string, number>();
const allPushes = (user: VirtualUser) => stack.emulator.store.messagesFor(user.userId).filter((d) => d.via === 'push');
/** Pushes of planned notifications (retry key = notification id), not the chat's own answers. */
const notificationIds = new Set<string>();
async function pushesTo(user: VirtualUser) {
  for (const n of await stack.db.notification.findMany({ where: { lineUserId: user.userId }, select: { id: true } })) notificationIds.add(n.id);
  return allPushes(user).slice(baseline.get(user.userId) ?? 0).filter((d) => d.retryKey !== undefined && notificationIds.has(d.retryKey));
}
const checkinOf = (personId: string, label: string) => stack.db.followUpCheckin.findFirstOrThrow({ where: { personId, label } });

function postbacksOf(messages: readonly messagingApi.Message[]) {
  const found: unknown[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const r = node as Record<string, unknown>;
    if (r.type === 'postback' && typeof r.data === 'string') found.push(decodePostback(r.data));
    Object.values(r).forEach(walk);
  };
  walk(messages);
  return found;
}

describe('after a dose', () => {
  it('recording pushes the confirmation and plans the check-ins and the next-dose reminders; a check-in is answered in chat', async () => {
    at('2030-03-01T03:00:00Z'); // 10:00 Bangkok
    const { user, personId } = await registeredUser();
    const vaccinationId = await recordDose(personId);

    const checkins = await stack.db.followUpCheckin.findMany({ where: { vaccinationId }, orderBy: { dueAt: 'asc' } });
    expect(checkins.map((c) => [c.label, c.profile, c.status, c.dueAt.toISOString()])).toEqual([
      ['d1', 'morprom', 'SCHEDULED', '2030-03-02T02:00:00.000Z'],
      ['d7', 'morprom', 'SCHEDULED', '2030-03-08T02:00:00.000Z'],
      ['d30', 'morprom', 'SCHEDULED', '2030-03-31T02:00:00.000Z'],
    ]);
    const planned = await rowsOf(personId);
    const kinds = planned.map((n) => n.kind);
    expect(kinds.filter((k) => k === 'follow-up-checkin')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'follow-up-reminder')).toHaveLength(3);
    // AZ: dose 2 from day 84 to day 98; reminders when it opens and 7 days before it closes.
    expect(planned.find((n) => n.kind === 'next-dose-due')!.dueAt).toEqual(new Date('2030-05-24T02:00:00Z'));
    expect(planned.find((n) => n.kind === 'next-dose-closing')!.dueAt).toEqual(new Date('2030-05-31T02:00:00Z'));

    // The confirmation is due now.
    const rows = await dispatch(personId);
    expect(rows.find((n) => n.kind === 'dose-recorded')!.status).toBe('SENT');
    const [confirmation] = await pushesTo(user);
    const texts = textsOf(confirmation!.messages).join('\n');
    expect(texts).toContain(th['followup.doseRecorded.title']);
    expect(texts).toContain('AZ-LOT-7');
    expect(postbacksOf(confirmation!.messages)).toContainEqual({ a: 'menu', f: 'book', p: `person:${personId}` });
    await user.nextMessages();

    // Day 1, 09:00: the check-in, answered "no symptoms" through the webhook.
    at('2030-03-02T02:00:00Z');
    await dispatch(personId);
    expect(await checkinOf(personId, 'd1')).toMatchObject({ status: 'SENT', sentAt: clock });
    const question = textsOf(await user.nextMessages()).join('\n');
    expect(question).toContain('เข็มที่ 1');
    const thanks = textsOf((await user.tap(th['followup.checkin.none']), await user.nextMessages()));
    expect(thanks).toEqual([th['followup.answer.thanks']]);
    expect(await checkinOf(personId, 'd1')).toMatchObject({ status: 'ANSWERED', answer: 'none' });

    // 18:00: no reminder for an answered check-in.
    at('2030-03-02T11:00:00Z');
    const after = await dispatch(personId);
    const reminder = after.find((n) => n.kind === 'follow-up-reminder' && n.dueAt.getTime() === clock.getTime())!;
    expect(reminder).toMatchObject({ status: 'SKIPPED', lastError: 'no longer applies' });
    expect(await pushesTo(user)).toHaveLength(2);
  });

  it('booking dose 2 keeps its next-dose reminder from being sent; recording it cancels the rows', async () => {
    at('2030-03-01T03:00:00Z');
    const booked = await registeredUser('จองแล้ว');
    const waiting = await registeredUser('ยังไม่จอง');
    await recordDose(booked.personId);
    await recordDose(waiting.personId);
    const slotId = await slotOn(stack.db, '2030-05-25');
    await stack.db.appointment.create({
      data: { code: randomBytes(4).toString('hex').toUpperCase(), personId: booked.personId, doseNumber: 2, activeDose: 2, slotId, idempotencyKey: randomBytes(8).toString('hex'), bookedBy: `line:${booked.user.userId}` },
    });
    await stack.db.notification.updateMany({ where: { kind: { in: ['follow-up-checkin', 'follow-up-reminder', 'dose-recorded'] } }, data: { status: 'CANCELLED' } });

    at('2030-05-24T02:00:00Z');
    const bookedRows = await dispatch(booked.personId);
    const waitingRows = await dispatch(waiting.personId);
    expect(bookedRows.find((n) => n.kind === 'next-dose-due')!.status).toBe('SKIPPED');
    expect(await pushesTo(booked.user)).toHaveLength(0);
    expect(waitingRows.find((n) => n.kind === 'next-dose-due')!.status).toBe('SENT');
    const [push] = await pushesTo(waiting.user);
    expect(textsOf(push!.messages).join('\n')).toContain('เข็มที่ 2');
    expect(postbacksOf(push!.messages)).toEqual([{ a: 'menu', f: 'book', p: `person:${waiting.personId}` }]);

    // Dose 2 recorded: the closing reminder of dose 1 is cancelled outright.
    await recordDose(waiting.personId, 2);
    expect((await rowsOf(waiting.personId)).find((n) => n.kind === 'next-dose-closing')!.status).toBe('CANCELLED');
  });

  it('a red flag in the report answers with the emergency card first and opens an AEFI case listed for the hospital', async () => {
    at('2030-03-01T03:00:00Z');
    const { user, personId } = await registeredUser();
    await recordDose(personId);
    await dispatch(personId);
    await user.nextMessages();
    at('2030-03-02T02:00:00Z');
    await dispatch(personId);
    await user.nextMessages();

    await user.tap(th['followup.checkin.symptoms']);
    expect(textsOf(await user.nextMessages()).join('\n')).toContain(th['followup.report.noneSelected']);
    await user.tap(th['followup.report.serious']);
    await user.nextMessages();
    await user.tap(th['followup.symptom.shortness_of_breath']);
    const answer = await user.nextMessages();
    expect(answer[0]!.type).toBe('flex');
    expect(JSON.stringify(answer[0])).toContain('"uri":"tel:1669"');
    expect(JSON.stringify(answer[0])).toContain('tel:022251001');

    const [aefi] = await stack.db.aefiCase.findMany({ where: { personId } });
    expect(aefi).toMatchObject({ hospitalCode: '10001', serious: true, status: 'OPEN' });

    // Listed for the hospital on the admin API, then acknowledged.
    expect((await api('/admin/aefi-cases', { token: null })).status).toBe(401);
    expect((await api('/admin/aefi-cases?hospitalCode=abc')).status).toBe(422);
    const list = (await (await api('/admin/aefi-cases?hospitalCode=10001&status=OPEN')).json()) as { cases: Array<{ id: string; criteria: string[]; report: { redFlags: string[] } }> };
    expect(list.cases.map((c) => c.id)).toContain(aefi!.id);
    expect(list.cases.find((c) => c.id === aefi!.id)!.report.redFlags).toEqual(['shortness_of_breath']);
    expect(JSON.stringify(list)).not.toContain('idHash');
    const ack = await api(`/admin/aefi-cases/${aefi!.id}/acknowledge`, { method: 'POST', body: {} });
    expect(ack.status).toBe(200);
    expect(await stack.db.aefiCase.findUniqueOrThrow({ where: { id: aefi!.id } })).toMatchObject({ status: 'ACKNOWLEDGED', hospitalNotifiedAt: clock });
    expect((await api('/admin/aefi-cases/00000000-0000-4000-8000-000000000000/acknowledge', { method: 'POST', body: {} })).status).toBe(404);

    // The dashboard figures count the answered check-in and the case.
    const stats = (await (await api('/admin/follow-up/stats')).json()) as { checkins: Array<{ label: string; answered: number; sent: number; withSymptoms: number }>; aefiByHospital: Array<{ hospitalCode: string; serious: number }> };
    const d1 = stats.checkins.find((s) => s.label === 'd1')!;
    expect(d1.answered).toBeGreaterThanOrEqual(1);
    expect(d1.withSymptoms).toBeGreaterThanOrEqual(1);
    expect(stats.aefiByHospital.find((s) => s.hospitalCode === '10001')!.serious).toBeGreaterThanOrEqual(1);
    expect((await api('/admin/follow-up/stats?from=yesterday')).status).toBe(422);
  });

  it('"stop all follow-ups" (confirmed) removes the pending check-ins: nothing more is pushed', async () => {
    at('2030-03-01T03:00:00Z');
    const { user, personId } = await registeredUser();
    await recordDose(personId);
    await dispatch(personId);
    await user.nextMessages();
    at('2030-03-02T02:00:00Z');
    await dispatch(personId);
    await user.nextMessages();

    await user.tap(th['followup.checkin.stopAll']);
    expect(textsOf(await user.nextMessages())).toEqual([th['followup.stop.confirmAll']]);
    await user.tap(th['followup.stop.yes']);
    expect(textsOf(await user.nextMessages())).toEqual([th['followup.stop.doneAll']]);
    const checkins = await stack.db.followUpCheckin.findMany({ where: { personId }, orderBy: { dueAt: 'asc' } });
    expect(checkins.map((c) => c.status)).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED']);
    const pending = (await rowsOf(personId)).filter((n) => n.kind.startsWith('follow-up') && n.status === 'SCHEDULED');
    expect(pending).toEqual([]);

    const before = (await pushesTo(user)).length;
    at('2030-03-08T02:00:00Z');
    await dispatch(personId);
    expect(await pushesTo(user)).toHaveLength(before);
  });

  it('a user who blocked the OA gets nothing, and the later check-ins go out again after follow', async () => {
    at('2030-03-01T03:00:00Z');
    const { user, personId } = await registeredUser();
    await user.unfollow();
    await waitFor(() => stack.db.lineUser.findUniqueOrThrow({ where: { id: user.userId } }), (u) => !u.following);
    await recordDose(personId);
    await dispatch(personId);
    at('2030-03-02T02:00:00Z');
    const rows = await dispatch(personId);
    expect(rows.filter((n) => n.status === 'SKIPPED').map((n) => [n.kind, n.lastError])).toEqual([
      ['dose-recorded', 'unfollowed'],
      ['follow-up-checkin', 'unfollowed'],
    ]);
    expect(await pushesTo(user)).toHaveLength(0);
    expect((await checkinOf(personId, 'd1')).status).toBe('SCHEDULED');

    await user.follow();
    await user.nextMessages();
    at('2030-03-08T02:00:00Z');
    await dispatch(personId);
    expect((await checkinOf(personId, 'd7')).status).toBe('SENT');
    const [push] = await pushesTo(user);
    expect(textsOf(push!.messages).join('\n')).toContain('เข็มที่ 1');
  });

  it('an unanswered check-in gets one reminder at 18:00, then lapses when its day ends', async () => {
    at('2030-03-01T03:00:00Z');
    const { user, personId } = await registeredUser();
    await recordDose(personId);
    await dispatch(personId);
    at('2030-03-02T02:00:00Z');
    await dispatch(personId);
    at('2030-03-02T11:00:00Z');
    await dispatch(personId);
    expect(await checkinOf(personId, 'd1')).toMatchObject({ status: 'SENT', remindedAt: clock });
    expect(textsOf((await pushesTo(user)).at(-1)!.messages)[0]).toContain('ขอถามอีกครั้ง');

    // Still open at 23:59, lapsed after midnight (the maintenance sweep's step).
    expect(await lapseUnansweredCheckins(stack.db, new Date('2030-03-02T16:59:00Z'))).toBe(0);
    expect(await lapseUnansweredCheckins(stack.db, new Date('2030-03-02T17:00:00Z'))).toBeGreaterThanOrEqual(1);
    expect((await checkinOf(personId, 'd1')).status).toBe('LAPSED');
    // A late answer still counts.
    at('2030-03-03T02:00:00Z');
    await user.nextMessages().catch(() => []);
    await user.tap(th['followup.checkin.none']);
    expect(textsOf(await user.nextMessages())).toEqual([th['followup.answer.thanks']]);
    expect((await checkinOf(personId, 'd1')).status).toBe('ANSWERED');
  });

  it('voiding the dose cancels its pending check-ins and reminders', async () => {
    at('2030-03-01T03:00:00Z');
    const { personId } = await registeredUser();
    const vaccinationId = await recordDose(personId);
    const res = await api(`/admin/vaccinations/${vaccinationId}/void`, { method: 'POST', body: { reason: 'wrong person' } });
    expect(res.status).toBe(200);
    expect((await stack.db.followUpCheckin.findMany({ where: { vaccinationId } })).every((c) => c.status === 'CANCELLED')).toBe(true);
    const rows = await rowsOf(personId);
    expect(rows.every((n) => n.status === 'CANCELLED')).toBe(true);
  });
});
