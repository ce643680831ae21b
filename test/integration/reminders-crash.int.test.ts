// A sender killed in the middle of a push: LINE (the emulator) has accepted the push, the
// process dies (SIGKILL) before it could record the outcome. Another sender must finish the
// job without a second copy: the row stays QUEUED, BullMQ's stalled-job check hands the job
// over, and the same X-Line-Retry-Key makes the emulator answer 409 instead of delivering again.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startStack, type TestStack } from '../support/stack.js';
import { bookAppointment } from '../support/reminder-fixtures.js';

const PUSH = '/v2/bot/message/push';
let stack: TestStack;
const clock = new Date('2030-03-04T02:00:00Z');
const children: ChildProcess[] = [];

beforeAll(async () => {
  // This stack plans and dispatches only: the senders are the child processes.
  stack = await startStack({ now: () => clock, notifications: false });
}, 60_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await stack?.close();
});

/** Starts the sender in its own process; resolves once its worker is listening. */
async function startSender(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/notification-sender-process.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: stack.databaseUrl,
      REDIS_URL: stack.env.REDIS_URL,
      REDIS_PREFIX: stack.redisPrefix,
      LINE_API_BASE_URL: stack.emulator.url,
      LINE_CHANNEL_ACCESS_TOKEN: stack.env.LINE_CHANNEL_ACCESS_TOKEN,
      NOW_MS: String(clock.getTime()),
      LOCK_DURATION_MS: '1000',
      STALLED_INTERVAL_MS: '300',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    child.once('exit', (code, signal) => reject(new Error(`sender exited early (${code ?? signal})`)));
  });
  return child;
}

it('a sender killed after LINE accepted the push: another sender finishes it, one copy delivered', async () => {
  const appointment = await bookAppointment(stack.db, { date: '2030-03-05', now: new Date('2030-03-01T00:00:00Z') });
  const first = await startSender();
  // The moment the emulator accepts the push, before it answers: kill the sender. The kill
  // happens inside the request handler, so the sender can never read the 200.
  const stopListening = stack.emulator.store.onDelivery((chatId) => {
    if (chatId === appointment.lineUserId) first.kill('SIGKILL');
  });
  const exited = new Promise((resolve) => first.once('exit', (_code, signal) => resolve(signal)));
  expect((await stack.service.dispatchNotifications()).queued).toBe(1);
  expect(await exited).toBe('SIGKILL');
  stopListening();

  const [row] = await stack.db.notification.findMany({ where: { appointmentId: appointment.id }, orderBy: { dueAt: 'asc' } });
  expect(row).toMatchObject({ status: 'QUEUED', attempts: 0, lineRequestId: null });
  expect(stack.emulator.store.messagesFor(appointment.lineUserId)).toHaveLength(1);

  await startSender();
  const until = Date.now() + 15_000;
  let status = row!.status;
  while (status === 'QUEUED' && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    status = (await stack.db.notification.findUniqueOrThrow({ where: { id: row!.id } })).status;
  }
  const done = await stack.db.notification.findUniqueOrThrow({ where: { id: row!.id } });
  expect(done).toMatchObject({ status: 'SENT', attempts: 1 });
  // The emulator holds exactly one delivery: the second push with the same key was refused.
  expect(stack.emulator.store.messagesFor(appointment.lineUserId)).toHaveLength(1);
  expect(stack.emulator.store.calls.filter((c) => c.path === PUSH && c.retryKey === row!.id).map((c) => c.status)).toEqual([200, 409]);
}, 30_000);
