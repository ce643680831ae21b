/**
 * Doses reported for a document nobody has registered yet. Refusing them would lose them
 * (in 2021 about a million eligible people were missing from hospitals' lists), so they are
 * held by the keyed hash of the document (never the number) and recorded, through
 * record-dose with all its rules, in the transaction that registers that document.
 */
import type { Db } from '../../db/client.js';
import { recordDose, type DoseReport } from './record-dose.js';

export type HeldDose = Omit<DoseReport, 'personId'>;

export type HoldDoseResult = { ok: true; created: boolean } | { ok: false; refusal: 'conflicting-report' | 'unknown-product' | 'unknown-hospital' };

/** Idempotent by the source's record id, like record-dose. */
export async function holdDoseReport(options: { db: Db; idHash: string; report: HeldDose }): Promise<HoldDoseResult> {
  const { db, idHash, report } = options;
  // One after another: in a transaction they share one connection (see record-dose.ts).
  const product = await db.vaccineProduct.findUnique({ where: { code: report.productCode }, select: { code: true } });
  const hospital = await db.hospital.findUnique({ where: { code: report.hospitalCode }, select: { code: true } });
  if (!product) return { ok: false, refusal: 'unknown-product' };
  if (!hospital) return { ok: false, refusal: 'unknown-hospital' };
  const data = { idHash, ...report, lotNumber: report.lotNumber ?? null };
  const { count } = await db.heldDoseReport.createMany({ data: [data], skipDuplicates: true });
  if (count === 1) return { ok: true, created: true };
  const existing = await db.heldDoseReport.findUniqueOrThrow({
    where: { source_sourceRecordId: { source: report.source, sourceRecordId: report.sourceRecordId } },
  });
  const same =
    existing.idHash === idHash &&
    existing.doseNumber === report.doseNumber &&
    existing.productCode === report.productCode &&
    existing.lotNumber === data.lotNumber &&
    existing.administeredAt.getTime() === report.administeredAt.getTime() &&
    existing.hospitalCode === report.hospitalCode;
  return same ? { ok: true, created: false } : { ok: false, refusal: 'conflicting-report' };
}

/**
 * Records the held doses of a document that just registered, oldest first, and drops the held
 * copies. A held report that record-dose refuses (e.g. two reports of one dose) is kept, not
 * dropped, so an admin can still see and resolve it.
 * @returns how many doses were recorded.
 */
export async function claimHeldDoses(options: { db: Db; idHash: string; personId: string; now: Date }): Promise<number> {
  const { db, idHash, personId, now } = options;
  const held = await db.heldDoseReport.findMany({ where: { idHash }, orderBy: { administeredAt: 'asc' } });
  let recorded = 0;
  for (const { id, idHash: _hash, createdAt: _at, ...report } of held) {
    const result = await recordDose({ db, report: { ...report, personId }, now });
    if (!result.ok) continue;
    await db.heldDoseReport.delete({ where: { id } });
    recorded += 1;
  }
  return recorded;
}
