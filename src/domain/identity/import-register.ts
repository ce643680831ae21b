/**
 * Import of the population register from a CSV export (Ministry of Interior), streamed so a
 * file of millions of rows never sits in memory.
 *
 * PERSONAL DATA: the file holds national IDs in clear. They must never be logged, printed or
 * stored: each ID is turned into its keyed hash as soon as it is read, error reasons show it
 * masked (x-xxxx-xxxxx-03-0), and every other column (names, addresses) is ignored, because
 * the identity match needs nothing else (data minimisation, PDPA s.22).
 */
import { createReadStream } from 'node:fs';
import { pipeline, type Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { isValidThaiNationalId, normaliseThaiId } from './thai-national-id.js';
import type { PopulationRegisterWriter, RegisterEntry } from './population-register.js';
import { maskIdentityNumber, type PersonalDataCipher } from '../../shared/personal-data.js';

/** Rows written per call to the register: large enough to amortise the round trip. */
const BATCH_SIZE = 1_000;

const ID_COLUMN = 'national_id';
const BIRTH_DATE_COLUMN = 'birth_date';

/** Years above this are Buddhist era (พ.ศ.): 2498 → 1955. No living person was born in 2400 CE. */
const BUDDHIST_ERA_THRESHOLD = 2400;
const BUDDHIST_ERA_OFFSET = 543;
const EARLIEST_BIRTH_DATE = '1900-01-01';

export interface InvalidRegisterRow {
  /** 1-based line in the file (the header is line 1; a quoted multi-line record reports its last line). */
  line: number;
  /** Why the row was skipped; any national ID in it is masked. */
  reason: string;
}

export interface RegisterImportProgress {
  rowsRead: number;
  imported: number;
  invalid: number;
}

export interface ImportRegisterCsvOptions {
  /** Path of the CSV file, or a stream of its bytes (UTF-8; a byte-order mark is allowed). */
  input: Readable | string;
  cipher: Pick<PersonalDataCipher, 'hashIdentity'>;
  register: PopulationRegisterWriter;
  /** Called after each batch is written. */
  onProgress?: (progress: RegisterImportProgress) => void;
  /** Reference time for "birth date in the future" (Thai calendar day); defaults to now. */
  now?: Date;
}

export interface ImportRegisterCsvResult {
  /** Valid rows written (a re-import counts them again but changes nothing). */
  imported: number;
  invalid: InvalidRegisterRow[];
}

/** The file as a whole cannot be imported: unreadable, not CSV, or without the expected header. */
export class RegisterCsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegisterCsvError';
  }
}

/**
 * Imports a register CSV with the header `national_id,birth_date` (other columns are allowed
 * and ignored; column order is free). `birth_date` is YYYY-MM-DD, Gregorian or Buddhist era.
 * Valid rows are upserted by ID hash in batches of 1,000, so a re-import is idempotent and an
 * interrupted import can simply be run again. Invalid rows are skipped and reported by line.
 *
 * Do not log the input rows or anything derived from them except the masked reasons returned
 * here: they contain national IDs in clear.
 *
 * @throws RegisterCsvError when the file cannot be read, is not valid CSV, or lacks the header.
 */
export async function importRegisterCsv(options: ImportRegisterCsvOptions): Promise<ImportRegisterCsvResult> {
  const { cipher, register, onProgress } = options;
  const today = thaiCalendarDate(options.now ?? new Date());
  const source = typeof options.input === 'string' ? createReadStream(options.input) : options.input;
  // pipeline() forwards a read error (missing file…) into the parser, so the loop below sees it.
  const records = pipeline(
    source,
    parse({ bom: true, info: true, trim: true, skip_empty_lines: true, relax_column_count: true }),
    () => {},
  );

  const invalid: InvalidRegisterRow[] = [];
  let imported = 0;
  let rowsRead = 0;
  let columns: { id: number; birthDate: number } | undefined;
  let batch: RegisterEntry[] = [];
  const writer = new OverlappingWriter(async (entries: RegisterEntry[]) => {
    await register.upsertMany(entries);
    imported += entries.length;
    onProgress?.({ rowsRead, imported, invalid: invalid.length });
  });

  try {
    for await (const { record, info } of records as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!columns) {
        columns = findColumns(record);
        continue;
      }
      rowsRead++;
      const row = validateRow(record, columns, today);
      if ('reason' in row) {
        invalid.push({ line: info.lines, reason: row.reason });
        continue;
      }
      batch.push({ idHash: cipher.hashIdentity('THAI_ID', row.nationalId), birthDate: row.birthDate });
      if (batch.length >= BATCH_SIZE) {
        await writer.submit(batch);
        batch = [];
      }
    }
    if (!columns) throw missingHeader();
    if (batch.length > 0) await writer.submit(batch);
    await writer.drain();
  } catch (error) {
    await writer.drain().catch(() => {}); // let a write in flight settle before reporting
    throw asRegisterCsvError(error, typeof options.input === 'string' ? options.input : 'the input') ?? error;
  }
  return { imported, invalid };
}

/**
 * Writes one batch while the next is parsed and hashed, so an import takes about as long as
 * the slower of the two rather than their sum (they are of the same order). At most one write
 * is in flight, so memory stays bounded; a failed write surfaces at the next submit or drain.
 */
class OverlappingWriter<T> {
  private inFlight: Promise<void> = Promise.resolve();

  constructor(private readonly write: (item: T) => Promise<void>) {}

  async submit(item: T): Promise<void> {
    await this.inFlight;
    this.inFlight = this.write(item);
    // Marks the rejection as handled while we parse; it is rethrown by the next await.
    this.inFlight.catch(() => {});
  }

  drain(): Promise<void> {
    return this.inFlight;
  }
}

/**
 * Reads a birth date as written in Thai registers: YYYY-MM-DD with a Gregorian or
 * Buddhist-era year. Returns the Gregorian YYYY-MM-DD or why it is not acceptable.
 */
export function parseRegisterBirthDate(value: string, today: string): { date: string } | { reason: string } {
  const parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!parts) return { reason: `${BIRTH_DATE_COLUMN} is not YYYY-MM-DD` };
  const [year, month, day] = parts.slice(1).map(Number) as [number, number, number];
  const gregorianYear = year > BUDDHIST_ERA_THRESHOLD ? year - BUDDHIST_ERA_OFFSET : year;
  const date = new Date(Date.UTC(gregorianYear, month - 1, day));
  // Date.UTC rolls 31 April over to 1 May: a round trip that changes the day means no such date.
  if (date.getUTCFullYear() !== gregorianYear || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return { reason: `${BIRTH_DATE_COLUMN} is not a calendar date` };
  }
  const iso = date.toISOString().slice(0, 10);
  if (iso < EARLIEST_BIRTH_DATE) return { reason: `${BIRTH_DATE_COLUMN} is before 1900` };
  if (iso > today) return { reason: `${BIRTH_DATE_COLUMN} is in the future` };
  return { date: iso };
}

function findColumns(header: string[]): { id: number; birthDate: number } {
  const names = header.map((name) => name.trim().toLowerCase());
  const id = names.indexOf(ID_COLUMN);
  const birthDate = names.indexOf(BIRTH_DATE_COLUMN);
  if (id < 0 || birthDate < 0) throw missingHeader();
  return { id, birthDate };
}

function missingHeader(): RegisterCsvError {
  // Never quote the first line back: without a header it is a row with an ID in clear.
  return new RegisterCsvError(`missing header: the first line must name the columns ${ID_COLUMN} and ${BIRTH_DATE_COLUMN}`);
}

function validateRow(
  record: string[],
  columns: { id: number; birthDate: number },
  today: string,
): { nationalId: string; birthDate: string } | { reason: string } {
  const rawId = record[columns.id];
  const rawBirthDate = record[columns.birthDate];
  if (rawId === undefined) return { reason: `missing ${ID_COLUMN} column` };
  if (rawBirthDate === undefined) return { reason: `missing ${BIRTH_DATE_COLUMN} column` };

  const nationalId = normaliseThaiId(rawId);
  if (nationalId === '') return { reason: `${ID_COLUMN} is empty` };
  // Only a 13-digit value can be masked safely; anything else is described, never shown.
  if (!/^\d{13}$/.test(nationalId)) return { reason: `${ID_COLUMN} is not 13 digits` };
  const masked = maskIdentityNumber('THAI_ID', nationalId);
  if (!isValidThaiNationalId(nationalId)) return { reason: `${ID_COLUMN} ${masked}: check digit is wrong` };

  if (rawBirthDate === '') return { reason: `${ID_COLUMN} ${masked}: ${BIRTH_DATE_COLUMN} is empty` };
  const birthDate = parseRegisterBirthDate(rawBirthDate, today);
  if ('reason' in birthDate) return { reason: `${ID_COLUMN} ${masked}: ${birthDate.reason}` };
  return { nationalId, birthDate: birthDate.date };
}

/** Today's date in Thailand (UTC+7 all year): a baby born at 00:30 Bangkok time is not "in the future". */
function thaiCalendarDate(now: Date): string {
  return new Date(now.getTime() + 7 * 3_600_000).toISOString().slice(0, 10);
}

/** Turns parser and file errors into RegisterCsvError; database errors pass through unchanged. */
function asRegisterCsvError(error: unknown, inputName: string): RegisterCsvError | undefined {
  if (error instanceof CsvError) {
    // Not csv-parse's message: some quote the offending field, which may be an ID.
    const line = typeof error.lines === 'number' ? ` at line ${error.lines}` : '';
    return new RegisterCsvError(`unreadable CSV${line} (${error.code})`);
  }
  const { code, syscall } = (error ?? {}) as NodeJS.ErrnoException;
  if (syscall === 'open' || syscall === 'read') {
    return new RegisterCsvError(code === 'ENOENT' ? `file not found: ${inputName}` : `cannot read ${inputName} (${code})`);
  }
  return undefined;
}
