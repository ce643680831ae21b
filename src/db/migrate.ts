// Applies prisma/migrations/*/migration.sql and records them in `_prisma_migrations` exactly
// as Prisma Migrate does, so that where Prisma's native engine is available, a plain
// `prisma migrate deploy` accepts the database as up to date (and vice versa).
// We need our own runner because Prisma 7's CLI downloads its schema engine before every
// command, which fails on machines without access to Prisma's binary host.
// See /work/shared/design/PRISMA-OFFLINE.md.
//
// CLI: `tsx src/db/migrate.ts` (npm run db:migrate) migrates the database in DATABASE_URL.
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { guardClient } from './pool.js';
import { sqlStateOf } from './errors.js';

/** Default location of the migrations, relative to this file (src/db → repo root). */
export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../../prisma/migrations/', import.meta.url));

/** The advisory lock key Prisma Migrate takes, so our runner and Prisma's never run at once. */
const PRISMA_MIGRATE_LOCK_KEY = 72707369;

/** PostgreSQL error codes we react to. */
const PG_INVALID_CATALOG_NAME = '3D000'; // database does not exist
const PG_DUPLICATE_DATABASE = '42P04';
const PG_UNIQUE_VIOLATION = '23505'; // concurrent CREATE DATABASE of the same name

/** Prisma Migrate's own DDL for its bookkeeping table (schema engine, PostgreSQL flavour). */
const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** Options of {@link migrateDatabase}. */
export interface MigrateOptions {
  /** postgresql:// URL of the database to migrate; it is created if it does not exist. */
  databaseUrl: string;
  /** Folder holding `<YYYYMMDDHHMMSS>_<name>/migration.sql`; defaults to prisma/migrations. */
  migrationsDir?: string;
  /** Receives one line per notable step; silent by default. */
  log?: (message: string) => void;
}

/** What {@link migrateDatabase} did. */
export interface MigrateResult {
  /** Names of the migrations applied by this run, in order (empty when up to date). */
  applied: string[];
}

/** A migration history problem that needs a person: the runner refuses to go on. */
export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** One migration folder on disk. */
export interface LocalMigration {
  name: string;
  sql: string;
  checksum: string;
}

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  started_at: Date;
}

/**
 * The checksum Prisma Migrate stores for a migration: lowercase hex SHA-256 of the file bytes.
 */
export function migrationChecksum(fileBytes: Uint8Array): string {
  return createHash('sha256').update(fileBytes).digest('hex');
}

/**
 * Reads every `<dir>/<name>/migration.sql` in name order (the order Prisma applies them in).
 * A folder without migration.sql is an error rather than silently skipped, since it is
 * almost always a half-written migration.
 */
export async function readMigrations(migrationsDir: string): Promise<LocalMigration[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const file = path.join(migrationsDir, name, 'migration.sql');
      const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') throw new MigrationError(`${file} is missing: every migration folder needs one`);
        throw error;
      });
      return { name, sql: bytes.toString('utf8'), checksum: migrationChecksum(bytes) };
    }),
  );
}

/** The name of the database a postgresql:// URL points at. */
export function databaseNameOf(databaseUrl: string): string {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
  if (!name) throw new MigrationError(`the database URL names no database: ${redactUrl(databaseUrl)}`);
  return name;
}

/** The same server and credentials as `databaseUrl`, pointing at database `name`. */
export function withDatabaseName(databaseUrl: string, name: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

/** The URL with any password masked, for messages. */
export function redactUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '<unparseable database URL>';
  }
}

/** The server's maintenance database, used to create and drop other databases. */
function maintenanceUrl(databaseUrl: string): string {
  return withDatabaseName(databaseUrl, 'postgres');
}

/** Runs `work` with a connected client and always closes it. */
async function withClient<T>(databaseUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = guardClient(new pg.Client({ connectionString: databaseUrl }));
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates the database `databaseUrl` points at unless it exists. Safe to call concurrently:
 * losing a creation race counts as success.
 * @param adminUrl a connection to the same server allowed to create databases; defaults to
 *   the server's `postgres` database with the credentials in `databaseUrl`.
 */
export async function createDatabase(databaseUrl: string, adminUrl = maintenanceUrl(databaseUrl)): Promise<void> {
  const name = databaseNameOf(databaseUrl);
  await withClient(adminUrl, async (client) => {
    try {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    } catch (error) {
      const code = sqlStateOf(error);
      if (code !== PG_DUPLICATE_DATABASE && code !== PG_UNIQUE_VIOLATION) throw error;
    }
  });
}

/**
 * Drops the database `databaseUrl` points at if it exists, ending its open connections
 * first (`WITH (FORCE)`, PostgreSQL 13+), so a leaked pool cannot keep it alive.
 * @param adminUrl as for {@link createDatabase}.
 */
export async function dropDatabase(databaseUrl: string, adminUrl = maintenanceUrl(databaseUrl)): Promise<void> {
  const name = databaseNameOf(databaseUrl);
  await withClient(adminUrl, (client) =>
    client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`),
  );
}

/** Connects to the database, creating it first if the server says it does not exist. */
async function connectCreatingDatabase(databaseUrl: string, log: (message: string) => void): Promise<pg.Client> {
  const connect = async () => {
    const client = guardClient(new pg.Client({ connectionString: databaseUrl }));
    await client.connect();
    return client;
  };
  try {
    return await connect();
  } catch (error) {
    if (sqlStateOf(error) !== PG_INVALID_CATALOG_NAME) throw error;
    log(`Creating database ${databaseNameOf(databaseUrl)}`);
    await createDatabase(databaseUrl);
    return connect();
  }
}

/**
 * Refuses a history Prisma Migrate would also refuse: a failed migration (started, never
 * finished, not rolled back) or an applied migration whose file has since changed.
 * Returns the names of the migrations that count as applied.
 */
function checkHistory(rows: MigrationRow[], local: LocalMigration[], log: (message: string) => void): Set<string> {
  const failed = rows.filter((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed.length > 0) {
    const names = failed.map((row) => `${row.migration_name} (started ${row.started_at.toISOString()})`).join(', ');
    throw new MigrationError(
      `migration(s) failed earlier and were never finished: ${names}. Fix the database by hand, ` +
        `then mark the row as rolled back (set rolled_back_at) or delete it, and run again.`,
    );
  }

  const applied = rows.filter((row) => row.finished_at !== null && row.rolled_back_at === null);
  const localByName = new Map(local.map((migration) => [migration.name, migration]));
  const modified = applied.filter((row) => {
    const file = localByName.get(row.migration_name);
    return file !== undefined && file.checksum !== row.checksum;
  });
  if (modified.length > 0) {
    const names = modified.map((row) => row.migration_name).join(', ');
    throw new MigrationError(
      `migration(s) were modified after they were applied: ${names}. ` +
        `Restore the applied file(s) and put the change in a new migration.`,
    );
  }

  // A database ahead of the code (e.g. after rolling back a deploy) is not an error for
  // `migrate deploy` either; say so, since it usually means the code is older than the data.
  for (const row of applied) {
    if (!localByName.has(row.migration_name)) log(`Warning: ${row.migration_name} is applied but not in the migrations folder`);
  }
  return new Set(applied.map((row) => row.migration_name));
}

/**
 * Applies one migration and its `_prisma_migrations` row in a single transaction, so a
 * failure leaves neither a half-applied schema nor a "failed" row to resolve by hand.
 * (Prisma itself records the row before running the script; the end state on success is
 * the same: finished_at set, applied_steps_count 1, logs null.)
 */
async function applyMigration(client: pg.Client, migration: LocalMigration): Promise<void> {
  await client.query('BEGIN');
  try {
    // No parameters: pg uses the simple query protocol, which runs a multi-statement script.
    await client.query(migration.sql);
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), clock_timestamp(), 1)`,
      [randomUUID(), migration.checksum, migration.name],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined); // the original error matters more
    const reason = error instanceof Error ? error.message : String(error);
    throw new MigrationError(`migration ${migration.name} failed and was rolled back: ${reason}`);
  }
}

/**
 * Brings a database up to date with the migrations folder, Prisma Migrate style.
 *
 * Creates the database if needed, takes Prisma's advisory lock (so concurrent runs, ours or
 * Prisma's, apply each migration once), refuses a failed or modified history, then applies
 * every unapplied migration in name order, each in its own transaction.
 *
 * @returns the names of the migrations applied by this call (empty when already up to date).
 * @throws MigrationError when the history needs a person (failed row, modified file, failing SQL).
 */
export async function migrateDatabase({
  databaseUrl,
  migrationsDir = DEFAULT_MIGRATIONS_DIR,
  log = () => undefined,
}: MigrateOptions): Promise<MigrateResult> {
  // Read the files first: a broken folder should fail before we touch the database.
  const local = await readMigrations(migrationsDir);
  const client = await connectCreatingDatabase(databaseUrl, log);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK_KEY]);
    try {
      await client.query(CREATE_MIGRATIONS_TABLE);
      const { rows } = await client.query<MigrationRow>(
        `SELECT migration_name, checksum, finished_at, rolled_back_at, started_at
         FROM "_prisma_migrations" ORDER BY started_at`,
      );
      const alreadyApplied = checkHistory(rows, local, log);
      const applied: string[] = [];
      for (const migration of local.filter((candidate) => !alreadyApplied.has(candidate.name))) {
        log(`Applying ${migration.name}`);
        await applyMigration(client, migration);
        applied.push(migration.name);
      }
      log(applied.length === 0 ? 'Database is up to date' : `Applied ${applied.length} migration(s)`);
      return { applied };
    } finally {
      // Closing the session releases the lock anyway; an unlock error must not hide the real one.
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await client.end();
  }
}

/** True when this module is the program being run, not an import. */
export function isMainModule(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new MigrationError('DATABASE_URL is not set');
  console.log(`Migrating ${redactUrl(databaseUrl)}`);
  await migrateDatabase({ databaseUrl, log: (message) => console.log(message) });
}

if (isMainModule(import.meta.url)) {
  main().catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`Migration failed: ${message}`);
    process.exitCode = 1;
  });
}
