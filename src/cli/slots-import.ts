/**
 * npm run slots:import -- <file>                  open, resize or close slots
 * npm run slots:import -- --allocations <file>    set doses allocated per hospital and product
 *
 * Slots file: CSV with the header hospital_code,product_code,date,start_time,end_time,capacity
 * (and optionally action: open | close), or a JSON array of the same rows (camelCase or
 * snake_case keys). Allocations file: hospital_code,product_code,doses, or a JSON array.
 * Valid rows are applied, invalid ones are printed with their row number and reason; running
 * the same file again changes nothing. Closing or shrinking a booked slot moves its people to
 * "needs rebooking" and plans a rebooking offer for each (see src/domain/slots/open-slots.ts).
 *
 * Exit codes: 0 every row valid, 2 some rows invalid (the valid ones were applied),
 * 1 missing or unreadable file, bad settings, or a database failure.
 */
import { ConfigError, parseEnvFields } from '../config/env.js';
import { createDatabaseClient } from '../db/client.js';
import { openSlots } from '../domain/slots/open-slots.js';
import { setAllocations } from '../domain/slots/set-allocations.js';
import { readRowsFile, RowsFileError } from '../domain/slots/read-rows-file.js';
import type { InvalidRow } from '../domain/slots/slot-rows.js';

const USAGE = 'usage: npm run slots:import -- [--allocations] <file.csv|file.json>';
const MAX_INVALID_SHOWN = 100;
const ACTOR = 'admin:cli';

async function main(args: readonly string[]): Promise<number> {
  const allocations = args.includes('--allocations');
  const files = args.filter((a) => a !== '--allocations');
  const unknownFlag = files.find((a) => a.startsWith('--'));
  if (files.length !== 1 || unknownFlag) {
    console.error(unknownFlag ? `slots:import: unknown option ${unknownFlag}\n${USAGE}` : USAGE);
    return 1;
  }
  const file = files[0]!;
  const env = readSettings();
  if (!env) return 1;

  let rows: unknown[];
  try {
    ({ rows } = await readRowsFile(file, allocations ? ['hospital_code', 'product_code', 'doses'] : ['hospital_code', 'product_code', 'date', 'start_time']));
  } catch (error) {
    if (!(error instanceof RowsFileError)) throw error;
    console.error(`slots:import: ${error.message}`);
    return 1;
  }

  const db = createDatabaseClient({ url: env.DATABASE_URL, poolSize: 2 });
  try {
    const now = new Date();
    if (allocations) {
      const result = await setAllocations({ db, rows, now });
      console.log(`${file}: ${result.applied} allocations set, ${result.unchanged} unchanged, ${result.invalid.length} invalid`);
      printInvalid(result.invalid);
      return result.invalid.length > 0 ? 2 : 0;
    }
    const result = await openSlots({ db, rows, actor: ACTOR, now });
    console.log(
      `${file}: ${result.applied} applied, ${result.unchanged} unchanged, ${result.invalid.length} invalid` +
        (result.movedToRebooking > 0 ? `; ${result.movedToRebooking} appointment(s) moved to needs-rebooking (offers planned)` : ''),
    );
    printInvalid(result.invalid);
    return result.invalid.length > 0 ? 2 : 0;
  } catch (error) {
    console.error(`slots:import failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await db.$disconnect();
  }
}

function readSettings() {
  try {
    return parseEnvFields(['DATABASE_URL']);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return undefined;
  }
}

/** Row numbers count data rows from 1 (a CSV's header is not a row). */
function printInvalid(invalid: readonly InvalidRow[]): void {
  for (const { row, reason } of invalid.slice(0, MAX_INVALID_SHOWN)) console.log(`  row ${row}: ${reason}`);
  if (invalid.length > MAX_INVALID_SHOWN) console.log(`  … and ${invalid.length - MAX_INVALID_SHOWN} more invalid rows`);
}

process.exitCode = await main(process.argv.slice(2));
