import { describe, expect, it } from 'vitest';
import { provinces, regions } from '../../prisma/data/provinces.js';

describe('provinces', () => {
  it('lists the 77 provinces with unique two-digit codes', () => {
    expect(provinces).toHaveLength(77);
    const codes = provinces.map((p) => p.code);
    expect(new Set(codes).size).toBe(77);
    for (const code of codes) expect(code).toMatch(/^[1-9]\d$/);
  });

  it('has the well-known codes', () => {
    const byCode = new Map(provinces.map((p) => [p.code, p]));
    expect(byCode.get('10')).toMatchObject({ nameTh: 'กรุงเทพมหานคร', nameEn: 'Bangkok', region: 'bangkok' });
    expect(byCode.get('14')).toMatchObject({ nameTh: 'พระนครศรีอยุธยา', nameEn: 'Phra Nakhon Si Ayutthaya' });
    expect(byCode.get('30')).toMatchObject({ nameTh: 'นครราชสีมา', nameEn: 'Nakhon Ratchasima' });
    expect(byCode.get('38')).toMatchObject({ nameTh: 'บึงกาฬ', nameEn: 'Bueng Kan', region: 'northeast' });
    expect(byCode.get('50')).toMatchObject({ nameTh: 'เชียงใหม่', nameEn: 'Chiang Mai', region: 'north' });
    expect(byCode.get('96')).toMatchObject({ nameTh: 'นราธิวาส', nameEn: 'Narathiwat', region: 'south' });
  });

  it('covers every region, in the sizes of the six-region system', () => {
    const counts = Object.fromEntries(regions.map((r) => [r, provinces.filter((p) => p.region === r).length]));
    expect(counts).toEqual({ bangkok: 1, central: 21, north: 9, northeast: 20, east: 7, west: 5, south: 14 });
  });

  it('has Thai names in Thai script and English names in Latin script', () => {
    for (const p of provinces) {
      expect(p.nameTh, p.code).toMatch(/^[\u0E00-\u0E7F]+$/);
      expect(p.nameEn, p.code).toMatch(/^[A-Z][a-z]+( [A-Z][a-z]+)*$/);
    }
    expect(new Set(provinces.map((p) => p.nameTh)).size).toBe(77);
    expect(new Set(provinces.map((p) => p.nameEn)).size).toBe(77);
  });
});
