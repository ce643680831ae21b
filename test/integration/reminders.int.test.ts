// Appointment reminders end to end: rows planned by replanAppointmentReminders, handed to the
// notifications queue by the dispatcher (run with the test clock), pushed by the real worker
// to the LINE emulator, outcome recorded on the row. LINE failures come from the emulator's
// fault injector. Nothing waits for real hours: the clock jumps to the due time.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Delivery } from '../../src/emulator/index.js';
import { validateMessages } from '../../src/line/validation/index.js';
import { startStack, textsOf, type TestStack, waitFor } from '../support/stack.js';
import { bookAppointment, changeAppointment, type BookedAppointment } from '../support/reminder-fixtures.js';

const PUSH = '/v2/bot/message/push';
let stack: TestStack;
/** The service's clock: 2030-03-01 07:00 Bangkok. */
let clock = new Date('2030-03-01T00:00:00Z');
const at = (iso: string) => (clock = new Date(iso));

beforeAll(async () => {
  stack = await startStack({
    now: () => clock,
    env: { NOTIFICATION_MAX_ATTEMPTS: '3', NOTIFICATION_DISPATCH_EVERY_MS: '60000', NOTIFICATION_LOOKAHEAD_MS: '60000' },
    // Short retry delays, so retries take milliseconds instead of seconds.
    notificationTuning: { dispatch: { retryBackoffMs: 20 }, sender: { rateLimitedPauseMs: 50 } },
  });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

afterEach(async () => {
  expect(stack.emulator.faults.pending).toBe(0);
  stack.emulator.faults.clear();
  // Each test owns the clock from a month of its own: reminders a test left planned must not
  // fall due in a later test and use up the faults armed there.
  await stack.db.notification.updateMany({ where: { status: 'SCHEDULED' }, data: { status: 'CANCELLED' } });
});


const rowsOf = (appointment: BookedAppointment) =>
  stack.db.notification.findMany({ where: { appointmentId: appointment.id }, orderBy: { dueAt: 'asc' } });

/** Waits until no row of the appointment is SCHEDULED or QUEUED any more. */
async function settled(appointment: BookedAppointment) {
  return waitFor(
    () => rowsOf(appointment),
    (rows) => rows.every((r) => r.status !== 'QUEUED'),
  );
}

const pushesTo = (lineUserId: string): readonly Delivery[] => stack.emulator.store.messagesFor(lineUserId).filter((d) => d.via === 'push');
const pushCallsWithKey = (key: string) => stack.emulator.store.calls.filter((c) => c.path === PUSH && c.retryKey === key);

describe('appointment reminders', () => {
  it('are dispatched when due and delivered once, with the text and the appointment card', async () => {
    at('2030-03-01T00:00:00Z');
    const appointment = await bookAppointment(stack.db, { date: '2030-03-05', now: clock });
    const [dayBefore, dayOf] = await rowsOf(appointment);
    expect(dayBefore).toMatchObject({ kind: 'appointment-reminder-day-before', status: 'SCHEDULED', dueAt: new Date('2030-03-04T02:00:00Z') });
    expect(dayOf).toMatchObject({ kind: 'appointment-reminder-day-of', status: 'SCHEDULED', dueAt: new Date('2030-03-05T00:00:00Z') });

    // Not due yet (more than the lookahead ahead): nothing is queued.
    at('2030-03-04T01:58:00Z');
    await stack.service.dispatchNotifications();
    expect((await rowsOf(appointment)).map((r) => r.status)).toEqual(['SCHEDULED', 'SCHEDULED']);

    at('2030-03-04T02:00:00Z');
    expect((await stack.service.dispatchNotifications()).queued).toBeGreaterThanOrEqual(1);
    const rows = await settled(appointment);
    expect(rows.map((r) => r.status)).toEqual(['SENT', 'SCHEDULED']);
    expect(rows[0]).toMatchObject({ attempts: 1, lastError: null });
    expect(rows[0]!.lineRequestId).toMatch(/\S+/);
    expect(rows[0]!.sentAt).toEqual(clock);

    const pushes = pushesTo(appointment.lineUserId);
    expect(pushes).toHaveLength(1);
    expect(pushes[0]!.retryKey).toBe(rows[0]!.id);
    expect(pushes[0]!.requestId).toBe(rows[0]!.lineRequestId);
    const [text, card] = pushes[0]!.messages;
    expect(text).toMatchObject({ type: 'text' });
    expect(textsOf([text])[0]).toContain('พรุ่งนี้');
    expect(textsOf([text])[0]).toContain('5 มี.ค. 2573');
    expect(card).toMatchObject({ type: 'flex' });
    expect(JSON.stringify(card)).toContain(appointment.code);
    expect(validateMessages(pushes[0]!.messages)).toEqual([]);

    // The morning of the day, in English once the user switched language.
    await stack.db.lineUser.update({ where: { id: appointment.lineUserId }, data: { locale: 'en' } });
    at('2030-03-05T00:00:30Z');
    await stack.service.dispatchNotifications();
    expect((await settled(appointment)).map((r) => r.status)).toEqual(['SENT', 'SENT']);
    const morning = pushesTo(appointment.lineUserId)[1]!;
    expect(textsOf(morning.messages)[0]).toMatch(/^🔔 Reminder: today, 5 Mar 2030, you have/);

    // Dispatching again sends nothing twice.
    await stack.service.dispatchNotifications();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(pushesTo(appointment.lineUserId)).toHaveLength(2);
  });

  it('are never sent for a cancelled appointment', async () => {
    at('2030-04-01T00:00:00Z');
    const appointment = await bookAppointment(stack.db, { date: '2030-04-05', now: clock });
    await changeAppointment(stack.db, appointment, { status: 'CANCELLED' }, clock);
    expect((await rowsOf(appointment)).map((r) => r.status)).toEqual(['CANCELLED', 'CANCELLED']);

    at('2030-04-05T01:00:00Z');
    await stack.service.dispatchNotifications();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await rowsOf(appointment)).map((r) => r.status)).toEqual(['CANCELLED', 'CANCELLED']);
    expect(pushesTo(appointment.lineUserId)).toHaveLength(0);
  });

  it('a reminder already queued when the appointment is cancelled is not sent', async () => {
    at('2030-04-10T00:00:00Z');
    const appointment = await bookAppointment(stack.db, { date: '2030-04-12', now: clock });
    // 400 ms before it is due: queued as a delayed job (within the lookahead).
    at(new Date(new Date('2030-04-11T02:00:00Z').getTime() - 400).toISOString());
    await stack.service.dispatchNotifications();
    expect((await rowsOf(appointment))[0]!.status).toBe('QUEUED');
    await changeAppointment(stack.db, appointment, { status: 'CANCELLED' }, clock);
    await new Promise((resolve) => setTimeout(resolve, 900));
    expect((await rowsOf(appointment)).map((r) => r.status)).toEqual(['CANCELLED', 'CANCELLED']);
    expect(pushesTo(appointment.lineUserId)).toHaveLength(0);
  });

  it('a reminder whose appointment changed without being replanned is skipped at send time', async () => {
    at('2030-04-20T00:00:00Z');
    const appointment = await bookAppointment(stack.db, { date: '2030-04-22', now: clock });
    await changeAppointment(stack.db, appointment, { status: 'CANCELLED' }, clock, { replan: false });
    at('2030-04-21T02:00:00Z');
    await stack.service.dispatchNotifications();
    const [row] = await settled(appointment);
    expect(row).toMatchObject({ status: 'SKIPPED', attempts: 0, lastError: 'no longer applies' });
    expect(pushesTo(appointment.lineUserId)).toHaveLength(0);
  });

  it('a moved appointment: the old reminders are withdrawn, the new ones sent for the new day', async () => {
    at('2030-05-01T00:00:00Z');
    const appointment = await bookAppointment(stack.db, { date: '2030-05-05', now: clock });
    const old = await rowsOf(appointment);
    const moved = await changeAppointment(stack.db, appointment, { date: '2030-05-09' }, clock);
    const rows = await rowsOf(appointment);
    expect(rows.filter((r) => old.some((o) => o.id === r.id)).map((r) => r.status)).toEqual(['CANCELLED', 'CANCELLED']);
    const fresh = rows.filter((r) => r.status === 'SCHEDULED');
    expect(fresh.map((r) => [r.dueAt.toISOString(), r.appointmentVersion])).toEqual([
      ['2030-05-08T02:00:00.000Z', moved.version],
      ['2030-05-09T00:00:00.000Z', moved.version],
    ]);

    // The old day-before time passes: nothing; the new one: the reminder names the new day.
    at('2030-05-04T02:00:00Z');
    await stack.service.dispatchNotifications();
    at('2030-05-08T02:00:00Z');
    await stack.service.dispatchNotifications();
    await settled(appointment);
    const pushes = pushesTo(appointment.lineUserId);
    expect(pushes).toHaveLength(1);
    expect(pushes[0]!.retryKey).toBe(fresh[0]!.id);
    expect(textsOf(pushes[0]!.messages)[0]).toContain('9 พ.ค. 2573');
  });

  it('a user who unfollowed is skipped', async () => {
    at('2030-06-01T00:00:00Z');
    const appointment = await bookAppointment(stack.db, { date: '2030-06-03', now: clock });
    await stack.db.lineUser.update({ where: { id: appointment.lineUserId }, data: { following: false } });
    at('2030-06-02T02:00:00Z');
    await stack.service.dispatchNotifications();
    const [row] = await settled(appointment);
    expect(row).toMatchObject({ status: 'SKIPPED', lastError: 'unfollowed', attempts: 0 });
    expect(stack.emulator.store.calls.filter((c) => c.path === PUSH && c.retryKey === row!.id)).toHaveLength(0);
  });
});

describe('push outcomes', () => {
  /** Books, makes the day-before reminder due, dispatches, and waits for its outcome. */
  async function sendOne(month: string, arm: () => void) {
    at(`2030-${month}-01T00:00:00Z`);
    const appointment = await bookAppointment(stack.db, { date: `2030-${month}-10`, now: clock });
    arm();
    at(`2030-${month}-09T02:00:00Z`);
    await stack.service.dispatchNotifications();
    const [row] = await settled(appointment);
    return { appointment, row: row! };
  }

  it('a push LINE accepted but answered 500 is retried, gets 409 and is SENT: one copy', async () => {
    const { appointment, row } = await sendOne('07', () => stack.emulator.faults.failNext(1, 500, { path: PUSH, afterProcessing: true }));
    expect(row).toMatchObject({ status: 'SENT', attempts: 2 });
    expect(pushCallsWithKey(row.id).map((c) => c.status)).toEqual([500, 409]);
    expect(pushesTo(appointment.lineUserId)).toHaveLength(1);
  });

  it('5xx before processing is retried with backoff, then SENT', async () => {
    const { appointment, row } = await sendOne('08', () => stack.emulator.faults.failNext(2, 503, { path: PUSH }));
    expect(row).toMatchObject({ status: 'SENT', attempts: 3 });
    expect(row.lastError).toMatch(/^503: /);
    expect(pushCallsWithKey(row.id).map((c) => c.status)).toEqual([503, 503, 200]);
    expect(pushesTo(appointment.lineUserId)).toHaveLength(1);
  });

  it('429 is retried (the queue pauses), then SENT', async () => {
    const { row } = await sendOne('09', () => stack.emulator.faults.failNext(1, 429, { path: PUSH }));
    expect(row).toMatchObject({ status: 'SENT', attempts: 2 });
    expect(pushCallsWithKey(row.id).map((c) => c.status)).toEqual([429, 200]);
  });

  it('400 is FAILED at once, not retried', async () => {
    const { appointment, row } = await sendOne('10', () => stack.emulator.faults.failNext(1, 400, { path: PUSH }));
    expect(row).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(row.lastError).toMatch(/^400: /);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(pushCallsWithKey(row.id)).toHaveLength(1);
    expect(pushesTo(appointment.lineUserId)).toHaveLength(0);
  });

  it('attempts are bounded: after NOTIFICATION_MAX_ATTEMPTS (3) failures the row is FAILED', async () => {
    const { appointment, row } = await sendOne('11', () => {
      stack.emulator.faults.failNext(2, 500, { path: PUSH });
      stack.emulator.faults.failNext(1, 429, { path: PUSH });
    });
    expect(row).toMatchObject({ status: 'FAILED', attempts: 3 });
    expect(row.lastError).toMatch(/^429: /);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(pushCallsWithKey(row.id).map((c) => c.status)).toEqual([500, 500, 429]);
    expect(pushesTo(appointment.lineUserId)).toHaveLength(0);
  });

  it('a kind without a renderer is FAILED with "no renderer", not dropped', async () => {
    at('2030-12-01T00:00:00Z');
    const lineUserId = (await bookAppointment(stack.db, { date: '2030-12-10', now: clock })).lineUserId;
    const row = await stack.db.notification.create({ data: { lineUserId, kind: 'not-a-kind', dueAt: clock } });
    await stack.service.dispatchNotifications();
    const done = await waitFor(
      () => stack.db.notification.findUniqueOrThrow({ where: { id: row.id } }),
      (r) => r.status !== 'QUEUED',
    );
    expect(done).toMatchObject({ status: 'FAILED', lastError: "no renderer for 'not-a-kind'" });
  });
});

describe('re-drive', () => {
  it('a QUEUED row whose job was lost (Redis flushed, crash before the add) is queued again later and sent once', async () => {
    at('2031-01-01T00:00:00Z');
    const appointment = await bookAppointment(stack.db, { date: '2031-01-10', now: clock });
    const [row] = await rowsOf(appointment);
    // As a dispatcher that died between its commit and addBulk leaves it: QUEUED, no job.
    at('2031-01-09T02:00:00Z');
    await stack.db.notification.update({ where: { id: row!.id }, data: { status: 'QUEUED', queuedAt: clock } });

    expect(await stack.service.dispatchNotifications()).toEqual({ queued: 0, redriven: 0 });
    at('2031-01-09T02:11:00Z');
    expect(await stack.service.dispatchNotifications()).toEqual({ queued: 0, redriven: 1 });
    const done = await waitFor(
      () => stack.db.notification.findUniqueOrThrow({ where: { id: row!.id } }),
      (r) => r.status !== 'QUEUED',
    );
    expect(done).toMatchObject({ status: 'SENT', attempts: 1 });
    expect(pushesTo(appointment.lineUserId)).toHaveLength(1);
    // Checked once per period: the next pass leaves it alone.
    expect(await stack.service.dispatchNotifications()).toEqual({ queued: 0, redriven: 0 });
  });
});
