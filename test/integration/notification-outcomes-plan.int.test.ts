// The sender's batched UPDATEs must find their rows by primary key whatever the statistics say.
// At a reminder peak the statistics were taken when the rows were SCHEDULED, and then 100,000
// are QUEUED: planned from those statistics, the UPDATE of a batch of 100 scanned every QUEUED
// row through the (status, due_at) index (40-50 ms a batch, half a core of PostgreSQL in
// bench:reminders). This reproduces the stale statistics and checks the generic plan, the one
// a prepared statement settles on, on real PostgreSQL; the same for the check-ins' SENT mark.
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WRITE_OUTCOMES } from '../../src/jobs/notifications.js';
import { MARK_SENT } from '../../src/domain/follow-up/checkin-send-marks.js';
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

/** The generic plan of `text` with these arguments (EXPLAIN EXECUTE takes them as literals). */
async function genericPlan(name: string, types: string, text: string, values: unknown[][]) {
  await client.query(`PREPARE ${name}(${types}) AS ${text}`);
  await client.query('SET plan_cache_mode = force_generic_plan');
  const explained = await client.query(`EXPLAIN (FORMAT JSON) EXECUTE ${name}(${values.map(literal).join(', ')})`);
  const nodes = nodesOf((explained.rows[0]['QUERY PLAN'] as Array<{ Plan: Record<string, unknown> }>)[0]!.Plan);
  return { nodes, indexesUsed: nodes.map((n) => n['Index Name']).filter(Boolean) };
}

function literal(items: unknown[]): string {
  return client.escapeLiteral(`{${items.map((v) => (v === null ? 'NULL' : JSON.stringify(v instanceof Date ? v.toISOString() : String(v)))).join(',')}}`);
}

it('writes a batch of outcomes through the primary key, not by scanning the QUEUED rows', async () => {
  const ids = (await client.query<{ id: string }>(`SELECT id FROM notification ORDER BY random() LIMIT ${BATCH}`)).rows.map((r) => r.id);
  const values = [ids, ids.map(() => 'SENT'), ids.map(() => 1), ids.map(() => null), ids.map((_, i) => `request-${i}`), ids.map(() => new Date())];
  const { nodes, indexesUsed } = await genericPlan('write_outcomes', 'uuid[], text[], int[], text[], text[], timestamptz[]', WRITE_OUTCOMES.text, values);
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

it("marks a batch of check-ins SENT through the primary key, not by scanning the SCHEDULED ones", async () => {
  // Check-ins without their people and doses: only the plan is under test (foreign keys off).
  await client.query("SET session_replication_role = replica");
  await client.query(`
    INSERT INTO follow_up_checkin (id, person_id, vaccination_id, label, profile, due_at, status)
    SELECT gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 'd1', 'morprom', now(), 'SENT' FROM generate_series(1, ${ROWS})`);
  await client.query("SET session_replication_role = DEFAULT");
  await client.query('ANALYZE follow_up_checkin');
  // The peak: a day of recordings planned after the statistics were taken.
  await client.query(`UPDATE follow_up_checkin SET status = 'SCHEDULED', sent_at = NULL`);

  const ids = (await client.query<{ id: string }>(`SELECT id FROM follow_up_checkin ORDER BY random() LIMIT ${BATCH}`)).rows.map((r) => r.id);
  const at = new Date('2030-03-02T02:00:00Z');
  const values = [ids, ids.map(() => at)];
  const { nodes, indexesUsed } = await genericPlan('mark_sent', 'uuid[], timestamptz[]', MARK_SENT.text, values);
  expect(indexesUsed).not.toContain('follow_up_checkin_status_due_at_idx');
  expect(indexesUsed).toContain('follow_up_checkin_pkey');
  expect(nodes.some((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'follow_up_checkin')).toBe(false);

  const updated = await client.query(`EXECUTE mark_sent(${values.map(literal).join(', ')})`);
  expect(updated.rowCount).toBe(BATCH);
  expect((await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM follow_up_checkin WHERE status = 'SENT'`)).rows[0]!.n).toBe(BATCH);
});
