/**
 * The node-postgres connection under a Prisma interactive transaction, so the hot statements
 * of a chat round (src/db/statements.ts) run on it as prepared statements, inside the same
 * transaction, without Prisma's per-query cost (measured: Prisma's raw-query path was ~23% of
 * the worker's CPU on booking day's confirm path, and PostgreSQL planned the statement on
 * every call).
 *
 * How: transactionWithConnection runs db.$transaction inside an AsyncLocalStorage scope; the
 * root client's pool (createDatabaseClient) notes the first connection checked out in that
 * scope, which is the one Prisma's driver adapter takes for the transaction (it does so
 * before running the callback). Once Prisma gives the connection back (commit, rollback or
 * its timeout) it is never used from here again: it may belong to someone else by then.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';
import type { Db, PrismaClient } from './client.js';

interface Scope {
  connection?: pg.PoolClient;
  /** Prisma has sent COMMIT or ROLLBACK, or given the connection back. */
  ended?: boolean;
  tx?: unknown;
}

const scopes = new AsyncLocalStorage<Scope>();

/** Makes `pool` note the connection a transaction of this scope takes (createDatabaseClient calls it). */
export function noteTransactionConnections(pool: pg.Pool): void {
  const connect = pool.connect.bind(pool) as (...args: unknown[]) => unknown;
  pool.connect = function noted(...args: unknown[]) {
    const scope = scopes.getStore();
    // Only the promise form: Prisma's adapter takes a transaction's connection so; pool.query
    // (callback form) checks one out for a single statement.
    if (!scope || scope.connection || args.length > 0) return connect(...args);
    return (connect() as Promise<pg.PoolClient>).then((client) => {
      if (!scope.connection) {
        scope.connection = client;
        // Prisma ends the transaction (COMMIT, or ROLLBACK on its timeout) with a statement, then
        // gives the connection back: from that statement on, ours would run outside the
        // transaction (a ROLLBACK's wait would even let one commit alone), so none may follow.
        const query = client.query.bind(client) as (...args: unknown[]) => unknown;
        const release = client.release.bind(client);
        client.query = ((...args: unknown[]) => {
          const first = args[0];
          const text = typeof first === 'string' ? first : (first as { text?: unknown } | undefined)?.text;
          if (typeof text === 'string' && /^\s*(COMMIT|ROLLBACK)\s*;?\s*$/i.test(text)) scope.ended = true;
          return query(...args);
        }) as typeof client.query;
        client.release = (err?: Error | boolean) => {
          scope.ended = true;
          client.query = query as typeof client.query;
          client.release = release;
          return release(err);
        };
      }
      return client;
    });
  } as typeof pool.connect;
}

/** db.$transaction, with its connection known to connectionOfTransaction while `fn` runs. */
export function transactionWithConnection<T>(db: PrismaClient, fn: (tx: Db) => Promise<T>, options?: { timeout?: number; maxWait?: number }): Promise<T> {
  const scope: Scope = {};
  return scopes.run(scope, () =>
    db.$transaction(async (tx) => {
      scope.tx = tx;
      return fn(tx);
    }, options),
  );
}

/** The connection of `tx` when it is the transaction of the current transactionWithConnection; undefined otherwise. */
export function connectionOfTransaction(tx: unknown): pg.PoolClient | undefined {
  const scope = scopes.getStore();
  if (!scope || scope.tx !== tx || !scope.connection) return undefined;
  // Worded as Prisma's own "Transaction already closed", which isTransientDatabaseError retries:
  // a transaction that timed out is the database's slowness, not the event's fault.
  if (scope.ended) throw new Error('Transaction already closed: it was committed, rolled back or timed out');
  return scope.connection;
}
