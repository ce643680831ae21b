/**
 * Verifies a SMART Health Card from its QR content ('shc:/…') or a bare JWS.
 *
 * Order matters for a useful verdict: header → key by kid among the trusted issuers →
 * signature over the JWS signing input → payload (inflate, JSON) → issuer matches the key's
 * issuer → nbf/exp → revocation list of that kid. A tampered payload therefore reads as a bad
 * signature, not as "malformed".
 *
 * The ES256 check itself uses node:crypto (SHA-256 + P-256, r||s signature, exactly RFC 7515
 * §A.3): jose's async WebCrypto path measured ~2,400 verifies/s on the target machine against
 * ~5,800/s for node:crypto, and the issue asks for ≥ 3,000/s. jose still signs and computes
 * thumbprints.
 */
import { verify as verifySignature } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import type { ShcTrust } from '../keys.js';
import type { VerificationResult, VerifiedSubject } from '../types.js';
import { productNameFromCvx } from '../vaccines.js';
import type { ShcPayload } from './build-credential.js';
import { fromShcQrContent, MalformedShcError } from './qr.js';

export interface VerifyShcOptions {
  /** Verification time (default now). */
  now?: Date;
  /** Tolerated clock difference for nbf, seconds (default 300: issuers' clocks drift). */
  clockSkewSeconds?: number;
}

const JWS_PART = /^[A-Za-z0-9_-]+$/;
const MAX_INFLATED_BYTES = 64 * 1024; // a QR card inflates to a few kB; refuse zip bombs

export function verifyShc(content: string, trust: ShcTrust, options: VerifyShcOptions = {}): VerificationResult {
  const malformed = (reason: string): VerificationResult => ({ format: 'shc', signature: 'invalid', status: 'malformed', reason });

  let jws: string;
  try {
    const text = content.trim();
    jws = text.slice(0, 5).toLowerCase() === 'shc:/' ? fromShcQrContent(text) : text;
  } catch (error) {
    return malformed(error instanceof MalformedShcError ? error.message : 'unreadable SHC content');
  }
  const parts = jws.split('.');
  if (parts.length !== 3 || !parts.every((part) => JWS_PART.test(part))) return malformed('not a compact JWS');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];

  let header: { alg?: unknown; zip?: unknown; kid?: unknown };
  try {
    header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8')) as typeof header;
  } catch {
    return malformed('the JWS header is not JSON');
  }
  if (header.alg !== 'ES256') return malformed(`unsupported algorithm ${String(header.alg)} (SMART Health Cards use ES256)`);
  if (header.zip !== 'DEF') return malformed('the payload is not DEFLATE-compressed (zip: "DEF")');
  if (typeof header.kid !== 'string') return malformed('the JWS header has no kid');

  const kid = header.kid;
  const candidates = [...trust.issuers.values()].filter((candidate) => candidate.keys.has(kid));
  // A kid is a key thumbprint, so normally one issuer has it; if several list the same key,
  // the one the card names decides (its signature is checked against that key all the same).
  const claimedIss = candidates.length > 1 ? readPayload(payloadPart)?.iss : undefined;
  const issuer = candidates.find((candidate) => candidate.iss === claimedIss) ?? candidates[0];
  if (!issuer) {
    // Still read the payload to name the issuer the card claims: it helps the checker.
    const claimed = readPayload(payloadPart);
    return {
      format: 'shc',
      signature: 'unknown-key',
      status: 'invalid',
      reason: `no trusted issuer has the key ${kid}`,
      ...(claimed && typeof claimed.iss === 'string' ? { issuer: claimed.iss } : {}),
    };
  }

  const signature = Buffer.from(signaturePart, 'base64url');
  const signed =
    signature.length === 64 &&
    verifySignature('sha256', Buffer.from(`${headerPart}.${payloadPart}`, 'ascii'), { key: issuer.keys.get(kid)!, dsaEncoding: 'ieee-p1363' }, signature);
  if (!signed) return { format: 'shc', signature: 'invalid', status: 'invalid', reason: 'the signature does not match', issuer: issuer.iss };

  const payload = readPayload(payloadPart);
  if (!payload) return { format: 'shc', signature: 'valid', status: 'malformed', reason: 'the payload cannot be inflated or parsed', issuer: issuer.iss };
  if (payload.iss !== issuer.iss) {
    return { format: 'shc', signature: 'valid', status: 'invalid', reason: `the card claims issuer ${String(payload.iss)} but was signed with a key of ${issuer.iss}`, issuer: issuer.iss };
  }
  if (!Array.isArray(payload.vc?.type) || !payload.vc.type.includes('https://smarthealth.cards#health-card')) {
    return { format: 'shc', signature: 'valid', status: 'malformed', reason: 'the credential is not a health card', issuer: issuer.iss };
  }
  const subject = readSubject(payload);
  if (!subject) return { format: 'shc', signature: 'valid', status: 'malformed', reason: 'the FHIR bundle has no Patient', issuer: issuer.iss };

  const base = { format: 'shc' as const, signature: 'valid' as const, issuer: issuer.iss, subject };
  const nowSeconds = (options.now ?? new Date()).getTime() / 1000;
  const skew = options.clockSkewSeconds ?? 300;
  if (typeof payload.nbf !== 'number') return { ...base, status: 'malformed', reason: 'the card has no nbf' };
  // Revocation first: the issuer's explicit "do not trust this card" outranks its age.
  const rid = payload.vc?.rid;
  const revokedBefore = typeof rid === 'string' ? issuer.revoked.get(kid)?.get(rid) : undefined;
  if (revokedBefore !== undefined && (revokedBefore === null || payload.nbf < revokedBefore)) {
    return { ...base, status: 'revoked', reason: 'the issuer has revoked this card' };
  }
  if (typeof payload.exp === 'number' && payload.exp <= nowSeconds) return { ...base, status: 'expired', reason: 'the card has expired' };
  if (payload.nbf > nowSeconds + skew) return { ...base, status: 'not-yet-valid', reason: 'the card is dated in the future' };
  return { ...base, status: 'valid' };
}

function readPayload(payloadPart: string): ShcPayload | null {
  try {
    const json = inflateRawSync(Buffer.from(payloadPart, 'base64url'), { maxOutputLength: MAX_INFLATED_BYTES }).toString('utf8');
    const payload = JSON.parse(json) as unknown;
    return payload && typeof payload === 'object' ? (payload as ShcPayload) : null;
  } catch {
    return null;
  }
}

interface FhirResource {
  resourceType?: string;
  name?: Array<{ family?: string; given?: string[]; text?: string }>;
  birthDate?: string;
  status?: string;
  vaccineCode?: { coding?: Array<{ system?: string; code?: string }> };
  occurrenceDateTime?: string;
  lotNumber?: string;
}

/** Name, date of birth and completed doses: what a checker needs, nothing more. */
function readSubject(payload: ShcPayload): VerifiedSubject | null {
  const entries = payload.vc?.credentialSubject?.fhirBundle?.entry;
  if (!Array.isArray(entries)) return null;
  const resources = entries.map((entry) => (entry?.resource ?? {}) as FhirResource);
  const patient = resources.find((resource) => resource.resourceType === 'Patient');
  if (!patient) return null;
  const name = patient.name?.[0];
  const fullName = name ? (name.text ?? [...(name.given ?? []), name.family ?? ''].join(' ').trim()) : '';
  const doses = resources
    .filter((resource) => resource.resourceType === 'Immunization' && resource.status === 'completed')
    .map((resource) => {
      const coding = resource.vaccineCode?.coding?.[0];
      const product = coding?.system === 'http://hl7.org/fhir/sid/cvx' && coding.code ? productNameFromCvx(coding.code) : (coding?.code ?? 'unknown');
      return { date: (resource.occurrenceDateTime ?? '').slice(0, 10), product, ...(resource.lotNumber ? { lot: resource.lotNumber } : {}) };
    })
    .sort((a, b) => a.date.localeCompare(b.date));
  return { name: fullName, birthDate: patient.birthDate ?? '', doses };
}
