/**
 * One entry point for the verifier (POST /api/verify, the /verify page): recognises the format
 * by its prefix and answers with the same result shape for both.
 */
import type { DccTrust, ShcTrust } from './keys.js';
import { verifyHcert } from './hcert/verify-hcert.js';
import { verifyShc } from './shc/verify-card.js';
import type { VerificationResult } from './types.js';

export interface CertificateTrust {
  shc: ShcTrust;
  dcc: DccTrust;
}

export interface VerifyCertificateOptions {
  now?: Date;
}

/** Longest content accepted: a version-40 QR holds 4,296 alphanumeric / 7,089 numeric characters. */
export const MAX_CERTIFICATE_CONTENT = 8_000;

export function verifyCertificate(content: string, trust: CertificateTrust, options: VerifyCertificateOptions = {}): VerificationResult | null {
  const text = content.trim();
  if (text.length > MAX_CERTIFICATE_CONTENT) return null;
  if (text.toLowerCase().startsWith('shc:/')) return verifyShc(text, trust.shc, options);
  if (/^HC\d:/.test(text)) return verifyHcert(text, trust.dcc, options);
  return null; // neither format: the caller answers "not a certificate"
}
