/**
 * First step of `npm run demo`: makes a fresh clone runnable. Creates .env from
 * .env.example with new random keys if there is none, creates and migrates the database,
 * and loads the reference and demo data. Safe to run again.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { ConfigError, parseEnv } from '../src/config/env.js';
import { migrateDatabase } from '../src/db/migrate.js';
import { seedFromSettings } from '../prisma/seed.js';

async function main(): Promise<void> {
  if (!existsSync('.env')) {
    // Emulator mode with fixed local credentials, so `npm run line:send` can sign events.
    const example = readFileSync('.env.example', 'utf8')
      .replace(/^ID_HASH_KEY=$/m, `ID_HASH_KEY=${randomBytes(32).toString('hex')}`)
      .replace(/^ID_ENCRYPTION_KEY=$/m, `ID_ENCRYPTION_KEY=${randomBytes(32).toString('hex')}`)
      .replace(/^LINE_CHANNEL_SECRET=$/m, `LINE_CHANNEL_SECRET=${randomBytes(16).toString('hex')}`)
      .replace(/^LINE_CHANNEL_ACCESS_TOKEN=$/m, `LINE_CHANNEL_ACCESS_TOKEN=emulator-${randomBytes(16).toString('hex')}`)
      .replace(/^LINE_EMULATOR=false$/m, 'LINE_EMULATOR=true');
    writeFileSync('.env', example, { mode: 0o600 });
    console.log('created .env: fresh random keys, built-in LINE emulator');
  }
  process.loadEnvFile('.env');
  const env = parseEnv();
  const { applied } = await migrateDatabase({ databaseUrl: env.DATABASE_URL });
  console.log(applied.length ? `applied migrations: ${applied.join(', ')}` : 'database schema is up to date');
  await seedFromSettings(env);
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? `${err.message}\nFix .env (see .env.example).` : `demo preparation failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
