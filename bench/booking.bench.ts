/**
 * npm run bench:booking: booking day. 10,000 different people confirm at once on 50 slots of
 * 20 places (1,000 places), 10% of them tapping confirm twice (the same idempotency key).
 *
 * The HEADLINE is the webhook run, the path chat runs: each user's conversation is put at the
 * booking flow's confirm step and the confirm postback is sent signed to POST /webhook of the
 * running service (`npm start`'s one process, after a warm-up of its own); the answers go to
 * the LINE emulator. The use-case runs call bookAppointment directly with a pool of concurrent
 * callers: the same write chat runs (one statement that commits alone), with the reads on the
 * root client instead of a chat round's transaction; they show what the use case alone costs.
 *
 * Printed for each run: attempts, appointments created (must be exactly the places), slots
 * oversold (0), duplicates (0: people with more than one active appointment, keys booked
 * twice), bookings/s (successful bookings per second until the last place went), attempts/s,
 * and the latency of an attempt (p50/p99; webhook run: acknowledgement to handled). The
 * baseline, in the same run, is the bare capacity statement (takePlace's UPDATE alone,
 * autocommit) with the same callers.
 *
 * Options (env): BENCH_PEOPLE (10000), BENCH_SLOTS (50), BENCH_CAPACITY (20),
 * BENCH_DOUBLE_TAP (0.1), BENCH_CALLERS (64), BENCH_POOL (database connections, 40),
 * BENCH_WEBHOOK (1; 0 skips the webhook run), BENCH_CONNECTIONS (webhook connections, 64),
 * BENCH_ALTERNATIVES (1; 0: a full slot answers without looking up alternatives),
 * BENCH_ALTERNATIVES_CACHE_MS (2000: how long the second use-case run shares them), BENCH_SEED (unset:
 * a new arrival order each run; a number: the same order every run), BENCH_PER_CALLER
 * (1; 0 skips the use-case run that searches alternatives per caller), BENCH_USE_CASE (1; 0 runs
 * only the webhook), BENCH_SERVICE_NODE_ARGS (node flags for the service of the webhook run, e.g.
 * "--cpu-prof --cpu-prof-dir=prof").
 * Uses its own throwaway database and Redis prefix and removes them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createDatabaseClient, type PrismaClient } from '../src/db/client.js';
import { bookAppointment } from '../src/domain/booking/book-appointment.js';
import { createAlternativesCache, type AlternativesCache } from '../src/domain/booking/alternatives-cache.js';
import { bangkokToday } from '../src/shared/clock.js';
import { addDays } from '../src/domain/vaccination/interval-rules.js';
import { startLineEmulator } from '../src/emulator/index.js';
import { validateLineRequest, toLineErrorBody } from '../src/line/validation/index.js';
import { seed } from '../prisma/seed.js';
import { createRandom } from '../prisma/data/random.js';
import { createTestDatabase } from '../test/support/database.js';
import { deleteRedisKeys, TEST_REDIS_URL } from '../test/support/stack.js';
import { hospitalsOf, insertPeople, insertSlots, runConcurrently, type SeededPerson } from '../test/support/booking-fixtures.js';
import { BOOKING_FLOW_VERSION, type BookingData } from '../src/bot/flows/booking.flow.js';
import { createHmac } from 'node:crypto';
import autocannon from 'autocannon';
import { ulid } from 'ulid';
import type { LinePlatformStore } from '../src/emulator/index.js';
import { freePort, startProcess, stopProcess } from './support/load.js';

const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 10_000);
const SLOTS = Number(process.env.BENCH_SLOTS ?? 50);
const CAPACITY = Number(process.env.BENCH_CAPACITY ?? 20);
const DOUBLE_TAP = Number(process.env.BENCH_DOUBLE_TAP ?? 0.1);
const CALLERS = Number(process.env.BENCH_CALLERS ?? 64);
const POOL = Number(process.env.BENCH_POOL ?? 40);
const WEBHOOK = process.env.BENCH_WEBHOOK !== '0';
const USE_CASE = process.env.BENCH_USE_CASE !== '0';
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
/** 0: full-slot answers skip the alternatives look-up (to see what it costs). */
const ALTERNATIVES = process.env.BENCH_ALTERNATIVES !== '0';
/** 0 skips the use-case run that searches alternatives per caller (the service shares them). */
const PER_CALLER = process.env.BENCH_PER_CALLER !== '0';
const PLACES = SLOTS * CAPACITY;
/** Confirms the service handles before the measured webhook run (1 in 20 books, the rest find the slot full). */
const WARM_UP_PEOPLE = 2_000;
/** TTL of the shared alternatives in the second use-case run (the service's default). */
const ALTERNATIVES_CACHE_MS = Number(process.env.BENCH_ALTERNATIVES_CACHE_MS ?? 2000);

interface Attempt {
  person: SeededPerson;
  slotId: string;
  key: string;
}

interface RunFigures {
  label: string;
  attempts: number;
  created: number;
  oversold: number;
  duplicates: number;
  wallS: number;
  lastBookingS: number;
  p50: number;
  p99: number;
  errors: number;
}

/** One signed postback event per request, in the given order, over keep-alive connections. */
async function sendSignedPostbacks(options: {
  url: string;
  secret: string;
  connections: number;
  lineStore: LinePlatformStore;
  events: Array<{ userId: string; data: string }>;
}): Promise<{ acknowledged: number }> {
  let n = 0;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    amount: options.events.length,
    method: 'POST',
    requests: [
      {
        setupRequest(req) {
          const event = options.events[n++ % options.events.length]!;
          const body = JSON.stringify({
            destination: 'Ubench',
            events: [
              {
                type: 'postback',
                mode: 'active',
                timestamp: Date.now(),
                source: { type: 'user', userId: event.userId },
                webhookEventId: ulid(),
                deliveryContext: { isRedelivery: false },
                replyToken: options.lineStore.issueReplyToken(event.userId),
                postback: { data: event.data },
              },
            ],
          });
          const signature = createHmac('sha256', options.secret).update(body).digest('base64');
          return { ...req, body, headers: { 'content-type': 'application/json', 'x-line-signature': signature } };
        },
      },
    ],
  });
  return { acknowledged: result['2xx'] };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * The arrival order's dice. bookings/s depends on it: the later the last slot's 20th person
 * arrives, the more "full" answers come before the last place (with 11,000 attempts, between
 * ~1,400 and ~2,200 attempts until the last place). BENCH_SEED gives the same order on every
 * run, for before/after comparisons; unset, each run draws a new one.
 */
const random = process.env.BENCH_SEED ? createRandom(Number(process.env.BENCH_SEED)) : Math.random;


/** Every person once, on slot i % SLOTS, in random order; a double tap right behind its first tap. */
function planAttempts(people: SeededPerson[], slotIds: string[]): Attempt[] {
  const firsts = people.map((person, i) => ({ person, slotId: slotIds[i % slotIds.length]!, key: randomUUID() }));
  for (let i = firsts.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [firsts[i], firsts[j]] = [firsts[j]!, firsts[i]!];
  }
  const attempts: Attempt[] = [];
  firsts.forEach((a, i) => {
    attempts.push(a);
    if (i % Math.round(1 / DOUBLE_TAP) === 0) attempts.push({ ...a });
  });
  return attempts;
}

/** Taken one at a time in arrival order, the attempt (1-based) that would take the last place. */
function lastPlaceInOrder(attempts: Attempt[]): number {
  const booked = new Map<string, number>();
  const keys = new Set<string>();
  let taken = 0;
  for (const [i, a] of attempts.entries()) {
    if (keys.has(a.key)) continue;
    keys.add(a.key);
    const n = booked.get(a.slotId) ?? 0;
    if (n >= CAPACITY) continue;
    booked.set(a.slotId, n + 1);
    if (++taken === PLACES) return i + 1;
  }
  return attempts.length;
}

async function setUp(db: PrismaClient, day: string) {
  const hospitals = await hospitalsOf(db, '10', Math.ceil(SLOTS / 5));
  const slots = Array.from({ length: SLOTS }, (_, i) => ({
    hospitalCode: hospitals[Math.floor(i / 5)]!.code,
    date: day,
    startTime: `${String(8 + (i % 5) * 2).padStart(2, '0')}:00`,
    endTime: `${String(9 + (i % 5) * 2).padStart(2, '0')}:30`,
    capacity: CAPACITY,
  }));
  const slotIds = await insertSlots(db, slots);
  const people: SeededPerson[] = [];
  for (let done = 0; done < PEOPLE; done += 5_000) people.push(...(await insertPeople(db, { count: Math.min(5_000, PEOPLE - done) })));
  return { slotIds, people };
}

/** What the database holds after a run: created, oversold slots, duplicates. */
async function check(db: PrismaClient, slotIds: string[]) {
  const [totals] = await db.$queryRaw<Array<{ created: bigint; oversold: bigint; duplicatePeople: bigint; booked: bigint }>>`
    SELECT (SELECT count(*) FROM appointment WHERE slot_id = ANY(${slotIds}::uuid[])) AS created,
           (SELECT count(*) FROM slot s WHERE s.id = ANY(${slotIds}::uuid[])
               AND (s.booked > s.capacity OR (SELECT count(*) FROM appointment a WHERE a.slot_id = s.id AND a.status = 'BOOKED') > s.capacity)) AS oversold,
           (SELECT count(*) FROM (SELECT person_id FROM appointment WHERE active_dose IS NOT NULL GROUP BY person_id HAVING count(*) > 1) d) AS "duplicatePeople",
           (SELECT sum(booked) FROM slot WHERE id = ANY(${slotIds}::uuid[])) AS booked`;
  const { created, oversold, duplicatePeople, booked } = totals!;
  // Keys are unique by index; a key "booked twice" would be two appointments of one person.
  return { created: Number(created), oversold: Number(oversold), duplicates: Number(duplicatePeople), booked: Number(booked) };
}

/** Back to empty slots, for the next run over the same people and slots. */
async function resetSlots(db: PrismaClient, slotIds: string[]): Promise<void> {
  await db.$executeRaw`DELETE FROM appointment WHERE slot_id = ANY(${slotIds}::uuid[])`;
  await db.$executeRaw`DELETE FROM notification`;
  await db.$executeRaw`UPDATE slot SET booked = 0 WHERE id = ANY(${slotIds}::uuid[])`;
}

async function runUseCase(db: PrismaClient, attempts: Attempt[], slotIds: string[], now: Date, alternativesCache?: AlternativesCache): Promise<RunFigures> {
  await resetSlots(db, slotIds);
  const latencies: number[] = [];
  const answered: Array<{ outcome: string; at: number; ms: number }> = [];
  let lastBooking = 0;
  let errors = 0;
  const started = performance.now();
  await runConcurrently(attempts, CALLERS, async (a) => {
    const t0 = performance.now();
    let outcome = 'error';
    try {
      const result = await bookAppointment({
        db, personId: a.person.personId, slotId: a.slotId, idempotencyKey: a.key,
        actor: `line:${a.person.lineUserId}`, lineUserId: a.person.lineUserId, now, withAlternatives: ALTERNATIVES,
        ...(alternativesCache ? { alternativesCache } : {}),
      });
      outcome = result.ok ? (result.repeated ? 'repeated' : 'booked') : result.refusal.code;
    } catch (error) {
      errors++;
      if (errors <= 3) console.error(error);
    }
    const t1 = performance.now();
    if (outcome === 'booked') lastBooking = t1;
    latencies.push(t1 - t0);
    answered.push({ outcome, at: t1, ms: t1 - t0 });
  });
  const wallS = (performance.now() - started) / 1000;
  printUntilLastPlace(answered, lastBooking);
  const figures = await check(db, slotIds);
  latencies.sort((x, y) => x - y);
  const label = `use case: bookAppointment (the write chat runs), ${CALLERS} callers, ${alternativesCache ? `alternatives shared ${ALTERNATIVES_CACHE_MS} ms (service default)` : 'alternatives searched per caller'}`;
  return { label, attempts: attempts.length, created: figures.created, oversold: figures.oversold, duplicates: figures.duplicates, wallS, lastBookingS: (lastBooking - started) / 1000, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors };
}

/**
 * What was answered until the last place went (the span bookings/s measures): with random
 * arrival, about 1,700 of the 11,000 attempts, so the refusals in it compete with the bookings.
 */
function printUntilLastPlace(answered: Array<{ outcome: string; at: number; ms: number }>, lastBooking: number): void {
  const byOutcome = new Map<string, { n: number; ms: number }>();
  for (const a of answered) {
    if (a.at > lastBooking) continue;
    const o = byOutcome.get(a.outcome) ?? { n: 0, ms: 0 };
    o.n++;
    o.ms += a.ms;
    byOutcome.set(a.outcome, o);
  }
  const parts = [...byOutcome].map(([outcome, o]) => `${outcome} ${o.n} (mean ${(o.ms / o.n).toFixed(1)} ms)`);
  console.log(`until the last place: ${parts.join(', ')}`);
}

/** The baseline: takePlace's statement alone, autocommit, same attempts and callers. */
async function runBaseline(db: PrismaClient, attempts: Attempt[], slotIds: string[], today: string): Promise<RunFigures> {
  await db.$executeRaw`UPDATE slot SET booked = 0 WHERE id = ANY(${slotIds}::uuid[])`;
  const latencies: number[] = [];
  let taken = 0;
  let lastBooking = 0;
  const started = performance.now();
  await runConcurrently(attempts, CALLERS, async (a) => {
    const t0 = performance.now();
    const n = await db.$executeRaw`
      UPDATE slot SET booked = booked + 1, updated_at = now()
       WHERE id = ${a.slotId}::uuid AND status = 'OPEN' AND booked < capacity AND date >= ${today}::date`;
    if (n === 1) {
      taken++;
      lastBooking = performance.now();
    }
    latencies.push(performance.now() - t0);
  });
  const wallS = (performance.now() - started) / 1000;
  latencies.sort((x, y) => x - y);
  const [overRow] = await db.$queryRaw<Array<{ over: bigint }>>`SELECT count(*) AS over FROM slot WHERE id = ANY(${slotIds}::uuid[]) AND booked > capacity`;
  await db.$executeRaw`UPDATE slot SET booked = 0 WHERE id = ANY(${slotIds}::uuid[])`;
  return { label: 'baseline: bare capacity UPDATE', attempts: attempts.length, created: taken, oversold: Number(overRow!.over), duplicates: 0, wallS, lastBookingS: (lastBooking - started) / 1000, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors: 0 };
}

/** Puts each attempt's user at the booking flow's confirm step, as the flow leaves them when it shows the confirm card. */
async function putAtConfirm(db: PrismaClient, attempts: Attempt[]): Promise<void> {
  const expiresAt = new Date(Date.now() + 25 * 60_000);
  const firsts = attempts.filter((a, i) => i === 0 || attempts[i - 1]!.key !== a.key);
  const sessions = firsts.map((a) => {
    const data: BookingData = { people: { '1': a.person.personId }, personId: a.person.personId, slotId: a.slotId, idempotencyKey: a.key };
    return { lineUserId: a.person.lineUserId, data: JSON.stringify(data) };
  });
  for (let i = 0; i < sessions.length; i += 5_000) {
    const chunk = sessions.slice(i, i + 5_000);
    await db.$executeRaw`
      INSERT INTO conversation_session (line_user_id, flow_id, step, data, version, expires_at, updated_at)
      SELECT t.u, 'booking', 'confirm', t.d::jsonb, ${BOOKING_FLOW_VERSION}, ${expiresAt}, now()
        FROM unnest(${chunk.map((s) => s.lineUserId)}::text[], ${chunk.map((s) => s.data)}::text[]) AS t(u, d)`;
  }
}

/** Waits until every stored event is processed and every answer delivered (or 10 minutes). */
async function settled(db: PrismaClient, onProgress?: (lastAppointmentAt: Date | null) => void): Promise<void> {
  const deadline = Date.now() + 600_000;
  while (Date.now() < deadline) {
    const [row] = await db.$queryRaw<Array<{ pending: bigint; unsent: bigint; last: Date | null }>>`
      SELECT (SELECT count(*) FROM inbound_event WHERE processed_at IS NULL) AS pending,
             (SELECT count(*) FROM outbound_message WHERE status IN ('PENDING', 'SENDING')) AS unsent,
             (SELECT max(created_at) FROM appointment) AS last`;
    onProgress?.(row!.last);
    if (Number(row!.pending) === 0 && Number(row!.unsent) === 0) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * The webhook run: sessions at the confirm step, then one signed confirm postback per tap. The
 * service gets a warm-up first (WARM_UP_PEOPLE confirms on slots of their own, settled before
 * the measured run), as bench:webhook's does: the measured run is booking day, not a cold start.
 */
async function runWebhook(db: PrismaClient, attempts: Attempt[], slotIds: string[], context: { databaseUrl: string; hashKey: Buffer; encryptionKey: Buffer; warmUp: Attempt[] }): Promise<RunFigures> {
  const secret = randomBytes(16).toString('hex');
  const token = `bench-${randomBytes(8).toString('hex')}`;
  const emulator = await startLineEmulator({ channelSecret: secret, channelAccessToken: token, validate: validateLineRequest, toErrorBody: toLineErrorBody });
  const redisPrefix = `bench-booking-${randomBytes(4).toString('hex')}`;
  const port = await freePort();
  await putAtConfirm(db, [...context.warmUp, ...attempts]);
  const nodeArgs = process.env.BENCH_SERVICE_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = await startProcess(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/main.ts'], {
    ...process.env,
    // 'development': certificate keys are made at start (production would need them configured).
    NODE_ENV: 'development',
    ROLE: 'all',
    PORT: String(port),
    DATABASE_URL: context.databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: redisPrefix,
    LINE_CHANNEL_SECRET: secret,
    LINE_CHANNEL_ACCESS_TOKEN: token,
    LINE_API_BASE_URL: emulator.url,
    LINE_DATA_API_BASE_URL: emulator.url,
    LINE_EMULATOR: 'false',
    ID_HASH_KEY: context.hashKey.toString('hex'),
    ID_ENCRYPTION_KEY: context.encryptionKey.toString('hex'),
    LOG_LEVEL: 'warn',
  }, `http://127.0.0.1:${port}/readyz`);
  const confirms = (list: Attempt[]) => list.map((a) => ({ userId: a.person.lineUserId, data: JSON.stringify({ a: 'ans', s: 'confirm', v: a.key }) }));
  try {
    const url = `http://127.0.0.1:${port}/webhook`;
    await sendSignedPostbacks({ url, secret, connections: CONNECTIONS, lineStore: emulator.store, events: confirms(context.warmUp) });
    await settled(db);
    const warmUpEvents = await db.inboundEvent.count();
    const warmUpAppointments = await db.appointment.count();

    const started = performance.now();
    const startedAt = Date.now();
    const load = await sendSignedPostbacks({ url, secret, connections: CONNECTIONS, lineStore: emulator.store, events: confirms(attempts) });
    // Settled: every event processed and every answer delivered.
    let lastBookingAt = started;
    await settled(db, (last) => {
      if (last && last.getTime() > startedAt) lastBookingAt = started + (last.getTime() - startedAt);
    });
    const wallS = (performance.now() - started) / 1000;
    const figures = await check(db, slotIds);
    // An attempt's latency here: from the webhook's acknowledgement to the event being handled.
    const [lat] = await db.$queryRaw<Array<{ p50: number; p99: number }>>`
      SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99
        FROM (SELECT extract(epoch FROM processed_at - received_at) * 1000 AS ms FROM inbound_event
               WHERE processed_at IS NOT NULL AND received_at >= ${new Date(startedAt)}) t`;
    const failed = await db.inboundEvent.count({ where: { error: { not: null } } });
    const reasons = await db.inboundEvent.groupBy({ by: ['error'], where: { error: { not: null } }, _count: true });
    for (const r of reasons) console.log(`failed events: ${r._count} × ${String(r.error).slice(0, 300)}`);
    if (load.acknowledged !== attempts.length) console.log(`webhook acknowledged ${load.acknowledged} of ${attempts.length}`);
    // Every confirm answered once (a double tap is two events of one user, back to back).
    const events = (await db.inboundEvent.count()) - warmUpEvents;
    const delivered = attempts.reduce((sum, a, i) => sum + (i > 0 && attempts[i - 1]!.person.lineUserId === a.person.lineUserId ? 0 : emulator.store.messagesFor(a.person.lineUserId).length), 0);
    console.log(`webhook run: warm-up ${warmUpEvents} confirms (${warmUpAppointments} booked) settled first; measured ${events} events stored, ${delivered} answers delivered to the measured users`);
    return {
      label: `webhook → service (one process), ${CONNECTIONS} connections`,
      attempts: attempts.length,
      created: figures.created,
      oversold: figures.oversold,
      duplicates: figures.duplicates,
      wallS,
      lastBookingS: (lastBookingAt - started) / 1000,
      p50: Number(lat?.p50 ?? 0),
      p99: Number(lat?.p99 ?? 0),
      errors: failed + (attempts.length - load.acknowledged) + Math.abs(delivered - events),
    };
  } finally {
    await stopProcess(child);
    await emulator.stop();
    await deleteRedisKeys(redisPrefix);
  }
}

function row(r: RunFigures): string {
  const bookingsPerS = r.lastBookingS > 0 ? r.created / r.lastBookingS : 0;
  return `| ${r.label} | ${r.attempts} | ${r.created} | ${r.oversold} | ${r.duplicates} | ${bookingsPerS.toFixed(0)} | ${(r.attempts / r.wallS).toFixed(0)} | ${r.wallS.toFixed(1)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.errors} |`;
}

async function main(): Promise<void> {
  const database = await createTestDatabase();
  const hashKey = randomBytes(32);
  const encryptionKey = randomBytes(32);
  let db = createDatabaseClient({ url: database.url, poolSize: POOL });
  const results: RunFigures[] = [];
  try {
    await seed({ db, hashKey, encryptionKey });
    const now = new Date();
    const day = addDays(bangkokToday(now), 1);
    const setupStarted = performance.now();
    const { slotIds, people } = await setUp(db, day);
    console.log(`set up ${people.length} people (screened) and ${slotIds.length} slots × ${CAPACITY} in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`);

    const attempts = planAttempts(people, slotIds);
    console.log(`arrival order${process.env.BENCH_SEED ? ` (BENCH_SEED=${process.env.BENCH_SEED})` : ''}: taken one at a time, the last place goes at attempt ${lastPlaceInOrder(attempts)} of ${attempts.length}`);
    // Warm-up: JIT and connections, on a throwaway slot of its own.
    const warm = await insertPeople(db, { count: 200 });
    const [warmSlot] = await insertSlots(db, [{ hospitalCode: (await hospitalsOf(db, '11', 1))[0]!.code, date: day, capacity: 100 }]);
    await runConcurrently(warm, CALLERS, (p) => bookAppointment({ db, personId: p.personId, slotId: warmSlot!, idempotencyKey: randomUUID(), actor: 'bench', lineUserId: p.lineUserId, now }));
    await db.$executeRaw`DELETE FROM appointment WHERE slot_id = ${warmSlot}::uuid`;

    if (USE_CASE) {
      results.push(await runBaseline(db, attempts, slotIds, bangkokToday(now)));
      if (PER_CALLER) results.push(await runUseCase(db, attempts, slotIds, now));
      results.push(await runUseCase(db, attempts, slotIds, now, createAlternativesCache({ ttlMs: ALTERNATIVES_CACHE_MS })));
    }
    if (WEBHOOK) {
      // Same people and slots again, from empty.
      await resetSlots(db, slotIds);
      const webhookAttempts = planAttempts(people, slotIds);
      // The use-case runs' pool (BENCH_POOL connections, idle now) is closed first: the
      // service gets the database's connections, as it would in production.
      await db.$disconnect();
      db = createDatabaseClient({ url: database.url, poolSize: 4 });
      const warmUpPeople = await insertPeople(db, { count: WARM_UP_PEOPLE });
      const warmUpSlot = (await insertSlots(db, [{ hospitalCode: (await hospitalsOf(db, '12', 1))[0]!.code, date: day, capacity: WARM_UP_PEOPLE / 20 }]))[0]!;
      const warmUp = warmUpPeople.map((person) => ({ person, slotId: warmUpSlot, key: randomUUID() }));
      results.push(await runWebhook(db, webhookAttempts, slotIds, { databaseUrl: database.url, hashKey, encryptionKey, warmUp }));
    }
  } finally {
    await db.$disconnect();
    await database.drop();
  }

  const doubles = (results[0]?.attempts ?? PEOPLE) - PEOPLE;
  console.log(`\nbench:booking, ${new Date().toISOString()}, ${PEOPLE} people (${doubles} tap twice), ${SLOTS} slots × ${CAPACITY} = ${PLACES} places, ${CALLERS} callers, pool ${POOL}, node ${process.version}\n`);
  console.log('| run | attempts | appointments | oversold slots | duplicates | bookings/s | attempts/s | wall s | p50 ms | p99 ms | errors |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) console.log(row(r));
  console.log('\nbookings/s: appointments ÷ time until the last place was taken; attempts/s: attempts ÷ wall time.');
  for (const r of results.filter((x) => !x.label.startsWith('baseline'))) {
    const bookingsPerS = r.created / r.lastBookingS;
    const webhook = r.label.startsWith('webhook');
    const checks = [
      [`exactly ${PLACES} appointments`, r.created === PLACES],
      ['no slot oversold', r.oversold === 0],
      ['no duplicates', r.duplicates === 0],
      webhook
        ? ['≥ 400 bookings/s through chat (places taken per second until the last)', bookingsPerS >= 400]
        : ['≥ 500 bookings/s (places taken per second until the last)', bookingsPerS >= 500],
      ...(webhook ? [] : [['≥ 500 attempts/s (confirms answered per second)', r.attempts / r.wallS >= 500] as const]),
      ['no errors (every confirm answered once)', r.errors === 0],
    ] as const;
    console.log(`\n${r.label}:`);
    for (const [name, ok] of checks) console.log(`${ok ? 'met    ' : 'MISSED '} ${name}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
