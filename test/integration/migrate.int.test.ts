/**
 * The migration runner (src/db/migrate.ts) against a real PostgreSQL, and the drift check
 * (scripts/db-check-drift.ts). Every test works on databases and migration folders of its
 * own, created here and removed afterwards.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MIGRATIONS_DIR, migrateDatabase, readMigrations } from '../../src/db/migrate.ts';
import { diffMigrationsToSchema } from '../../scripts/db-diff.ts';
import {
  createTestDatabase,
  dropTestDatabase,
  testDatabaseAdminUrl,
  uniqueTestDatabaseUrl,
} from '../support/database.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const INIT = '20261125000000_init';
/** Tests that start the Prisma 6.19 CLI (wasm schema engine): ~5 s alone, much more on a busy 2-core machine. */
const PRISMA_CLI_TIMEOUT_MS = 120_000;

/** Cleanups registered by the running test, run after it whether it passed or not. */
let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  const pending = cleanups.reverse();
  cleanups = [];
  for (const cleanup of pending) await cleanup();
});

/** A database URL that does not exist yet and is dropped after the test. */
function freshDatabaseUrl(): string {
  const url = uniqueTestDatabaseUrl();
  cleanups.push(() => dropTestDatabase(url));
  return url;
}

/** A migrated test database, dropped after the test. */
async function migratedDatabase(): Promise<string> {
  const database = await createTestDatabase();
  cleanups.push(() => database.drop());
  return database.url;
}

/** A private copy of prisma/migrations that a test may change, removed after the test. */
async function copyOfMigrations(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'morprom-migrations-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

async function addMigration(migrationsDir: string, name: string, sql: string): Promise<void> {
  await mkdir(path.join(migrationsDir, name));
  await writeFile(path.join(migrationsDir, name, 'migration.sql'), sql);
}

async function query<Row extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Runs a repo script with tsx, as the npm scripts do; never rejects. */
function runScript(script: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(TSX, [script], { cwd: REPO_ROOT, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('migrateDatabase', () => {
  it('creates a missing database and applies every migration, the initial one first', async () => {
    const url = freshDatabaseUrl();
    const local = (await readMigrations(DEFAULT_MIGRATIONS_DIR)).map((migration) => migration.name);

    const { applied } = await migrateDatabase({ databaseUrl: url });

    expect(applied).toEqual(local);
    expect(applied[0]).toBe(INIT);
    const tables = await query<{ table_name: string }>(
      url,
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
    );
    expect(tables.map((table) => table.table_name)).toEqual(
      expect.arrayContaining(['_prisma_migrations', 'line_user', 'person', 'inbound_event', 'outbound_message']),
    );
  });

  it('applies nothing when run again', async () => {
    const url = await migratedDatabase();
    const log: string[] = [];

    const { applied } = await migrateDatabase({ databaseUrl: url, log: (message) => log.push(message) });

    expect(applied).toEqual([]);
    expect(log).toContain('Database is up to date');
    const [{ count }] = (await query<{ count: string }>(url, 'SELECT count(*) FROM _prisma_migrations')) as [{ count: string }];
    expect(Number(count)).toBe((await readMigrations(DEFAULT_MIGRATIONS_DIR)).length);
  });

  it('applies each migration once when two runs race on a fresh database', async () => {
    const url = freshDatabaseUrl();

    const [first, second] = await Promise.all([migrateDatabase({ databaseUrl: url }), migrateDatabase({ databaseUrl: url })]);

    const local = (await readMigrations(DEFAULT_MIGRATIONS_DIR)).map((migration) => migration.name);
    expect([...first.applied, ...second.applied].sort()).toEqual(local);
  });

  it('records _prisma_migrations exactly as Prisma Migrate does', async () => {
    const url = await migratedDatabase();

    const columns = await query(
      url,
      `SELECT column_name, data_type, character_maximum_length AS length, is_nullable, column_default
       FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(columns).toEqual([
      { column_name: 'id', data_type: 'character varying', length: 36, is_nullable: 'NO', column_default: null },
      { column_name: 'checksum', data_type: 'character varying', length: 64, is_nullable: 'NO', column_default: null },
      { column_name: 'finished_at', data_type: 'timestamp with time zone', length: null, is_nullable: 'YES', column_default: null },
      { column_name: 'migration_name', data_type: 'character varying', length: 255, is_nullable: 'NO', column_default: null },
      { column_name: 'logs', data_type: 'text', length: null, is_nullable: 'YES', column_default: null },
      { column_name: 'rolled_back_at', data_type: 'timestamp with time zone', length: null, is_nullable: 'YES', column_default: null },
      { column_name: 'started_at', data_type: 'timestamp with time zone', length: null, is_nullable: 'NO', column_default: 'now()' },
      { column_name: 'applied_steps_count', data_type: 'integer', length: null, is_nullable: 'NO', column_default: '0' },
    ]);

    const rows = await query<{
      id: string;
      checksum: string;
      migration_name: string;
      started_at: Date;
      finished_at: Date | null;
      logs: string | null;
      rolled_back_at: Date | null;
      applied_steps_count: number;
    }>(url, `SELECT * FROM _prisma_migrations WHERE migration_name = $1`, [INIT]);
    expect(rows).toHaveLength(1);
    const [row] = rows as [(typeof rows)[number]];
    const fileBytes = await readFile(path.join(DEFAULT_MIGRATIONS_DIR, INIT, 'migration.sql'));
    expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(row.checksum).toBe(createHash('sha256').update(fileBytes).digest('hex'));
    expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(row.finished_at).toBeInstanceOf(Date);
    expect(row.finished_at!.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
    expect(row.logs).toBeNull();
    expect(row.rolled_back_at).toBeNull();
    expect(row.applied_steps_count).toBe(1);
  });

  it('reports an applied migration whose file was changed, and applies nothing', async () => {
    const migrationsDir = await copyOfMigrations();
    const url = await migratedDatabase();
    await appendFile(path.join(migrationsDir, INIT, 'migration.sql'), '\n-- edited after deploy\n');
    await addMigration(migrationsDir, '29991231235959_later', 'CREATE TABLE later_probe (id int);');

    await expect(migrateDatabase({ databaseUrl: url, migrationsDir })).rejects.toThrow(
      new RegExp(`modified after they were applied: ${INIT}`),
    );
    expect(await query(url, `SELECT to_regclass('later_probe') AS probe`)).toEqual([{ probe: null }]);
  });

  it('reports a migration recorded as failed (finished_at null)', async () => {
    const url = await migratedDatabase();
    await query(
      url,
      `INSERT INTO _prisma_migrations (id, checksum, migration_name, logs)
       VALUES (gen_random_uuid(), repeat('0', 64), '20261126000000_half_done', 'boom')`,
    );

    await expect(migrateDatabase({ databaseUrl: url })).rejects.toThrow(/failed earlier.*20261126000000_half_done/);
  });

  it('rolls a failing migration back whole and records nothing for it', async () => {
    const migrationsDir = await copyOfMigrations();
    const url = await migratedDatabase();
    await addMigration(migrationsDir, '29991231235959_broken', 'CREATE TABLE broken_probe (id int);\nSELECT * FROM no_such_table;\n');

    await expect(migrateDatabase({ databaseUrl: url, migrationsDir })).rejects.toThrow(
      /29991231235959_broken failed and was rolled back: relation "no_such_table" does not exist/,
    );
    expect(await query(url, `SELECT to_regclass('broken_probe') AS probe`)).toEqual([{ probe: null }]);
    expect(await query(url, `SELECT 1 FROM _prisma_migrations WHERE migration_name = '29991231235959_broken'`)).toEqual([]);
  });

  it('as a CLI, migrates DATABASE_URL and exits 1 with a clear message on a tampered checksum', async () => {
    const url = freshDatabaseUrl();

    const first = await runScript('src/db/migrate.ts', { DATABASE_URL: url });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`Applying ${INIT}`);

    await query(url, `UPDATE _prisma_migrations SET checksum = repeat('f', 64) WHERE migration_name = $1`, [INIT]);
    const second = await runScript('src/db/migrate.ts', { DATABASE_URL: url });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`Migration failed: migration(s) were modified after they were applied: ${INIT}`);
  });
});

describe('drift check', () => {
  it('finds no drift between prisma/migrations and prisma/schema.prisma', async () => {
    expect(await diffMigrationsToSchema({ adminUrl: testDatabaseAdminUrl() })).toBeNull();
  }, PRISMA_CLI_TIMEOUT_MS);

  it('returns the SQL that the migrations are missing', async () => {
    const migrationsDir = await copyOfMigrations();
    await addMigration(migrationsDir, '29991231235959_extra_column', 'ALTER TABLE "province" ADD COLUMN "extra" INTEGER;\n');

    const sql = await diffMigrationsToSchema({ adminUrl: testDatabaseAdminUrl(), migrationsDir });

    expect(sql).toContain('ALTER TABLE "province" DROP COLUMN "extra";');
  }, PRISMA_CLI_TIMEOUT_MS);

  it('as `npm run db:check-drift`, prints "no drift", exits 0 and leaves no database behind', async () => {
    const listTempDatabases = async () =>
      (await query<{ datname: string }>(testDatabaseAdminUrl(), `SELECT datname FROM pg_database WHERE datname LIKE 'morprom\\_diff\\_%'`))
        .map((row) => row.datname);
    const before = await listTempDatabases();

    const result = await runScript('scripts/db-check-drift.ts', { DATABASE_URL: testDatabaseAdminUrl() });

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('no drift');
    // Other runs may create their own meanwhile; none of ours may be left.
    expect((await listTempDatabases()).filter((name) => !before.includes(name))).toEqual([]);
  }, PRISMA_CLI_TIMEOUT_MS);
});
