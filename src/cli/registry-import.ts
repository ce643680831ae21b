/**
 * npm run registry:import -- <file.csv>
 *
 * Loads a population-register export (header `national_id,birth_date`, other columns ignored)
 * into registry_entry as keyed hashes. Composition root: reads only the settings it needs,
 * so a missing one is named without asking for the whole web-server configuration.
 *
 * Exit codes: 0 imported (some rows may be invalid), 1 configuration, file or CSV problem,
 * 2 every row was invalid (probably the wrong file or date format).
 */
import { PrismaPg } from '@prisma/adapter-pg';
import { ConfigError, parseEnvFields } from '../config/env.js';
import { PrismaClient } from '../generated/prisma/client.js';
import { PostgresPopulationRegister } from '../db/repositories/population-register.repository.js';
import { importRegisterCsv, RegisterCsvError, type ImportRegisterCsvResult } from '../domain/identity/import-register.js';
import { createPersonalDataCipher, maskThaiIdsInText } from '../shared/personal-data.js';

const MAX_INVALID_SHOWN = 50;
const PROGRESS_EVERY_ROWS = 100_000;

async function main(args: readonly string[]): Promise<number> {
  const file = args[0];
  if (!file) {
    console.error('usage: npm run registry:import -- <file.csv>');
    return 1;
  }
  const env = readSettings();
  if (!env) return 1;

  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: env.DATABASE_URL }) });
  try {
    let nextProgressAt = PROGRESS_EVERY_ROWS;
    const result = await importRegisterCsv({
      input: file,
      cipher: createPersonalDataCipher({ hashKey: env.ID_HASH_KEY, encryptionKey: env.ID_ENCRYPTION_KEY }),
      register: new PostgresPopulationRegister(prisma),
      onProgress: ({ rowsRead, imported, invalid }) => {
        if (rowsRead < nextProgressAt) return;
        nextProgressAt += PROGRESS_EVERY_ROWS;
        console.error(`… ${rowsRead} rows read, ${imported} imported, ${invalid} invalid`);
      },
    });
    printReport(file, result);
    return result.imported === 0 && result.invalid.length > 0 ? 2 : 0;
  } catch (error) {
    if (error instanceof RegisterCsvError) {
      console.error(`registry:import: ${error.message}`);
      return 1;
    }
    // Database and other failures: the message may echo data, so mask any ID in it.
    console.error(`registry:import failed: ${maskThaiIdsInText(error instanceof Error ? error.message : String(error))}`);
    return 1;
  } finally {
    await prisma.$disconnect();
  }
}

/** Only what this CLI needs, so a missing setting is named without the whole server config. */
function readSettings() {
  try {
    return parseEnvFields(['DATABASE_URL', 'ID_HASH_KEY', 'ID_ENCRYPTION_KEY']);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return undefined;
  }
}

function printReport(file: string, { imported, invalid }: ImportRegisterCsvResult): void {
  console.log(`${file}: ${imported} rows imported, ${invalid.length} invalid`);
  for (const row of invalid.slice(0, MAX_INVALID_SHOWN)) console.log(`  line ${row.line}: ${row.reason}`);
  if (invalid.length > MAX_INVALID_SHOWN) console.log(`  … and ${invalid.length - MAX_INVALID_SHOWN} more invalid rows`);
  if (imported === 0 && invalid.length > 0) console.error('registry:import: every row was invalid; nothing imported');
}

process.exitCode = await main(process.argv.slice(2));
