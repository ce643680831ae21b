/**
 * The few hot statements that skip Prisma's client. With a root client made by
 * createDatabaseClient they run on its node-postgres pool as named (prepared) statements:
 * measured under load, Prisma's client cost 2-3× a plain node-postgres statement in the
 * process, and PostgreSQL planned the statement on every call. Given a chat round's
 * transaction (transactionWithConnection) they run the same way on its connection; given any
 * other transaction, through Prisma on it. Either way they see and join what it does.
 */
import { autonomousPoolOf, sqlPoolOf, type Db, type PrismaClient } from './client.js';
import { connectionOfTransaction } from './transaction-connection.js';

/** SQL with $n parameters; `name` is its prepared statement's name on each connection. */
export interface Statement {
  name: string;
  text: string;
}

export interface Statements {
  /** For the rare paths that stay on Prisma. */
  db: Db | PrismaClient;
  run<T>(statement: Statement, values: unknown[]): Promise<T[]>;
}

export function statementsOn(db: Db | PrismaClient): Statements {
  const pool = sqlPoolOf(db);
  if (pool) return { db, run: async (statement, values) => (await pool.query({ ...statement, values })).rows };
  // A chat round's transaction (transactionWithConnection): prepared, on its own connection.
  // (looked up at each statement: it refuses once the transaction has ended).
  if (connectionOfTransaction(db)) return { db, run: async (statement, values) => (await connectionOfTransaction(db)!.query({ ...statement, values })).rows };
  return { db, run: (statement, values) => (db as Db).$queryRawUnsafe(statement.text, ...values) };
}

/**
 * Statements that each commit on their own, on the root client's autonomous pool (a short wait
 * for row locks: see autonomousPoolOf). For a single-statement write that must not join, or
 * wait long behind, the caller's transaction: a booking.
 */
export function autonomousStatementsOn(db: PrismaClient): Statements {
  const pool = autonomousPoolOf(db);
  if (!pool) throw new Error('autonomous statements need a root client made by createDatabaseClient');
  return { db, run: async (statement, values) => (await pool.query({ ...statement, values })).rows };
}
