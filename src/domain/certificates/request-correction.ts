/**
 * A citizen reports wrong data on a certificate (from the card's "report wrong data"): which
 * field, and what is right. The request goes to the hospital that recorded the dose concerned
 * (for the name or date of birth: the hospital of the latest dose), which lists and resolves
 * requests through the admin API (resolve-correction.ts).
 */
import type { Db } from '../../db/client.js';
import { maskThaiIdsInText } from '../../shared/personal-data.js';

export const CORRECTION_FIELDS = ['name', 'birthDate', 'doseDate', 'product', 'lot', 'hospital', 'other'] as const;
export type CorrectionField = (typeof CORRECTION_FIELDS)[number];
/** Fields that belong to one dose: the citizen says which. */
export const DOSE_FIELDS: ReadonlySet<CorrectionField> = new Set(['doseDate', 'product', 'lot', 'hospital']);
export const CORRECT_VALUE_MAX = 200;

export type RequestCorrectionResult = { ok: true; id: string; hospitalCode: string } | { ok: false; refusal: 'not-found' | 'no-doses' | 'empty' };

export async function requestCertificateCorrection(options: {
  db: Db;
  lineUserId: string;
  personId: string;
  field: CorrectionField;
  /** The dose concerned (dose fields); the latest dose otherwise. */
  doseNumber?: number;
  correctValue: string;
}): Promise<RequestCorrectionResult> {
  const { db, lineUserId, personId, field } = options;
  // Free text: never store an ID number someone typed in it.
  const correctValue = maskThaiIdsInText(options.correctValue.trim()).slice(0, CORRECT_VALUE_MAX);
  if (!correctValue) return { ok: false, refusal: 'empty' };
  const person = await db.person.findFirst({ where: { id: personId, ownerId: lineUserId }, select: { id: true } });
  if (!person) return { ok: false, refusal: 'not-found' };
  const doses = await db.vaccination.findMany({ where: { personId, status: 'RECORDED' }, orderBy: { doseNumber: 'asc' }, select: { id: true, doseNumber: true, hospitalCode: true } });
  const dose = doses.find((d) => d.doseNumber === options.doseNumber) ?? doses.at(-1);
  if (!dose) return { ok: false, refusal: 'no-doses' };
  const row = await db.correctionRequest.create({
    data: {
      personId,
      vaccinationId: DOSE_FIELDS.has(field) ? dose.id : null,
      hospitalCode: dose.hospitalCode,
      requestedBy: `line:${lineUserId}`,
      field,
      correctValue,
    },
  });
  return { ok: true, id: row.id, hospitalCode: dose.hospitalCode };
}

export async function listCorrectionRequests(options: { db: Db; hospitalCode?: string; status?: string; limit?: number }) {
  return options.db.correctionRequest.findMany({
    where: { ...(options.hospitalCode ? { hospitalCode: options.hospitalCode } : {}), ...(options.status ? { status: options.status } : {}) },
    orderBy: { createdAt: 'asc' },
    take: options.limit ?? 200,
    select: {
      id: true, personId: true, vaccinationId: true, hospitalCode: true, field: true, correctValue: true, status: true,
      resolution: true, resolvedBy: true, createdAt: true, resolvedAt: true,
    },
  });
}
