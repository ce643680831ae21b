/**
 * Throwaway certificate keys for a service a benchmark starts with NODE_ENV=production, where
 * missing SHC and EU DCC signing keys are a configuration error (src/config/env.ts).
 */
import { createDevelopmentDccSigner, generateDevelopmentShcKey } from '../../src/certificates/index.js';

export async function benchCertificateKeyEnv(): Promise<Record<'SHC_SIGNING_KEYS' | 'DCC_SIGNER_CERT' | 'DCC_SIGNER_KEY', string>> {
  const signer = createDevelopmentDccSigner({ commonName: 'Mor Prom BENCH DSC' });
  return {
    SHC_SIGNING_KEYS: JSON.stringify([(await generateDevelopmentShcKey()).privateJwk]),
    DCC_SIGNER_CERT: signer.certificatePem,
    DCC_SIGNER_KEY: signer.privateKeyPem,
  };
}
