/**
 * Protection of identity numbers (PDPA): we never store or log a national ID or passport
 * number in clear. `hash` (HMAC-SHA256 with a secret key) serves lookup and uniqueness;
 * `encrypt`/`decrypt` (AES-256-GCM) serve masked display only.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

export type IdentityKind = 'THAI_ID' | 'PASSPORT';

export interface PersonalDataCipher {
  /** Keyed hash for lookup: the kind is part of the input so a passport never collides with an ID. */
  hashIdentity(kind: IdentityKind, normalisedNumber: string): string;
  encrypt(plain: string): string;
  /** Throws if the ciphertext was altered or made with another key. */
  decrypt(ciphertext: string): string;
}

export function createPersonalDataCipher(keys: { hashKey: Buffer; encryptionKey: Buffer }): PersonalDataCipher {
  const { hashKey, encryptionKey } = keys;
  return {
    hashIdentity(kind, normalisedNumber) {
      return createHmac('sha256', hashKey).update(`${kind}:${normalisedNumber}`).digest('hex');
    },
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', encryptionKey, iv);
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url')).join('.');
    },
    decrypt(ciphertext) {
      const [iv, tag, data] = ciphertext.split('.').map((p) => Buffer.from(p, 'base64url'));
      if (!iv || !tag || !data) throw new Error('malformed ciphertext');
      const decipher = createDecipheriv('aes-256-gcm', encryptionKey, iv);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
    },
  };
}

/** "1101700207030" → "x-xxxx-xxxxx-03-0": only the last three digits show. */
export function maskIdentityNumber(kind: IdentityKind, value: string): string {
  if (kind === 'THAI_ID') return maskThaiId(value);
  return `${'x'.repeat(Math.max(0, value.length - 3))}${value.slice(-3)}`;
}

function maskThaiId(id: string): string {
  return `x-xxxx-xxxxx-${id.slice(10, 12)}-${id.slice(12)}`;
}

/** Masks every 13-digit run in free text (log lines, error messages). */
export function maskThaiIdsInText(text: string): string {
  return text.replace(/(?<!\d)\d{13}(?!\d)/g, maskThaiId);
}
