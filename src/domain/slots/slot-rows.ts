/**
 * The rows admins send to open, resize or close slots (CSV import, admin API, demo seed) and
 * their validation. Validation is in two steps: the shape of one row here (pure: a real date
 * that is not in the past in Asia/Bangkok, HH:MM times, start before end, a whole capacity),
 * then the reference checks (known hospital and product) against the database in open-slots.
 * Every refusal is a sentence an admin can act on, naming the field and the value.
 */
import { z } from 'zod';
import { bangkokInstant, bangkokToday } from '../../shared/clock.js';

export const MAX_SLOT_CAPACITY = 10_000;

/** One row as it arrives: JSON numbers, or CSV strings (converted here). */
export interface SlotRowInput {
  hospitalCode?: unknown;
  productCode?: unknown;
  date?: unknown;
  startTime?: unknown;
  endTime?: unknown;
  capacity?: unknown;
  /** 'open' (default) or 'close'; status 'CLOSED' is accepted as 'close'. */
  action?: unknown;
  status?: unknown;
}

export type SlotRowAction = 'open' | 'close';

/** A row whose shape is valid; `row` is its 1-based position in the input. */
export interface SlotRow {
  row: number;
  action: SlotRowAction;
  hospitalCode: string;
  productCode: string;
  /** YYYY-MM-DD, Asia/Bangkok */
  date: string;
  startTime: string;
  /** Absent only on 'close' rows (the slot is found by its natural key). */
  endTime?: string;
  capacity?: number;
}

export interface InvalidRow {
  /** 1-based position in the input (the CSV line is row + 1, after the header). */
  row: number;
  reason: string;
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** CSV cells arrive as strings: trim them, and turn empty cells into "missing". */
const cell = (value: unknown) => {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
};

const required = (field: string) => ({ error: (issue: { input: unknown }) => (issue.input === undefined ? `${field} is missing` : `${field} must be text`) });

/** True when `day` (YYYY-MM-DD) names a day of the Gregorian calendar (no 30 February). */
export function isCalendarDate(day: string): boolean {
  const m = DATE.exec(day);
  if (!m) return false;
  const [year, month, date] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(Date.UTC(year, month - 1, date));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === date;
}

const rowSchema = z.object({
  action: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim().toLowerCase() : v),
    z.enum(['open', 'close', 'closed'], { error: 'action must be "open" or "close"' }).transform((v) => (v === 'closed' ? 'close' : v)),
  ),
  hospitalCode: z.preprocess(cell, z.string(required('hospitalCode')).regex(/^\d{5}$/, 'hospitalCode must be 5 digits')),
  productCode: z.preprocess(
    (v) => (typeof cell(v) === 'string' ? (cell(v) as string).toUpperCase() : cell(v)),
    z.string(required('productCode')).regex(/^[A-Z0-9_-]{1,20}$/, 'productCode must be a product code such as AZ or PFIZER'),
  ),
  date: z.preprocess(
    cell,
    z.string(required('date')).refine((v) => DATE.test(v), { error: 'date must be YYYY-MM-DD', abort: true }).refine(isCalendarDate, { error: (i) => `date ${String(i.input)} is not a calendar date` }),
  ),
  startTime: z.preprocess(cell, z.string(required('startTime')).regex(TIME, 'startTime must be HH:MM (00:00-23:59)')),
  endTime: z.preprocess(cell, z.string('endTime must be text').regex(TIME, 'endTime must be HH:MM (00:00-23:59)').optional()),
  capacity: z.preprocess(
    (v) => {
      const c = cell(v);
      return typeof c === 'string' && /^-?\d+(\.\d+)?$/.test(c) ? Number(c) : c;
    },
    z
      .number({ error: (i) => (i.input === undefined ? 'capacity is missing' : 'capacity must be a whole number') })
      .int('capacity must be a whole number')
      .min(1, 'capacity must be at least 1 (close the slot instead)')
      .max(MAX_SLOT_CAPACITY, `capacity must be at most ${MAX_SLOT_CAPACITY}`)
      .optional(),
  ),
});

/**
 * Checks the shape of one row. `now` decides what "the past" is: a slot dated before today in
 * Bangkok, or today with a start time already gone, cannot be opened or closed (its bookings,
 * if any, are history).
 */
export function validateSlotRow(input: unknown, row: number, now: Date): SlotRowCheck {
  return slotRowValidator(now)(input, row);
}

export type SlotRowCheck = { ok: true; value: SlotRow } | { ok: false; invalid: InvalidRow };

/**
 * validateSlotRow for many rows at one instant: "today in Bangkok" is worked out once (the
 * time-zone conversion costs more than the rest of a row's checks).
 */
export function slotRowValidator(now: Date): (input: unknown, row: number) => SlotRowCheck {
  const today = bangkokToday(now);
  return (input, row) => checkRow(input, row, now, today);
}

function checkRow(input: unknown, row: number, now: Date, today: string): SlotRowCheck {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, invalid: { row, reason: 'row must be an object with hospitalCode, productCode, date, startTime, endTime, capacity' } };
  }
  const raw = input as SlotRowInput;
  const status = typeof raw.status === 'string' ? raw.status.trim().toUpperCase() : undefined;
  const action = cell(raw.action) ?? (status === 'CLOSED' ? 'close' : status === 'OPEN' || status === undefined ? 'open' : raw.status);
  const parsed = rowSchema.safeParse({ ...raw, action });
  if (!parsed.success) {
    const reasons = [...new Set(parsed.error.issues.map((i) => i.message))];
    return { ok: false, invalid: { row, reason: reasons.join('; ') } };
  }
  const v = parsed.data;
  const fail = (reason: string) => ({ ok: false as const, invalid: { row, reason } });
  if (v.action === 'open') {
    if (v.endTime === undefined) return fail('endTime is missing');
    if (v.capacity === undefined) return fail('capacity is missing');
    if (v.startTime >= v.endTime) return fail(`startTime ${v.startTime} must be before endTime ${v.endTime}`);
  }
  if (v.date < today) return fail(`date ${v.date} is in the past (today in Bangkok is ${today})`);
  if (v.date === today && bangkokInstant(v.date, v.startTime).getTime() <= now.getTime()) {
    return fail(`the slot ${v.date} ${v.startTime} has already started`);
  }
  const value: SlotRow = { row, action: v.action, hospitalCode: v.hospitalCode, productCode: v.productCode, date: v.date, startTime: v.startTime };
  if (v.endTime !== undefined) value.endTime = v.endTime;
  if (v.capacity !== undefined) value.capacity = v.capacity;
  return { ok: true, value };
}

/** The natural key an import upserts by. */
export function slotKey(row: { hospitalCode: string; date: string; startTime: string; productCode: string }): string {
  return `${row.hospitalCode}|${row.date}|${row.startTime}|${row.productCode}`;
}
