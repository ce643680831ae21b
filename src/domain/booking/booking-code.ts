/**
 * Booking codes: what a citizen reads out at the hospital and what the check-in QR holds.
 * 8 characters of Crockford's base32 without I, L, O and U (no 1/I/L or 0/O mix-ups, no
 * accidental words), 40 random bits: about a trillion codes, so a collision is rare and the
 * booking use case simply draws again when the unique index says it happened.
 */
import { randomBytes } from 'node:crypto';

export const BOOKING_CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const BOOKING_CODE_LENGTH = 8;
const CODE_PATTERN = new RegExp(`^[${BOOKING_CODE_ALPHABET}]{${BOOKING_CODE_LENGTH}}$`);

/** A fresh random code, e.g. 'K7Q2M9XD'. */
export function newBookingCode(): string {
  // 5 random bytes = 40 bits = 8 symbols of 5 bits each: uniform, no modulo bias.
  let bits = 0n;
  for (const byte of randomBytes(5)) bits = (bits << 8n) | BigInt(byte);
  let code = '';
  for (let i = BOOKING_CODE_LENGTH - 1; i >= 0; i--) code += BOOKING_CODE_ALPHABET[Number((bits >> BigInt(i * 5)) & 31n)];
  return code;
}

/**
 * Reads a code as people type it: case-insensitive, spaces and dashes ignored, and the
 * letters Crockford maps to digits (O→0, I/L→1) accepted. Null when it cannot be a code.
 */
export function normaliseBookingCode(input: string): string | null {
  const code = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return CODE_PATTERN.test(code) ? code : null;
}
