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
import type { Redis } from 'ioredis';

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
// Returns the first reserved time and Redis's now (µs, Redis clock).
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
 * over a sliding second could put a few pushes above an exact pace, and each 429 costs a
 * second of hold-off for everyone: we pace at 95% of the limit. (At 98%, bench:reminders still
 * met a few 429s from an emulator that was itself short of CPU.)
 */
const JITTER_MARGIN = 0.95;

export function createPushPacer(options: { redis: Redis; prefix: string; ratePerSecond: number }): PushPacer {
  const { redis } = options;
  const key = `${options.prefix}:push-pacer`;
  const intervalUs = 1_000_000 / (options.ratePerSecond * JITTER_MARGIN);
  // Reserved times are on Redis's clock. They are turned into this host's clock with the
  // smallest (Redis now − our send time) seen: the clock offset plus the fastest one-way trip.
  // Using the time the answer arrived instead would shift a sender that was busy when it
  // arrived into the next sender's times.
  let offsetMs = Infinity;
  const run = async (count: number, holdUs: number) => {
    const sentAt = Date.now();
    const [start, redisNow] = (await redis.eval(RESERVE, 1, key, String(count), String(intervalUs), String(holdUs))) as [string, string];
    offsetMs = Math.min(offsetMs, Number(redisNow) / 1000 - sentAt);
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
 * Runs `send` for each item at a reserved time, without waiting for earlier sends to finish;
 * stops starting new ones once `shouldStop()` is true. Resolves with each item's result, or
 * undefined for the items it did not start.
 *
 * A busy process wakes up late. Catching up would bunch its late pushes with other senders'
 * on-time ones and break the pace, so a sender more than MAX_LATENESS_MS behind reserves the
 * rest again at the end of the line (the times it gave up are simply not used).
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
    const slot = await pacer.reserve(items.length - first);
    const timeOf = (i: number) => slot.start + (i - first) * slot.intervalMs;
    while (next < items.length && !shouldStop()) {
      const wait = timeOf(next) - Date.now();
      // Timers have ~1 ms resolution; every item whose time has come goes in this turn.
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.floor(wait))));
      const now = Date.now();
      if (now - timeOf(next) > MAX_LATENESS_MS || shouldStop()) break;
      do running[next] = send(items[next]!);
      while (++next < items.length && timeOf(next) <= now && !shouldStop());
    }
  }
  return Promise.all(running.map((p) => p ?? Promise.resolve(undefined)));
}
