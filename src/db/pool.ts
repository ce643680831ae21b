/**
 * node-postgres pools that survive a database blip. A pg Client emits 'error' when its
 * connection dies (a PostgreSQL restart or failover, pg_terminate_backend: 57P01). The pool
 * listens only while a client is idle; a client checked out (a held advisory lock, an open
 * transaction, a statement in flight) has no listener, and an unheard 'error' event ends the
 * process. So every client gets a permanent listener the moment the pool creates it: the
 * error is logged here, and whoever holds the client learns of it from its next query, which
 * fails, so the client is released with the error and destroyed (never reused).
 */
import pg from 'pg';

export interface GuardedPoolOptions extends pg.PoolConfig {
  /** Told of each connection lost (server shut down, terminated, network gone). */
  onConnectionError?: (err: Error) => void;
}

export function createGuardedPool(options: GuardedPoolOptions): pg.Pool {
  const { onConnectionError, ...config } = options;
  const report = (err: Error) => onConnectionError?.(err);
  const pool = new pg.Pool(config);
  pool.on('connect', (client) => client.on('error', report));
  // An idle client's loss is re-emitted by the pool (which drops the client); unheard, it would
  // end the process. The client's own listener above has already reported it.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Gives a stand-alone client (the migration runner) the same guard: a lost connection fails
 * its next query, which the caller reports, instead of ending the process.
 */
export function guardClient<C extends pg.Client>(client: C): C {
  client.on('error', () => undefined);
  return client;
}
