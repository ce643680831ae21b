/**
 * Shapes shared by both certificate formats (SMART Health Card and EU DCC / HCERT).
 * Pure data: the modules under src/certificates/ never touch the database or HTTP.
 */

/** One dose as the certificate shows it. Dates are calendar days, YYYY-MM-DD (Asia/Bangkok). */
export interface CertificateDose {
  doseNumber: number;
  /** Our product code: 'SINOVAC' | 'AZ' | 'PFIZER' | 'MODERNA' | 'SINOPHARM' (see vaccines.ts). */
  productCode: string;
  date: string;
  lotNumber?: string | null;
  /** Where it was given (SHC performer display). */
  hospitalName: string;
}

/** The person the certificate is about: only what a certificate needs. */
export interface CertificatePerson {
  /** Given name(s) and family name as registered (Thai or Latin script). */
  givenName: string;
  familyName: string;
  /** Names as printed in the passport (Latin script), preferred for the EU DCC when known. */
  givenNameLatin?: string | null;
  familyNameLatin?: string | null;
  birthDate: string;
}

export type CertificateFormat = 'shc' | 'hcert';
export type SignatureVerdict = 'valid' | 'invalid' | 'unknown-key';
export type CertificateStatus = 'valid' | 'revoked' | 'expired' | 'not-yet-valid' | 'invalid' | 'malformed';

/** What a checker may see: name, date of birth and doses, nothing more. */
export interface VerifiedSubject {
  name: string;
  birthDate: string;
  doses: Array<{ date: string; product: string; lot?: string; doseNumber?: number; totalDoses?: number }>;
}

/**
 * The verifier's answer. `signature` says whether the signature checked out ('invalid' also
 * when the content is too broken to check it); `status` is the overall verdict.
 */
export interface VerificationResult {
  format: CertificateFormat;
  signature: SignatureVerdict;
  status: CertificateStatus;
  /** Why it is not valid, in plain English for logs and the verify page (machine reading uses `status`). */
  reason?: string;
  issuer?: string;
  subject?: VerifiedSubject;
}
