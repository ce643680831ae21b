/**
 * Prisma client factory (Prisma 7, driver adapter on node-postgres). Only the composition
 * roots (src/main.ts, CLIs, tests) create clients; everything else receives one.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { PrismaClient, Prisma } from '../generated/prisma/client.js';
import { createGuardedPool } from './pool.js';
import { noteTransactionConnections } from './transaction-connection.js';

export { PrismaClient, Prisma };

/** What use cases and repositories take: the root client or an interactive transaction. */
export type Db = Prisma.TransactionClient;

/** The node-postgres pool under each root client made here (the client's own connections). */
const poolsOfClients = new WeakMap<object, pg.Pool>();
/** Each root client's pool for single statements that commit alone (see autonomousPoolOf). */
const autonomousPools = new WeakMap<object, pg.Pool>();

/**
 * How long a statement that commits alone waits for a row lock. A chat round's transaction
 * may hold a slot's row (a cancellation gives its place back) while the same round books that
 * slot on another connection: without a limit the two would wait for each other until the
 * round's timeout. With it the booking fails fast (55P03), the round is handled again one
 * event per transaction (drain-users.ts), and both succeed.
 */
const AUTONOMOUS_LOCK_TIMEOUT_MS = 2_000;

export function createDatabaseClient(options: { url: string; poolSize?: number; onConnectionError?: (err: Error) => void }): PrismaClient {
  const pool = createGuardedPool({
    connectionString: options.url,
    max: options.poolSize ?? 20,
    // Fail fast when PostgreSQL is down so the webhook can answer 503 while LINE still waits.
    connectionTimeoutMillis: 2_000,
    ...(options.onConnectionError ? { onConnectionError: options.onConnectionError } : {}),
  });
  noteTransactionConnections(pool);
  // $disconnect ends the pool, as when the adapter made it.
  const client = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  poolsOfClients.set(client, pool);
  const autonomous = createGuardedPool({
    connectionString: options.url,
    // A booking's write holds its connection for one statement: a few serve many rounds.
    max: Math.max(2, Math.ceil((options.poolSize ?? 20) / 4)),
    connectionTimeoutMillis: 2_000,
    options: `-c lock_timeout=${AUTONOMOUS_LOCK_TIMEOUT_MS}`,
    ...(options.onConnectionError ? { onConnectionError: options.onConnectionError } : {}),
  });
  autonomousPools.set(client, autonomous);
  // Ended with the client: $disconnect ends the main pool (disposeExternalPool), and with it this one.
  const endMain = pool.end.bind(pool) as () => Promise<void>;
  pool.end = (async () => {
    await Promise.all([endMain(), autonomous.ending || autonomous.ended ? undefined : autonomous.end()]);
  }) as typeof pool.end;
  return client;
}

/**
 * The pool of a root client made by createDatabaseClient for single statements that commit on
 * their own (a booking's write), with a short lock wait (AUTONOMOUS_LOCK_TIMEOUT_MS).
 */
export function autonomousPoolOf(db: unknown): pg.Pool | undefined {
  const pool = typeof db === 'object' && db !== null ? autonomousPools.get(db) : undefined;
  return pool && !pool.ending && !pool.ended ? pool : undefined;
}

/**
 * The node-postgres pool of a root client made by createDatabaseClient, for the few hot
 * statements that skip Prisma's client (a statement costs 2-3× less: bench:booking); undefined
 * for a transaction (its statements must run on its connection) or once disconnected.
 */
export function sqlPoolOf(db: unknown): pg.Pool | undefined {
  const pool = typeof db === 'object' && db !== null ? poolsOfClients.get(db) : undefined;
  return pool && !pool.ending && !pool.ended ? pool : undefined;
}
