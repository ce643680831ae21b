/**
 * A hospital resolves a citizen's correction request (admin API):
 * - 'correct': the dose is corrected (correct-dose, with the reason), every certificate that
 *   no longer matches is revoked at once ('corrected'), a new SMART Health Card is issued, and
 *   its card is pushed to the owner (a 'certificate-reissued' notification, rendered at send
 *   time). The old QR then verifies as revoked.
 * - 'reject': closed with the reason.
 * Run it in one transaction. Name and date-of-birth corrections change the Person record,
 * which this API does not edit yet: they can be rejected with a reason or handled by registration.
 */
import type { Db } from '../../db/client.js';
import { correctDose, type CorrectDoseResult, type DoseCorrection } from '../vaccination/correct-dose.js';
import { scheduleNotifications } from '../notifications/schedule-notifications.js';
import type { CertificateKeys } from './certificate-keys.js';
import { issueCertificates } from './issue-certificates.js';
import { revokeOutdatedCertificates } from './revocation.js';

export type ResolveCorrectionInput =
  | { action: 'correct'; correction: DoseCorrection & { vaccinationId?: string }; reason: string }
  | { action: 'reject'; reason: string };

export type ResolveCorrectionResult =
  | { ok: true; status: 'CORRECTED' | 'REJECTED'; revoked: number; certificateId?: string }
  | { ok: false; refusal: 'not-found' | 'already-resolved' | 'no-dose' | Extract<CorrectDoseResult, { ok: false }>['refusal'] };

export async function resolveCorrection(options: { db: Db; keys: CertificateKeys; id: string; input: ResolveCorrectionInput; actor: string; now: Date }): Promise<ResolveCorrectionResult> {
  const { db, keys, id, input, actor, now } = options;
  const locked = await db.$queryRaw<Array<{ id: string }>>`SELECT id FROM correction_request WHERE id = ${id}::uuid FOR UPDATE`;
  if (locked.length === 0) return { ok: false, refusal: 'not-found' };
  const request = await db.correctionRequest.findUniqueOrThrow({ where: { id }, include: { person: { select: { ownerId: true } } } });
  if (request.status !== 'OPEN') return { ok: false, refusal: 'already-resolved' };
  const close = (status: 'CORRECTED' | 'REJECTED') =>
    db.correctionRequest.update({ where: { id }, data: { status, resolution: input.reason.trim().slice(0, 500), resolvedBy: actor, resolvedAt: now } });

  if (input.action === 'reject') {
    await close('REJECTED');
    return { ok: true, status: 'REJECTED', revoked: 0 };
  }

  const { vaccinationId: chosen, ...correction } = input.correction;
  const vaccinationId = chosen ?? request.vaccinationId;
  // Only a dose of the person who asked: a request never opens another person's record.
  const dose = vaccinationId ? await db.vaccination.findFirst({ where: { id: vaccinationId, personId: request.personId }, select: { id: true } }) : null;
  if (!dose) return { ok: false, refusal: 'no-dose' };
  const corrected = await correctDose({ db, vaccinationId: dose.id, correction, reason: input.reason, actor, now });
  if (!corrected.ok) return corrected;

  const revoked = await revokeOutdatedCertificates({ db, personId: request.personId, reason: 'corrected', now });
  const issued = await issueCertificates({ db, keys, personId: request.personId, requester: { admin: true }, now });
  await close('CORRECTED');
  if (issued.ok) {
    await scheduleNotifications(db, [{ lineUserId: request.person.ownerId, kind: 'certificate-reissued', dueAt: now, personId: request.personId }]);
  }
  return { ok: true, status: 'CORRECTED', revoked, ...(issued.ok ? { certificateId: issued.shc.id } : {}) };
}
