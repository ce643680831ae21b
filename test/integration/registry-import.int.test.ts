/**
 * Register import against a real PostgreSQL: validation, hashing, idempotent upserts and the
 * CLI's exit codes. Each run gets a fresh database (test/support/database.ts).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { PrismaPg } from '@prisma/adapter-pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaClient } from '../../src/generated/prisma/client.js';
import { PostgresPopulationRegister } from '../../src/db/repositories/population-register.repository.js';
import { importRegisterCsv, RegisterCsvError } from '../../src/domain/identity/import-register.js';
import { matchIdentity } from '../../src/domain/identity/population-register.js';
import { createPersonalDataCipher } from '../../src/shared/personal-data.js';
import {
  DEMO_PERSON,
  DEMO_PERSON_UNDER_60,
  generateDemoPeople,
  type DemoPerson,
} from '../../prisma/data/demo-people.js';
import { createTestDatabase } from '../support/database.js';

const HASH_KEY_HEX = '11'.repeat(32);
const ENCRYPTION_KEY_HEX = '22'.repeat(32);
const cipher = createPersonalDataCipher({
  hashKey: Buffer.from(HASH_KEY_HEX, 'hex'),
  encryptionKey: Buffer.from(ENCRYPTION_KEY_HEX, 'hex'),
});
/** Fixed "today" so the future-date row stays in the future. */
const NOW = new Date('2026-11-25T03:00:00Z');

const demoPeople = generateDemoPeople(6);
function demoPerson(index: number): DemoPerson {
  const person = demoPeople[index];
  if (!person) throw new RangeError(`no demo person ${index}`);
  return person;
}
const badDatePerson = demoPerson(2);
const futurePerson = demoPerson(3);
const noDatePerson = demoPerson(4);
const dashedPerson = demoPerson(5);

/** Columns shuffled and padded with names, as in a real export; rows 4–7 are invalid. */
const SMALL_CSV = [
  'first_name,national_id,last_name,birth_date', //                      line 1
  `สมชาย,${DEMO_PERSON.nationalId},ใจดี,${DEMO_PERSON.birthDate}`, //     line 2: valid
  `พิมพ์ชนก,${DEMO_PERSON_UNDER_60.nationalId},แสงทอง,2539-03-15`, //     line 3: valid, Buddhist era
  'ก,1101700207031,ข,1955-04-12', //                                      line 4: wrong check digit
  `ก,${badDatePerson.nationalId},ข,1955-02-30`, //                       line 5: no such date
  `ก,${futurePerson.nationalId},ข,2027-01-01`, //                         line 6: in the future
  `ก,${noDatePerson.nationalId},ข`, //                                    line 7: birth_date missing
  `ก,${formatWithDashes(dashedPerson.nationalId)},ข,${dashedPerson.birthDate}`, // line 8: valid, with dashes
].join('\n');
const CLEAR_IDS = demoPeople.map((p) => p.nationalId);

function formatWithDashes(id: string): string {
  return `${id.slice(0, 1)}-${id.slice(1, 5)}-${id.slice(5, 10)}-${id.slice(10, 12)}-${id.slice(12)}`;
}

let database: { url: string; drop(): Promise<void> };
let prisma: PrismaClient;
let register: PostgresPopulationRegister;
let workDir: string;

beforeAll(async () => {
  database = await createTestDatabase();
  prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url }) });
  register = new PostgresPopulationRegister(prisma);
  workDir = await mkdtemp(join(tmpdir(), 'registry-import-'));
}, 120_000);

afterAll(async () => {
  await prisma?.$disconnect();
  await database?.drop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function importCsv(csv: string) {
  return importRegisterCsv({ input: Readable.from([csv]), cipher, register, now: NOW });
}

async function registryRows(): Promise<{ idHash: string; birthDate: string; importedAt: string }[]> {
  return prisma.$queryRaw`
    SELECT id_hash AS "idHash", to_char(birth_date, 'YYYY-MM-DD') AS "birthDate", imported_at::text AS "importedAt"
    FROM registry_entry ORDER BY id_hash`;
}

describe('importRegisterCsv', () => {
  it('imports the valid rows and reports the invalid ones by line, IDs masked', async () => {
    const result = await importCsv(SMALL_CSV);

    expect(result.imported).toBe(3);
    expect(result.invalid.map((row) => row.line)).toEqual([4, 5, 6, 7]);
    const [badCheckDigit, badDate, futureDate, missingColumn] = result.invalid.map((row) => row.reason);
    expect(badCheckDigit).toBe('national_id x-xxxx-xxxxx-03-1: check digit is wrong');
    expect(badDate).toMatch(/birth_date is not a calendar date/);
    expect(futureDate).toMatch(/birth_date is in the future/);
    expect(missingColumn).toBe('missing birth_date column');
    for (const { reason } of result.invalid) expect(reason).not.toMatch(/\d{13}/);
  });

  it('stores hashes and birth dates only, converting Buddhist-era years', async () => {
    const rows = await registryRows();
    expect(rows).toHaveLength(3);

    const storedText: string[] = await prisma.$queryRaw<{ row: string }[]>`
      SELECT registry_entry::text AS row FROM registry_entry`.then((r) => r.map((x) => x.row));
    for (const text of storedText) {
      for (const id of CLEAR_IDS) expect(text).not.toContain(id);
    }

    const lookup = (id: string) => register.lookup(cipher.hashIdentity('THAI_ID', id));
    expect(await lookup(DEMO_PERSON.nationalId)).toEqual({ birthDate: '1955-04-12' });
    expect(await lookup(DEMO_PERSON_UNDER_60.nationalId)).toEqual({ birthDate: '1996-03-15' });
    expect(await lookup(dashedPerson.nationalId)).toEqual({ birthDate: dashedPerson.birthDate });
    expect(await lookup(badDatePerson.nationalId)).toBeNull();

    expect(matchIdentity(await lookup(DEMO_PERSON.nationalId), '1955-04-12')).toBe('match');
    expect(matchIdentity(await lookup(DEMO_PERSON.nationalId), '1955-04-13')).toBe('mismatch');
    expect(matchIdentity(await lookup(badDatePerson.nationalId), '1955-04-12')).toBe('unknown');
  });

  it('is idempotent: a re-import leaves every row as it was', async () => {
    const before = await registryRows();
    const result = await importCsv(SMALL_CSV);
    expect(result.imported).toBe(3);
    expect(await registryRows()).toEqual(before);
  });

  it('updates a changed birth date, the last occurrence in a file winning', async () => {
    const id = DEMO_PERSON_UNDER_60.nationalId;
    await importCsv(`national_id,birth_date\n${id},1996-03-16\n${id},1996-03-17\n`);
    expect(await register.lookup(cipher.hashIdentity('THAI_ID', id))).toEqual({ birthDate: '1996-03-17' });
    await importCsv(`national_id,birth_date\n${id},${DEMO_PERSON_UNDER_60.birthDate}\n`);
  });

  it('writes in batches and reports progress', async () => {
    const people = generateDemoPeople(2_500);
    const csv = ['national_id,birth_date', ...people.map((p) => `${p.nationalId},${p.birthDate}`)].join('\n');
    const progress: number[] = [];
    const result = await importRegisterCsv({
      input: Readable.from([csv]),
      cipher,
      register,
      now: NOW,
      onProgress: ({ imported }) => progress.push(imported),
    });
    expect(result).toEqual({ imported: 2_500, invalid: [] });
    expect(progress).toEqual([1_000, 2_000, 2_500]);
    // The 2,500 include the three people imported above, so they add 2,497 rows.
    expect(await registryRows()).toHaveLength(2_500);
  });

  it('rejects a file without the header, without echoing its first line', async () => {
    const error = await importCsv(`${DEMO_PERSON.nationalId},${DEMO_PERSON.birthDate}\n`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegisterCsvError);
    expect((error as Error).message).toMatch(/missing header/);
    expect((error as Error).message).not.toContain(DEMO_PERSON.nationalId);
    await expect(importCsv('')).rejects.toThrow(/missing header/);
  });

  it('rejects malformed CSV as unreadable', async () => {
    await expect(importCsv(`national_id,birth_date\n"${DEMO_PERSON.nationalId},1955-04-12\n`)).rejects.toThrow(
      RegisterCsvError,
    );
  });
});

describe('npm run registry:import (CLI)', () => {
  const run = promisify(execFile);

  async function cli(args: string[], env: Record<string, string | undefined> = {}) {
    try {
      const { stdout, stderr } = await run('npx', ['tsx', 'src/cli/registry-import.ts', ...args], {
        env: {
          ...process.env,
          DATABASE_URL: database.url,
          ID_HASH_KEY: HASH_KEY_HEX,
          ID_ENCRYPTION_KEY: ENCRYPTION_KEY_HEX,
          ...env,
        },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
      return { code, stdout, stderr };
    }
  }

  async function csvFile(name: string, content: string): Promise<string> {
    const path = join(workDir, name);
    await writeFile(path, content);
    return path;
  }

  it('exits 1 and names the file when it does not exist', async () => {
    const missing = join(workDir, 'no-such-file.csv');
    const { code, stderr } = await cli([missing]);
    expect(code).toBe(1);
    expect(stderr).toContain(`file not found: ${missing}`);
  }, 30_000);

  it('exits 1 and names the setting when ID_HASH_KEY is missing', async () => {
    const { code, stderr } = await cli([await csvFile('ok.csv', SMALL_CSV)], { ID_HASH_KEY: undefined });
    expect(code).toBe(1);
    expect(stderr).toContain('ID_HASH_KEY');
  }, 30_000);

  it('exits 1 when the header is missing', async () => {
    const { code, stderr } = await cli([await csvFile('no-header.csv', `${DEMO_PERSON.nationalId},1955-04-12\n`)]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/missing header/);
    expect(stderr).not.toContain(DEMO_PERSON.nationalId);
  }, 30_000);

  it('exits 0 and prints counts and masked invalid lines', async () => {
    const { code, stdout } = await cli([await csvFile('small.csv', SMALL_CSV)]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/3 rows imported, 4 invalid/);
    expect(stdout).toMatch(/line 4: national_id x-xxxx-xxxxx-03-1: check digit is wrong/);
    for (const id of CLEAR_IDS) expect(stdout).not.toContain(id);
  }, 30_000);

  it('exits 2 when every row is invalid', async () => {
    const { code } = await cli([await csvFile('all-bad.csv', 'national_id,birth_date\n1101700207031,1955-04-12\n')]);
    expect(code).toBe(2);
  }, 30_000);
});
