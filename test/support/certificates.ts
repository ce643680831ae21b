/** Certificate services for tests that build BotServices by hand (development keys, made per run). */
import { loadCertificateKeys } from '../../src/domain/certificates/certificate-keys.js';
import { createCertificateLinkSigner, deriveCertificateLinkKey } from '../../src/domain/certificates/certificate-links.js';
import type { CertificateServices } from '../../src/domain/certificates/certificate-services.js';
import { createLogger } from '../../src/shared/logger.js';

export async function createTestCertificateServices(hashKey: Buffer, publicBaseUrl = 'https://morprom.example'): Promise<CertificateServices> {
  const keys = await loadCertificateKeys(
    { NODE_ENV: 'test', PUBLIC_BASE_URL: publicBaseUrl, ID_HASH_KEY: hashKey, DCC_VALIDITY_DAYS: 365 },
    createLogger({ level: 'silent' }),
  );
  return { keys, links: createCertificateLinkSigner(deriveCertificateLinkKey(hashKey)) };
}
