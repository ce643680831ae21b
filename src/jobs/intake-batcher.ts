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
        (err: unknown) => batch.forEach((b) => b.reject(err)),
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

