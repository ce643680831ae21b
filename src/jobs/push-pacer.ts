/**
 * The global pace of LINE pushes, shared by every sender process through Redis.
 *
 * LINE limits push requests per channel per second, and our emulator counts them over a
 * sliding second, as a strict upstream would. BullMQ's limiter counts jobs in fixed windows, so
 * it can neither pace the pushes of a batch job nor keep a sliding second under the limit.
 * This is the virtual-scheduling form of GCRA (the "theoretical arrival time"): each sender
 * reserves the next `n` send times, one every 1/rate seconds, in one atomic Redis call, and
 * waits for its turn. Reservations never overlap, across processes too, so no second ever
 * holds more than `rate` pushes, however many senders run. No burst is allowed on purpose.
 *
 * Redis has no built-in for this and the libraries we looked at count fixed windows
 * (rate-limiter-flexible) or need a Redis module (redis-cell), hence the short script.
 */
import type { RedisClient } from './queues.js';

export interface PushPacer {
  /**
   * Reserves `count` consecutive send times; resolves with the epoch ms of the first, on this
   * host's clock. The i-th push of the reservation may go at `start + i * intervalMs`.
   */
  reserve(count: number): Promise<{ start: number; intervalMs: number }>;
  /** Holds every sender back for `ms` (LINE answered 429: its window is not ours). */
  holdOff(ms: number): Promise<void>;
}

// KEYS[1]: the theoretical arrival time (µs, Redis clock). ARGV: count, interval µs, hold µs.
// Returns the first reserved time and Redis's now (µs, Redis clock). Redis Cluster routes a
// script by the keys it declares and refuses one touching another slot: keep it to KEYS[1].
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(now + tonumber(ARGV[3]), tat)
local nextTat = start + tonumber(ARGV[1]) * tonumber(ARGV[2])
redis.call('SET', KEYS[1], string.format('%.0f', nextTat), 'PX', math.max(1000, math.ceil((nextTat - now) / 1000) + 1000))
return { string.format('%.0f', start), string.format('%.0f', now) }
`;

/**
 * Pushes reach LINE with some jitter (our event loop, the network, LINE's own front end), which
 * over a sliding second can put pushes above an exact pace, and each 429 holds every sender
 * back: we pace at 90% of the limit. Measured with bench:reminders on 2 busy cores: at 95%
 * the emulator still answered 44-105 pushes of 40,000 with 429, at 90% none, at the same
 * throughput (the machine, not the pace, was the limit). At 2,000/s this allows 1,800/s.
 */
const JITTER_MARGIN = 0.9;

/** `prefix` is REDIS_PREFIX as it is: the pacer's one key needs no hash tag. */
export function createPushPacer(options: { redis: RedisClient; prefix: string; ratePerSecond: number }): PushPacer {
  const { redis } = options;
  const key = `${options.prefix}:push-pacer`;
  const intervalUs = 1_000_000 / (options.ratePerSecond * JITTER_MARGIN);
  // Reserved times are on Redis's clock. They are turned into this host's clock with the offset
  // measured as NTP does (Redis now − the middle of the round trip), from the fastest round
  // trip seen: its error is at most half of it. Using the time the answer arrived instead
  // would shift a sender that was busy when it arrived into the next sender's times.
  let offsetMs = 0;
  let bestRoundTripMs = Infinity;
  const run = async (count: number, holdUs: number) => {
    const sentAt = performance.timeOrigin + performance.now();
    const [start, redisNow] = (await redis.eval(RESERVE, 1, key, String(count), String(intervalUs), String(holdUs))) as [string, string];
    const receivedAt = performance.timeOrigin + performance.now();
    if (receivedAt - sentAt < bestRoundTripMs) {
      bestRoundTripMs = receivedAt - sentAt;
      offsetMs = Number(redisNow) / 1000 - (sentAt + receivedAt) / 2;
    }
    return { start: Number(start) / 1000 - offsetMs, intervalMs: intervalUs / 1000 };
  };
  return {
    reserve: (count) => run(count, 0),
    async holdOff(ms) {
      // Reserving nothing after a hold moves the arrival time past the hold for everyone.
      await run(0, ms * 1000);
    },
  };
}

/** A sender that falls this far behind its reserved times gives them up and reserves again. */
const MAX_LATENESS_MS = 25;
/**
 * Send times are reserved a few at a time (20 pushes: 10 ms at 2,000/s), so a sender that falls
 * behind gives up little of the channel's capacity, and reservations never sit far ahead.
 */
const RESERVE_AT_ONCE = 20;

/**
 * Runs `send` for each item at a reserved time, without waiting for earlier sends to finish;
 * stops starting new ones once `shouldStop()` is true. Resolves with each item's result, or
 * undefined for the items it did not start.
 *
 * Times are reserved RESERVE_AT_ONCE at a time. A busy process wakes up late; catching up
 * would bunch its late pushes with other senders' on-time ones and break the pace, so a sender
 * more than MAX_LATENESS_MS behind reserves again at the end of the line (the times it gave up
 * are simply not used).
 */
export async function sendPaced<T, R>(
  items: readonly T[],
  pacer: Pick<PushPacer, 'reserve'>,
  send: (item: T) => Promise<R>,
  shouldStop: () => boolean = () => false,
): Promise<Array<R | undefined>> {
  const running: Array<Promise<R> | undefined> = new Array(items.length);
  let next = 0;
  while (next < items.length && !shouldStop()) {
    const first = next;
    const end = Math.min(items.length, first + RESERVE_AT_ONCE);
    const slot = await pacer.reserve(end - first);
    const timeOf = (i: number) => slot.start + (i - first) * slot.intervalMs;
    while (next < end && !shouldStop()) {
      const wait = timeOf(next) - Date.now();
      // Timers have ~1 ms resolution; every item whose time has come goes in this turn.
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.floor(wait))));
      const now = Date.now();
      if (now - timeOf(next) > MAX_LATENESS_MS || shouldStop()) break;
      do running[next] = send(items[next]!);
      while (++next < end && timeOf(next) <= now && !shouldStop());
    }
  }
  return Promise.all(running.map((p) => p ?? Promise.resolve(undefined)));
}
