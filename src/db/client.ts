/**
 * Prisma client factory (Prisma 7, driver adapter on node-postgres). Only the composition
 * roots (src/main.ts, CLIs, tests) create clients; everything else receives one.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { PrismaClient, Prisma } from '../generated/prisma/client.js';
import { createGuardedPool } from './pool.js';

export { PrismaClient, Prisma };

/** What use cases and repositories take: the root client or an interactive transaction. */
export type Db = Prisma.TransactionClient;

/** The node-postgres pool under each root client made here (the client's own connections). */
const poolsOfClients = new WeakMap<object, pg.Pool>();

export function createDatabaseClient(options: { url: string; poolSize?: number; onConnectionError?: (err: Error) => void }): PrismaClient {
  const pool = createGuardedPool({
    connectionString: options.url,
    max: options.poolSize ?? 20,
    // Fail fast when PostgreSQL is down so the webhook can answer 503 while LINE still waits.
    connectionTimeoutMillis: 2_000,
    ...(options.onConnectionError ? { onConnectionError: options.onConnectionError } : {}),
  });
  // $disconnect ends the pool, as when the adapter made it.
  const client = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  poolsOfClients.set(client, pool);
  return client;
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
