/**
 * One LINE user's work, one at a time, across every worker and process: a PostgreSQL
 * session advisory lock keyed by the user, held on a dedicated connection while fn runs
 * (handling events and delivering what they decided). Different users never wait for each
 * other. If the process dies, PostgreSQL drops the connection and with it the lock.
 *
 * Booking day's path takes the locks of a whole batch of users in one round trip
 * (tryUserLocks: the users another worker holds are left to it, see drain-users.ts) and runs
 * its plain reads on the same connection (HeldLock.run), so a batch costs one connection and
 * no ORM overhead for its locks and reads.
 *
 * The lock lives and dies with its connection: a database restart or failover, or
 * pg_terminate_backend, ends the session and frees the lock while fn still runs, and another
 * worker may take it at once. So fn gets the lock's state and must stop (throw) before each
 * step the user could see twice: handling the next event, claiming or sending a message.
 */
import type pg from 'pg';
import { createGuardedPool } from './pool.js';
import type { Statement } from './statements.js';

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
  /** A plain prepared statement on the lock's own connection (no transaction is open on it). */
  run<R>(statement: Statement, values: unknown[]): Promise<R[]>;
}

export interface UserLocks {
  /** Waits for the user's lock, then runs fn holding it. */
  withUserLock<T>(lineUserId: string, fn: (lock: HeldLock) => Promise<T>): Promise<T>;
  /**
   * Takes, without waiting, the locks of those users nobody else holds, and runs fn with the
   * users it got (possibly none): one round trip for the whole batch.
   */
  tryUserLocks<T>(lineUserIds: string[], fn: (held: string[], lock: HeldLock) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const LOCK_ONE: Statement = { name: 'user-lock-one', text: 'SELECT pg_advisory_lock($1, hashtext($2))' };
const TRY_LOCK_MANY: Statement = {
  name: 'user-lock-try-many',
  text: 'SELECT k AS id FROM unnest($2::text[]) AS k WHERE pg_try_advisory_lock($1, hashtext(k))',
};
// Every lock this connection holds (one user's, or a batch's; a hashtext collision between two
// users of a batch takes the same key twice, which one unlock per take would have to match).
const UNLOCK_ALL: Statement = { name: 'user-lock-unlock-all', text: 'SELECT pg_advisory_unlock_all()' };

export function createUserLocks(options: { databaseUrl: string; maxConnections: number; onConnectionError?: (err: Error) => void }): UserLocks {
  // The guard keeps a lost lock connection from ending the process (see pool.ts).
  const pool = createGuardedPool({
    connectionString: options.databaseUrl,
    max: options.maxConnections,
    connectionTimeoutMillis: 5_000,
    ...(options.onConnectionError ? { onConnectionError: options.onConnectionError } : {}),
  });

  async function holding<T>(label: string, acquire: (client: pg.PoolClient) => Promise<string[]>, fn: (held: string[], lock: HeldLock) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    let lostWith: Error | undefined;
    const onLost = (err?: Error) => {
      lostWith ??= err ?? new Error('connection ended');
    };
    client.on('error', onLost);
    client.on('end', onLost);
    const lock: HeldLock = {
      assertHeld() {
        if (lostWith) throw new UserLockLost(label, lostWith);
      },
      async run<R>(statement: Statement, values: unknown[]) {
        return (await client.query({ ...statement, values })).rows as R[];
      },
    };
    // A connection whose lock or unlock failed may hold a lock: destroy it, never reuse it.
    let destroy: Error | undefined;
    try {
      let held: string[];
      try {
        held = await acquire(client);
      } catch (err) {
        destroy = err instanceof Error ? err : new Error(String(err));
        throw err;
      }
      if (held.length === 0) return await fn(held, lock);
      try {
        return await fn(held, lock);
      } finally {
        try {
          await client.query(UNLOCK_ALL);
        } catch (err) {
          destroy = err instanceof Error ? err : new Error(String(err));
        }
      }
    } finally {
      client.off('error', onLost).off('end', onLost);
      client.release(destroy ?? lostWith);
    }
  }

  return {
    withUserLock(lineUserId, fn) {
      return holding(
        lineUserId,
        async (client) => {
          await client.query({ ...LOCK_ONE, values: [LOCK_NAMESPACE, lineUserId] });
          return [lineUserId];
        },
        (_held, lock) => fn(lock),
      );
    },
    tryUserLocks(lineUserIds, fn) {
      return holding(
        lineUserIds.length === 1 ? lineUserIds[0]! : `${lineUserIds.length} users`,
        async (client) => (await client.query<{ id: string }>({ ...TRY_LOCK_MANY, values: [LOCK_NAMESPACE, lineUserIds] })).rows.map((r) => r.id),
        fn,
      );
    },
    close: () => pool.end(),
  };
}
