// The push pacer on real Redis: reservations of several senders (as separate processes would
// make them) never overlap, a paced run keeps every sliding window under the rate, a late
// sender re-reserves instead of bursting, and a hold-off delays everyone.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPushPacer, sendPaced, type PushPacer } from '../../src/jobs/push-pacer.js';
import { deleteRedisKeys, TEST_REDIS_URL } from '../support/stack.js';

const prefix = `test-pacer-${randomBytes(4).toString('hex')}`;
let redis: Redis;
let other: Redis;

beforeAll(() => {
  redis = new Redis(TEST_REDIS_URL);
  other = new Redis(TEST_REDIS_URL);
});

afterAll(async () => {
  await deleteRedisKeys(prefix);
  await Promise.all([redis.quit(), other.quit()]);
});

/** Most events in any sliding window of `windowMs`. */
function busiest(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j]! - sorted[i]! >= windowMs) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

describe('push pacer', () => {
  it('gives concurrent senders on separate connections consecutive, non-overlapping times', async () => {
    const key = `${prefix}-a`;
    const a = createPushPacer({ redis, prefix: key, ratePerSecond: 1000 });
    const b = createPushPacer({ redis: other, prefix: key, ratePerSecond: 1000 });
    const slots = await Promise.all([a.reserve(50), b.reserve(50), a.reserve(50), b.reserve(50)]);
    const ranges = slots.map((s) => [s.start, s.start + 50 * s.intervalMs] as const).sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBeGreaterThanOrEqual(ranges[i - 1]![1] - 2); // ms clocks
    // 200 sends at 1,000/s (paced at 90%) reach about 222 ms ahead.
    expect(ranges.at(-1)![1] - ranges[0]![0]).toBeGreaterThan(190);
  });

  it('paces two senders together under the rate in every sliding window', async () => {
    const key = `${prefix}-b`;
    const rate = 500;
    const pacers: PushPacer[] = [createPushPacer({ redis, prefix: key, ratePerSecond: rate }), createPushPacer({ redis: other, prefix: key, ratePerSecond: rate })];
    const times: number[] = [];
    const send = async () => void times.push(Date.now());
    const started = Date.now();
    // Four batches of 100 on two senders: 400 sends at 500/s take about 0.8 s.
    await Promise.all([0, 1, 2, 3].map((i) => sendPaced(Array.from({ length: 100 }), pacers[i % 2]!, send)));
    expect(times).toHaveLength(400);
    expect(Date.now() - started).toBeGreaterThanOrEqual(750);
    // In any 200 ms, at most 100 sends (the rate) plus the ms granularity of timers.
    expect(busiest(times, 200)).toBeLessThanOrEqual(rate / 5 + 2);
  });

  it('a sender that wakes up late reserves again instead of bursting', async () => {
    // On a fake clock, so a loaded machine's timer jitter cannot move the figures: a GCRA pacer
    // like the Redis one (one send every 1/900 s), and a sender whose event loop is blocked
    // for 60 ms in the middle of its 11th send.
    vi.useFakeTimers({ toFake: ['setTimeout', 'Date'] });
    try {
      const intervalMs = 1000 / 900;
      let theoreticalArrival = 0;
      let reservations = 0;
      const pacer = {
        async reserve(count: number) {
          reservations++;
          const start = Math.max(Date.now(), theoreticalArrival);
          theoreticalArrival = start + count * intervalMs;
          return { start, intervalMs };
        },
      };
      const times: number[] = [];
      let blocked = false;
      const sending = sendPaced(Array.from({ length: 60 }, (_, i) => i), pacer, async (i) => {
        times.push(Date.now());
        if (i === 10 && !blocked) {
          blocked = true;
          vi.setSystemTime(Date.now() + 60); // 60 ms pass with no timer firing
        }
        return i;
      });
      await vi.runAllTimersAsync();
      expect(await sending).toEqual(Array.from({ length: 60 }, (_, i) => i));
      // It gave up the times it missed and reserved again (3 reservations of 20 without the stall).
      expect(reservations).toBeGreaterThan(3);
      // No burst: the overdue sends were not made at once; any 10 ms holds at most 9 (+1, ms clock).
      expect(busiest(times, 10)).toBeLessThanOrEqual(10);
      expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(60 + 58 * intervalMs - 2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('stops starting sends once told to', async () => {
    const pacer = createPushPacer({ redis, prefix: `${prefix}-c`, ratePerSecond: 1000 });
    const stopAt = 5;
    let sent = 0;
    const partial = await sendPaced(Array.from({ length: 20 }), pacer, async () => ++sent, () => sent >= stopAt);
    expect(partial.filter((r) => r !== undefined)).toHaveLength(stopAt);
  });

  it('holdOff makes every sender wait', async () => {
    const key = `${prefix}-d`;
    const pacer = createPushPacer({ redis, prefix: key, ratePerSecond: 1000 });
    await pacer.holdOff(300);
    const slot = await createPushPacer({ redis: other, prefix: key, ratePerSecond: 1000 }).reserve(1);
    expect(slot.start - Date.now()).toBeGreaterThan(250);
  });
});
