/**
 * Links to a certificate's QR image and .smart-health-card file, sent in chat cards. Same
 * design as the appointment links (src/domain/booking/appointment-links.ts), whose signer is
 * reused as is: the token names one certificate row, expires, and carries an HMAC, so nobody
 * can fetch another person's certificate by walking ids. A separate HKDF label gives these
 * links their own key, so an appointment token never opens a certificate or the reverse.
 */
import { hkdfSync } from 'node:crypto';
import { createAppointmentLinkSigner } from '../booking/appointment-links.js';
import type { Locale } from '../../i18n/index.js';

/** A link in a chat card works for 90 days; "Certificate" in the menu always sends fresh ones. */
export const CERTIFICATE_LINK_DAYS = 90;

export interface CertificateLinkClaims {
  certificateId: string;
  expiresAt: Date;
  locale: Locale;
}

export interface CertificateLinkSigner {
  sign(certificateId: string, now: Date, locale: Locale): string;
  /** The claims of a genuine, unexpired token; null for anything else (never throws). */
  verify(token: string, now: Date): CertificateLinkClaims | null;
}

export function deriveCertificateLinkKey(idHashKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', idHashKey, Buffer.alloc(0), 'morprom/certificate-links/v1', 32));
}

export function createCertificateLinkSigner(key: Buffer): CertificateLinkSigner {
  const signer = createAppointmentLinkSigner(key);
  return {
    sign(certificateId, now, locale) {
      const expiresAt = new Date(now.getTime() + CERTIFICATE_LINK_DAYS * 86_400_000);
      return signer.sign({ appointmentId: certificateId, expiresAt, locale });
    },
    verify(token, now) {
      const claims = signer.verify(token, now);
      return claims ? { certificateId: claims.appointmentId, expiresAt: claims.expiresAt, locale: claims.locale } : null;
    },
  };
}
