/**
 * Loaded into a service process by the benchmarks (node --import): counts the SQL statements
 * the process sends to PostgreSQL (every node-postgres query, Prisma's included: its driver
 * adapter runs on node-postgres) and the transactions it commits. On SIGUSR2 it writes the
 * counts so far to BENCH_STATEMENTS_FILE, so a benchmark can take the difference over its
 * measured run. Not part of the service.
 */
import { writeFileSync } from 'node:fs';
import pg from 'pg';

const counts = { statements: 0, commits: 0 };
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function countedQuery(this: pg.Client, ...args: unknown[]) {
  counts.statements++;
  const first = args[0];
  const text = typeof first === 'string' ? first : (first as { text?: string } | undefined)?.text;
  if (text !== undefined && /^\s*COMMIT\b/i.test(text)) counts.commits++;
  return query.apply(this, args);
} as typeof pg.Client.prototype.query;

process.on('SIGUSR2', () => {
  if (process.env.BENCH_STATEMENTS_FILE) writeFileSync(process.env.BENCH_STATEMENTS_FILE, JSON.stringify(counts));
});
