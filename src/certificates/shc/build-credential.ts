/**
 * The SMART Health Card payload: a FHIR R4 Bundle inside a verifiable credential, following
 * the SHC rules for bundles in QR codes (data minimisation): `resource:N` fullUrls, no
 * Resource.id / meta / text, no CodeableConcept.text or Coding.display, references as
 * `resource:0`; a minimal Patient (name, birthDate) and one Immunization per dose.
 */
import { createHmac } from 'node:crypto';
import type { CertificateDose, CertificatePerson } from '../types.js';
import { productCodes } from '../vaccines.js';

export const SHC_TYPES = [
  'https://smarthealth.cards#health-card',
  // Deprecated by SHC framework 1.4.0 (cards are classified by content), still expected by
  // 2021-era verifier apps; harmless for newer ones.
  'https://smarthealth.cards#immunization',
  'https://smarthealth.cards#covid19',
] as const;

export interface FhirBundle {
  resourceType: 'Bundle';
  type: 'collection';
  entry: Array<{ fullUrl: string; resource: Record<string, unknown> }>;
}

export interface ShcPayload {
  iss: string;
  nbf: number;
  exp?: number;
  vc: {
    type: string[];
    credentialSubject: { fhirVersion: '4.0.1'; fhirBundle: FhirBundle };
    rid?: string;
  };
}

export function buildFhirBundle(person: CertificatePerson, doses: ReadonlyArray<CertificateDose>): FhirBundle {
  const patient = {
    resourceType: 'Patient',
    name: [{ family: person.familyName, given: [person.givenName] }],
    birthDate: person.birthDate,
  };
  const immunizations = [...doses]
    .sort((a, b) => a.doseNumber - b.doseNumber)
    .map((dose) => ({
      resourceType: 'Immunization',
      status: 'completed',
      vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: productCodes(dose.productCode).cvx }] },
      patient: { reference: 'resource:0' },
      occurrenceDateTime: dose.date,
      performer: [{ actor: { display: dose.hospitalName } }],
      ...(dose.lotNumber ? { lotNumber: dose.lotNumber } : {}),
    }));
  return {
    resourceType: 'Bundle',
    type: 'collection',
    entry: [patient, ...immunizations].map((resource, index) => ({ fullUrl: `resource:${index}`, resource })),
  };
}

export interface BuildShcPayloadInput {
  issuer: string;
  person: CertificatePerson;
  doses: ReadonlyArray<CertificateDose>;
  /** Seconds since the epoch (whole seconds: fractions only cost QR space). */
  issuedAt: number;
  /** Revocation id (see deriveRevocationId). */
  rid?: string;
}

export function buildShcPayload(input: BuildShcPayloadInput): ShcPayload {
  return {
    iss: input.issuer,
    nbf: Math.floor(input.issuedAt),
    vc: {
      type: [...SHC_TYPES],
      credentialSubject: { fhirVersion: '4.0.1', fhirBundle: buildFhirBundle(input.person, input.doses) },
      ...(input.rid ? { rid: input.rid } : {}),
    },
  };
}

/**
 * The SHC revocation spec's recommended rid: base64url of the first 64 bits of
 * HMAC-SHA-256(256-bit issuer secret, internal subject id): 11 characters that reveal nothing
 * about the person. One rid per person (not per card): to revoke the cards issued before a
 * correction, the CRL lists "rid.<timestamp>" and the re-issued card (nbf later) stays valid.
 * `secret`: 32+ random bytes, or their base64url/base64 text as a setting would hold them.
 */
export function deriveRevocationId(secret: Uint8Array | string, subjectId: string): string {
  const key = typeof secret === 'string' ? Buffer.from(secret, 'base64url') : secret;
  if (key.length < 32) throw new Error('the revocation secret must be at least 256 bits');
  return createHmac('sha256', key).update(subjectId, 'utf8').digest().subarray(0, 8).toString('base64url');
}
