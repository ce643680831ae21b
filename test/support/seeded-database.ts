// A throwaway database with the reference data seeded (provinces, hospitals, vaccines, rules,
// the demo register), and a client on it: what the domain-level integration tests start from.
import { randomBytes } from 'node:crypto';
import { createDatabaseClient, type PrismaClient } from '../../src/db/client.js';
import { seed } from '../../prisma/seed.js';
import { createTestDatabase } from './database.js';

export interface SeededDatabase {
  db: PrismaClient;
  /** Disconnects the client and drops the database. */
  close(): Promise<void>;
}

export async function createSeededDatabase(options: { poolSize?: number } = {}): Promise<SeededDatabase> {
  const database = await createTestDatabase();
  const db = createDatabaseClient({ url: database.url, poolSize: options.poolSize ?? 4 });
  const close = async () => {
    await db.$disconnect();
    await database.drop();
  };
  try {
    await seed({ db, hashKey: randomBytes(32), encryptionKey: randomBytes(32) });
  } catch (err) {
    await close();
    throw err;
  }
  return { db, close };
}
