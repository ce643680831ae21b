/**
 * Prisma client factory (Prisma 7, driver adapter on node-postgres). Only the composition
 * roots (src/main.ts, CLIs, tests) create clients; everything else receives one.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient, Prisma } from '../generated/prisma/client.js';

export { PrismaClient, Prisma };

/** What use cases and repositories take: the root client or an interactive transaction. */
export type Db = Prisma.TransactionClient;

/** The node-postgres pool under each root client made here (the client's own connections). */
const poolsOfClients = new WeakMap<object, pg.Pool>();

export function createDatabaseClient(options: { url: string; poolSize?: number }): PrismaClient {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 20,
    // Fail fast when PostgreSQL is down so the webhook can answer 503 while LINE still waits.
    connectionTimeoutMillis: 2_000,
  });
  // An idle connection dropped by the server is reported by the next query; unheard, the
  // pool's 'error' event would end the process (the adapter listens only once connected).
  pool.on('error', () => undefined);
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
