// The service's Redis use on a Redis Cluster (issue 12): three masters this test starts on
// loopback ports, set up with `redis-cli --cluster create`, reached through the service's own
// setting (REDIS_CLUSTER_NODES), connection factories and queue prefix. BullMQ's scripts
// touch several keys of a queue at once, which a cluster runs only within one hash slot; the
// prefix is REDIS_PREFIX as a hash tag (queuePrefix), and a prefix without one is shown to
// fail. The rate limiter and the push pacer, which use one key per call, run there too.
// Skipped, saying why, where redis-server is not installed.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Queue, Worker } from 'bullmq';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseEnv, parseEnvFields } from '../../src/config/env.js';
import { createProducerConnection, createWorkerConnection, defaultJobOptions, queueNames, queuePrefix, type RedisClient } from '../../src/jobs/queues.js';
import { createLineEventsProcessor, type LineEventJob } from '../../src/jobs/line-events.js';
import { createJobSchedulers } from '../../src/jobs/job-schedulers.js';
import { defaultDispatchSettings, notificationJobOptions, type NotificationJob } from '../../src/jobs/notification-dispatch.js';
import { createPushPacer } from '../../src/jobs/push-pacer.js';
import { createRedisRateLimiter } from '../../src/shared/rate-limiter.js';
import { createLogger } from '../../src/shared/logger.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/settle.js';

const execFileAsync = promisify(execFile);
const hasRedisServer = !spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).error;
const skipReason = 'redis-server is not on PATH (install the redis-server package to run it)';
if (!hasRedisServer) console.warn(`redis-cluster.int.test.ts: the Redis Cluster tests are SKIPPED: ${skipReason}`);

describe('REDIS_CLUSTER_NODES', () => {
  const base = { REDIS_URL: 'redis://127.0.0.1:6379', ID_HASH_KEY: 'a'.repeat(64), ID_ENCRYPTION_KEY: 'b'.repeat(64), DATABASE_URL: 'postgresql://x@127.0.0.1/x' };

  it('reads seed nodes as host:port (IPv6 in brackets); unset means one Redis', () => {
    expect(parseEnvFields(['REDIS_CLUSTER_NODES'], { REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b:7001,[::1]:7002' }).REDIS_CLUSTER_NODES).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-b', port: 7001 },
      { host: '::1', port: 7002 },
    ]);
    expect(parseEnvFields(['REDIS_CLUSTER_NODES'], { REDIS_CLUSTER_NODES: '' }).REDIS_CLUSTER_NODES).toBeUndefined();
  });

  it('names the setting when a node is malformed, and refuses a database other than 0', () => {
    expect(() => parseEnvFields(['REDIS_CLUSTER_NODES'], { REDIS_CLUSTER_NODES: '10.0.0.1:7000,redis-b' })).toThrow(/REDIS_CLUSTER_NODES: "redis-b" is not host:port/);
    expect(() => parseEnvFields(['REDIS_CLUSTER_NODES'], { REDIS_CLUSTER_NODES: 'a:70000' })).toThrow(ConfigError);
    expect(() => parseEnv({ ...base, REDIS_URL: 'redis://127.0.0.1:7000/2', REDIS_CLUSTER_NODES: '127.0.0.1:7000' })).toThrow(/REDIS_URL: a Redis Cluster has only database 0/);
    expect(parseEnv({ ...base, REDIS_URL: 'redis://127.0.0.1:7000/0', REDIS_CLUSTER_NODES: '127.0.0.1:7000' }).REDIS_CLUSTER_NODES).toHaveLength(1);
  });

  it('turns REDIS_PREFIX into the queues\' hash tag', () => {
    expect(queuePrefix('morprom')).toBe('{morprom}');
    expect(() => queuePrefix('a}b')).toThrow(/braces/);
  });
});

/** True when nothing listens on the port of 127.0.0.1 right now. */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port whose cluster bus port (port + 10000, Redis's rule) is free too. */
async function freeNodePort(taken: Set<number>): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = await freePort();
    if (port + 10_000 > 65_535 || taken.has(port) || taken.has(port + 10_000) || !(await isFree(port + 10_000))) continue;
    taken.add(port).add(port + 10_000);
    return port;
  }
  throw new Error('no free port pair for a Redis Cluster node');
}

interface ClusterNodeProcess {
  port: number;
  child: ChildProcess;
  output: () => string;
  /** A plain connection to this node alone, for CLUSTER INFO and SCAN. */
  admin: Redis;
}

function startNode(dir: string, port: number): ClusterNodeProcess {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '5000', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: Buffer) => void (output = (output + chunk.toString()).slice(-4_000));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const admin = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => 200 });
  admin.on('error', () => undefined);
  return { port, child, output: () => output, admin };
}

async function stopNode(node: ClusterNodeProcess): Promise<void> {
  node.admin.disconnect();
  if (node.child.exitCode !== null || node.child.signalCode !== null) return;
  const exited = new Promise((resolve) => node.child.once('exit', resolve));
  node.child.kill('SIGTERM');
  const timer = setTimeout(() => node.child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}

/** Every key matching `pattern`, with the port of the master that holds it (SCAN is per node in a cluster). */
async function keysOnCluster(cluster: Cluster, pattern: string): Promise<Array<{ key: string; port: number }>> {
  const found: Array<{ key: string; port: number }> = [];
  for (const node of cluster.nodes('master')) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      found.push(...keys.map((key) => ({ key, port: node.options.port! })));
    } while (cursor !== '0');
  }
  return found;
}

const slotOf = (cluster: Cluster, key: string) => cluster.cluster('KEYSLOT', key) as Promise<number>;

describe.skipIf(!hasRedisServer)(hasRedisServer ? 'on a 3-master Redis Cluster' : `on a 3-master Redis Cluster (SKIPPED: ${skipReason})`, () => {
  const nodes: ClusterNodeProcess[] = [];
  const closers: Array<() => Promise<unknown>> = [];
  const log = createLogger({ level: 'silent' });
  let dir: string;
  let settings: ReturnType<typeof clusterSettings>;
  let workerConnection: RedisClient;
  const killAll = () => nodes.forEach((n) => n.child.kill('SIGKILL'));

  function clusterSettings(ports: number[]) {
    // The same parsing and settings the service reads from its environment.
    return parseEnvFields(['REDIS_URL', 'REDIS_CLUSTER_NODES', 'REDIS_PREFIX'], {
      REDIS_URL: `redis://127.0.0.1:${ports[0]}`,
      REDIS_CLUSTER_NODES: ports.map((p) => `127.0.0.1:${p}`).join(','),
      REDIS_PREFIX: `test-cluster-${randomBytes(4).toString('hex')}`,
    });
  }

  /** A connection the service's way, closed after the tests. */
  function connect(make: typeof createProducerConnection): Cluster {
    const connection = make(settings.REDIS_URL, settings.REDIS_CLUSTER_NODES);
    connection.on('error', () => undefined);
    closers.push(() => connection.quit().catch(() => connection.disconnect()));
    expect(connection).toBeInstanceOf(Cluster);
    return connection as Cluster;
  }

  beforeAll(async () => {
    // The servers die with this process even if afterAll never runs.
    process.once('exit', killAll);
    dir = mkdtempSync(join(tmpdir(), 'morprom-redis-cluster-'));
    const taken = new Set<number>();
    for (let i = 0; i < 3; i++) nodes.push(startNode(dir, await freeNodePort(taken)));
    for (const node of nodes) {
      await waitFor(`redis-server on port ${node.port} to answer`, async () => {
        if (node.child.exitCode !== null) throw new Error(`redis-server on port ${node.port} exited: ${node.output()}`);
        if (node.admin.status === 'wait') await node.admin.connect().catch(() => undefined);
        return (await node.admin.ping().catch(() => '')) === 'PONG';
      }, 10_000);
    }
    const { stdout } = await execFileAsync('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    expect(stdout).toContain('All 16384 slots covered');
    await waitFor('cluster_state:ok on every node', async () => {
      const infos = await Promise.all(nodes.map((n) => n.admin.cluster('INFO') as Promise<string>));
      return infos.every((info) => info.includes('cluster_state:ok') && info.includes('cluster_known_nodes:3'));
    }, 20_000);

    settings = clusterSettings(nodes.map((n) => n.port));
    workerConnection = connect(createWorkerConnection);
  }, 60_000);

  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await Promise.all(nodes.map(stopNode));
    process.off('exit', killAll);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('runs the service\'s queues: a webhook batch through the real line-events processor, a deduplicated retry, a delayed send batch and the maintenance job scheduler', async () => {
    const prefix = queuePrefix(settings.REDIS_PREFIX);
    // As service.ts builds them: a new producer connection, the queues made before it is ready,
    // one prefix for all.
    const producer = connect(createProducerConnection);
    const queueOptions = { connection: producer, prefix, defaultJobOptions };
    const lineEvents = new Queue<LineEventJob>(queueNames.lineEvents, queueOptions);
    const outbound = new Queue<{ lineUserId: string }>(queueNames.outbound, queueOptions);
    const maintenance = new Queue(queueNames.maintenance, queueOptions);
    const notifications = new Queue<NotificationJob>(queueNames.notifications, queueOptions);
    const queues = [lineEvents, outbound, maintenance, notifications];
    closers.push(() => Promise.all(queues.map((q) => q.close())));
    // The webhook enqueues only while its connection says 'ready' (service.ts: queueReady).
    await waitFor('the producer connection to be ready', () => producer.status === 'ready', 10_000);
    const workerOptions = { connection: workerConnection, prefix };
    const startWorker = <T>(name: string, handle: (data: T, jobName: string) => Promise<unknown>) => {
      const worker = new Worker<T>(name, (job) => handle(job.data, job.name), { ...workerOptions, concurrency: 1 });
      worker.on('error', () => undefined);
      closers.push(() => worker.close());
      return worker;
    };

    // A stored webhook batch of several users, enqueued as the intake does (one job), run by
    // the real line-events processor. Two users are busy (another worker holds their lock), so
    // it queues a drain job for each of them (addBulk on the cluster).
    const drained: string[] = [];
    const users = Array.from({ length: 5 }, (_, i) => `U${randomBytes(4).toString('hex')}${i}`);
    const lone = `U${randomBytes(4).toString('hex')}`;
    const busy = new Set(users.slice(0, 2));
    const drainer: Parameters<typeof createLineEventsProcessor>[0]['drainer'] = {
      async drainUsers(sourceKeys) {
        const held = sourceKeys.filter((k) => !busy.has(k));
        drained.push(...held);
        return { handled: held.length, busy: sourceKeys.filter((k) => busy.has(k)) };
      },
      async drain(sourceKey) {
        drained.push(sourceKey);
        return 1;
      },
    };
    const eventsWorker = new Worker<LineEventJob>(queueNames.lineEvents, createLineEventsProcessor({ drainer, queue: lineEvents }), { ...workerOptions, concurrency: 4 });
    eventsWorker.on('error', () => undefined);
    closers.push(() => eventsWorker.close());
    await lineEvents.add('drain-batch', { drains: users.map((sourceKey) => ({ sourceKey, jobId: `drain-${sourceKey}-e1` })) }, { ...defaultJobOptions, jobId: `batch-${users[0]}` });
    await lineEvents.add('drain-batch', { drains: [{ sourceKey: lone, jobId: `drain-${lone}-e1` }] }, { ...defaultJobOptions, jobId: `drain-${lone}-e1` });

    // A delivery retry asked for twice while the first still waits: BullMQ deduplication keeps one.
    for (let i = 0; i < 2; i++) await outbound.add('deliver', { lineUserId: lone }, { deduplication: { id: `out-${lone}` }, attempts: 10, backoff: { type: 'exponential', delay: 1_000 } });
    expect(await outbound.getWaitingCount()).toBe(1);
    const delivered: string[] = [];
    startWorker<{ lineUserId: string }>(queueNames.outbound, async (data) => void delivered.push(data.lineUserId));

    // A send batch queued ahead of its due time, as the notification dispatcher does.
    await notifications.add('send', { notificationIds: ['n1', 'n2'] }, notificationJobOptions(defaultDispatchSettings, `ntf-batch-${lone}`, 300));
    expect(await notifications.getDelayedCount()).toBe(1);
    const sent: string[] = [];
    startWorker<NotificationJob>(queueNames.notifications, async (data) => void sent.push(...(data.notificationIds ?? [])));

    // The maintenance sweep's job scheduler, through the service's own upsert and readiness check.
    const schedulers = createJobSchedulers({ specs: [{ queue: maintenance, id: 'sweep', everyMs: 250 }], redis: producer, log });
    await schedulers.ensure();
    await schedulers.check();
    let sweeps = 0;
    startWorker(queueNames.maintenance, async (_data, name) => void (name === 'sweep' && sweeps++));

    await waitFor('every user drained, the retry delivered, the batch sent and three sweeps run', () => drained.length === 6 && delivered.length === 1 && sent.length === 2 && sweeps >= 3, 15_000);
    expect([...drained].sort()).toEqual([...users, lone].sort());
    expect(delivered).toEqual([lone]);
    expect(sent).toEqual(['n1', 'n2']);
    // The batch, the lone user's job and the busy users' 2 drains completed; nothing failed anywhere.
    await waitFor('the line-events jobs to be recorded completed', async () => (await lineEvents.getCompletedCount()) === 2 + busy.size);
    for (const queue of queues) expect(await queue.getJobCounts('failed', 'wait', 'active')).toEqual({ failed: 0, wait: 0, active: 0 });

    // Every key of every queue is in one hash slot, on one master: the hash tag's slot.
    const cluster = producer as Cluster;
    const keys = await keysOnCluster(cluster, `${prefix}:*`);
    for (const name of [queueNames.lineEvents, queueNames.outbound, queueNames.maintenance, queueNames.notifications]) {
      expect(keys.some(({ key }) => key.startsWith(`${prefix}:${name}:`)), `keys of ${name}`).toBe(true);
    }
    expect(keys.length).toBeGreaterThan(20);
    const slots = new Set(await Promise.all(keys.map(({ key }) => slotOf(cluster, key))));
    expect([...slots]).toEqual([await slotOf(cluster, prefix)]);
    expect(new Set(keys.map(({ port }) => port)).size).toBe(1);

    // Without the tag the same keys would spread over slots: BullMQ's scripts would not run.
    const untaggedSlots = new Set(await Promise.all(keys.map(({ key }) => slotOf(cluster, key.replace(prefix, settings.REDIS_PREFIX)))));
    expect(untaggedSlots.size).toBeGreaterThan(10);
    const untagged = new Queue(queueNames.lineEvents, { connection: producer, prefix: settings.REDIS_PREFIX });
    untagged.on('error', () => undefined);
    try {
      await expect(untagged.add('drain', { sourceKey: lone })).rejects.toThrow(/CROSSSLOT/);
    } finally {
      await untagged.close();
    }
  }, 30_000);

  it('runs the identity rate limiter: counts per key, and the counters spread over the masters', async () => {
    const limiter = createRedisRateLimiter({ redis: workerConnection, prefix: settings.REDIS_PREFIX, limit: 3, windowSeconds: 3600 });
    const first: boolean[] = [];
    for (let i = 0; i < 4; i++) first.push(await limiter.consume('identity:Ufirst'));
    expect(first).toEqual([true, true, true, false]);
    const others = await Promise.all(Array.from({ length: 30 }, (_, i) => limiter.consume(`identity:U${i}`)));
    expect(others.every(Boolean)).toBe(true);

    const keys = await keysOnCluster(workerConnection as Cluster, `${settings.REDIS_PREFIX}:rl:*`);
    expect(keys).toHaveLength(31);
    // No hash tag: one user's counter is one key, and many users' counters are not pinned to one master.
    expect(new Set(keys.map(({ port }) => port)).size).toBeGreaterThan(1);
    const ttl = await workerConnection.ttl(keys[0]!.key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(3600);
  });

  it('runs the push pacer: senders on separate connections get consecutive, non-overlapping times, and a hold-off holds them all', async () => {
    const other = connect(createWorkerConnection);
    await waitFor('the second sender\'s connection to be ready', () => other.status === 'ready', 10_000);
    const a = createPushPacer({ redis: workerConnection, prefix: settings.REDIS_PREFIX, ratePerSecond: 1000 });
    const b = createPushPacer({ redis: other, prefix: settings.REDIS_PREFIX, ratePerSecond: 1000 });
    const slots = await Promise.all([a.reserve(50), b.reserve(50), a.reserve(50), b.reserve(50)]);
    const ranges = slots.map((s) => [s.start, s.start + 50 * s.intervalMs] as const).sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBeGreaterThanOrEqual(ranges[i - 1]![1] - 2); // ms clocks
    // 200 sends at 1,000/s (paced at 90%) reach about 222 ms ahead.
    expect(ranges.at(-1)![1] - ranges[0]![0]).toBeGreaterThan(190);

    const heldAt = Date.now();
    await a.holdOff(1_000);
    const next = await b.reserve(1);
    expect(next.start - heldAt).toBeGreaterThanOrEqual(950);
  });
});
