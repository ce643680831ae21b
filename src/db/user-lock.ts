/**
 * One LINE user's work, one at a time, across every worker and process: a PostgreSQL
 * session advisory lock keyed by the user, held on a dedicated connection while fn runs
 * (handling an event and delivering what it decided). Different users never wait for each
 * other. If the process dies, PostgreSQL drops the connection and with it the lock.
 * Plain node-postgres here: two round trips per lock, none of an ORM transaction's overhead.
 *
 * The lock lives and dies with its connection: a database restart or failover, or
 * pg_terminate_backend, ends the session and frees the lock while fn still runs, and another
 * worker may take it at once. So fn gets the lock's state and must stop (throw) before each
 * step the user could see twice: handling the next event, claiming or sending a message.
 */
import type pg from 'pg';
import { createGuardedPool } from './pool.js';

/** First key of the two-key advisory lock, so our locks never collide with anyone else's. */
const LOCK_NAMESPACE = 0x4d50; // "MP"

/** Thrown by assertHeld once the lock's connection is gone: the work is retried by its job. */
export class UserLockLost extends Error {
  constructor(lineUserId: string, cause?: unknown) {
    super(`the lock of ${lineUserId} was lost with its database connection`, { cause });
    this.name = 'UserLockLost';
  }
}

export interface HeldLock {
  /** Throws UserLockLost if the connection holding the lock has gone. */
  assertHeld(): void;
}

export interface UserLocks {
  withUserLock<T>(lineUserId: string, fn: (lock: HeldLock) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function createUserLocks(options: { databaseUrl: string; maxConnections: number; onConnectionError?: (err: Error) => void }): UserLocks {
  // The guard keeps a lost lock connection from ending the process (see pool.ts).
  const pool = createGuardedPool({
    connectionString: options.databaseUrl,
    max: options.maxConnections,
    connectionTimeoutMillis: 5_000,
    ...(options.onConnectionError ? { onConnectionError: options.onConnectionError } : {}),
  });
  return {
    async withUserLock(lineUserId, fn) {
      const client = await pool.connect();
      let lostWith: Error | undefined;
      const onLost = (err?: Error) => {
        lostWith ??= err ?? new Error('connection ended');
      };
      client.on('error', onLost);
      client.on('end', onLost);
      const lock: HeldLock = {
        assertHeld() {
          if (lostWith) throw new UserLockLost(lineUserId, lostWith);
        },
      };
      // A connection whose lock or unlock failed may hold the lock: destroy it, never reuse it.
      let destroy: Error | undefined;
      try {
        try {
          await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [LOCK_NAMESPACE, lineUserId]);
        } catch (err) {
          destroy = err instanceof Error ? err : new Error(String(err));
          throw err;
        }
        try {
          return await fn(lock);
        } finally {
          try {
            await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_NAMESPACE, lineUserId]);
          } catch (err) {
            destroy = err instanceof Error ? err : new Error(String(err));
          }
        }
      } finally {
        (client as pg.PoolClient).off('error', onLost).off('end', onLost);
        client.release(destroy ?? lostWith);
      }
    },
    close: () => pool.end(),
  };
}
