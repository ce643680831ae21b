/**
 * Issuing a person's certificates: the SMART Health Card always, the EU DCC (international
 * pass) on request. Available from the first dose; `complete` once the primary series is done.
 *
 * The signed content is stored (table certificate, one row per person + format + data
 * version): while the doses are unchanged the stored row is returned, never re-signed, so
 * the QR a citizen already showed stays the same. A new version is signed and stored, and the
 * person's older rows of that format are revoked ('superseded'): the SHC revocation list then
 * lists "<rid>.<revokedAt>" and the verifier reports the old card as revoked.
 *
 * Names: Person holds firstName/lastName only. For the EU DCC, names in Latin script (people
 * registered with a passport type them as printed) are used as passport names; Thai names
 * are romanised by the core (a heuristic): asking travellers for their passport names is a
 * later change to the Person model.
 *
 * Run it inside a transaction: the new row and the revocation of the old ones commit together.
 */
import type { Db } from '../../db/client.js';
import {
  buildDccVaccination,
  buildShcPayload,
  deriveRevocationId,
  newUvci,
  ShcTooLargeError,
  signHcert,
  signShc,
  type CertificateFormat,
  type CertificatePerson,
} from '../../certificates/index.js';
import type { CertificateKeys } from './certificate-keys.js';
import { loadCertificateData, type CertificateData } from './certificate-data.js';

/** CWT/DCC issuer (`is`): the authority, as Thailand's pass names it. */
export const DCC_ISSUER_NAME = 'Department of Disease Control, Ministry of Public Health';

export interface IssuedCertificate {
  id: string;
  format: CertificateFormat;
  /** JWS (shc) or HC1: text (hcert). */
  content: string;
  kid: string;
  /** SHC rid (per person) or HCERT ci (per pass). */
  revocationId: string;
  issuedAt: Date;
  /** False when the stored row was sent again. */
  signedNow: boolean;
}

export type Requester = { lineUserId: string } | { admin: true };

export type IssueCertificatesResult =
  | ({ ok: true; shc: IssuedCertificate; hcert?: IssuedCertificate } & CertificateData)
  | { ok: false; refusal: 'not-found' | 'no-doses' | 'too-large' };

export async function issueCertificates(options: {
  db: Db;
  keys: CertificateKeys;
  personId: string;
  requester: Requester;
  /** Also issue the international pass. */
  hcert?: boolean;
  now: Date;
}): Promise<IssueCertificatesResult> {
  const { db, keys, personId, requester, now } = options;
  const data = await loadCertificateData(db, personId);
  // Someone else's person looks exactly like no person (BOLA).
  if (!data || ('lineUserId' in requester && data.person.ownerId !== requester.lineUserId)) return { ok: false, refusal: 'not-found' };
  if (data.doses.length === 0) return { ok: false, refusal: 'no-doses' };

  try {
    const shc = await issueOne(db, data, 'shc', now, async () => {
      const rid = deriveRevocationId(keys.revocationSecret, personId);
      const payload = buildShcPayload({ issuer: keys.issuer, person: shcPerson(data), doses: certificateDoses(data), issuedAt: now.getTime() / 1000, rid });
      return { content: await signShc(payload, keys.shc), revocationId: rid, kid: keys.shc.signing.kid };
    });
    const hcert = options.hcert
      ? await issueOne(db, data, 'hcert', now, async () => {
          const ci = newUvci();
          const latest = certificateDoses(data).at(-1)!;
          const dcc = buildDccVaccination({ person: dccPerson(data), dose: latest, seriesDoses: data.seriesDoses, ci, issuer: DCC_ISSUER_NAME });
          const expiresAt = new Date(now.getTime() + keys.dccValidityDays * 86_400_000);
          return { content: signHcert({ dcc, signer: keys.dcc, issuedAt: now, expiresAt }), revocationId: ci, kid: keys.dcc.kid.toString('base64') };
        })
      : undefined;
    return { ok: true, ...data, shc, ...(hcert ? { hcert } : {}) };
  } catch (err) {
    // Over one QR code (very long hospital names on many doses): nothing was stored.
    if (err instanceof ShcTooLargeError) return { ok: false, refusal: 'too-large' };
    throw err;
  }
}

async function issueOne(
  db: Db,
  data: CertificateData,
  format: CertificateFormat,
  now: Date,
  sign: () => Promise<{ content: string; revocationId: string; kid: string }>,
): Promise<IssuedCertificate> {
  const key = { personId: data.person.personId, format, dataVersion: format === 'hcert' ? data.passVersion : data.dataVersion };
  const existing = await db.certificate.findUnique({ where: { personId_format_dataVersion: key } });
  if (existing && !existing.revokedAt) return { ...pick(existing), signedNow: false };

  const signed = await sign();
  let row;
  if (existing) {
    // The data went back to a version revoked earlier (a correction undone): the unique key
    // allows one row per version, so that row is signed anew and un-revoked. Its old content
    // stays revoked: the SHC list revokes every card of the rid signed before the revocation.
    row = await db.certificate.update({ where: { id: existing.id }, data: { ...signed, issuedAt: now, revokedAt: null, revokedReason: null } });
  } else {
    // ON CONFLICT DO NOTHING: a concurrent issue of the same version must not abort the transaction.
    await db.certificate.createMany({ data: [{ ...key, ...signed, issuedAt: now }], skipDuplicates: true });
    row = await db.certificate.findUniqueOrThrow({ where: { personId_format_dataVersion: key } });
  }
  await db.certificate.updateMany({
    where: { personId: data.person.personId, format, revokedAt: null, id: { not: row.id } },
    data: { revokedAt: now, revokedReason: 'superseded' },
  });
  return { ...pick(row), signedNow: row.content === signed.content };
}

function pick(row: { id: string; format: string; content: string; kid: string; revocationId: string; issuedAt: Date }): Omit<IssuedCertificate, 'signedNow'> {
  return { id: row.id, format: row.format as CertificateFormat, content: row.content, kid: row.kid, revocationId: row.revocationId, issuedAt: row.issuedAt };
}

function certificateDoses(data: CertificateData) {
  return data.doses.map((d) => ({ doseNumber: d.doseNumber, productCode: d.productCode, date: d.date, lotNumber: d.lotNumber, hospitalName: d.hospitalNameEn }));
}

function shcPerson(data: CertificateData): CertificatePerson {
  return { givenName: data.person.firstName, familyName: data.person.lastName, birthDate: data.person.birthDate };
}

const LATIN = /^[\p{Script=Latin}\s'.,-]+$/u;

/** Latin-script names count as passport names; Thai ones are romanised by the core. */
export function dccPerson(data: CertificateData): CertificatePerson {
  const { firstName, lastName, passport } = data.person;
  // The passport's own spelling first: it is what border checks compare.
  if (passport) return { ...shcPerson(data), givenNameLatin: passport.givenNameLatin, familyNameLatin: passport.familyNameLatin };
  const latin = LATIN.test(firstName) && LATIN.test(lastName);
  return { ...shcPerson(data), ...(latin ? { givenNameLatin: firstName, familyNameLatin: lastName } : {}) };
}
