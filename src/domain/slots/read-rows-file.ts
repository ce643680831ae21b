/**
 * Reads the rows of a slots or allocations file for the import CLI: a CSV with a header line
 * (snake_case or camelCase column names) or a JSON array of objects. Cells stay as text; the
 * row validators convert them. A file that cannot be read or parsed as a whole is a
 * RowsFileError (the CLI exits 1); a bad row is not, it is reported by the import.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';

export class RowsFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RowsFileError';
  }
}

const camel = (name: string) => name.trim().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * @param requiredColumns CSV columns that must be in the header, e.g. hospital_code (hospitalCode also matches).
 */
export async function readRowsFile(path: string, requiredColumns: readonly string[]): Promise<{ rows: unknown[]; format: 'csv' | 'json' }> {
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new RowsFileError(code === 'ENOENT' ? `file not found: ${path}` : `cannot read ${path}: ${code ?? String(error)}`);
  }
  content = content.replace(/^\uFEFF/, ''); // a byte-order mark from spreadsheet exports
  if (/\.json$/i.test(path) || /^\s*\[/.test(content)) return { rows: parseJsonRows(path, content), format: 'json' };
  return { rows: parseCsvRows(path, content, requiredColumns), format: 'csv' };
}

function parseJsonRows(path: string, content: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch (error) {
    throw new RowsFileError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new RowsFileError(`${path} must hold a JSON array of rows`);
  return parsed.map((row: unknown) =>
    row && typeof row === 'object' && !Array.isArray(row) ? Object.fromEntries(Object.entries(row).map(([k, v]) => [camel(k), v])) : row,
  );
}

function parseCsvRows(path: string, content: string, requiredColumns: readonly string[]): unknown[] {
  let records: Record<string, string>[];
  try {
    records = parse(content, {
      columns: (header: string[]) => header.map(camel),
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
    });
  } catch (error) {
    throw new RowsFileError(`${path} is not readable CSV: ${(error as Error).message}`);
  }
  if (content.trim() === '') throw new RowsFileError(`${path} is empty: expected a header line (${requiredColumns.join(',')})`);
  const header = Object.keys(records[0] ?? {});
  const firstLine = content.split(/\r?\n/, 1)[0] ?? '';
  const columns = records.length > 0 ? header : firstLine.split(',').map(camel);
  const missing = requiredColumns.filter((c) => !columns.includes(camel(c)));
  if (missing.length > 0) throw new RowsFileError(`${path}: missing header column(s) ${missing.join(', ')}`);
  return records;
}
