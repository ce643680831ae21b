import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createPersonalDataCipher, maskIdentityNumber, maskThaiIdsInText } from '../../src/shared/personal-data.js';

const cipher = createPersonalDataCipher({ hashKey: randomBytes(32), encryptionKey: randomBytes(32) });

describe('personal data protection', () => {
  it('hashes deterministically per key and kind', () => {
    const other = createPersonalDataCipher({ hashKey: randomBytes(32), encryptionKey: randomBytes(32) });
    expect(cipher.hashIdentity('THAI_ID', '1101700207030')).toBe(cipher.hashIdentity('THAI_ID', '1101700207030'));
    expect(cipher.hashIdentity('THAI_ID', '1101700207030')).not.toBe(cipher.hashIdentity('PASSPORT', '1101700207030'));
    expect(cipher.hashIdentity('THAI_ID', '1101700207030')).not.toBe(other.hashIdentity('THAI_ID', '1101700207030'));
    expect(cipher.hashIdentity('THAI_ID', '1101700207030')).not.toContain('1101700207030');
  });

  it('encrypts with a fresh IV each time and detects tampering', () => {
    const a = cipher.encrypt('1101700207030');
    const b = cipher.encrypt('1101700207030');
    expect(a).not.toBe(b);
    expect(a).not.toContain('1101700207030');
    expect(cipher.decrypt(a)).toBe('1101700207030');
    const [iv, tag, data] = a.split('.');
    const flipped = `${iv}.${tag}.${data!.startsWith('A') ? 'B' : 'A'}${data!.slice(1)}`;
    expect(() => cipher.decrypt(flipped)).toThrow();
  });

  it('masks IDs for display and in free text', () => {
    expect(maskIdentityNumber('THAI_ID', '1101700207030')).toBe('x-xxxx-xxxxx-03-0');
    expect(maskIdentityNumber('PASSPORT', 'AA1234567')).toBe('xxxxxx567');
    expect(maskThaiIdsInText('id 1101700207030 and 12345678901234')).toBe('id x-xxxx-xxxxx-03-0 and 12345678901234');
  });
});
