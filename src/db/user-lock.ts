/**
 * One LINE user's work, one at a time, across every worker and process: a PostgreSQL
 * session advisory lock keyed by the user, held on a dedicated connection while fn runs
 * (handling an event and delivering what it decided). Different users never wait for each
 * other. If the process dies, PostgreSQL drops the connection and with it the lock.
 * Plain node-postgres here: two round trips per lock, none of an ORM transaction's overhead.
 */
import pg from 'pg';

/** First key of the two-key advisory lock, so our locks never collide with anyone else's. */
const LOCK_NAMESPACE = 0x4d50; // "MP"

export interface UserLocks {
  withUserLock<T>(lineUserId: string, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function createUserLocks(options: { databaseUrl: string; maxConnections: number }): UserLocks {
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.maxConnections, connectionTimeoutMillis: 5_000 });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  return {
    async withUserLock(lineUserId, fn) {
      const client = await pool.connect();
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
          return await fn();
        } finally {
          try {
            await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_NAMESPACE, lineUserId]);
          } catch (err) {
            destroy = err instanceof Error ? err : new Error(String(err));
          }
        }
      } finally {
        client.release(destroy);
      }
    },
    close: () => pool.end(),
  };
}
