/**
 * Issues an EU DCC: CWT claims {1 iss, 4 exp, 6 iat, -260 {1 dcc}} → COSE_Sign1 (ES256, kid =
 * first 8 bytes of SHA-256 of the document signer certificate) → zlib → Base45 → 'HC1:'.
 *
 * The signer (DSC certificate + private key) comes from configuration as PEM; development
 * creates a self-signed ES256 DSC (self-signed-certificate.ts), which no foreign verifier
 * trusts: the caller must say so in its log.
 */
import { createPrivateKey, generateKeyPairSync, sign as signData, verify as verifyData, X509Certificate, type KeyObject } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import QRCode, { type QRCodeSegment } from 'qrcode';
import { dccKidOf } from '../keys.js';
import { encodeBase45 } from './base45.js';
import type { DccPayload } from './build-dcc.js';
import { signCoseSign1 } from './cose.js';
import { createSelfSignedEcCertificate } from './self-signed-certificate.js';

export const HCERT_PREFIX = 'HC1:';

export interface DccSigner {
  kid: Buffer;
  privateKey: KeyObject;
  certificateDer: Buffer;
  certificatePem: string;
}

/** Loads the DSC and its key, checking that they belong together and are ES256 (P-256). */
export function loadDccSigner(certificatePem: string, privateKeyPem: string): DccSigner {
  const certificate = new X509Certificate(certificatePem);
  const privateKey = createPrivateKey(privateKeyPem);
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error('the DCC signer key must be EC P-256 (ES256)');
  }
  const probe = Buffer.from('dcc-signer-probe');
  const matches = verifyData('sha256', probe, certificate.publicKey, signData('sha256', probe, privateKey));
  if (!matches) throw new Error('the DCC signer private key does not match the certificate');
  return { kid: dccKidOf(certificate.raw), privateKey, certificateDer: certificate.raw, certificatePem: certificate.toString() };
}

/** Development only: a self-signed ES256 document signer for vaccination certificates. */
export function createDevelopmentDccSigner(options: { commonName?: string; now?: Date; validDays?: number } = {}): DccSigner & { privateKeyPem: string } {
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const notBefore = options.now ?? new Date();
  const der = createSelfSignedEcCertificate(keys, {
    commonName: options.commonName ?? 'Mor Prom DEVELOPMENT DSC',
    organization: 'Development only',
    country: 'TH',
    notBefore,
    notAfter: new Date(notBefore.getTime() + (options.validDays ?? 730) * 86_400_000),
    extendedKeyUsage: ['1.3.6.1.4.1.1847.2021.1.2'], // may sign vaccination certificates only
  });
  const certificatePem = new X509Certificate(der).toString();
  const privateKeyPem = keys.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  return { ...loadDccSigner(certificatePem, privateKeyPem), privateKeyPem };
}

export interface SignHcertInput {
  dcc: DccPayload;
  signer: Pick<DccSigner, 'kid' | 'privateKey'>;
  issuedAt: Date;
  expiresAt: Date;
  /** CWT iss: ISO 3166-1 alpha-2 of the issuing country. */
  issuerCountry?: string;
}

export function signHcert(input: SignHcertInput): string {
  const cose = signCoseSign1({
    claims: {
      iss: input.issuerCountry ?? 'TH',
      iat: Math.floor(input.issuedAt.getTime() / 1000),
      exp: Math.floor(input.expiresAt.getTime() / 1000),
      dcc: input.dcc,
    },
    kid: input.signer.kid,
    privateKey: input.signer.privateKey,
  });
  return HCERT_PREFIX + encodeBase45(deflateSync(cose, { level: 9 }));
}

/** PNG of the pass: alphanumeric mode (Base45 was designed for it), error correction Q as the EU guidelines recommend. */
export async function renderHcertQrPng(content: string, options: { scale?: number; margin?: number } = {}): Promise<Buffer> {
  const segments: QRCodeSegment[] = [{ data: content, mode: 'alphanumeric' }];
  return QRCode.toBuffer(segments, {
    errorCorrectionLevel: 'Q',
    type: 'png',
    scale: options.scale ?? 4,
    margin: options.margin ?? 4,
  });
}
