/** Waiting for the pipeline in integration tests: polling, and "every event handled and answered". */
import type { TestStack } from './stack.js';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns something truthy; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T> | T, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/** Every event of these users handled and every message they caused delivered or given up. */
export async function waitUntilSettled(stack: TestStack, userIds: string[], timeoutMs = 15_000): Promise<void> {
  await waitFor(
    `the events and messages of ${userIds.length} user(s) to settle`,
    async () => {
      const [pending, undelivered] = await Promise.all([
        stack.db.inboundEvent.count({ where: { sourceKey: { in: userIds }, processedAt: null } }),
        stack.db.outboundMessage.count({ where: { lineUserId: { in: userIds }, status: { in: ['PENDING', 'SENDING'] } } }),
      ]);
      return pending === 0 && undelivered === 0;
    },
    timeoutMs,
  );
}
