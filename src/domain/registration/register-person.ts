import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/client.js';
import {
  attachConsentToPerson,
  countPeopleOfOwner,
  findPersonByIdHash,
  insertPersonUnlessIdentityTaken,
  type NewPerson,
  type VerificationStatus,
} from '../../db/repositories/person.repository.js';
import { AppError } from '../../shared/app-error.js';
import type { RateLimiter } from '../../shared/rate-limiter.js';
import { matchIdentity, type PopulationRegister } from '../identity/population-register.js';
import { claimHeldDoses } from '../vaccination/held-dose-reports.js';

/** A LINE account may register itself and up to this many family members. */
export const MAX_FAMILY_MEMBERS = 5;

/**
 * What a registration records about the person. The identity is carried only as `idHash`
 * (keyed hash, for lookup and uniqueness) and `idCiphertext` (for masked display).
 */
export type RegistrationDetails = Omit<NewPerson, 'id' | 'ownerId' | 'isSelf' | 'verificationStatus'>;

/**
 * Registers the LINE user themself (`isSelf`) or a family member on their behalf.
 * Checks, in order: the identity-attempt rate limit, the family limit, that the document
 * is not registered to anyone (one document, one person), and the population register
 * (ID known + birth date differs → refused; unknown → registered as UNVERIFIED).
 *
 * Doses a hospital reported for this document before it registered are recorded now
 * (see held-dose-reports.ts).
 *
 * Careful: `details` carries the identity only as hash and ciphertext; callers must never
 * pass or log the clear number. Runs inside the caller's transaction.
 */
export async function registerPerson(options: {
  db: Db;
  register: PopulationRegister;
  identityLimiter: RateLimiter;
  lineUserId: string;
  isSelf: boolean;
  details: RegistrationDetails;
  consentId: string;
  now: Date;
}): Promise<{ personId: string; verificationStatus: VerificationStatus; dosesClaimed: number }> {
  const { db, lineUserId, isSelf, details } = options;

  if (!(await options.identityLimiter.consume(`identity:${lineUserId}`))) throw new AppError('RATE_LIMITED');

  if (isSelf && (await countPeopleOfOwner(db, lineUserId, true)) > 0) {
    throw new AppError('INVALID_INPUT', { message: 'already registered', userMessageKey: 'register.alreadyRegistered' });
  }
  if (!isSelf && (await countPeopleOfOwner(db, lineUserId, false)) >= MAX_FAMILY_MEMBERS) {
    throw new AppError('FAMILY_LIMIT');
  }
  if (await findPersonByIdHash(db, details.idHash)) throw new AppError('IDENTITY_TAKEN');

  let verificationStatus: VerificationStatus = 'UNVERIFIED';
  if (details.identityType === 'THAI_ID') {
    const match = matchIdentity(await options.register.lookup(details.idHash), details.birthDate);
    if (match === 'mismatch') throw new AppError('IDENTITY_MISMATCH');
    if (match === 'match') verificationStatus = 'VERIFIED';
  }

  const personId = randomUUID();
  const inserted = await insertPersonUnlessIdentityTaken(db, {
    id: personId,
    ownerId: lineUserId,
    isSelf,
    verificationStatus,
    ...details,
  });
  // Another account registered the same document between our check and the insert.
  if (!inserted) throw new AppError('IDENTITY_TAKEN');
  await attachConsentToPerson(db, options.consentId, lineUserId, personId);
  const dosesClaimed = await claimHeldDoses({ db, idHash: details.idHash, personId, now: options.now });
  return { personId, verificationStatus, dosesClaimed };
}
