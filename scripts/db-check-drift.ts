// `npm run db:check-drift`: do the migrations build the database the schema describes?
// Applies prisma/migrations with our runner to a new, uniquely named temporary database
// (on the server in DATABASE_URL, else the local one), diffs it against prisma/schema.prisma
// with Prisma 6.19 and drops it again. Exit 0 with "no drift", else print the SQL that is
// missing from the migrations (usually: run `npm run db:diff -- <name>`) and exit 1.
// How the diff works offline: see scripts/db-diff.ts.
import { isMainModule } from '../src/db/migrate.ts';
import { diffMigrationsToSchema } from './db-diff.ts';

/**
 * Checks the migrations against the schema.
 * @returns true when applying every migration yields exactly the schema.
 */
export async function checkDrift(log: (message: string) => void = console.log): Promise<boolean> {
  const sql = await diffMigrationsToSchema({ log });
  if (sql === null) {
    log('no drift');
    return true;
  }
  log('Drift: the migrations do not produce prisma/schema.prisma. Missing SQL:\n');
  log(sql.trimEnd());
  log('\nAdd a migration for it: npm run db:diff -- <name>');
  return false;
}

if (isMainModule(import.meta.url)) {
  checkDrift().then(
    (clean) => {
      process.exitCode = clean ? 0 : 1;
    },
    (error: unknown) => {
      console.error(`db:check-drift failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
