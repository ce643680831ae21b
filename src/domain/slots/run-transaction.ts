/**
 * A transaction for slot and allocation changes, retried when PostgreSQL chose it as the
 * victim of a deadlock. Slot changes lock allocation → slots → appointments in that order,
 * but a reschedule running at the same time may lock an appointment before its slot; the
 * loser of such a cycle is rolled back whole, so running it again is safe.
 */
import type { Db, PrismaClient } from '../../db/client.js';

const ATTEMPTS = 3;

function isDeadlock(error: unknown): boolean {
  const text = error instanceof Error ? `${error.message} ${JSON.stringify((error as { meta?: unknown }).meta ?? '')}` : String(error);
  return /deadlock detected|40P01|P2034/.test(text);
}

export async function runSlotTransaction<T>(db: PrismaClient, work: (tx: Db) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      // Bulk batches take a few hundred ms; the 5 s default would be too tight on a busy machine.
      return await db.$transaction(work, { timeout: 60_000, maxWait: 10_000 });
    } catch (error) {
      if (attempt >= ATTEMPTS || !isDeadlock(error)) throw error;
    }
  }
}
