/**
 * Verifies an EU DCC ('HC1:…'): prefix → Base45 → zlib → COSE_Sign1 → key by kid among the
 * trusted document signer certificates → signature (ES256 or PS256) → key usage of the DSC →
 * CWT claims and DCC structure → iat/exp against the clock → revocation by certificate id.
 *
 * kid: the protected header's when present, else the unprotected one's (tests CO18–CO23).
 * The steps are exported one by one too: the EU test vectors check each stage separately.
 */
import { inflateSync } from 'node:zlib';
import { uvciHash, type DccTrust } from '../keys.js';
import type { VerificationResult, VerifiedSubject } from '../types.js';
import { productNameFromDccMp } from '../vaccines.js';
import { decodeBase45, Base45Error } from './base45.js';
import { dccSchemaProblem, type DccPayload } from './build-dcc.js';
import { decodeCoseSign1, decodeCwt, MalformedCoseError, verifyCoseSignature, type CoseSign1, type CwtClaims } from './cose.js';
import { HCERT_PREFIX } from './sign-hcert.js';

export class MalformedHcertError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedHcertError';
  }
}

const MAX_INFLATED_BYTES = 64 * 1024;

/** 'HC1:…' → the Base45 text. Other contexts (HC2:, HL1:, none) are not supported. */
export function unprefixHcert(content: string): string {
  const text = content.trim();
  if (!text.startsWith(HCERT_PREFIX)) throw new MalformedHcertError(`not an EU DCC (expected the ${HCERT_PREFIX} prefix)`);
  return text.slice(HCERT_PREFIX.length);
}

/** zlib only: the spec requires compression, and an uncompressed COSE is refused (test Z2). */
export function inflateHcert(compressed: Uint8Array): Buffer {
  try {
    return inflateSync(compressed, { maxOutputLength: MAX_INFLATED_BYTES });
  } catch (error) {
    throw new MalformedHcertError(`the data is not zlib-compressed: ${(error as Error).message}`);
  }
}

/** Which certificate type a DCC is (v, t or r). */
function dccType(dcc: unknown): 'v' | 't' | 'r' | null {
  if (!dcc || typeof dcc !== 'object') return null;
  const keys = (['v', 't', 'r'] as const).filter((key) => (dcc as Record<string, unknown>)[key] !== undefined);
  return keys.length === 1 ? keys[0]! : null;
}

export interface VerifyHcertOptions {
  now?: Date;
  /** Tolerated clock difference for iat in the future, seconds (default 300). */
  clockSkewSeconds?: number;
}

export function verifyHcert(content: string, trust: DccTrust, options: VerifyHcertOptions = {}): VerificationResult {
  const malformed = (reason: string, signature: VerificationResult['signature'] = 'invalid'): VerificationResult => ({
    format: 'hcert',
    signature,
    status: 'malformed',
    reason,
  });

  let cose: CoseSign1;
  try {
    cose = decodeCoseSign1(inflateHcert(decodeBase45(unprefixHcert(content))));
  } catch (error) {
    if (error instanceof MalformedHcertError || error instanceof Base45Error || error instanceof MalformedCoseError) return malformed(error.message);
    throw error;
  }
  if (cose.alg === undefined) return malformed('the COSE header has no algorithm');
  if (!cose.kid) return { format: 'hcert', signature: 'unknown-key', status: 'invalid', reason: 'the COSE header has no kid' };

  const candidates = trust.signers.get(cose.kid.toString('base64')) ?? [];
  if (candidates.length === 0) {
    return { format: 'hcert', signature: 'unknown-key', status: 'invalid', reason: `no trusted document signer has the kid ${cose.kid.toString('base64')}` };
  }
  const signer = candidates.find((candidate) => verifyCoseSignature(cose, candidate.publicKey));
  if (!signer) return { format: 'hcert', signature: 'invalid', status: 'invalid', reason: 'the signature does not match' };

  let claims: CwtClaims;
  try {
    claims = decodeCwt(cose.payload);
  } catch (error) {
    return malformed((error as Error).message, 'valid');
  }
  const issuer = claims.iss;
  const withIssuer = issuer ? { issuer } : {};
  const schemaProblem = dccSchemaProblem(claims.dcc);
  if (schemaProblem) return { format: 'hcert', signature: 'valid', status: 'malformed', reason: schemaProblem, ...withIssuer };
  const dcc = claims.dcc as DccPayload;
  const type = dccType(dcc)!;
  if (signer.allowedTypes && !signer.allowedTypes.has(type)) {
    return { format: 'hcert', signature: 'valid', status: 'invalid', reason: `the signer certificate may not sign this type of certificate (${type})`, ...withIssuer };
  }

  const base = { format: 'hcert' as const, signature: 'valid' as const, ...withIssuer, subject: subjectOf(dcc) };
  const nowSeconds = (options.now ?? new Date()).getTime() / 1000;
  const skew = options.clockSkewSeconds ?? 300;
  if (claims.exp === undefined) return { ...base, status: 'malformed', reason: 'the CWT has no expiry (exp)' };
  // Revocation first: the issuer's explicit "do not trust this certificate" outranks its age.
  const ci = (dcc[type] as Array<{ ci?: string }>)[0]?.ci;
  if (ci && (trust.revokedCi.has(ci) || trust.revokedUvciHashes.has(uvciHash(ci)))) {
    return { ...base, status: 'revoked', reason: 'the issuer has revoked this certificate' };
  }
  if (claims.exp <= nowSeconds) return { ...base, status: 'expired', reason: 'the certificate has expired' };
  if (claims.iat !== undefined && claims.iat > nowSeconds + skew) return { ...base, status: 'not-yet-valid', reason: 'the certificate was issued in the future' };

  return { ...base, status: 'valid' };
}

/** Name, date of birth and the vaccination (a test or recovery certificate shows no doses). */
function subjectOf(dcc: DccPayload): VerifiedSubject {
  const given = dcc.nam.gn ?? dcc.nam.gnt ?? '';
  const family = dcc.nam.fn ?? dcc.nam.fnt;
  return {
    name: `${given} ${family}`.trim(),
    birthDate: dcc.dob,
    doses: (dcc.v ?? []).map((entry) => ({
      date: entry.dt,
      product: productNameFromDccMp(entry.mp),
      doseNumber: entry.dn,
      totalDoses: entry.sd,
    })),
  };
}
