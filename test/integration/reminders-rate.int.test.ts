// The notifications queue obeys PUSH_RATE_PER_SECOND (the push pacer, shared through Redis).
// At 50/s, 150 pushes cannot take less than about 3 s, and no sliding second holds more than
// the limit, as LINE (and the emulator) count it. Kept short: 150 pushes.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startStack, type TestStack } from '../support/stack.js';
import { bookAppointment } from '../support/reminder-fixtures.js';

const PUSH = '/v2/bot/message/push';
const LIMIT = 50;
const COUNT = 150;
let stack: TestStack;
const clock = new Date('2030-03-04T02:00:00Z');

beforeAll(async () => {
  stack = await startStack({ now: () => clock, env: { PUSH_RATE_PER_SECOND: String(LIMIT), NOTIFICATION_CONCURRENCY: '4', NOTIFICATION_SEND_BATCH_SIZE: '40', NOTIFICATION_DISPATCH_EVERY_MS: '60000' } });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

it(`${COUNT} due notifications at PUSH_RATE_PER_SECOND=${LIMIT} are paced by the limiter`, async () => {
  const appointment = await bookAppointment(stack.db, { date: '2030-03-05', now: new Date('2030-03-01T00:00:00Z') });
  const [planned] = await stack.db.notification.findMany({ where: { appointmentId: appointment.id }, orderBy: { dueAt: 'asc' } });
  // More reminders of the same appointment, each its own row and retry key.
  await stack.db.notification.createMany({
    data: Array.from({ length: COUNT - 1 }, () => ({ lineUserId: appointment.lineUserId, kind: planned!.kind, appointmentId: appointment.id, appointmentVersion: 1, personId: appointment.personId, dueAt: clock })),
  });
  await stack.service.dispatchNotifications();

  const until = Date.now() + 15_000;
  while (stack.emulator.store.messagesFor(appointment.lineUserId).length < COUNT && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const times = stack.emulator.store.calls.filter((c) => c.path === PUSH && c.status === 200).map((c) => c.at).sort((a, b) => a - b);
  expect(times).toHaveLength(COUNT);
  // Unlimited, 150 pushes take a fraction of a second; paced, one every 1/50 s.
  expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(((COUNT - 1) / LIMIT) * 1000 * 0.95);
  // Paced, not windowed: no sliding second holds more than the limit.
  let busiest = 0;
  for (let i = 0, j = 0; j < times.length; j++) {
    while (times[j]! - times[i]! >= 1000) i++;
    busiest = Math.max(busiest, j - i + 1);
  }
  expect(busiest).toBeLessThanOrEqual(LIMIT);
  expect(stack.emulator.store.calls.filter((c) => c.path === PUSH && c.status === 429)).toHaveLength(0);

  // The outcomes are written right after LINE answers.
  const sentBy = Date.now() + 5_000;
  let sent = 0;
  while ((sent = await stack.db.notification.count({ where: { appointmentId: appointment.id, status: 'SENT' } })) < COUNT && Date.now() < sentBy) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(sent).toBe(COUNT);
}, 30_000);
