/**
 * Links the passport a Thai-ID holder travels on to their record, for the international pass:
 * border checks compare the pass with the passport, so the pass must carry the names exactly
 * as printed there (a romanisation of the Thai name would not match). The number is stored
 * like every ID: keyed hash and ciphertext, never in clear; the names are uppercased ICAO
 * letters. Owner-checked; replacing an earlier passport (renewal) is allowed.
 */
import type { Db } from '../../db/client.js';
import type { PersonalDataCipher } from '../../shared/personal-data.js';
import { isPlausiblePassport, normalisePassport, passportKey } from '../identity/thai-national-id.js';
import { recordPersonalDataAccess } from '../../db/repositories/person.repository.js';

/** Names as a machine-readable passport prints them: Latin letters, spaces, hyphens, apostrophes. */
const PASSPORT_NAME = /^[A-Z](?:[A-Z' -]{0,48}[A-Z])?$/;

export type LatinNameResult = { ok: true; value: string } | { ok: false };

/** "Somchai  jai-dee" → "SOMCHAI JAI-DEE"; anything with other letters or digits → not ok. */
export function parsePassportName(input: string): LatinNameResult {
  const value = input.trim().replace(/\s+/g, ' ').toUpperCase();
  return PASSPORT_NAME.test(value) ? { ok: true, value } : { ok: false };
}

export function parsePassportNumber(input: string): LatinNameResult {
  const value = normalisePassport(input);
  return isPlausiblePassport(value) ? { ok: true, value } : { ok: false };
}

export async function linkTravelDocument(options: {
  db: Db;
  cipher: PersonalDataCipher;
  lineUserId: string;
  personId: string;
  /** ISO 3166-1 alpha-3 of the passport's issuer. */
  nationality: string;
  passportNumber: string;
  givenNameLatin: string;
  familyNameLatin: string;
  now: Date;
}): Promise<{ ok: true } | { ok: false; refusal: 'not-found' | 'bad-passport' | 'bad-name' }> {
  const { db, cipher, lineUserId, personId, nationality } = options;
  const owned = await db.person.count({ where: { id: personId, ownerId: lineUserId } });
  if (owned === 0) return { ok: false, refusal: 'not-found' };
  const passport = parsePassportNumber(options.passportNumber);
  if (!passport.ok) return { ok: false, refusal: 'bad-passport' };
  const given = parsePassportName(options.givenNameLatin);
  const family = parsePassportName(options.familyNameLatin);
  if (!given.ok || !family.ok) return { ok: false, refusal: 'bad-name' };
  const document = {
    passportHash: cipher.hashIdentity('PASSPORT', passportKey(nationality, passport.value)),
    passportCiphertext: cipher.encrypt(passport.value),
    nationality,
    givenNameLatin: given.value,
    familyNameLatin: family.value,
  };
  await db.travelDocument.upsert({ where: { personId }, create: { personId, ...document, linkedAt: options.now }, update: { ...document, linkedAt: options.now } });
  await recordPersonalDataAccess(db, { actor: `line:${lineUserId}`, action: 'link-passport', personId, lineUserId });
  return { ok: true };
}
