// createBatchedLookup: lookups made at the same moment share one fetch; each caller gets its
// own row (or undefined when the fetch did not find it); a failed fetch fails every caller in
// that batch and not the next one; batches respect their maximum size.
import { describe, expect, it } from 'vitest';
import { createBatchedLookup } from '../../src/jobs/intake-batcher.js';

interface Row {
  id: string;
  value: number;
}

function lookupOver(rows: Row[], options: { maxBatchSize?: number; failOnce?: boolean } = {}) {
  const fetches: string[][] = [];
  let fail = options.failOnce ?? false;
  const lookup = createBatchedLookup<Row>({
    fetch: async (ids) => {
      fetches.push(ids);
      if (fail) {
        fail = false;
        throw new Error('database away');
      }
      return rows.filter((r) => ids.includes(r.id));
    },
    idOf: (r) => r.id,
    ...(options.maxBatchSize !== undefined && { maxBatchSize: options.maxBatchSize }),
  });
  return { lookup, fetches };
}

const rows = Array.from({ length: 10 }, (_, i) => ({ id: `r${i}`, value: i * i }));

describe('createBatchedLookup', () => {
  it('answers concurrent lookups from one fetch, each with its own row', async () => {
    const { lookup, fetches } = lookupOver(rows);
    const got = await Promise.all(['r3', 'r7', 'missing', 'r0'].map(lookup));
    expect(got).toEqual([rows[3], rows[7], undefined, rows[0]]);
    expect(fetches).toEqual([['r3', 'r7', 'missing', 'r0']]);
  });

  it('splits a burst larger than the batch size', async () => {
    const { lookup, fetches } = lookupOver(rows, { maxBatchSize: 4 });
    const got = await Promise.all(rows.map((r) => lookup(r.id)));
    expect(got).toEqual(rows);
    expect(fetches.map((f) => f.length).sort()).toEqual([2, 4, 4]);
  });

  it('a failed fetch rejects the lookups of its batch only', async () => {
    const { lookup, fetches } = lookupOver(rows, { failOnce: true });
    const first = await Promise.allSettled([lookup('r1'), lookup('r2')]);
    expect(first.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    await expect(lookup('r2')).resolves.toEqual(rows[2]);
    expect(fetches).toHaveLength(2);
  });
});
