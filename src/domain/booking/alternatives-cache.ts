/**
 * On booking day most confirms find their slot full (bench: 9 in 10), and each one would run
 * the same two alternative searches for the same slot. Alternatives are a hint (booking one
 * re-checks capacity atomically), so a result a second or two old is as good: callers asking
 * for the same slot and dose range share one search (in flight or recent).
 */
import { LRUCache } from 'lru-cache';
import type { BookingAlternatives } from './book-appointment.js';

export interface AlternativesCache {
  get(key: string, search: () => Promise<BookingAlternatives>): Promise<BookingAlternatives>;
}

export function createAlternativesCache(options: { ttlMs: number; maxEntries?: number; clock?: () => number }): AlternativesCache {
  const { ttlMs, maxEntries = 10_000, clock } = options;
  // The promise is cached, so callers arriving while a search runs wait for that one.
  const entries = new LRUCache<string, Promise<BookingAlternatives>>({
    max: maxEntries,
    ttl: ttlMs,
    ttlAutopurge: false,
    ...(clock ? { perf: { now: clock }, ttlResolution: 0 } : {}),
  });
  return {
    get(key, search) {
      const hit = entries.get(key);
      if (hit) return hit;
      const value = search();
      entries.set(key, value);
      // A failed search must not be served to the next callers.
      value.catch(() => entries.get(key) === value && entries.delete(key));
      return value;
    },
  };
}
