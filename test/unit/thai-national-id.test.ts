import { describe, expect, it } from 'vitest';
import {
  isValidThaiNationalId,
  normaliseThaiId,
  withThaiIdCheckDigit,
} from '../../src/domain/identity/thai-national-id.js';
import { DEMO_PERSON, DEMO_PERSON_UNDER_60, generateDemoPeople } from '../../prisma/data/demo-people.js';

const VALID_ID = '1101700207030';

/** The nine IDs that differ from `id` in exactly the digit at `position`. */
function singleDigitChanges(id: string, position: number): string[] {
  return [...'0123456789']
    .filter((digit) => digit !== id[position])
    .map((digit) => id.slice(0, position) + digit + id.slice(position + 1));
}

describe('Thai national ID checksum', () => {
  it('accepts a valid ID', () => {
    expect(isValidThaiNationalId(VALID_ID)).toBe(true);
  });

  // The third digit has weight 11 ≡ 0 (mod 11), so the algorithm cannot see a change there:
  // a property of the official checksum, not a bug. Every other single-digit typo is caught.
  const THIRD_DIGIT = 2;

  it('rejects every single-digit change outside the third digit', () => {
    for (let position = 0; position < 13; position++) {
      if (position === THIRD_DIGIT) continue;
      for (const typo of singleDigitChanges(VALID_ID, position)) {
        expect(isValidThaiNationalId(typo), typo).toBe(false);
      }
    }
  });

  it('cannot detect a change in the third digit (weight 11)', () => {
    for (const typo of singleDigitChanges(VALID_ID, THIRD_DIGIT)) {
      expect(isValidThaiNationalId(typo), typo).toBe(true);
    }
  });

  it('accepts the dashes and spaces people type', () => {
    expect(normaliseThaiId('1-1017-00207-03-0')).toBe(VALID_ID);
    expect(isValidThaiNationalId('1-1017-00207-03-0')).toBe(true);
    expect(isValidThaiNationalId('1 1017 00207 03 0')).toBe(true);
    expect(isValidThaiNationalId(' 1101700207030 ')).toBe(true);
  });

  it('rejects 12 or 14 digits and non-digits', () => {
    expect(isValidThaiNationalId(VALID_ID.slice(0, 12))).toBe(false);
    expect(isValidThaiNationalId(`${VALID_ID}0`)).toBe(false);
    expect(isValidThaiNationalId('110170020703a')).toBe(false);
    expect(isValidThaiNationalId('')).toBe(false);
  });

  it('withThaiIdCheckDigit round-trips over the generated people', () => {
    const people = generateDemoPeople(2_000);
    for (const { nationalId } of people) {
      expect(withThaiIdCheckDigit(nationalId.slice(0, 12))).toBe(nationalId);
      expect(isValidThaiNationalId(nationalId)).toBe(true);
    }
  });

  it('withThaiIdCheckDigit refuses anything but 12 digits', () => {
    expect(() => withThaiIdCheckDigit('12345678901')).toThrow(RangeError);
    expect(() => withThaiIdCheckDigit('1234567890123')).toThrow(RangeError);
  });
});

describe('demo people', () => {
  it('is deterministic and starts with the two documented people', () => {
    const people = generateDemoPeople();
    expect(people).toHaveLength(300);
    expect(people).toEqual(generateDemoPeople());
    expect(people[0]).toEqual(DEMO_PERSON);
    expect(people[1]).toEqual(DEMO_PERSON_UNDER_60);
    expect(DEMO_PERSON.nationalId).toBe(VALID_ID);
  });

  it('has unique IDs whose first digit is a person category (1–8)', () => {
    const ids = generateDemoPeople().map((p) => p.nationalId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[1-8]\d{12}$/);
  });

  it('spreads ages over adults with a good share aged 60 or more', () => {
    const birthYears = generateDemoPeople().map((p) => Number(p.birthDate.slice(0, 4)));
    expect(Math.min(...birthYears)).toBeGreaterThanOrEqual(2026 - 96);
    expect(Math.max(...birthYears)).toBeLessThanOrEqual(2026 - 18);
    const bornBefore1966 = birthYears.filter((year) => year < 1966).length;
    expect(bornBefore1966 / birthYears.length).toBeGreaterThan(0.3);
  });
});
