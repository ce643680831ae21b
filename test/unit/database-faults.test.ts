// What a database failure means to the caller: a lost or refused connection is transient (the
// work is retried as it is), a data exception is the request's own fault (refused, 400), and
// a batch that fails on one request's data is written again one request at a time so only
// that request fails.
import { describe, expect, it } from 'vitest';
import { isDataError, isTransientDatabaseError, sqlStateOf } from '../../src/db/errors.js';
import { createBatcher } from '../../src/jobs/intake-batcher.js';

/** The shapes the layers raise: node-postgres, Prisma over the pg adapter, a dead socket. */
const pgError = (code: string) => Object.assign(new Error('pg'), { code });
const prismaRaw = (code: string) => Object.assign(new Error('Raw query failed'), { code: 'P2010', meta: { driverAdapterError: { cause: { code, kind: 'postgres' } } } });

describe('database errors', () => {
  it('reads the SQLSTATE from node-postgres and from Prisma, never mistaking a Prisma code for one', () => {
    expect(sqlStateOf(pgError('57P01'))).toBe('57P01');
    expect(sqlStateOf(prismaRaw('22021'))).toBe('22021');
    expect(sqlStateOf(new Error('wrapped', { cause: pgError('08006') }))).toBe('08006');
    expect(sqlStateOf(Object.assign(new Error('x'), { code: 'P2002' }))).toBeUndefined();
  });

  it('calls lost, refused and overloaded connections transient, and nothing else', () => {
    for (const transient of [pgError('57P01'), prismaRaw('57P01'), pgError('08006'), pgError('53300'), pgError('40P01'), new Error('Connection terminated unexpectedly'), new Error('Client has encountered a connection error and is not queryable'), Object.assign(new Error('x'), { code: 'P1017' })]) {
      expect(isTransientDatabaseError(transient)).toBe(true);
    }
    for (const own of [prismaRaw('22021'), pgError('23505'), new Error('flow bug'), Object.assign(new Error('x'), { code: 'P2002' })]) {
      expect(isTransientDatabaseError(own)).toBe(false);
    }
  });

  it('calls only SQLSTATE class 22 a data error', () => {
    expect(isDataError(prismaRaw('22021'))).toBe(true);
    expect(isDataError(pgError('22P02'))).toBe(true);
    expect(isDataError(pgError('57P01'))).toBe(false);
    expect(isDataError(new Error('no code'))).toBe(false);
  });
});

describe('createBatcher isolateOn', () => {
  function poisonBatcher(isolate: boolean) {
    const writes: string[][] = [];
    const batcher = createBatcher<string>({
      write: async (items) => {
        writes.push(items);
        if (items.includes('poison')) throw pgError('22021');
      },
      ...(isolate ? { isolateOn: isDataError } : {}),
    });
    return { batcher, writes };
  }

  it('writes a failed batch again request by request: only the poison request fails', async () => {
    const { batcher, writes } = poisonBatcher(true);
    const results = await Promise.allSettled([batcher.add(['a']), batcher.add(['poison']), batcher.add(['b', 'c'])]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(writes).toEqual([['a', 'poison', 'b', 'c'], ['a'], ['poison'], ['b', 'c']]);
  });

  it('without isolateOn (or for other errors) the whole batch fails together, written once', async () => {
    const { batcher, writes } = poisonBatcher(false);
    const results = await Promise.allSettled([batcher.add(['a']), batcher.add(['poison'])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(writes).toEqual([['a', 'poison']]);
  });
});
