/**
 * Opens, resizes, reopens and closes slots in bulk (CSV import, admin API, demo seed).
 *
 * - Each row is validated (shape, known hospital and product); invalid rows are reported with
 *   their position and a reason, valid rows are applied.
 * - Idempotent: rows are keyed by (hospital, date, startTime, product); re-sending the same rows
 *   changes nothing, a changed capacity or end time updates the slot.
 * - Stock: the capacity of a hospital's OPEN slots for a product, from today on, never exceeds
 *   the doses allocated to it. The check runs per (hospital, product) under a row lock on the
 *   allocation (SELECT ... FOR UPDATE), in the transaction that writes the slots, so two imports
 *   (or an import and a change of allocation) cannot both squeeze under the limit. Rows that
 *   would exceed it are reported invalid and not applied. Reductions in the same call (closes,
 *   shrinks) count first, so "close A, open B" fits when it should.
 * - Shrinking a slot below its bookings, or closing it, moves the surplus people to
 *   NEEDS_REBOOKING and plans a rebooking offer for them (moveBookingsToRebooking).
 *
 * Built for thousands of rows: set-based SQL (unnest) per batch, a batch being whole hospitals
 * up to about `maxRowsPerTransaction` rows, one transaction each. Batches already committed
 * stay when a later one fails; running the same rows again finishes the job (idempotent).
 */
import type { Db, PrismaClient } from '../../db/client.js';
import { bangkokToday } from '../../shared/clock.js';
import { moveBookingsToRebooking, type SlotToEmpty } from './move-bookings-to-rebooking.js';
import { loadKnownCodes, unknownCodeReason } from './load-references.js';
import { runSlotTransaction } from './run-transaction.js';
import { slotKey, slotRowValidator, type InvalidRow, type SlotRow } from './slot-rows.js';

export interface OpenSlotsResult {
  /** Rows that created, changed, reopened or closed a slot. */
  applied: number;
  /** Valid rows that matched the slot as it already was. */
  unchanged: number;
  /** In input order. */
  invalid: InvalidRow[];
  /** Appointments moved to NEEDS_REBOOKING by shrinks and closes. */
  movedToRebooking: number;
}

export interface OpenSlotsOptions {
  db: PrismaClient;
  rows: readonly unknown[];
  /** Who made the change, for the audit trail: 'admin:api', 'admin:cli', 'system:demo-seed'. */
  actor: string;
  now: Date;
  maxRowsPerTransaction?: number;
}

const DEFAULT_ROWS_PER_TRANSACTION = 2_000;

/** Opens or updates the slots the rows describe. See the file comment for the guarantees. */
export async function openSlots(options: OpenSlotsOptions): Promise<OpenSlotsResult> {
  const { db, rows, actor, now } = options;
  const invalid: InvalidRow[] = [];
  const valid: SlotRow[] = [];
  const firstRowOfKey = new Map<string, number>();
  const validate = slotRowValidator(now);
  rows.forEach((input, index) => {
    const checked = validate(input, index + 1);
    if (!checked.ok) return invalid.push(checked.invalid);
    const key = slotKey(checked.value);
    const first = firstRowOfKey.get(key);
    if (first !== undefined) return invalid.push({ row: index + 1, reason: `same slot as row ${first} (hospital, date, startTime, product)` });
    firstRowOfKey.set(key, index + 1);
    valid.push(checked.value);
  });

  const known = await loadKnownCodes(db, valid);
  const byHospital = new Map<string, SlotRow[]>();
  for (const row of valid) {
    const reason = unknownCodeReason(known, row);
    if (reason) {
      invalid.push({ row: row.row, reason });
      continue;
    }
    const group = byHospital.get(row.hospitalCode) ?? [];
    group.push(row);
    byHospital.set(row.hospitalCode, group);
  }

  const result: OpenSlotsResult = { applied: 0, unchanged: 0, invalid, movedToRebooking: 0 };
  const today = bangkokToday(now);
  for (const batch of batchesOf([...byHospital.values()], options.maxRowsPerTransaction ?? DEFAULT_ROWS_PER_TRANSACTION)) {
    const outcome = await runSlotTransaction(db, (tx) => applyBatch(tx, batch, { today, now, actor }));
    result.applied += outcome.applied;
    result.unchanged += outcome.unchanged;
    result.movedToRebooking += outcome.movedToRebooking;
    invalid.push(...outcome.invalid);
  }
  invalid.sort((a, b) => a.row - b.row);
  return result;
}

/** Whole hospitals per batch (a hospital's stock check needs all its rows), about `size` rows each. */
function batchesOf(groups: SlotRow[][], size: number): SlotRow[][] {
  const batches: SlotRow[][] = [];
  let current: SlotRow[] = [];
  for (const group of groups) {
    current.push(...group);
    if (current.length >= size) {
      batches.push(current);
      current = [];
    }
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

interface ExistingSlot {
  id: string;
  hospitalCode: string;
  productCode: string;
  date: string;
  startTime: string;
  endTime: string;
  capacity: number;
  booked: number;
  status: 'OPEN' | 'CLOSED';
}

type Plan =
  | { kind: 'unchanged' }
  | { kind: 'upsert'; row: SlotRow & { endTime: string; capacity: number }; empty?: SlotToEmpty }
  | { kind: 'close'; slotId: string; empty: SlotToEmpty };

const pairKey = (hospitalCode: string, productCode: string) => `${hospitalCode}|${productCode}`;

async function applyBatch(
  tx: Db,
  rows: SlotRow[],
  ctx: { today: string; now: Date; actor: string },
): Promise<Omit<OpenSlotsResult, 'invalid'> & { invalid: InvalidRow[] }> {
  const pairs = [...new Map(rows.map((r) => [pairKey(r.hospitalCode, r.productCode), r])).values()];
  const pairHospitals = pairs.map((p) => p.hospitalCode);
  const pairProducts = pairs.map((p) => p.productCode);

  // 1. Lock the stock rows, in key order so concurrent imports never deadlock on them.
  const allocations = await tx.$queryRaw<Array<{ hospitalCode: string; productCode: string; doses: number }>>`
    SELECT a.hospital_code AS "hospitalCode", a.product_code AS "productCode", a.doses_allocated AS doses
      FROM vaccine_allocation a
      JOIN unnest(${pairHospitals}::varchar[], ${pairProducts}::varchar[]) AS t(h, p) ON a.hospital_code = t.h AND a.product_code = t.p
     ORDER BY a.hospital_code, a.product_code
       FOR UPDATE OF a`;
  const allocated = new Map(allocations.map((a) => [pairKey(a.hospitalCode, a.productCode), a.doses]));

  // 2. What the open slots hold now, from today on (the same measure set-allocations uses).
  const sums = await tx.$queryRaw<Array<{ hospitalCode: string; productCode: string; open: number }>>`
    SELECT s.hospital_code AS "hospitalCode", s.product_code AS "productCode", sum(s.capacity)::int AS open
      FROM slot s
      JOIN unnest(${pairHospitals}::varchar[], ${pairProducts}::varchar[]) AS t(h, p) ON s.hospital_code = t.h AND s.product_code = t.p
     WHERE s.status = 'OPEN' AND s.date >= ${ctx.today}::date
     GROUP BY 1, 2`;
  const openCapacity = new Map(sums.map((s) => [pairKey(s.hospitalCode, s.productCode), s.open]));

  // 3. The slots the rows name, locked: no booking may slip in while we decide a shrink.
  const existingRows = await tx.$queryRaw<ExistingSlot[]>`
    SELECT s.id, s.hospital_code AS "hospitalCode", s.product_code AS "productCode", to_char(s.date, 'YYYY-MM-DD') AS date,
           s.start_time AS "startTime", s.end_time AS "endTime", s.capacity, s.booked, s.status::text AS status
      FROM slot s
      JOIN unnest(${rows.map((r) => r.hospitalCode)}::varchar[], ${rows.map((r) => r.date)}::date[],
                  ${rows.map((r) => r.startTime)}::varchar[], ${rows.map((r) => r.productCode)}::varchar[]) AS t(h, d, st, p)
        ON s.hospital_code = t.h AND s.date = t.d AND s.start_time = t.st AND s.product_code = t.p
     ORDER BY s.id
       FOR UPDATE OF s`;
  const existing = new Map(existingRows.map((s) => [slotKey(s), s]));

  // 4. Decide each row. Reductions first, then growth in input order, against the stock.
  const invalid: InvalidRow[] = [];
  const plans: Plan[] = [];
  const decided = rows.map((row) => ({ row, ...decide(row, existing.get(slotKey(row)), invalid) }));
  const ordered = [...decided.filter((d) => d.delta <= 0), ...decided.filter((d) => d.delta > 0)];
  let unchanged = 0;
  for (const { row, plan, delta } of ordered) {
    if (!plan) continue;
    if (plan.kind === 'unchanged') {
      unchanged++;
      continue;
    }
    const key = pairKey(row.hospitalCode, row.productCode);
    const open = openCapacity.get(key) ?? 0;
    const stock = allocated.get(key) ?? 0;
    if (delta > 0 && open + delta > stock) {
      invalid.push({
        row: row.row,
        reason:
          `capacity ${row.capacity} would put ${open + delta} doses of ${row.productCode} in open slots at hospital ${row.hospitalCode}; ` +
          `its allocation is ${stock} (${open} already in open slots)`,
      });
      continue;
    }
    openCapacity.set(key, open + delta);
    plans.push(plan);
  }

  // 5. Write: people leave the slots first (the CHECK booked <= capacity holds at every statement).
  const toEmpty = plans.flatMap((p) => (p.kind !== 'unchanged' && p.empty ? [p.empty] : []));
  const movedToRebooking = await moveBookingsToRebooking(tx, {
    slots: toEmpty,
    actor: ctx.actor,
    reason: 'slot closed or reduced by the hospital',
    now: ctx.now,
  });

  const upserts = plans.flatMap((p) => (p.kind === 'upsert' ? [p.row] : []));
  if (upserts.length > 0) {
    await tx.$executeRaw`
      INSERT INTO slot (id, hospital_code, product_code, date, start_time, end_time, capacity, booked, status, created_at, updated_at)
      SELECT gen_random_uuid(), t.h, t.p, t.d, t.st, t.et, t.c, 0, 'OPEN', ${ctx.now}, ${ctx.now}
        FROM unnest(${upserts.map((r) => r.hospitalCode)}::varchar[], ${upserts.map((r) => r.productCode)}::varchar[],
                    ${upserts.map((r) => r.date)}::date[], ${upserts.map((r) => r.startTime)}::varchar[],
                    ${upserts.map((r) => r.endTime)}::varchar[], ${upserts.map((r) => r.capacity)}::int[]) AS t(h, p, d, st, et, c)
      ON CONFLICT (hospital_code, date, start_time, product_code) DO UPDATE
         SET capacity = EXCLUDED.capacity, end_time = EXCLUDED.end_time, status = 'OPEN', updated_at = EXCLUDED.updated_at`;
  }
  const closes = plans.flatMap((p) => (p.kind === 'close' ? [p.slotId] : []));
  if (closes.length > 0) {
    await tx.$executeRaw`UPDATE slot SET status = 'CLOSED', updated_at = ${ctx.now} WHERE id = ANY(${closes}::uuid[])`;
  }
  return { applied: plans.length, unchanged, invalid, movedToRebooking };
}

/**
 * What one row does to its slot, and by how much it changes the open capacity (the stock
 * check's measure). Rows that cannot apply are pushed to `invalid` and get no plan.
 */
function decide(row: SlotRow, slot: ExistingSlot | undefined, invalid: InvalidRow[]): { plan?: Plan; delta: number } {
  const where = `${row.hospitalCode} ${row.date} ${row.startTime} ${row.productCode}`;
  if (row.action === 'close') {
    if (!slot) {
      invalid.push({ row: row.row, reason: `no slot ${where} to close` });
      return { delta: 0 };
    }
    if (slot.status === 'CLOSED') return { plan: { kind: 'unchanged' }, delta: 0 };
    return { plan: { kind: 'close', slotId: slot.id, empty: { slotId: slot.id, surplus: slot.booked, change: 'closed' } }, delta: -slot.capacity };
  }
  const open = row as SlotRow & { endTime: string; capacity: number };
  if (!slot) return { plan: { kind: 'upsert', row: open }, delta: open.capacity };
  if (slot.status === 'OPEN' && slot.capacity === open.capacity && slot.endTime === open.endTime) return { plan: { kind: 'unchanged' }, delta: 0 };
  if (slot.endTime !== open.endTime && slot.booked > 0) {
    invalid.push({
      row: row.row,
      reason: `slot ${where} has ${slot.booked} booking(s): its end time cannot change from ${slot.endTime}; close it and open a new slot instead`,
    });
    return { delta: 0 };
  }
  const delta = open.capacity - (slot.status === 'OPEN' ? slot.capacity : 0);
  const surplus = slot.booked - open.capacity;
  return {
    plan: { kind: 'upsert', row: open, ...(surplus > 0 ? { empty: { slotId: slot.id, surplus, change: 'reduced' as const } } : {}) },
    delta,
  };
}
