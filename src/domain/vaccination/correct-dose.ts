/**
 * Correcting or voiding a recorded dose, always with a reason and an audit row holding what
 * changed. The row is updated in place so every certificate issued from now on shows the
 * corrected data; revoking certificates issued before is the certificate module's job (it
 * compares the certificate's version with the person's doses).
 */
import type { Db } from '../../db/client.js';
import type { Vaccination } from '../../generated/prisma/client.js';
import { bangkokToday } from '../../shared/clock.js';
import { doseFields } from './record-dose.js';
import { cancelFollowUpsOfVoidedDose } from '../follow-up/stop-follow-ups.js';

export interface DoseCorrection {
  doseNumber?: number;
  productCode?: string;
  lotNumber?: string | null;
  administeredAt?: Date;
  hospitalCode?: string;
}

export type CorrectDoseResult =
  | { ok: true; vaccination: Vaccination; changed: boolean }
  | { ok: false; refusal: 'not-found' | 'voided' | 'unknown-product' | 'unknown-hospital' | 'in-the-future' | 'dose-already-recorded' | 'reason-required' };

export async function correctDose(options: {
  db: Db;
  vaccinationId: string;
  correction: DoseCorrection;
  reason: string;
  actor: string;
  now: Date;
}): Promise<CorrectDoseResult> {
  const { db, vaccinationId, correction, actor, now } = options;
  const reason = options.reason.trim();
  if (!reason) return { ok: false, refusal: 'reason-required' };
  // Lock the row: two corrections at once must not both read the same "before".
  const locked = await db.$queryRaw<Array<{ id: string }>>`SELECT id FROM vaccination WHERE id = ${vaccinationId}::uuid FOR UPDATE`;
  if (locked.length === 0) return { ok: false, refusal: 'not-found' };
  const current = await db.vaccination.findUniqueOrThrow({ where: { id: vaccinationId } });
  if (current.status === 'VOIDED') return { ok: false, refusal: 'voided' };

  if (correction.productCode && !(await db.vaccineProduct.findUnique({ where: { code: correction.productCode }, select: { code: true } }))) {
    return { ok: false, refusal: 'unknown-product' };
  }
  if (correction.hospitalCode && !(await db.hospital.findUnique({ where: { code: correction.hospitalCode }, select: { code: true } }))) {
    return { ok: false, refusal: 'unknown-hospital' };
  }
  if (correction.administeredAt && bangkokToday(correction.administeredAt) > bangkokToday(now)) return { ok: false, refusal: 'in-the-future' };
  if (correction.doseNumber !== undefined && correction.doseNumber !== current.doseNumber) {
    const clash = await db.vaccination.findFirst({
      where: { personId: current.personId, doseNumber: correction.doseNumber, status: 'RECORDED', id: { not: vaccinationId } },
      select: { id: true },
    });
    if (clash) return { ok: false, refusal: 'dose-already-recorded' };
  }

  const before = doseFields(current);
  const next = { ...current, ...definedOnly(correction) };
  const after = doseFields(next);
  if (JSON.stringify(before) === JSON.stringify(after)) return { ok: true, vaccination: current, changed: false };
  const vaccination = await db.vaccination.update({ where: { id: vaccinationId }, data: definedOnly(correction) });
  await db.vaccinationChange.create({ data: { vaccinationId, type: 'corrected', actor, reason, before, after } });
  return { ok: true, vaccination, changed: true };
}

export type VoidDoseResult = { ok: true; vaccination: Vaccination; changed: boolean } | { ok: false; refusal: 'not-found' | 'reason-required' };

/** A dose recorded by mistake (wrong person, never given): it stops counting everywhere. */
export async function voidDose(options: { db: Db; vaccinationId: string; reason: string; actor: string }): Promise<VoidDoseResult> {
  const { db, vaccinationId, actor } = options;
  const reason = options.reason.trim();
  if (!reason) return { ok: false, refusal: 'reason-required' };
  const locked = await db.$queryRaw<Array<{ id: string }>>`SELECT id FROM vaccination WHERE id = ${vaccinationId}::uuid FOR UPDATE`;
  if (locked.length === 0) return { ok: false, refusal: 'not-found' };
  const current = await db.vaccination.findUniqueOrThrow({ where: { id: vaccinationId } });
  if (current.status === 'VOIDED') return { ok: true, vaccination: current, changed: false };
  const vaccination = await db.vaccination.update({ where: { id: vaccinationId }, data: { status: 'VOIDED' } });
  await db.vaccinationChange.create({ data: { vaccinationId, type: 'voided', actor, reason, before: doseFields(current) } });
  // Its check-ins and reminders no longer apply (issue 6).
  await cancelFollowUpsOfVoidedDose(db, vaccinationId);
  return { ok: true, vaccination, changed: true };
}

function definedOnly(correction: DoseCorrection): DoseCorrection {
  return Object.fromEntries(Object.entries(correction).filter(([, value]) => value !== undefined)) as DoseCorrection;
}
