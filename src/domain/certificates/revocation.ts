/**
 * Revocation of our own certificates, from the certificate table:
 * - revokeOutdatedCertificates: after a dose is corrected or voided, every certificate that
 *   no longer matches the person's data is revoked at once (not only when the next one is
 *   issued): a card with wrong data must stop verifying now.
 * - the SHC revocation list of a key (/.well-known/crl/<kid>.json) and its version (crlVersion
 *   in the JWKS): one entry "<rid>.<revokedAt, unix s>" per person, the latest revocation,
 *   which revokes every card of that person signed before it (the current one is signed at or
 *   after it). ctr = the latest revocation time, so it only grows.
 * - the trust used to verify a given content: our keys, the trust files, and the revocations
 *   of that one card looked up by its rid (SHC) or ci (HCERT), not the whole list.
 */
import { inflateRawSync } from 'node:zlib';
import type { Db } from '../../db/client.js';
import {
  decodeBase45,
  decodeCoseSign1,
  decodeCwt,
  fromShcQrContent,
  inflateHcert,
  publishJwks,
  unprefixHcert,
  verifyCertificate,
  type PublishedJwk,
  type ShcCrl,
  type VerificationResult,
} from '../../certificates/index.js';
import type { CertificateKeys } from './certificate-keys.js';
import { loadCertificateData } from './certificate-data.js';

export async function revokeOutdatedCertificates(options: { db: Db; personId: string; reason: string; now: Date }): Promise<number> {
  const data = await loadCertificateData(options.db, options.personId);
  if (!data) return 0;
  const { count } = await options.db.certificate.updateMany({
    where: {
      personId: options.personId,
      revokedAt: null,
      // No dose left: nothing is still true.
      ...(data.doses.length > 0
        ? { OR: [{ format: 'shc', dataVersion: { not: data.dataVersion } }, { format: 'hcert', dataVersion: { not: data.passVersion } }] }
        : {}),
    },
    data: { revokedAt: options.now, revokedReason: options.reason },
  });
  return count;
}

const unix = (date: Date) => Math.floor(date.getTime() / 1000);

/** kid → CRL counter, for the keys that have revoked cards. */
export async function crlVersions(db: Db): Promise<Record<string, number>> {
  const rows = await db.certificate.groupBy({ by: ['kid'], where: { format: 'shc', revokedAt: { not: null } }, _max: { revokedAt: true } });
  return Object.fromEntries(rows.map((row) => [row.kid, unix(row._max.revokedAt!)]));
}

export async function publishedJwks(db: Db, keys: CertificateKeys): Promise<{ keys: PublishedJwk[] }> {
  return publishJwks(keys.shc, await crlVersions(db));
}

/** The SHC revocation list of one of our keys; null when the key is not ours or has none. */
export async function revocationList(db: Db, keys: CertificateKeys, kid: string): Promise<ShcCrl | null> {
  if (!keys.shc.keys.some((key) => key.kid === kid)) return null;
  const rows = await db.certificate.groupBy({ by: ['revocationId'], where: { format: 'shc', kid, revokedAt: { not: null } }, _max: { revokedAt: true } });
  if (rows.length === 0) return null;
  const times = rows.map((row) => unix(row._max.revokedAt!));
  return { kid, method: 'rid', ctr: Math.max(...times), rids: rows.map((row, i) => `${row.revocationId}.${times[i]}`).sort() };
}

/**
 * Verifies QR content against our keys (always), the trust files and our revocations. null:
 * the content is neither format.
 */
export async function verifyContent(options: { db: Db; keys: CertificateKeys; content: string; now: Date }): Promise<VerificationResult | null> {
  const { db, keys, now } = options;
  const content = options.content.trim();
  let { shc, dcc } = keys.trust;

  const card = peekShc(content);
  if (card) {
    const latest = await db.certificate.aggregate({ where: { format: 'shc', kid: card.kid, revocationId: card.rid, revokedAt: { not: null } }, _max: { revokedAt: true } });
    const ours = shc.issuers.get(keys.issuer);
    if (latest._max.revokedAt && ours) {
      // A copy with this one entry added: the shared trust is never mutated.
      const ofKid = new Map(ours.revoked.get(card.kid) ?? []).set(card.rid, unix(latest._max.revokedAt));
      shc = { issuers: new Map(shc.issuers).set(keys.issuer, { ...ours, revoked: new Map(ours.revoked).set(card.kid, ofKid) }) };
    }
  }
  const ci = peekHcertCi(content);
  if (ci && (await db.certificate.findFirst({ where: { format: 'hcert', revocationId: ci, revokedAt: { not: null } }, select: { id: true } }))) {
    dcc = { ...dcc, revokedCi: new Set([...dcc.revokedCi, ci]) };
  }
  return verifyCertificate(content, { shc, dcc }, { now });
}

/** kid and rid of SHC content, read without verifying (only to look up revocations); null if unreadable. */
function peekShc(content: string): { kid: string; rid: string } | null {
  if (!content.toLowerCase().startsWith('shc:/')) return null;
  try {
    const [header, payload] = fromShcQrContent(content).split('.');
    const kid = (JSON.parse(Buffer.from(header!, 'base64url').toString('utf8')) as { kid?: unknown }).kid;
    const inflated = inflateRawSync(Buffer.from(payload!, 'base64url'), { maxOutputLength: 64 * 1024 });
    const rid = (JSON.parse(inflated.toString('utf8')) as { vc?: { rid?: unknown } }).vc?.rid;
    return typeof kid === 'string' && typeof rid === 'string' ? { kid, rid } : null;
  } catch {
    return null; // the verifier reports it as malformed
  }
}

/** The certificate identifier of an EU DCC, read without verifying; null if unreadable. */
function peekHcertCi(content: string): string | null {
  if (!content.startsWith('HC1:')) return null;
  try {
    const claims = decodeCwt(decodeCoseSign1(inflateHcert(decodeBase45(unprefixHcert(content)))).payload);
    const ci = (claims.dcc as { v?: Array<{ ci?: unknown }> } | undefined)?.v?.[0]?.ci;
    return typeof ci === 'string' ? ci : null;
  } catch {
    return null;
  }
}
