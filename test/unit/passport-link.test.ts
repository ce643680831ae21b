import { describe, expect, it } from 'vitest';
import { parsePassportName, parsePassportNumber } from '../../src/domain/certificates/link-travel-document.js';

describe('linking a passport for the international pass', () => {
  it('takes names as a passport prints them, uppercased, and refuses other scripts, digits and edges', () => {
    expect(parsePassportName('  Somchai  ')).toEqual({ ok: true, value: 'SOMCHAI' });
    expect(parsePassportName("o'brien-smith  jr")).toEqual({ ok: true, value: "O'BRIEN-SMITH JR" });
    for (const bad of ['สมชาย', 'Somchai2', '', ' ', '-SOMCHAI', 'SOMCHAI-', 'É'.repeat(3), 'A'.repeat(51)]) {
      expect(parsePassportName(bad)).toEqual({ ok: false });
    }
    expect(parsePassportName('A'.repeat(50))).toEqual({ ok: true, value: 'A'.repeat(50) });
  });

  it('normalises a passport number and refuses implausible ones', () => {
    expect(parsePassportNumber('aa 123 4567')).toEqual({ ok: true, value: 'AA1234567' });
    for (const bad of ['AB-12', '12345', 'A'.repeat(13), 'AA12345/7']) expect(parsePassportNumber(bad)).toEqual({ ok: false });
  });
});
