/**
 * `npm run slots:import` as an admin runs it: the script in a child process against a fresh
 * seeded database, files on disk. Exit codes: 0 all valid, 2 some invalid (valid applied),
 * 1 unusable file or settings. The script uses the real clock, so the dates are relative to today.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabaseClient, type PrismaClient } from '../../src/db/client.js';
import { addDays } from '../../src/domain/vaccination/interval-rules.js';
import { bangkokToday } from '../../src/shared/clock.js';
import { seed } from '../../prisma/seed.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const run = promisify(execFile);
const DAY = addDays(bangkokToday(new Date()), 2);

let database: TestDatabase;
let db: PrismaClient;
let workDir: string;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDatabaseClient({ url: database.url, poolSize: 2 });
  await seed({ db, hashKey: Buffer.alloc(32, 1), encryptionKey: Buffer.alloc(32, 2) });
  workDir = await mkdtemp(join(tmpdir(), 'slots-import-'));
}, 120_000);

afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function cli(args: string[], env: Record<string, string | undefined> = {}) {
  try {
    const { stdout, stderr } = await run('npx', ['tsx', 'src/cli/slots-import.ts', ...args], { env: { ...process.env, DATABASE_URL: database.url, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

async function file(name: string, content: string): Promise<string> {
  const path = join(workDir, name);
  await writeFile(path, content);
  return path;
}

const HEADER = 'hospital_code,product_code,date,start_time,end_time,capacity';

describe('npm run slots:import', () => {
  it('exits 1 with a message for a missing file, a missing setting, no file, or a bad header', async () => {
    const missing = join(workDir, 'nope.csv');
    const noFile = await cli([missing]);
    expect(noFile).toMatchObject({ code: 1 });
    expect(noFile.stderr).toContain(`file not found: ${missing}`);

    const noDb = await cli([missing], { DATABASE_URL: '' });
    expect(noDb.code).toBe(1);
    expect(noDb.stderr).toContain('DATABASE_URL');

    const usage = await cli([]);
    expect(usage.code).toBe(1);
    expect(usage.stderr).toContain('usage: npm run slots:import');

    const badHeader = await cli([await file('bad-header.csv', `hospital,product,date,start\n10001,AZ,${DAY},09:00\n`)]);
    expect(badHeader.code).toBe(1);
    expect(badHeader.stderr).toContain('missing header column(s) hospital_code, product_code, start_time');

    const badJson = await cli([await file('bad.json', '[{"hospitalCode": ')]);
    expect(badJson.code).toBe(1);
    expect(badJson.stderr).toMatch(/is not valid JSON/);
  }, 60_000);

  it('sets allocations with --allocations, then opens slots idempotently (exit 0)', async () => {
    const allocations = await cli(['--allocations', await file('stock.csv', 'hospital_code,product_code,doses\n10001,AZ,100\n10001,PFIZER,50\n')]);
    expect(allocations.code).toBe(0);
    expect(allocations.stdout).toContain('2 allocations set, 0 unchanged, 0 invalid');

    const csv = [HEADER, `10001,AZ,${DAY},09:00,10:30,30`, `10001,AZ,${DAY},10:30,12:00,30`, `10001,PFIZER,${DAY},13:00,14:30,25`].join('\n');
    const path = await file('slots.csv', `${csv}\n`);
    const first = await cli([path]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('3 applied, 0 unchanged, 0 invalid');
    const second = await cli([path]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('0 applied, 3 unchanged, 0 invalid');
    expect(await db.slot.count({ where: { hospitalCode: '10001' } })).toBe(3);
  }, 60_000);

  it('applies the valid rows and exits 2 listing each invalid row', async () => {
    const csv = [
      `${HEADER},action`,
      `10001,AZ,${DAY},13:00,14:30,40,`, //              row 1: 60 + 40 = 100, fits
      `10001,AZ,${DAY},14:30,16:00,10,`, //              row 2: would make 110 > 100
      `10001,AZ,2020-01-01,09:00,10:30,10,`, //          row 3: past
      `10001,AZ,${DAY},9am,10:30,10,`, //                row 4: bad time
      `10001,PFIZER,${DAY},13:00,,,close`, //            row 5: close, valid
    ].join('\n');
    const result = await cli([await file('mixed.csv', csv)]);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('2 applied, 0 unchanged, 3 invalid');
    expect(result.stdout).toMatch(/row 2: capacity 10 would put 110 doses of AZ in open slots at hospital 10001; its allocation is 100/);
    expect(result.stdout).toMatch(/row 3: date 2020-01-01 is in the past/);
    expect(result.stdout).toContain('row 4: startTime must be HH:MM (00:00-23:59)');
    const slots = await db.slot.findMany({ where: { hospitalCode: '10001' }, orderBy: { startTime: 'asc' } });
    expect(slots.map((s) => [s.productCode, s.startTime, s.capacity, s.status])).toEqual([
      ['AZ', '09:00', 30, 'OPEN'],
      ['AZ', '10:30', 30, 'OPEN'],
      ['AZ', '13:00', 40, 'OPEN'],
      ['PFIZER', '13:00', 25, 'CLOSED'],
    ]);
  }, 60_000);

  it('reads a JSON array with camelCase or snake_case keys', async () => {
    const rows = [
      { hospitalCode: '10001', productCode: 'PFIZER', date: DAY, startTime: '13:00', endTime: '14:30', capacity: 20 },
      { hospital_code: '10001', product_code: 'PFIZER', date: DAY, start_time: '14:30', end_time: '16:00', capacity: 20 },
    ];
    const result = await cli([await file('slots.json', JSON.stringify(rows))]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('2 applied, 0 unchanged, 0 invalid');
  }, 60_000);
});
