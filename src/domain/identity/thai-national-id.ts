/**
 * Thai national ID (เลขประจำตัวประชาชน): 13 digits, the last a mod-11 check digit.
 * S = Σ d_i × (14 − i) for i = 1..12; d13 = (11 − S mod 11) mod 10.
 * The checksum only catches some typos (the 3rd digit has weight 11 ≡ 0, so a change there
 * is never seen) and about 1 in 10 random numbers pass, which is why
 * identity checks are rate-limited per LINE user (see register-person.ts).
 */

/** Strips the spaces and dashes people type ("1-1017-00207-03-0"). */
export function normaliseThaiId(input: string): string {
  return input.replace(/[\s-]/g, '');
}

export function isValidThaiNationalId(input: string): boolean {
  const id = normaliseThaiId(input);
  if (!/^\d{13}$/.test(id)) return false;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(id[i]) * (13 - i);
  return (11 - (sum % 11)) % 10 === Number(id[12]);
}

/** Appends the check digit to 12 digits: used by the demo-data generator and tests. */
export function withThaiIdCheckDigit(first12: string): string {
  if (!/^\d{12}$/.test(first12)) throw new RangeError('expected 12 digits');
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(first12[i]) * (13 - i);
  return first12 + String((11 - (sum % 11)) % 10);
}

/** Passport numbers: 6–12 letters and digits after removing spaces; upper-cased. */
export function normalisePassport(input: string): string {
  return input.replace(/\s/g, '').toUpperCase();
}

/** A passport is identified by its issuing country and number together (the keyed hash input). */
export function passportKey(nationality: string, number: string): string {
  return `${nationality}:${number}`;
}

export function isPlausiblePassport(input: string): boolean {
  return /^[A-Z0-9]{6,12}$/.test(normalisePassport(input));
}
