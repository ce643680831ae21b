/**
 * A hospital resolves a citizen's correction request (admin API):
 * - 'correct': the dose is corrected (correct-dose, with the reason), every certificate that
 *   no longer matches is revoked at once ('corrected'), a new SMART Health Card is issued, and
 *   its card is pushed to the owner (a 'certificate-reissued' notification, rendered at send
 *   time). The old QR then verifies as revoked.
 * - 'reject': closed with the reason.
 * Name and date-of-birth corrections (`correction.person`) change the Person record the same
 * way, audited as a 'correct' access with the reason. Run it in one transaction.
 */
import type { Db } from '../../db/client.js';
import { correctDose, type CorrectDoseResult, type DoseCorrection } from '../vaccination/correct-dose.js';
import { scheduleNotifications } from '../notifications/schedule-notifications.js';
import type { CertificateKeys } from './certificate-keys.js';
import { issueCertificates } from './issue-certificates.js';
import { revokeOutdatedCertificates } from './revocation.js';

export interface PersonCorrection {
  firstName?: string;
  lastName?: string;
  /** YYYY-MM-DD */
  birthDate?: string;
}

export type ResolveCorrectionInput =
  | { action: 'correct'; correction: DoseCorrection & { vaccinationId?: string; person?: PersonCorrection }; reason: string }
  | { action: 'reject'; reason: string };

export type ResolveCorrectionResult =
  | { ok: true; status: 'CORRECTED' | 'REJECTED'; revoked: number; certificateId?: string }
  | { ok: false; refusal: 'not-found' | 'already-resolved' | 'no-dose' | 'nothing-to-correct' | Extract<CorrectDoseResult, { ok: false }>['refusal'] };

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

  const { vaccinationId: chosen, person: personCorrection, ...correction } = input.correction;
  const correctsDose = Object.values(correction).some((value) => value !== undefined);
  const correctsPerson = personCorrection !== undefined && Object.values(personCorrection).some((value) => value !== undefined);
  if (!correctsDose && !correctsPerson) return { ok: false, refusal: 'nothing-to-correct' };
  // Every refusal comes before the first write: a refused resolution changes nothing.
  if (correctsPerson && personCorrection.birthDate && personCorrection.birthDate > now.toISOString().slice(0, 10)) return { ok: false, refusal: 'in-the-future' };
  if (correctsDose) {
    const vaccinationId = chosen ?? request.vaccinationId;
    // Only a dose of the person who asked: a request never opens another person's record.
    const dose = vaccinationId ? await db.vaccination.findFirst({ where: { id: vaccinationId, personId: request.personId }, select: { id: true } }) : null;
    if (!dose) return { ok: false, refusal: 'no-dose' };
    const corrected = await correctDose({ db, vaccinationId: dose.id, correction, reason: input.reason, actor, now });
    if (!corrected.ok) return corrected;
  }
  if (correctsPerson) {
    await db.person.update({
      where: { id: request.personId },
      data: {
        ...(personCorrection.firstName ? { firstName: personCorrection.firstName } : {}),
        ...(personCorrection.lastName ? { lastName: personCorrection.lastName } : {}),
        ...(personCorrection.birthDate ? { birthDate: new Date(`${personCorrection.birthDate}T00:00:00Z`) } : {}),
      },
    });
    await db.personalDataAccess.create({ data: { actor, action: 'correct', personId: request.personId } });
  }

  const revoked = await revokeOutdatedCertificates({ db, personId: request.personId, reason: 'corrected', now });
  const issued = await issueCertificates({ db, keys, personId: request.personId, requester: { admin: true }, now });
  await close('CORRECTED');
  if (issued.ok) {
    await scheduleNotifications(db, [{ lineUserId: request.person.ownerId, kind: 'certificate-reissued', dueAt: now, personId: request.personId }]);
  }
  return { ok: true, status: 'CORRECTED', revoked, ...(issued.ok ? { certificateId: issued.shc.id } : {}) };
}
