// The sender's outcome UPDATE must find its rows by primary key whatever the statistics say.
// At a reminder peak the statistics were taken when the rows were SCHEDULED, and then 100,000
// are QUEUED: planned from those statistics, the UPDATE of a batch of 100 scanned every QUEUED
// row through the (status, due_at) index (40-50 ms a batch, half a core of PostgreSQL in
// bench:reminders). This reproduces the stale statistics and checks the generic plan, the one
// a prepared statement settles on, on real PostgreSQL.
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WRITE_OUTCOMES } from '../../src/jobs/notifications.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const ROWS = 20_000;
const BATCH = 100;
let database: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  database = await createTestDatabase();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await client.query(`
    INSERT INTO notification (id, line_user_id, kind, due_at)
    SELECT gen_random_uuid(), 'U' || md5(i::text), 'appointment-reminder-day-before', now() - interval '1 second'
    FROM generate_series(1, ${ROWS}) i`);
  await client.query('ANALYZE notification');
  // The peak: every row claimed after the statistics were taken.
  await client.query(`UPDATE notification SET status = 'QUEUED', queued_at = now(), send_job = 'job'`);
}, 60_000);

afterAll(async () => {
  await client?.end();
  await database?.drop();
});

/** Every node of a JSON plan, depth first. */
function nodesOf(plan: Record<string, unknown>): Array<Record<string, unknown>> {
  const children = (plan.Plans as Array<Record<string, unknown>> | undefined) ?? [];
  return [plan, ...children.flatMap(nodesOf)];
}

it('writes a batch of outcomes through the primary key, not by scanning the QUEUED rows', async () => {
  const ids = (await client.query<{ id: string }>(`SELECT id FROM notification ORDER BY random() LIMIT ${BATCH}`)).rows.map((r) => r.id);
  const values = [ids, ids.map(() => 'SENT'), ids.map(() => 1), ids.map(() => null), ids.map((_, i) => `request-${i}`), ids.map(() => new Date())];
  const types = 'uuid[], text[], int[], text[], text[], timestamptz[]';
  await client.query(`PREPARE write_outcomes(${types}) AS ${WRITE_OUTCOMES.text}`);
  await client.query('SET plan_cache_mode = force_generic_plan');

  // EXPLAIN EXECUTE takes no bind parameters: the arguments go in as array literals.
  const literal = (items: unknown[]) => client.escapeLiteral(`{${items.map((v) => (v === null ? 'NULL' : JSON.stringify(v instanceof Date ? v.toISOString() : String(v)))).join(',')}}`);
  const explained = await client.query(`EXPLAIN (FORMAT JSON) EXECUTE write_outcomes(${values.map(literal).join(', ')})`);
  const nodes = nodesOf((explained.rows[0]['QUERY PLAN'] as Array<{ Plan: Record<string, unknown> }>)[0]!.Plan);
  const indexesUsed = nodes.map((n) => n['Index Name']).filter(Boolean);
  expect(indexesUsed).not.toContain('notification_status_due_at_idx');
  expect(indexesUsed).toContain('notification_pkey');
  expect(nodes.some((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'notification')).toBe(false);

  // And it still does its job: exactly the batch's rows become SENT.
  const updated = await client.query(`EXECUTE write_outcomes(${values.map(literal).join(', ')})`);
  expect(updated.rowCount).toBe(BATCH);
  const sent = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM notification WHERE status = 'SENT' AND id = ANY($1::uuid[]) AND line_request_id LIKE 'request-%'`, [ids]);
  expect(sent.rows[0]!.n).toBe(BATCH);
  expect((await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM notification WHERE status = 'QUEUED'`)).rows[0]!.n).toBe(ROWS - BATCH);
});
