// Faults an operator meets, done to the real service in its own process (src/main.ts, as
// `npm start` runs it): its PostgreSQL connections terminated in the middle of traffic (what
// a restart or failover does to a client), the process killed right after LINE accepted a
// reply, a poison event in a busy intake, and slow clients. The service must live through
// each, lose nothing and show no citizen a message twice.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { webhook } from '@line/bot-sdk';
import type { VirtualUser } from '../../src/emulator/index.js';
import { startStack, textsOf, type TestStack } from '../support/stack.js';
import { sleep, waitFor, waitUntilSettled } from '../support/settle.js';
import { startServiceProcess, type ServiceProcess } from '../support/service-process.js';
import { freePort } from '../support/ports.js';
import { queueNames, queuePrefix } from '../../src/jobs/queues.js';

const REPLY = '/v2/bot/message/reply';
const PUSH = '/v2/bot/message/push';
/** Ends every connection to the stack's database but this one: what a restart does to clients (57P01). */
async function terminateConnections(databaseUrl: string): Promise<number> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  admin.on('error', () => undefined);
  await admin.connect();
  try {
    const { rows } = await admin.query<{ n: string }>(
      'SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    return Number(rows[0]!.n);
  } finally {
    await admin.end();
  }
}

/** Sends an event until the service acknowledges it, as LINE's redelivery does after a 5xx or no answer. */
async function sendAcknowledged(stack: TestStack, event: webhook.Event): Promise<number> {
  let delivery = await stack.emulator.sender.send(event);
  let refusals = 0;
  while (delivery.status !== 200) {
    refusals++;
    if (refusals > 100) throw new Error(`the webhook kept refusing: ${delivery.status} ${delivery.responseText}`);
    await sleep(200);
    delivery = await stack.emulator.sender.redeliver(delivery.body);
  }
  return refusals;
}

/** A stack whose own service is web-only and unused, and the service under test in its own process, answering the emulator. */
async function stackWithServiceProcess(env: Record<string, string> = {}): Promise<{ stack: TestStack; service: ServiceProcess }> {
  const stack = await startStack({ env: { ROLE: 'web' } });
  const service = await startServiceProcess(stack, env);
  await service.waitUntilReady();
  stack.emulator.setWebhookUrl(`${service.url}/webhook`);
  return { stack, service };
}

async function followed(stack: TestStack): Promise<VirtualUser> {
  const user = stack.emulator.user();
  await sendAcknowledged(stack, stack.emulator.sender.events.follow(user.userId));
  expect(textsOf(await user.nextMessages({ timeoutMs: 30_000 })).join('\n')).toContain('ยินดีต้อนรับ');
  return user;
}

describe('a PostgreSQL restart in the middle of traffic', () => {
  let stack: TestStack;
  let service: ServiceProcess;

  beforeAll(async () => {
    ({ stack, service } = await stackWithServiceProcess());
  }, 90_000);

  afterAll(async () => {
    await service?.kill();
    await stack?.close();
  });

  it('keeps the process up, loses no event and answers each exactly once when every connection is terminated twice', async () => {
    const users = await Promise.all(Array.from({ length: 10 }, () => followed(stack)));
    const ids = users.map((u) => u.userId);
    const callsBefore = stack.emulator.store.calls.length;

    let terminated = 0;
    const blips = (async () => {
      await sleep(150);
      terminated += await terminateConnections(stack.databaseUrl);
      await sleep(400);
      terminated += await terminateConnections(stack.databaseUrl);
    })();
    // Each user says hello six times, one after another, while the connections are cut.
    const talk = Promise.all(users.map(async (user) => {
      for (let i = 0; i < 6; i++) await sendAcknowledged(stack, stack.emulator.sender.events.text(user.userId, 'สวัสดี'));
    }));
    await Promise.all([talk, blips]);
    expect(terminated).toBeGreaterThan(2);

    await waitUntilSettled(stack, ids, 60_000);
    await sleep(300);
    expect(service.alive(), service.stderr()).toBe(true);
    expect(service.stderr()).not.toMatch(/Unhandled 'error' event|uncaught/i);

    const events = await stack.db.inboundEvent.findMany({ where: { sourceKey: { in: ids } } });
    expect(events).toHaveLength(ids.length * 7);
    // None was given up as a failed event: each got its real answer once the database was back.
    expect(events.filter((e) => e.error !== null)).toEqual([]);
    for (const id of ids) {
      const rows = await stack.db.outboundMessage.findMany({ where: { lineUserId: id } });
      expect(rows.every((r) => r.status === 'SENT')).toBe(true);
      expect(rows.map((r) => r.via).filter((via) => via === 'reply-unconfirmed')).toEqual([]);
      // Each event answered once: no two outbox rows carry the same event's reply token.
      const tokens = rows.map((r) => r.replyToken).filter(Boolean);
      expect(new Set(tokens).size).toBe(tokens.length);
      // Exactly one delivery per outbox row with messages: nothing lost, nothing twice.
      const withMessages = rows.filter((r) => r.via !== 'none');
      const story = () => JSON.stringify({ rows: rows.map((r) => [r.id, r.replyToken, r.via, r.attempts, r.replyUncertain, r.error]), calls: stack.emulator.store.calls.filter((c) => (c.body as { to?: string })?.to === id || tokens.includes((c.body as { replyToken?: string })?.replyToken ?? '-')).map((c) => [c.path, c.status, c.retryKey, (c.body as { replyToken?: string }).replyToken]) });
      expect(stack.emulator.store.messagesFor(id), story()).toHaveLength(withMessages.length);
    }
    // No reply token was accepted twice, and no answer both replied and pushed.
    const calls = stack.emulator.store.calls.slice(callsBefore).filter((c) => c.status === 200);
    const repliedTokens = calls.filter((c) => c.path === REPLY).map((c) => (c.body as { replyToken: string }).replyToken);
    expect(new Set(repliedTokens).size).toBe(repliedTokens.length);
    const pushedRows = await stack.db.outboundMessage.findMany({ where: { id: { in: calls.filter((c) => c.path === PUSH).map((c) => c.retryKey!) } } });
    expect(pushedRows.filter((r) => r.replyToken && repliedTokens.includes(r.replyToken))).toEqual([]);

    // And it serves a newcomer as before.
    await followed(stack);
    expect(await fetch(`${service.url}/readyz`).then((r) => r.status)).toBe(200);
  }, 120_000);
});

describe('the service killed right after LINE accepted a reply', () => {
  let stack: TestStack;
  const services: ServiceProcess[] = [];

  beforeAll(async () => {
    stack = await startStack({ env: { ROLE: 'web' } });
  }, 60_000);

  afterAll(async () => {
    for (const service of services) await service.kill();
    await stack?.close();
  });

  it('proves the reply with its own token after the restart: the user sees the answer once, no push', async () => {
    const first = await startServiceProcess(stack);
    services.push(first);
    await first.waitUntilReady();
    stack.emulator.setWebhookUrl(`${first.url}/webhook`);
    const user = await followed(stack);
    const start = stack.emulator.store.cursor(user.userId);

    // The moment the emulator accepts the answer, before it responds: kill the service, so it
    // can never learn that the reply landed.
    const stopListening = stack.emulator.store.onDelivery((chatId) => {
      if (chatId === user.userId) first.child.kill('SIGKILL');
    });
    await sendAcknowledged(stack, stack.emulator.sender.events.text(user.userId, 'สวัสดี'));
    expect(await first.exited).toBe('SIGKILL');
    stopListening();
    const row = await stack.db.outboundMessage.findFirstOrThrow({ where: { lineUserId: user.userId }, orderBy: { seq: 'desc' } });
    expect(row.status).toBe('SENDING');

    const second = await startServiceProcess(stack);
    services.push(second);
    await second.waitUntilReady();
    stack.emulator.setWebhookUrl(`${second.url}/webhook`);
    // The restarted process sweeps at start: it re-drives the claim, and the same token is
    // answered 400 (spent), which proves the first reply landed.
    await waitUntilSettled(stack, [user.userId], 30_000);
    await sleep(300);

    expect(stack.emulator.store.messagesFor(user.userId).slice(start).map((d) => d.via)).toEqual(['reply']);
    const settled = await stack.db.outboundMessage.findUniqueOrThrow({ where: { id: row.id } });
    expect(settled).toMatchObject({ status: 'SENT', via: 'reply', replyUncertain: true, attempts: 2 });
    const tokenCalls = stack.emulator.store.calls.filter((c) => c.path === REPLY && (c.body as { replyToken?: string }).replyToken === row.replyToken);
    expect(tokenCalls.map((c) => c.status)).toEqual([200, 400]);
    expect(stack.emulator.store.calls.some((c) => c.path === PUSH && c.retryKey === row.id)).toBe(false);
  }, 120_000);
});

describe('a poison event and slow clients at the webhook', () => {
  let stack: TestStack;
  let service: ServiceProcess;

  beforeAll(async () => {
    ({ stack, service } = await stackWithServiceProcess({ HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '1500' }));
  }, 90_000);

  afterAll(async () => {
    await service?.kill();
    await stack?.close();
  });

  it('refuses an event with a NUL in its user id with 400, stores nothing of it, and the requests batched with it succeed', async () => {
    const { sender } = stack.emulator;
    const users = Array.from({ length: 30 }, () => stack.emulator.user());
    const poison = sender.events.text(users[0]!.userId, 'สวัสดี');
    (poison.source as { userId: string }).userId = `U${'0'.repeat(31)}\u0000`;
    const poisonRaw = JSON.stringify({ destination: sender.destination, events: [poison] });
    const post = (raw: string) => fetch(`${service.url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-line-signature': sender.sign(raw) }, body: raw });

    const [poisonRes, ...good] = await Promise.all([post(poisonRaw), ...users.map((u) => u.follow())]);
    expect(poisonRes.status).toBe(400);
    expect(poisonRes.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(good.map((d) => d.status)).toEqual(Array(users.length).fill(200));
    // Again, alone: still 400, never a 503 that LINE would redeliver forever.
    expect((await post(poisonRaw)).status).toBe(400);
    expect(await stack.db.inboundEvent.findUnique({ where: { webhookEventId: poison.webhookEventId } })).toBeNull();
    for (const user of users) expect(textsOf(await user.nextMessages({ timeoutMs: 30_000 })).join('\n')).toContain('ยินดีต้อนรับ');
  }, 60_000);

  it('closes connections that send their headers or body too slowly', async () => {
    const slow = async (request: string): Promise<number> => {
      const started = Date.now();
      const socket = connect(Number(new URL(service.url).port), '127.0.0.1');
      socket.on('error', () => undefined);
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write(request);
      // A byte every 200 ms: never finishing, always just alive.
      const drip = setInterval(() => socket.write(' '), 200);
      await new Promise<void>((resolve) => socket.once('close', () => resolve()));
      clearInterval(drip);
      return Date.now() - started;
    };
    const [slowHeaders, slowBody] = await Promise.all([
      slow('POST /webhook HTTP/1.1\r\nHost: x\r\nX-Slow: '),
      slow('POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{'),
    ]);
    // Cut within the configured limits (1 s for headers, 1.5 s for the whole request), give or
    // take Node's check interval; the default would have held them for 300 s.
    expect(slowHeaders).toBeLessThan(4_000);
    expect(slowBody).toBeLessThan(4_000);
    expect(service.alive()).toBe(true);
  }, 30_000);
});

describe('Redis restarted empty (no persistence)', () => {
  let stack: TestStack;
  let service: ServiceProcess;
  let redis: ChildProcess | undefined;
  let redisUrl: string;
  let redisPort: number;

  /** A Redis of this test's own on a free port, so restarting it disturbs no other test. */
  async function startRedis(): Promise<void> {
    redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitFor('the test Redis to answer', async () => {
      const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      client.on('error', () => undefined);
      try {
        await client.connect();
        return (await client.ping()) === 'PONG';
      } catch {
        return false;
      } finally {
        client.disconnect();
      }
    }, 10_000);
  }

  async function stopRedis(): Promise<void> {
    if (!redis || redis.exitCode !== null) return;
    const exited = new Promise((resolve) => redis!.once('exit', resolve));
    redis.kill('SIGKILL');
    await exited;
  }

  const schedulerIds = async (): Promise<string[]> => {
    const ids: string[] = [];
    for (const name of [queueNames.maintenance, queueNames.notificationDispatch]) {
      const queue = new Queue(name, { connection: { url: redisUrl }, prefix: queuePrefix(stack.redisPrefix) });
      try {
        ids.push(...(await queue.getJobSchedulers()).map((s) => s.key));
      } finally {
        await queue.close();
      }
    }
    return ids.sort();
  };

  beforeAll(async () => {
    redisPort = await freePort();
    redisUrl = `redis://127.0.0.1:${redisPort}`;
    await startRedis();
    stack = await startStack({ env: { ROLE: 'web' } });
    service = await startServiceProcess(stack, { REDIS_URL: redisUrl });
    await service.waitUntilReady();
  }, 90_000);

  afterAll(async () => {
    await service?.kill();
    await stack?.close();
    await stopRedis();
  });

  it('rebuilds the sweep and dispatch job schedulers when Redis comes back, and readiness reports them', async () => {
    expect(await schedulerIds()).toEqual(['dispatch', 'sweep']);
    const ready = (await (await fetch(`${service.url}/readyz`)).json()) as { checks: Record<string, string> };
    expect(ready.checks).toMatchObject({ redis: 'ok', postgres: 'ok', schedulers: 'ok' });

    await stopRedis();
    await waitFor('readiness to report Redis down', async () => (await fetch(`${service.url}/readyz`)).status === 503, 10_000);
    await startRedis();
    // Reconnected to an empty Redis: the schedulers are upserted again, without a restart.
    await waitFor('the job schedulers to be rebuilt', async () => (await schedulerIds()).join() === 'dispatch,sweep', 20_000);
    await waitFor('readiness to recover', async () => (await fetch(`${service.url}/readyz`)).status === 200, 10_000);
    expect(service.alive()).toBe(true);

    // A scheduler lost while connected (evicted, deleted by hand): readiness says which, and heals it.
    const maintenance = new Queue(queueNames.maintenance, { connection: { url: redisUrl }, prefix: queuePrefix(stack.redisPrefix) });
    try {
      await maintenance.removeJobScheduler('sweep');
    } finally {
      await maintenance.close();
    }
    const missing = await fetch(`${service.url}/readyz`);
    expect(missing.status).toBe(503);
    expect(((await missing.json()) as { checks: Record<string, string> }).checks.schedulers).toContain('sweep');
    await waitFor('readiness to heal the scheduler', async () => (await fetch(`${service.url}/readyz`)).status === 200, 10_000);
    expect(await schedulerIds()).toEqual(['dispatch', 'sweep']);
  }, 90_000);
});
