/**
 * Prisma client factory (Prisma 7, driver adapter on node-postgres). Only the composition
 * roots (src/main.ts, CLIs, tests) create clients; everything else receives one.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient, Prisma } from '../generated/prisma/client.js';

export { PrismaClient, Prisma };

/** What use cases and repositories take: the root client or an interactive transaction. */
export type Db = Prisma.TransactionClient;

export function createDatabaseClient(options: { url: string; poolSize?: number }): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: options.url,
    max: options.poolSize ?? 20,
    // Fail fast when PostgreSQL is down so the webhook can answer 503 while LINE still waits.
    connectionTimeoutMillis: 2_000,
  });
  return new PrismaClient({ adapter });
}
