/**
 * Reference and demo data: the 77 provinces, and the demo population register (synthetic
 * people with valid ID checksums; the README names one). Idempotent: run it as often as you like.
 * Usage: npm run db:seed
 */
import { fileURLToPath } from 'node:url';
import { ConfigError, parseEnvFields } from '../src/config/env.js';
import { createDatabaseClient, type PrismaClient } from '../src/db/client.js';
import { createPersonalDataCipher } from '../src/shared/personal-data.js';
import { PostgresPopulationRegister } from '../src/db/repositories/population-register.repository.js';
import { importRegisterCsv } from '../src/domain/identity/import-register.js';
import { provinces } from './data/provinces.js';

const demoRegisterCsv = fileURLToPath(new URL('./data/demo-register.csv', import.meta.url));

export async function seed(options: { db: PrismaClient; hashKey: Buffer; encryptionKey: Buffer }): Promise<{ provinces: number; registerEntries: number }> {
  const { db } = options;
  await db.$transaction(provinces.map((p) => db.province.upsert({ where: { code: p.code }, create: p, update: p })));
  const cipher = createPersonalDataCipher({ hashKey: options.hashKey, encryptionKey: options.encryptionKey });
  const { imported } = await importRegisterCsv({ input: demoRegisterCsv, cipher, register: new PostgresPopulationRegister(db) });
  return { provinces: provinces.length, registerEntries: imported };
}

/** Seeds the database the settings name, with its own short-lived client, and says what it did. */
export async function seedFromSettings(env: { DATABASE_URL: string; ID_HASH_KEY: Buffer; ID_ENCRYPTION_KEY: Buffer }): Promise<void> {
  const db = createDatabaseClient({ url: env.DATABASE_URL, poolSize: 4 });
  try {
    const result = await seed({ db, hashKey: env.ID_HASH_KEY, encryptionKey: env.ID_ENCRYPTION_KEY });
    console.log(`seeded ${result.provinces} provinces and ${result.registerEntries} demo register entries`);
  } finally {
    await db.$disconnect();
  }
}

async function main(): Promise<void> {
  await seedFromSettings(parseEnvFields(['DATABASE_URL', 'ID_HASH_KEY', 'ID_ENCRYPTION_KEY']));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => {
    console.error(err instanceof ConfigError ? err.message : `db:seed failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
