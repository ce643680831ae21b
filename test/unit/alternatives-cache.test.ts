import { describe, expect, it } from 'vitest';
import { createAlternativesCache } from '../../src/domain/booking/alternatives-cache.js';
import type { BookingAlternatives } from '../../src/domain/booking/book-appointment.js';

const result = (code: string): BookingAlternatives => ({ sameHospital: [], nearbyHospitals: [{ hospitalCode: code } as BookingAlternatives['nearbyHospitals'][number]] });

describe('alternatives cache', () => {
  it('shares one search between callers within the TTL, and searches again after it', async () => {
    let clock = 10_000;
    let searches = 0;
    const cache = createAlternativesCache({ ttlMs: 1000, clock: () => clock });
    const search = async () => result(String(++searches));
    const [a, b] = await Promise.all([cache.get('slot-1', search), cache.get('slot-1', search)]);
    expect(searches).toBe(1);
    expect(b).toBe(a);
    clock = 10_999;
    expect(await cache.get('slot-1', search)).toBe(a);
    expect(await cache.get('slot-2', search)).toEqual(result('2'));
    clock = 11_001;
    expect(await cache.get('slot-1', search)).toEqual(result('3'));
  });

  it('does not keep a failed search', async () => {
    const cache = createAlternativesCache({ ttlMs: 60_000, clock: () => 0 });
    await expect(cache.get('k', () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(await cache.get('k', async () => result('ok'))).toEqual(result('ok'));
  });

  it('holds at most maxEntries, dropping the oldest', async () => {
    let searches = 0;
    const cache = createAlternativesCache({ ttlMs: 60_000, maxEntries: 2, clock: () => 0 });
    const search = async () => result(String(++searches));
    await cache.get('a', search);
    await cache.get('b', search);
    await cache.get('c', search); // drops 'a'
    await cache.get('b', search); // still cached
    expect(searches).toBe(3);
    await cache.get('a', search);
    expect(searches).toBe(4);
  });
});
