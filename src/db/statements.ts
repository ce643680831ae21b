/**
 * The few hot statements that skip Prisma's client. With a root client made by
 * createDatabaseClient they run on its node-postgres pool as named (prepared) statements:
 * measured under load, Prisma's client cost 2-3× a plain node-postgres statement in the
 * process, and PostgreSQL planned the statement on every call. Given a transaction, they run
 * through Prisma on it, so they see and join what the transaction does.
 */
import { sqlPoolOf, type Db, type PrismaClient } from './client.js';

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
  return { db, run: (statement, values) => (db as Db).$queryRawUnsafe(statement.text, ...values) };
}
