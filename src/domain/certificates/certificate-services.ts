/** What chat flows and HTTP routes need for certificates, created once by the composition root. */
import type { CertificateKeys } from './certificate-keys.js';
import type { CertificateLinkSigner } from './certificate-links.js';

export interface CertificateServices {
  keys: CertificateKeys;
  /** Signs the QR-image and file links of certificate cards. */
  links: CertificateLinkSigner;
}
