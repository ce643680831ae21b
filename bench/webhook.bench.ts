/**
 * npm run bench:webhook: signed webhook events against the running service, side by side in
 * the same run with a bare express handler that only checks the signature (the baseline).
 *
 * The headline is END TO END: events answered per second, from the first request sent to
 * the last answer the LINE emulator received (acknowledged → stored → handled → replied),
 * and each event's latency from its acknowledgement (the 200 the load generator got) to its
 * answer reaching the emulator (matched by reply token). Also printed: events/s acknowledged
 * and the acknowledgement latency, and an exactly-once check (every acknowledged event stored
 * once, processed once, answered once, each user's answers in order).
 *
 * The service's warm-up (2,000 events) is settled before the measured run starts, so the
 * measured run's figures are its own; the warm-up counts in the exactly-once check.
 * Bodies and signatures are made before each run (see support/load.ts).
 *
 * Options (env): BENCH_EVENTS (default 20000), BENCH_CONNECTIONS (default 50),
 * BENCH_USERS (default 2000), BENCH_RATE (unset: closed loop, as fast as the service
 * acknowledges; a number: open loop at that many events/s, e.g. BENCH_RATE=500
 * BENCH_EVENTS=30000 for 60 s), BENCH_TOPOLOGY: 'one-process' (default: ROLE=all, as npm
 * start), 'split' (a ROLE=web process and a ROLE=worker process, as they scale in
 * production), or 'web-then-worker' (the surge case: only the web process while the load
 * runs, so the acknowledgement figures are the intake alone; a worker process starts
 * afterwards and drains the backlog). BENCH_WEB_PROCESSES (default 1): the service's
 * WEB_PROCESSES; above 1 the bare handler is measured both in one process and in that many.
 * BENCH_WORKERS (default 1): worker processes in 'split' and 'web-then-worker' (there, the
 * backlog's drain rate shows what each added worker process adds).
 * BENCH_CPU_PROF=<dir>: V8 CPU profiles of the service process(es). BENCH_INTAKE_ONLY=1: stop
 * after the load (no drain, no exactly-once check).
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { benchCertificateKeyEnv } from './support/certificate-keys.js';
import { createDatabaseClient } from '../src/db/client.js';
import { startLineEmulator } from '../src/emulator/index.js';
import { validateLineRequest, toLineErrorBody } from '../src/line/validation/index.js';
import { seed } from '../prisma/seed.js';
import { createTestDatabase } from '../test/support/database.js';
import { deleteRedisKeys, TEST_REDIS_URL } from '../test/support/stack.js';
import { freePort, resultRow, runWebhookLoad, startProcess, stopProcess, type LoadResult } from './support/load.js';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { cpuSecondsBetween, cpuSecondsByCommand, cpuSecondsOf } from './support/process-cpu.js';
import type { LineEmulator } from '../src/emulator/index.js';
import type { PrismaClient } from '../src/db/client.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const USERS = Number(process.env.BENCH_USERS ?? 2_000);
const WARM_UP = 2_000;
/** The service's WEB_PROCESSES. */
const WEB_PROCESSES = Number(process.env.BENCH_WEB_PROCESSES ?? 1);
/** Worker processes in the split and web-then-worker topologies. */
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
const TOPOLOGIES = ['one-process', 'split', 'web-then-worker'] as const;
type Topology = (typeof TOPOLOGIES)[number];
/** Open loop at this many events/s (unset: closed loop). */
const RATE = process.env.BENCH_RATE ? Number(process.env.BENCH_RATE) : undefined;
const TOPOLOGY: Topology = TOPOLOGIES.find((t) => t === process.env.BENCH_TOPOLOGY) ?? 'one-process';



async function main(): Promise<void> {
  const database = await createTestDatabase();
  const hashKey = randomBytes(32);
  const encryptionKey = randomBytes(32);
  const db = createDatabaseClient({ url: database.url, poolSize: 4 });
  await seed({ db, hashKey, encryptionKey });
  const secret = randomBytes(16).toString('hex');
  const token = `bench-${randomBytes(8).toString('hex')}`;
  const emulator = await startLineEmulator({ channelSecret: secret, channelAccessToken: token, validate: validateLineRequest, toErrorBody: toLineErrorBody });
  const redisPrefix = `bench-${randomBytes(4).toString('hex')}`;
  const users = Array.from({ length: USERS }, () => `U${randomBytes(16).toString('hex')}`);
  const [servicePort, barePort] = [await freePort(), await freePort()];
  const children: ChildProcess[] = [];

  try {
    const serviceEnv = {
      ...process.env,
      NODE_ENV: 'production',
      ...(await benchCertificateKeyEnv()),
      PORT: String(servicePort),
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: redisPrefix,
      LINE_CHANNEL_SECRET: secret,
      LINE_CHANNEL_ACCESS_TOKEN: token,
      LINE_API_BASE_URL: emulator.url,
      LINE_DATA_API_BASE_URL: emulator.url,
      LINE_EMULATOR: 'false',
      ID_HASH_KEY: hashKey.toString('hex'),
      ID_ENCRYPTION_KEY: encryptionKey.toString('hex'),
      LOG_LEVEL: 'warn',
      WEB_PROCESSES: String(WEB_PROCESSES),
    };
    const readyUrl = `http://127.0.0.1:${servicePort}/readyz`;
    // BENCH_CPU_PROF=<dir>: V8 CPU profiles of the web process(es), written when they exit.
    const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
    // Each service process counts its SQL statements (support/count-statements.ts).
    const serviceArgs = ['--import', 'tsx', '--import', './bench/support/count-statements.ts', 'src/main.ts'];
    const roles: Array<{ role: string; child: ChildProcess; statementsFile: string }> = [];
    const startRole = async (role: 'all' | 'web' | 'worker', withProfile: boolean, label: string = role) => {
      const statementsFile = join(tmpdir(), `bench-webhook-${process.pid}-${label}.json`);
      const child = await startProcess(process.execPath, [...(withProfile ? profile : []), ...serviceArgs], { ...serviceEnv, ROLE: role, BENCH_STATEMENTS_FILE: statementsFile }, readyUrl);
      children.push(child);
      roles.push({ role: label, child, statementsFile });
    };
    /** BENCH_WORKERS worker processes (split and web-then-worker). */
    const startWorkers = () => Promise.all(Array.from({ length: WORKERS }, (_, i) => startRole('worker', false, WORKERS > 1 ? `worker-${i + 1}` : 'worker')));
    if (TOPOLOGY !== 'one-process') {
      await startRole('web', true);
      if (TOPOLOGY === 'split') await startWorkers();
    } else {
      await startRole('all', true);
    }

    // The baseline alone first (the service is idle meanwhile), each warmed up (JIT, pools)
    // before it is measured. With BENCH_WEB_PROCESSES > 1 the baseline runs twice: in one
    // process, and in as many processes as the service's web server.
    const common = { secret, connections: CONNECTIONS, users, text: 'hello' };
    const bareResults: LoadResult[] = [];
    for (const processes of WEB_PROCESSES > 1 ? [1, WEB_PROCESSES] : [1]) {
      const bare = await startProcess(process.execPath, ['--import', 'tsx', 'bench/support/bare-webhook.ts', String(barePort), secret, String(processes)], process.env, `http://127.0.0.1:${barePort}/readyz`);
      try {
        await runWebhookLoad({ ...common, label: 'warm-up bare', url: `http://127.0.0.1:${barePort}`, amount: WARM_UP });
        bareResults.push(await runWebhookLoad({ ...common, label: `bare express + signature${processes > 1 ? `, ${processes} processes` : ''}`, url: `http://127.0.0.1:${barePort}`, amount: EVENTS }));
      } finally {
        await stopProcess(bare);
      }
    }
    // The service's warm-up events are real events: they count in the exactly-once check.
    const serviceWarmUp = await runWebhookLoad({ ...common, lineStore: emulator.store, label: 'warm-up service', url: `http://127.0.0.1:${servicePort}`, amount: WARM_UP });
    // The measured run starts from a settled service (with workers): its figures are its own.
    if (TOPOLOGY !== 'web-then-worker') await settled(db, serviceWarmUp.acknowledged);
    const costBefore = await costSnapshot(db, roles);
    const serviceLabel = { 'one-process': 'service (web + workers, one process)', split: 'service (web process + worker process)', 'web-then-worker': 'service intake (web process; workers start after)' }[TOPOLOGY];
    const serviceResult = await runWebhookLoad({
      ...common,
      lineStore: emulator.store,
      label: `${WEB_PROCESSES > 1 ? `${serviceLabel.replace('web process', 'web')}, ${WEB_PROCESSES} web processes` : serviceLabel}${RATE ? `, ${RATE}/s offered` : ''}`,
      url: `http://127.0.0.1:${servicePort}`,
      amount: EVENTS,
      ...(RATE ? { rate: RATE } : {}),
    });
    const acknowledged = serviceWarmUp.acknowledged + serviceResult.acknowledged;
    const bareResult = bareResults[0]!;
    for (const r of [...bareResults, serviceResult]) console.log(resultRow(r));
    // BENCH_INTAKE_ONLY=1: stop here (quick iterations on the intake; no exactly-once check).
    if (process.env.BENCH_INTAKE_ONLY === '1') return;
    if (TOPOLOGY === 'web-then-worker') await startWorkers();
    const waitStarted = Date.now();
    const processed = await settled(db, acknowledged);
    const drainSeconds = (Date.now() - waitStarted) / 1000;
    const costAfter = await costSnapshot(db, roles);
    const stored = await db.inboundEvent.count();
    const failed = await db.inboundEvent.count({ where: { error: { not: null } } });
    const outbound = await db.outboundMessage.count();
    const sent = await db.outboundMessage.count({ where: { status: 'SENT' } });
    const delivered = users.reduce((sum, u) => sum + emulator.store.messagesFor(u).length, 0);

    // End to end, from the emulator's side: when each measured event's answer arrived (its
    // reply token), against when the event was acknowledged.
    const answeredAt = new Map<string, number>();
    for (const call of emulator.store.calls) {
      if (call.path !== '/v2/bot/message/reply' || call.status !== 200) continue;
      answeredAt.set((call.body as { replyToken: string }).replyToken, call.at);
    }
    const latencies: number[] = [];
    let lastAnswer = 0;
    for (const [token, ackAt] of serviceResult.acknowledgedAt ?? []) {
      const at = answeredAt.get(token);
      if (at === undefined) continue;
      latencies.push(at - ackAt);
      lastAnswer = Math.max(lastAnswer, at);
    }
    latencies.sort((x, y) => x - y);
    const answeredByReply = latencies.length;
    const endToEndSeconds = (lastAnswer - serviceResult.startedAt!) / 1000;
    // web-then-worker: the workers' own rate, over the backlog (first answer to last).
    const answerTimes = [...(serviceResult.acknowledgedAt?.keys() ?? [])].map((t) => answeredAt.get(t)).filter((t): t is number => t !== undefined);
    const drainRate = answerTimes.length / ((Math.max(...answerTimes) - Math.min(...answerTimes)) / 1000);
    const endToEnd = answeredByReply / endToEndSeconds;
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
    const order = answersInOrder(emulator.store, [serviceWarmUp, serviceResult]);

    const ratio = serviceResult.perSecond / bareResult.perSecond;
    const sameProcessesRatio = serviceResult.perSecond / bareResults.at(-1)!.perSecond;
    console.log(`\nbench:webhook, ${new Date().toISOString()}, ${EVENTS} events${RATE ? ` offered at ${RATE}/s` : ''}, ${CONNECTIONS} connections, ${USERS} users, topology ${TOPOLOGY}, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
    console.log(`END TO END (${serviceResult.label}): ${endToEnd.toFixed(0)} events/s answered (${answeredByReply} of ${serviceResult.acknowledged} answered by reply in ${endToEndSeconds.toFixed(1)} s, first request → last answer); acknowledgement → answer at the LINE emulator: p50 ${pct(0.5).toFixed(0)} ms, p99 ${pct(0.99).toFixed(0)} ms, max ${(latencies.at(-1) ?? NaN).toFixed(0)} ms\n`);
    console.log('acknowledgement (the webhook\'s 200):\n');
    console.log('| target | requests | 200 | errors | events/s | p50 ms | p99 ms | max ms |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (const r of [...bareResults, serviceResult]) console.log(resultRow(r));
    console.log(`\nservice/bare acknowledgement throughput: ${(ratio * 100).toFixed(1)}%${WEB_PROCESSES > 1 ? ` (bare in 1 process); ${(sameProcessesRatio * 100).toFixed(1)}% of the bare handler in ${WEB_PROCESSES} processes` : ''}`);
    if (TOPOLOGY === 'web-then-worker') console.log(`drain by ${WORKERS} worker process(es): ${drainRate.toFixed(0)} events/s (the backlog's first answer to its last)`);
    console.log(`processing: ${processed}/${acknowledged} (${serviceWarmUp.acknowledged} of them warm-up) processed, the last answered ${drainSeconds.toFixed(1)} s after the load ended; stored ${stored}, failed ${failed}`);
    console.log(`answers: ${outbound} outbox rows, ${sent} sent, ${delivered} deliveries seen by the LINE emulator; each user's answers in event order: ${order ? 'yes' : 'NO'}`);
    printCostPerEvent(costBefore, costAfter, serviceResult.acknowledged);
    const exactlyOnce = stored === acknowledged && processed === stored && failed === 0 && outbound === stored && sent === outbound && delivered === outbound;
    console.log(`exactly once: ${exactlyOnce ? 'yes' : 'NO'}`);
    const intakeTargets = [
      ['≥ 2,000 events/s acknowledged', serviceResult.perSecond >= 2_000],
      ['acknowledgement p99 < 50 ms', serviceResult.p99 < 50],
      [`≥ 60% of the bare handler${WEB_PROCESSES > 1 ? ' (1 process)' : ''}`, ratio >= 0.6],
      ...(WEB_PROCESSES > 1 ? [[`≥ 60% of the bare handler in ${WEB_PROCESSES} processes`, sameProcessesRatio >= 0.6] as const] : []),
    ] as const;
    const endToEndTargets = RATE
      ? [
          [`kept up with ${RATE}/s offered (≥ 98% of it answered per second)`, endToEnd >= RATE * 0.98],
          ['acknowledgement → answer p99 < 1 s', pct(0.99) < 1_000],
        ] as const
      : [['≥ 1,000 events/s end to end', endToEnd >= 1_000]] as const;
    const targets = [
      ...(TOPOLOGY === 'web-then-worker' ? intakeTargets : endToEndTargets),
      ['every acknowledged event answered by reply', answeredByReply === serviceResult.acknowledged],
      ['every acknowledged event processed exactly once', exactlyOnce],
      ["each user's answers in the order of their events", order],
    ] as const;
    for (const [name, ok] of targets) console.log(`${ok ? 'met    ' : 'MISSED '} ${name}`);
  } finally {
    for (const child of children) await stopProcess(child);
    await emulator.stop();
    await db.$disconnect();
    await database.drop();
    await deleteRedisKeys(redisPrefix);
  }
}

interface CostSnapshot {
  /** Per service role: CPU seconds, statements and commits sent so far. */
  roles: Map<string, { cpuSeconds: number; statements: number; commits: number }>;
  postgres: Map<number, number>;
  redis: Map<number, number>;
  /** pg_stat_database: transactions committed and rolled back in the bench's database (autocommit statements included). */
  transactions: number;
}

/** What the service processes, PostgreSQL and Redis have used so far (for the cost per event of the measured run). */
async function costSnapshot(db: PrismaClient, roles: Array<{ role: string; child: ChildProcess; statementsFile: string }>): Promise<CostSnapshot> {
  for (const { child } of roles) if (child.exitCode === null) child.kill('SIGUSR2');
  await new Promise((r) => setTimeout(r, 300));
  const byRole = new Map<string, { cpuSeconds: number; statements: number; commits: number }>();
  for (const { role, child, statementsFile } of roles) {
    const counts = JSON.parse(await readFile(statementsFile, 'utf8').catch(() => '{"statements":0,"commits":0}')) as { statements: number; commits: number };
    byRole.set(role, { cpuSeconds: cpuSecondsOf(child.pid!), ...counts });
  }
  const [stat] = await db.$queryRaw<Array<{ n: bigint }>>`SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()`;
  return { roles: byRole, postgres: cpuSecondsByCommand('postgres'), redis: cpuSecondsByCommand('redis-server'), transactions: Number(stat!.n) };
}

/** The measured run's cost per acknowledged event: CPU of each service process, PostgreSQL and Redis; statements and transactions. */
function printCostPerEvent(before: CostSnapshot, after: CostSnapshot, events: number): void {
  console.log(`\ncost per event over the measured run (${events} events):\n`);
  console.log('| process | CPU ms/event | events/s per core | SQL statements/event | commits (BEGIN…COMMIT)/event |');
  console.log('|---|---|---|---|---|');
  for (const [role, a] of after.roles) {
    const b = before.roles.get(role) ?? { cpuSeconds: 0, statements: 0, commits: 0 };
    const ms = ((a.cpuSeconds - b.cpuSeconds) * 1000) / events;
    console.log(`| service ROLE=${role} | ${ms.toFixed(3)} | ${(1000 / ms).toFixed(0)} | ${((a.statements - b.statements) / events).toFixed(2)} | ${((a.commits - b.commits) / events).toFixed(3)} |`);
  }
  const pgMs = (cpuSecondsBetween(before.postgres, after.postgres) * 1000) / events;
  const redisMs = (cpuSecondsBetween(before.redis, after.redis) * 1000) / events;
  console.log(`| PostgreSQL (all its processes) | ${pgMs.toFixed(3)} | ${(1000 / pgMs).toFixed(0)} | | ${((after.transactions - before.transactions) / events).toFixed(2)} transactions/event, autocommit statements included |`);
  console.log(`| Redis | ${redisMs.toFixed(3)} | ${(1000 / redisMs).toFixed(0)} | | |`);
}

/** Waits until `acknowledged` events are processed and nothing waits for delivery; returns how many are processed. */
async function settled(db: PrismaClient, acknowledged: number): Promise<number> {
  const started = Date.now();
  let processed = 0;
  while (Date.now() - started < 300_000) {
    processed = await db.inboundEvent.count({ where: { processedAt: { not: null } } });
    const unsent = await db.outboundMessage.count({ where: { status: { in: ['PENDING', 'SENDING'] } } });
    if (processed >= acknowledged && unsent === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return processed;
}

/**
 * Whether each user's answers reached LINE in the order of their events. A user's events are
 * BENCH_USERS requests apart in the load, never in flight together (users > connections),
 * so the order they were sent in is the order the service received them in.
 */
function answersInOrder(store: LineEmulator['store'], runs: LoadResult[]): boolean {
  const position = new Map<string, { userId: string; index: number }>();
  runs.flatMap((r) => r.sent ?? []).forEach(({ userId, token }, index) => position.set(token, { userId, index }));
  const last = new Map<string, number>();
  for (const call of store.calls) {
    if (call.path !== '/v2/bot/message/reply' || call.status !== 200) continue;
    const sent = position.get((call.body as { replyToken: string }).replyToken);
    if (!sent) continue;
    if ((last.get(sent.userId) ?? -1) > sent.index) return false;
    last.set(sent.userId, sent.index);
  }
  return true;
}

main().catch((err) => {
  console.error('bench:webhook failed:', err);
  process.exit(1);
});
