/**
 * The seed's reference data on a real PostgreSQL: everything lands, a second run changes
 * nothing and duplicates nothing, and an edited row is put back from the data files.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabaseClient, type PrismaClient } from '../../src/db/client.js';
import { findIntervalRule } from '../../src/domain/vaccination/interval-rules.js';
import { seed, type SeedResult } from '../../prisma/seed.js';
import { DEMO_HOSPITALS, generateHospitals } from '../../prisma/data/hospitals.js';
import { doseIntervalRules, vaccineProducts } from '../../prisma/data/vaccines.js';
import { campaignPhases } from '../../prisma/data/campaign-phases.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const keys = { hashKey: Buffer.alloc(32, 0x11), encryptionKey: Buffer.alloc(32, 0x22) };

let database: TestDatabase;
let db: PrismaClient;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDatabaseClient({ url: database.url, poolSize: 4 });
}, 60_000);

afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
});

async function counts() {
  return {
    provinces: await db.province.count(),
    hospitals: await db.hospital.count(),
    vaccineProducts: await db.vaccineProduct.count(),
    intervalRules: await db.doseIntervalRule.count(),
    campaignPhases: await db.campaignPhase.count(),
  };
}

describe('seed: reference data', () => {
  let first: SeedResult;
  let firstMs: number;

  it('loads provinces, hospitals, vaccines, interval rules and phases', async () => {
    const started = performance.now();
    first = await seed({ db, ...keys });
    firstMs = performance.now() - started;
    console.log(`first seed: ${Math.round(firstMs)} ms`);

    const expected = {
      provinces: 77,
      hospitals: generateHospitals().length,
      vaccineProducts: vaccineProducts.length,
      intervalRules: doseIntervalRules.length,
      campaignPhases: campaignPhases.length,
    };
    expect(first).toMatchObject(expected);
    expect(first.registerEntries).toBeGreaterThan(0);
    expect(await counts()).toEqual(expected);
  }, 60_000);

  it('stores rows as written in the data files', async () => {
    const demo = DEMO_HOSPITALS[0]!;
    expect(await db.hospital.findUnique({ where: { code: demo.code } })).toEqual(demo);

    const rules = await db.doseIntervalRule.findMany();
    const az = findIntervalRule(rules, 'AZ', 'AZ', '2021-06-22');
    expect(az).toMatchObject({ minDays: 56, maxDays: 84, effectiveFrom: new Date('2021-06-22T00:00:00Z'), effectiveTo: new Date('2021-07-31T00:00:00Z') });

    const elderly = await db.campaignPhase.findUniqueOrThrow({ where: { code: 'elderly' } });
    expect(elderly).toMatchObject({ priorityGroup: 'elderly', provinceCode: null, bookingOpensOn: new Date('2021-05-01T00:00:00Z') });

    expect(await db.vaccineProduct.findUnique({ where: { code: 'PFIZER' } })).toMatchObject({ brand: 'Comirnaty', certificateProductId: 'EU/1/20/1528' });
  });

  it('run again: same counts, no duplicates, and edited rows are put back', async () => {
    const demo = DEMO_HOSPITALS[0]!;
    await db.hospital.update({ where: { code: demo.code }, data: { nameEn: 'Edited', latitude: 1 } });
    await db.vaccineProduct.update({ where: { code: 'AZ' }, data: { brand: 'Edited' } });

    const started = performance.now();
    const second = await seed({ db, ...keys });
    const secondMs = performance.now() - started;
    console.log(`second seed: ${Math.round(secondMs)} ms`);

    expect(second).toEqual(first);
    expect(await counts()).toEqual({
      provinces: first.provinces,
      hospitals: first.hospitals,
      vaccineProducts: first.vaccineProducts,
      intervalRules: first.intervalRules,
      campaignPhases: first.campaignPhases,
    });
    const duplicateRules = await db.$queryRaw<Array<{ n: bigint }>>`
      SELECT count(*) AS n FROM (
        SELECT 1 FROM "dose_interval_rule" GROUP BY "first_product_code", "second_product_code", "effective_from" HAVING count(*) > 1) d`;
    expect(Number(duplicateRules[0]!.n)).toBe(0);
    expect(await db.hospital.findUnique({ where: { code: demo.code } })).toEqual(demo);
    expect((await db.vaccineProduct.findUniqueOrThrow({ where: { code: 'AZ' } })).brand).toBe('Vaxzevria');
  }, 60_000);
});
