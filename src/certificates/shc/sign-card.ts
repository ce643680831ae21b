/**
 * Signs a SMART Health Card: compact JWS, ES256, header {alg, zip: 'DEF', kid}, payload = raw
 * DEFLATE of the minified JSON. A card must fit one QR code (JWS ≤ 1195 characters): the SHC
 * framework deprecated QR chunking, so a card that does not fit is an error, not a split.
 */
import { deflateRawSync } from 'node:zlib';
import { CompactSign } from 'jose';
import type { ShcKeyStore } from '../keys.js';
import type { ShcPayload } from './build-credential.js';

export const SHC_MAX_SINGLE_QR_JWS = 1195;

export class ShcTooLargeError extends Error {
  constructor(readonly length: number) {
    super(`the SMART Health Card JWS is ${length} characters, more than the ${SHC_MAX_SINGLE_QR_JWS} one QR code holds`);
    this.name = 'ShcTooLargeError';
  }
}

export async function signShc(payload: ShcPayload, keys: Pick<ShcKeyStore, 'signing'>): Promise<string> {
  const compressed = deflateRawSync(Buffer.from(JSON.stringify(payload), 'utf8'), { level: 9 });
  const jws = await new CompactSign(compressed)
    .setProtectedHeader({ alg: 'ES256', zip: 'DEF', kid: keys.signing.kid })
    .sign(keys.signing.privateKey);
  if (jws.length > SHC_MAX_SINGLE_QR_JWS) throw new ShcTooLargeError(jws.length);
  return jws;
}

/** The `.smart-health-card` file (application/smart-health-card) holding one or more cards. */
export function toSmartHealthCardFile(jwsList: ReadonlyArray<string>): string {
  return JSON.stringify({ verifiableCredential: jwsList });
}
