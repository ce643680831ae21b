/**
 * One LINE user's work, one at a time, across every worker and process: a PostgreSQL
 * transaction-level advisory lock keyed by the user, held while fn runs (handling an event
 * and delivering what it decided). Different users never wait for each other.
 */
import type { PrismaClient } from './client.js';

/** First key of the two-key advisory lock, so our locks never collide with anyone else's. */
const LOCK_NAMESPACE = 0x4d50; // "MP"

export async function withUserLock<T>(db: PrismaClient, lineUserId: string, fn: () => Promise<T>, options: { timeoutMs?: number } = {}): Promise<T> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${LOCK_NAMESPACE}::int, hashtext(${lineUserId}))`;
      return fn();
    },
    { timeout: options.timeoutMs ?? 120_000, maxWait: 30_000 },
  );
}
