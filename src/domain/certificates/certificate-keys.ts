/**
 * The certificate keys and trust lists, loaded once at start from the settings: our SHC key
 * store (the newest private key signs), the EU DCC document signer, the secret behind SHC
 * revocation ids, and the trust files of the verifier. In development, missing keys are made
 * on the spot, with a warning: cards signed by them stop verifying after a restart.
 */
import { hkdfSync } from 'node:crypto';
import { ConfigError, type Env } from '../../config/env.js';
import type { Logger } from '../../shared/logger.js';
import {
  addDccCertificate,
  createDevelopmentDccSigner,
  emptyDccTrust,
  emptyShcTrust,
  generateDevelopmentShcKey,
  loadDccSigner,
  loadDccTrustFile,
  loadShcKeyStore,
  loadShcTrustFile,
  trustOwnShcKeys,
  type DccSigner,
  type DccTrust,
  type ShcKeyStore,
  type ShcTrust,
} from '../../certificates/index.js';

export interface CertificateKeys {
  /** SHC `iss`: no trailing slash (verifiers append /.well-known/jwks.json). */
  issuer: string;
  shc: ShcKeyStore;
  dcc: DccSigner;
  /** HMAC secret of SHC revocation ids (one rid per person). */
  revocationSecret: Buffer;
  dccValidityDays: number;
  /**
   * What the verifier trusts: our own keys always, plus TRUSTED_SHC_JWKS / TRUSTED_DCC_CERTS.
   * Our own revocations are not in it: they are looked up per verification (revocation.ts).
   */
  trust: { shc: ShcTrust; dcc: DccTrust };
}

type CertificateSettings = { ID_HASH_KEY: Buffer } & Pick<
  Env,
  | 'NODE_ENV'
  | 'PUBLIC_BASE_URL'
  | 'SHC_SIGNING_KEYS'
  | 'SHC_ISSUER'
  | 'SHC_RETIRED_PUBLIC_KEYS'
  | 'CERTIFICATE_REVOCATION_SECRET'
  | 'DCC_SIGNER_CERT'
  | 'DCC_SIGNER_KEY'
  | 'DCC_VALIDITY_DAYS'
  | 'TRUSTED_SHC_JWKS'
  | 'TRUSTED_DCC_CERTS'
>;

/** The rid secret when CERTIFICATE_REVOCATION_SECRET is unset: its own HKDF purpose label. */
export function deriveRevocationSecret(idHashKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', idHashKey, Buffer.alloc(0), 'morprom/certificate-revocation/v1', 32));
}

export async function loadCertificateKeys(env: CertificateSettings, log: Logger): Promise<CertificateKeys> {
  let signing = env.SHC_SIGNING_KEYS;
  if (!signing) {
    // parseEnv already refused this in production.
    const generated = await generateDevelopmentShcKey();
    signing = [JSON.stringify(generated.privateJwk)];
    log.warn({ kid: generated.kid }, 'SHC_SIGNING_KEYS is empty: generated a development SMART Health Card key; certificates issued now will not verify after a restart');
  }
  // Retired (public) keys first, then the signing keys: the last private key signs.
  const shc = await loadShcKeyStore([...(env.SHC_RETIRED_PUBLIC_KEYS ?? []), ...signing]).catch((err: Error) => {
    throw new ConfigError([`SHC_SIGNING_KEYS: ${err.message}`]);
  });

  let dcc: DccSigner;
  if (env.DCC_SIGNER_CERT && env.DCC_SIGNER_KEY) {
    try {
      dcc = loadDccSigner(env.DCC_SIGNER_CERT, env.DCC_SIGNER_KEY);
    } catch (err) {
      throw new ConfigError([`DCC_SIGNER_KEY: ${(err as Error).message}`]);
    }
  } else {
    dcc = createDevelopmentDccSigner();
    log.warn({ kid: dcc.kid.toString('base64') }, 'DCC_SIGNER_CERT is empty: generated a self-signed DEVELOPMENT EU DCC signer; passes issued now are trusted by no one else and stop verifying after a restart');
  }

  const issuer = (env.SHC_ISSUER ?? env.PUBLIC_BASE_URL).replace(/\/+$/, '');
  const trust = { shc: emptyShcTrust(), dcc: emptyDccTrust() };
  if (env.TRUSTED_SHC_JWKS) {
    try {
      loadShcTrustFile(env.TRUSTED_SHC_JWKS, trust.shc);
    } catch (err) {
      throw new ConfigError([`TRUSTED_SHC_JWKS: cannot load ${env.TRUSTED_SHC_JWKS}: ${(err as Error).message}`]);
    }
  }
  if (env.TRUSTED_DCC_CERTS) {
    try {
      loadDccTrustFile(env.TRUSTED_DCC_CERTS, trust.dcc);
    } catch (err) {
      throw new ConfigError([`TRUSTED_DCC_CERTS: cannot load ${env.TRUSTED_DCC_CERTS}: ${(err as Error).message}`]);
    }
  }

  trustOwnShcKeys(trust.shc, issuer, shc);
  addDccCertificate(trust.dcc, dcc.certificateDer);

  return {
    issuer,
    shc,
    dcc,
    revocationSecret: env.CERTIFICATE_REVOCATION_SECRET ?? deriveRevocationSecret(env.ID_HASH_KEY),
    dccValidityDays: env.DCC_VALIDITY_DAYS,
    trust,
  };
}
