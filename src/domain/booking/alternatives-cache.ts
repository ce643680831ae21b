/**
 * On booking day most confirms find their slot full (bench: 9 in 10), and each one would run
 * the same two alternative searches for the same slot. Alternatives are a hint (booking one
 * re-checks capacity atomically), so a result a second or two old is as good: callers asking
 * for the same slot and dose range share one search (in flight or recent).
 */
import type { BookingAlternatives } from './book-appointment.js';

export interface AlternativesCache {
  get(key: string, search: () => Promise<BookingAlternatives>): Promise<BookingAlternatives>;
}

export function createAlternativesCache(options: { ttlMs: number; maxEntries?: number; clock?: () => number }): AlternativesCache {
  const { ttlMs, maxEntries = 10_000, clock = Date.now } = options;
  const entries = new Map<string, { at: number; value: Promise<BookingAlternatives> }>();
  return {
    get(key, search) {
      const now = clock();
      const hit = entries.get(key);
      if (hit && now - hit.at < ttlMs) return hit.value;
      // Bounded: at the cap, drop the oldest entry (Map keeps insertion order).
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      const value = search();
      entries.delete(key);
      entries.set(key, { at: now, value });
      // A failed search must not be served to the next callers.
      value.catch(() => entries.get(key)?.value === value && entries.delete(key));
      return value;
    },
  };
}
