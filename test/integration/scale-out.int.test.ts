// Scale-out: one web process (the stack's own, in-process) and TWO worker processes
// (src/main.ts with ROLE=worker, as production runs them on separate cores or machines),
// sharing PostgreSQL and Redis. Each user's events arrive as separate webhook requests,
// interleaved with everybody else's, so one user's consecutive events land in different
// batch jobs, which the two processes take as they come. Per-user order and exactly once
// must hold whichever process handles which event.
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { webhook } from '@line/bot-sdk';
import { startStack, TEST_REDIS_URL, type TestStack } from '../support/stack.js';
import { waitFor, waitUntilSettled } from '../support/settle.js';
import { startServiceProcess, type ServiceProcess } from '../support/service-process.js';
import { queueNames, queuePrefix } from '../../src/jobs/queues.js';
import type { LineEventJob, LineEventsJobResult } from '../../src/jobs/line-events.js';

const USERS = 12;
const EVENTS_PER_USER = 12;

describe('two worker processes', () => {
  let stack: TestStack;
  let workers: ServiceProcess[] = [];
  let queue: Queue<LineEventJob, LineEventsJobResult>;

  beforeAll(async () => {
    stack = await startStack({ env: { ROLE: 'web' } });
    workers = await Promise.all([1, 2].map(() => startServiceProcess(stack, { ROLE: 'worker', WORKER_CONCURRENCY: '4' })));
    queue = new Queue(queueNames.lineEvents, { connection: { url: TEST_REDIS_URL }, prefix: queuePrefix(stack.redisPrefix) });
    // A worker process has no HTTP server: it is ready when its workers are connected.
    await waitFor('both worker processes to connect', async () => (await queue.getWorkersCount()) >= 2, 60_000);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill('SIGTERM')));
    await queue?.close();
    await stack?.close();
  });

  it('share the load, and keep each user\'s answers in order, each event answered exactly once', async () => {
    const users = Array.from({ length: USERS }, () => stack.emulator.user());
    const sent = new Map<string, webhook.Event[]>(users.map((u) => [u.userId, []]));
    // Round r: every user's r-th message at once, each in its own request; a user's next one
    // only after LINE got a 200 for the previous (as LINE delivers one chat's events).
    for (let r = 0; r < EVENTS_PER_USER; r++) {
      await Promise.all(
        users.map(async (u) => {
          const event = stack.emulator.sender.events.text(u.userId, `ข้อความ ${r + 1}`);
          sent.get(u.userId)!.push(event);
          expect((await stack.emulator.sender.send(event)).status).toBe(200);
        }),
      );
    }
    await waitUntilSettled(stack, users.map((u) => u.userId), 60_000);

    // Exactly once: every event stored once and processed once, none failed, one answer each.
    const total = USERS * EVENTS_PER_USER;
    expect(await stack.db.inboundEvent.count()).toBe(total);
    expect(await stack.db.inboundEvent.count({ where: { processedAt: { not: null }, error: null } })).toBe(total);
    expect(await stack.db.outboundMessage.count({ where: { status: 'SENT', via: 'reply' } })).toBe(total);
    // Order: each user's answers reached LINE in the order of their events (matched by reply token).
    for (const u of users) {
      const replies = stack.emulator.store.calls.filter((c) => c.path === '/v2/bot/message/reply' && c.status === 200);
      const tokensOfUser = new Set(sent.get(u.userId)!.map((e) => (e as { replyToken: string }).replyToken));
      const answered = replies.map((c) => (c.body as { replyToken: string }).replyToken).filter((t) => tokensOfUser.has(t));
      expect(answered).toEqual(sent.get(u.userId)!.map((e) => (e as { replyToken: string }).replyToken));
      expect(stack.emulator.store.messagesFor(u.userId)).toHaveLength(EVENTS_PER_USER);
    }

    // Both processes worked, and at least one user's events were handled by both.
    const jobs = await queue.getJobs(['completed'], 0, -1);
    const handledBy = new Map<string, Set<string>>();
    for (const job of jobs) {
      const data = job.data;
      const sources = 'sourceKey' in data ? [data.sourceKey] : data.drains.map((d) => d.sourceKey);
      const deferred = new Set(job.returnvalue?.deferred ?? []);
      for (const source of sources) {
        if (deferred.has(source)) continue;
        const by = handledBy.get(source) ?? new Set<string>();
        by.add(job.processedBy ?? 'unknown');
        handledBy.set(source, by);
      }
    }
    const processes = new Set([...handledBy.values()].flatMap((s) => [...s]));
    expect(processes.size).toBe(2);
    expect([...handledBy.values()].some((by) => by.size === 2)).toBe(true);
  }, 120_000);
});
