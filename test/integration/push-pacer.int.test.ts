// The push pacer on real Redis: reservations of several senders (as separate processes would
// make them) never overlap, a paced run keeps every sliding window under the rate, a late
// sender re-reserves instead of bursting, and a hold-off delays everyone.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  it('a sender that wakes up late reserves again instead of bursting, and stops when told', async () => {
    const key = `${prefix}-c`;
    const pacer = createPushPacer({ redis, prefix: key, ratePerSecond: 1000 });
    const times: number[] = [];
    let reservations = 0;
    const counting = { reserve: (n: number) => (reservations++, pacer.reserve(n)) };
    let blocked = false;
    const results = await sendPaced(Array.from({ length: 60 }, (_, i) => i), counting, async (i) => {
      times.push(Date.now());
      if (i === 10 && !blocked) {
        blocked = true;
        // A busy event loop: 60 ms without timers.
        const until = Date.now() + 60;
        while (Date.now() < until);
      }
      return i;
    });
    expect(results).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(reservations).toBeGreaterThan(1);
    expect(busiest(times, 10)).toBeLessThanOrEqual(12);

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
