// Throwaway PostgreSQL databases for integration tests. Each test database has a random name
// and is built from the migrations (not from state an earlier run left), so tests can run in
// parallel and after a crashed run. The server: TEST_DATABASE_ADMIN_URL (a connection that may
// create databases), else the local one with trust auth.
import { randomBytes } from 'node:crypto';
import { createDatabase, dropDatabase, migrateDatabase, withDatabaseName } from '../../src/db/migrate.ts';

const DEFAULT_ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

/** A migrated test database and the way to get rid of it. */
export interface TestDatabase {
  /** postgresql:// URL of the database, same server and credentials as the admin URL. */
  url: string;
  /** Ends every connection to the database and drops it; safe to call twice. */
  drop(): Promise<void>;
}

/** The connection used to create and drop test databases. */
export function testDatabaseAdminUrl(): string {
  return process.env.TEST_DATABASE_ADMIN_URL || DEFAULT_ADMIN_URL;
}

/** The URL of a database that does not exist yet (morprom_test_<random>); nothing is created. */
export function uniqueTestDatabaseUrl(): string {
  return withDatabaseName(testDatabaseAdminUrl(), `morprom_test_${randomBytes(8).toString('hex')}`);
}

/** Drops a database created for a test, through the admin connection. */
export function dropTestDatabase(url: string): Promise<void> {
  return dropDatabase(url, testDatabaseAdminUrl());
}

/**
 * Creates a uniquely named database and applies every migration in prisma/migrations to it.
 * Call `drop()` when done (e.g. in afterAll).
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const url = uniqueTestDatabaseUrl();
  await createDatabase(url, testDatabaseAdminUrl());
  const drop = () => dropTestDatabase(url);
  try {
    await migrateDatabase({ databaseUrl: url });
  } catch (error) {
    await drop();
    throw error;
  }
  return { url, drop };
}
