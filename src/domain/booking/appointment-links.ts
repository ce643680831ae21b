/**
 * Links to an appointment's QR image and calendar file, sent in chat cards. They open without
 * a LINE login (a calendar app or browser fetches them), so the token itself is the
 * credential: it names the appointment, when it stops working and the language, and carries
 * an HMAC-SHA256 so nobody can forge one or walk appointment ids. Nothing personal is in it.
 *
 * Token = base64url( appointmentId (16 bytes) ‖ expiry, unix seconds (4) ‖ locale (1) ‖ MAC (16) ),
 * 37 bytes → 50 characters. The MAC is truncated to 128 bits, plenty for an online guess.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Locale } from '../../i18n/index.js';
import { addDays } from '../vaccination/interval-rules.js';
import { bangkokInstant } from '../../shared/clock.js';

const ID_BYTES = 16;
const PAYLOAD_BYTES = ID_BYTES + 4 + 1;
const MAC_BYTES = 16;
export const APPOINTMENT_TOKEN_LENGTH = Math.ceil(((PAYLOAD_BYTES + MAC_BYTES) * 4) / 3);
const LOCALES: readonly Locale[] = ['th', 'en'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A link stays valid until this many days after the appointment day (a re-check, a late dose). */
export const APPOINTMENT_LINK_DAYS_AFTER = 14;

export interface AppointmentLinkClaims {
  appointmentId: string;
  expiresAt: Date;
  locale: Locale;
}

export interface AppointmentLinkSigner {
  sign(claims: AppointmentLinkClaims): string;
  /** The claims of a genuine, unexpired token; null for anything else (never throws). */
  verify(token: string, now: Date): AppointmentLinkClaims | null;
}

/**
 * The MAC key, when APPOINTMENT_LINK_KEY is not set: derived from ID_HASH_KEY with HKDF and a
 * purpose label, so the two uses never share a key while only one secret has to be managed.
 */
export function deriveAppointmentLinkKey(idHashKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', idHashKey, Buffer.alloc(0), 'morprom/appointment-links/v1', 32));
}

/** When links of an appointment on `date` (YYYY-MM-DD) stop working: the end of day +14, Bangkok. */
export function appointmentLinkExpiry(date: string): Date {
  return bangkokInstant(addDays(date, APPOINTMENT_LINK_DAYS_AFTER + 1), '00:00');
}

export function createAppointmentLinkSigner(key: Buffer): AppointmentLinkSigner {
  if (key.length < 32) throw new RangeError('appointment link key must be at least 32 bytes');
  const mac = (payload: Buffer) => createHmac('sha256', key).update(payload).digest().subarray(0, MAC_BYTES);

  return {
    sign({ appointmentId, expiresAt, locale }) {
      if (!UUID.test(appointmentId)) throw new TypeError('appointmentId must be a UUID');
      const payload = Buffer.alloc(PAYLOAD_BYTES);
      Buffer.from(appointmentId.replace(/-/g, ''), 'hex').copy(payload, 0);
      payload.writeUInt32BE(Math.floor(expiresAt.getTime() / 1000), ID_BYTES);
      payload.writeUInt8(LOCALES.indexOf(locale), ID_BYTES + 4);
      return Buffer.concat([payload, mac(payload)]).toString('base64url');
    },

    verify(token, now) {
      if (typeof token !== 'string' || token.length !== APPOINTMENT_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) return null;
      const raw = Buffer.from(token, 'base64url');
      if (raw.length !== PAYLOAD_BYTES + MAC_BYTES) return null;
      const payload = raw.subarray(0, PAYLOAD_BYTES);
      if (!timingSafeEqual(raw.subarray(PAYLOAD_BYTES), mac(payload))) return null;
      const expiresAt = new Date(payload.readUInt32BE(ID_BYTES) * 1000);
      if (expiresAt.getTime() <= now.getTime()) return null;
      const locale = LOCALES[payload.readUInt8(ID_BYTES + 4)];
      if (!locale) return null;
      const hex = payload.subarray(0, ID_BYTES).toString('hex');
      const appointmentId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
      return { appointmentId, expiresAt, locale };
    },
  };
}
