import type { Db, PrismaClient } from '../db/client.js';
import { statementsOn, type Statement } from '../db/statements.js';

/**
 * Group commit for the webhook: events from requests that arrive together are stored in one
 * INSERT and enqueued in one Redis round trip. Under a booking-day surge this turns hundreds
 * of small writes per second into a few larger ones; when traffic is light a batch is just
 * one request and adds no delay (the flush starts on the next tick).
 */
export interface Batcher<T> {
  /** Resolves once the batch holding `items` was written; rejects if that write failed. */
  add(items: T[]): Promise<void>;
}

export function createBatcher<T>(options: {
  write: (items: T[]) => Promise<void>;
  /** Writes running at once; more requests wait and join the next, larger batch. */
  maxConcurrentWrites?: number;
  maxBatchSize?: number;
  /**
   * A failure caused by one request's items (a poison row), not by the database's state: the
   * batch is then written again one request at a time, so only that request fails.
   */
  isolateOn?: (err: unknown) => boolean;
}): Batcher<T> {
  const maxConcurrent = options.maxConcurrentWrites ?? 2;
  const maxBatch = options.maxBatchSize ?? 500;
  let queue: Array<{ items: T[]; resolve: () => void; reject: (err: unknown) => void }> = [];
  let running = 0;
  let scheduled = false;

  function schedule(): void {
    if (scheduled || running >= maxConcurrent || queue.length === 0) return;
    scheduled = true;
    setImmediate(flush);
  }

  function flush(): void {
    scheduled = false;
    if (running >= maxConcurrent || queue.length === 0) return;
    const batch: typeof queue = [];
    let size = 0;
    while (queue.length > 0 && (batch.length === 0 || size + queue[0]!.items.length <= maxBatch)) {
      const next = queue.shift()!;
      batch.push(next);
      size += next.items.length;
    }
    running++;
    options
      .write(batch.flatMap((b) => b.items))
      .then(
        () => batch.forEach((b) => b.resolve()),
        async (err: unknown) => {
          if (batch.length === 1 || !options.isolateOn?.(err)) return batch.forEach((b) => b.reject(err));
          for (const b of batch) await options.write(b.items).then(b.resolve, b.reject);
        },
      )
      .finally(() => {
        running--;
        schedule();
      });
    schedule();
  }

  return {
    add(items) {
      if (items.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        queue.push({ items, resolve, reject });
        schedule();
      });
    },
  };
}


/**
 * Rows looked up by id, the lookups made at the same moment sharing one statement (`fetch`
 * gets their ids and returns the rows it found). The notification sender renders a send batch
 * at once, so each renderer's per-row lookup becomes one query per batch instead of per push.
 */
export function createBatchedLookup<R>(options: {
  fetch: (ids: string[]) => Promise<R[]>;
  idOf: (row: R) => string;
  maxBatchSize?: number;
}): (id: string) => Promise<R | undefined> {
  const reads = createBatcher<{ id: string; row?: R }>({
    maxBatchSize: options.maxBatchSize ?? 500,
    maxConcurrentWrites: 2,
    write: async (items) => {
      const rows = await options.fetch(items.map((i) => i.id));
      const byId = new Map(rows.map((r) => [options.idOf(r), r]));
      for (const item of items) item.row = byId.get(item.id);
    },
  });
  return async (id) => {
    const item: { id: string; row?: R } = { id };
    await reads.add([item]);
    return item.row;
  };
}

/**
 * createBatchedLookup over a prepared statement that takes the ids as $1 (uuid[]) and returns
 * rows with an `id` column, run on `db`'s pool (see statementsOn).
 */
export function createStatementLookup<R extends { id: string }>(db: Db | PrismaClient, statement: Statement, maxBatchSize?: number): (id: string) => Promise<R | undefined> {
  const sql = statementsOn(db);
  return createBatchedLookup<R>({ fetch: (ids) => sql.run<R>(statement, [ids]), idOf: (row) => row.id, ...(maxBatchSize !== undefined && { maxBatchSize }) });
}
