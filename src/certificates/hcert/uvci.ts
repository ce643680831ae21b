/**
 * Unique vaccination certificate identifiers (eHealth Network UVCI guidelines):
 * 'URN:UVCI:01:TH:<opaque>#<check>' where the check character is Luhn mod N over the whole
 * identifier before '#', alphabet A–Z, 0–9, '/', ':' (N = 38). Verified against the Austrian
 * test vectors (…BD813#B, …178297#I, …9AA5#K).
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/:';
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function luhnModN(input: string): string {
  const n = ALPHABET.length;
  let factor = 2;
  let sum = 0;
  for (let i = input.length - 1; i >= 0; i--) {
    const codePoint = ALPHABET.indexOf(input[i]!);
    if (codePoint < 0) throw new Error(`character '${input[i]}' is not allowed in a UVCI`);
    let addend = factor * codePoint;
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / n) + (addend % n);
    sum += addend;
  }
  return ALPHABET[(n - (sum % n)) % n]!;
}

export function withUvciChecksum(uvciWithoutCheck: string): string {
  return `${uvciWithoutCheck}#${luhnModN(uvciWithoutCheck)}`;
}

/** True when the identifier has no check character or a correct one. */
export function hasValidUvciChecksum(ci: string): boolean {
  const [body, check, ...rest] = ci.toUpperCase().split('#');
  if (rest.length > 0 || !body) return false;
  if (check === undefined) return true;
  try {
    return luhnModN(body) === check;
  } catch {
    return false;
  }
}

/**
 * A new identifier for one issuance: schema option 1 (opaque), 26 random characters in
 * Crockford base32 (130 bits: unguessable, and reveals nothing about the person).
 */
export function newUvci(country = 'TH'): string {
  const bytes = randomBytes(26);
  let opaque = '';
  for (const byte of bytes) opaque += CROCKFORD[byte & 31];
  return withUvciChecksum(`URN:UVCI:01:${country}:${opaque}`);
}
