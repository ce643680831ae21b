/**
 * Sets the doses allocated to hospitals per product (vaccine stock). An allocation can grow
 * freely; it can shrink only down to what the hospital's open slots for that product already
 * offer from today on: lowering it further is refused with the figures, so an admin first
 * closes or shrinks slots (which moves their bookings to rebooking, visibly). The check runs
 * under the allocation's row lock, the same lock open-slots takes, so the two never race.
 */
import { z } from 'zod';
import type { PrismaClient } from '../../db/client.js';
import { bangkokToday } from '../../shared/clock.js';
import { loadKnownCodes, unknownCodeReason } from './load-references.js';
import { runSlotTransaction } from './run-transaction.js';
import type { InvalidRow } from './slot-rows.js';

export const MAX_ALLOCATION = 100_000_000;

export interface AllocationRow {
  hospitalCode: string;
  productCode: string;
  doses: number;
}

export interface SetAllocationsResult {
  applied: number;
  unchanged: number;
  invalid: InvalidRow[];
}

const text = (field: string) =>
  z.preprocess((v) => (typeof v === 'string' ? v.trim() : v), z.string({ error: (i) => (i.input === undefined ? `${field} is missing` : `${field} must be text`) }));

const allocationRowSchema = z.object({
  hospitalCode: text('hospitalCode').pipe(z.string().regex(/^\d{5}$/, 'hospitalCode must be 5 digits')),
  productCode: text('productCode').pipe(z.string().transform((v) => v.toUpperCase()).pipe(z.string().regex(/^[A-Z0-9_-]{1,20}$/, 'productCode must be a product code such as AZ'))),
  doses: z.preprocess(
    (v) => (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v),
    z
      .number({ error: (i) => (i.input === undefined ? 'doses is missing' : 'doses must be a whole number') })
      .int('doses must be a whole number')
      .min(0, 'doses must be 0 or more')
      .max(MAX_ALLOCATION, `doses must be at most ${MAX_ALLOCATION}`),
  ),
});

/** Checks the shape of one allocation row (`row` is 1-based). */
export function validateAllocationRow(input: unknown, row: number): { ok: true; value: AllocationRow } | { ok: false; invalid: InvalidRow } {
  const parsed = allocationRowSchema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  if (typeof input !== 'object' || input === null) return { ok: false, invalid: { row, reason: 'row must be an object with hospitalCode, productCode, doses' } };
  return { ok: false, invalid: { row, reason: [...new Set(parsed.error.issues.map((i) => i.message))].join('; ') } };
}

/** Sets each (hospital, product) allocation in one transaction; see the file comment. */
export async function setAllocations(options: { db: PrismaClient; rows: readonly unknown[]; now: Date }): Promise<SetAllocationsResult> {
  const { db, rows, now } = options;
  const invalid: InvalidRow[] = [];
  const valid: Array<AllocationRow & { row: number }> = [];
  const firstRowOf = new Map<string, number>();
  rows.forEach((input, index) => {
    const checked = validateAllocationRow(input, index + 1);
    if (!checked.ok) return invalid.push(checked.invalid);
    const key = `${checked.value.hospitalCode}|${checked.value.productCode}`;
    const first = firstRowOf.get(key);
    if (first !== undefined) return invalid.push({ row: index + 1, reason: `same hospital and product as row ${first}` });
    firstRowOf.set(key, index + 1);
    valid.push({ ...checked.value, row: index + 1 });
  });
  const known = await loadKnownCodes(db, valid);
  const rowsToSet = valid.filter((r) => {
    const reason = unknownCodeReason(known, r);
    if (reason) invalid.push({ row: r.row, reason });
    return !reason;
  });

  const result: SetAllocationsResult = { applied: 0, unchanged: 0, invalid };
  if (rowsToSet.length > 0) {
    const today = bangkokToday(now);
    // Key order for the inserts too, so two concurrent calls adding the same new rows never deadlock.
    rowsToSet.sort((a, b) => a.hospitalCode.localeCompare(b.hospitalCode) || a.productCode.localeCompare(b.productCode));
    const hospitals = rowsToSet.map((r) => r.hospitalCode);
    const products = rowsToSet.map((r) => r.productCode);
    // The transaction returns what it decided, so a retry after a deadlock counts nothing twice.
    const outcome = await runSlotTransaction(db, async (tx) => {
      // Make sure every row exists so it can be locked; a new allocation starts at 0 doses.
      await tx.$executeRaw`
        INSERT INTO vaccine_allocation (hospital_code, product_code, doses_allocated, updated_at)
        SELECT t.h, t.p, 0, ${now} FROM unnest(${hospitals}::varchar[], ${products}::varchar[]) AS t(h, p)
        ON CONFLICT DO NOTHING`;
      const current = await tx.$queryRaw<Array<{ hospitalCode: string; productCode: string; doses: number; open: number }>>`
        WITH locked AS (
          SELECT a.hospital_code, a.product_code, a.doses_allocated
            FROM vaccine_allocation a
            JOIN unnest(${hospitals}::varchar[], ${products}::varchar[]) AS t(h, p) ON a.hospital_code = t.h AND a.product_code = t.p
           ORDER BY a.hospital_code, a.product_code
             FOR UPDATE OF a)
        SELECT l.hospital_code AS "hospitalCode", l.product_code AS "productCode", l.doses_allocated AS doses,
               coalesce((SELECT sum(s.capacity) FROM slot s
                          WHERE s.hospital_code = l.hospital_code AND s.product_code = l.product_code
                            AND s.status = 'OPEN' AND s.date >= ${today}::date), 0)::int AS open
          FROM locked l`;
      const byKey = new Map(current.map((c) => [`${c.hospitalCode}|${c.productCode}`, c]));
      const updates: AllocationRow[] = [];
      const refused: InvalidRow[] = [];
      let unchanged = 0;
      for (const row of rowsToSet) {
        const current = byKey.get(`${row.hospitalCode}|${row.productCode}`)!;
        if (current.doses === row.doses) {
          unchanged++;
        } else if (row.doses < current.open) {
          refused.push({
            row: row.row,
            reason:
              `cannot lower the ${row.productCode} allocation of hospital ${row.hospitalCode} to ${row.doses}: ` +
              `its open slots from ${today} hold ${current.open} doses; close or shrink slots first`,
          });
        } else {
          updates.push(row);
        }
      }
      if (updates.length > 0) {
        await tx.$executeRaw`
          UPDATE vaccine_allocation a SET doses_allocated = t.d, updated_at = ${now}
            FROM unnest(${updates.map((u) => u.hospitalCode)}::varchar[], ${updates.map((u) => u.productCode)}::varchar[], ${updates.map((u) => u.doses)}::int[]) AS t(h, p, d)
           WHERE a.hospital_code = t.h AND a.product_code = t.p`;
      }
      return { applied: updates.length, unchanged, refused };
    });
    result.applied = outcome.applied;
    result.unchanged = outcome.unchanged;
    invalid.push(...outcome.refused);
  }
  invalid.sort((a, b) => a.row - b.row);
  return result;
}
