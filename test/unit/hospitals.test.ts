import { describe, expect, it } from 'vitest';
import { DEMO_HOSPITALS, generateHospitals, hospitalTypes } from '../../prisma/data/hospitals.js';
import { provinceCapitals } from '../../prisma/data/province-capitals.js';
import { provinces } from '../../prisma/data/provinces.js';

const hospitals = generateHospitals();

describe('demo hospitals', () => {
  it('number about 1,500 with unique 5-digit codes', () => {
    expect(hospitals.length).toBeGreaterThanOrEqual(1450);
    expect(hospitals.length).toBeLessThanOrEqual(1550);
    const codes = hospitals.map((h) => h.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^\d{5}$/);
  });

  it('start with the named demo hospitals in Bangkok, codes 10001…', () => {
    expect(hospitals.slice(0, DEMO_HOSPITALS.length)).toEqual(DEMO_HOSPITALS);
    expect(DEMO_HOSPITALS.map((h) => h.code)).toEqual(['10001', '10002', '10003', '10004', '10005']);
    for (const h of DEMO_HOSPITALS) expect(h.provinceCode).toBe('10');
  });

  it('cover every province, each with a regional or general hospital in the capital district and community hospitals', () => {
    const known = new Set(provinces.map((p) => p.code));
    for (const h of hospitals) expect(known.has(h.provinceCode), h.code).toBe(true);
    for (const p of provinces) {
      const here = hospitals.filter((h) => h.provinceCode === p.code);
      const capitalDistrict = p.code === '10' ? 'พระนคร' : p.code === '14' ? p.nameTh : `เมือง${p.nameTh}`;
      expect(here.some((h) => (h.type === 'regional' || h.type === 'general') && h.districtTh === capitalDistrict), p.nameEn).toBe(true);
      expect(here.some((h) => h.type === 'community'), p.nameEn).toBe(true);
      for (const h of here) expect(h.code.startsWith(p.code), h.code).toBe(true);
    }
  });

  it('have a community or general hospital in every district outside Bangkok, one per district', () => {
    for (const capital of provinceCapitals.filter((c) => c.provinceCode !== '10')) {
      const publicDistricts = hospitals
        .filter((h) => h.provinceCode === capital.provinceCode && ['regional', 'general', 'community'].includes(h.type))
        .map((h) => h.districtTh);
      expect(new Set(publicDistricts).size, capital.provinceCode).toBe(capital.districts);
      expect(publicDistricts, capital.provinceCode).toHaveLength(capital.districts);
    }
  });

  it('are most numerous in Bangkok, then in the big provinces', () => {
    const count = (code: string) => hospitals.filter((h) => h.provinceCode === code).length;
    const others = provinces.filter((p) => p.code !== '10').map((p) => count(p.code));
    expect(count('10')).toBeGreaterThan(Math.max(...others));
    expect(count('30')).toBeGreaterThan(count('75')); // Nakhon Ratchasima vs Samut Songkhram
  });

  it('use every type', () => {
    const types = new Set(hospitals.map((h) => h.type));
    expect([...types].sort()).toEqual([...hospitalTypes].sort());
  });

  it('lie inside Thailand, near their province capital', () => {
    const capitals = new Map(provinceCapitals.map((c) => [c.provinceCode, c]));
    for (const h of hospitals) {
      expect(h.latitude, h.code).toBeGreaterThanOrEqual(5.6);
      expect(h.latitude, h.code).toBeLessThanOrEqual(20.5);
      expect(h.longitude, h.code).toBeGreaterThanOrEqual(97.3);
      expect(h.longitude, h.code).toBeLessThanOrEqual(105.7);
      const capital = capitals.get(h.provinceCode)!;
      const km = Math.hypot(
        (h.latitude - capital.latitude) * 111.32,
        (h.longitude - capital.longitude) * 111.32 * Math.cos((capital.latitude * Math.PI) / 180),
      );
      expect(km, h.code).toBeLessThan(110);
    }
  });

  it('have Thai and English names, unique within a province, and Thai phone numbers', () => {
    for (const p of provinces) {
      const here = hospitals.filter((h) => h.provinceCode === p.code);
      expect(new Set(here.map((h) => h.nameTh)).size, p.nameEn).toBe(here.length);
      expect(new Set(here.map((h) => h.nameEn)).size, p.nameEn).toBe(here.length);
    }
    for (const h of hospitals) {
      expect(h.nameTh, h.code).toMatch(/^[\u0E00-\u0E7F]+( \d+)?$/);
      expect(h.nameEn, h.code).toMatch(/^[A-Z][A-Za-z-]*( [A-Z0-9][A-Za-z0-9-]*)*$/);
      expect(h.districtTh, h.code).toMatch(/^[\u0E00-\u0E7F]+$/);
      expect(h.phone, h.code).toMatch(h.provinceCode === '10' ? /^02-[1-9]\d{2}-\d{4}$/ : /^0\d{1,2}-[1-9]\d{2}-\d{3,4}$/);
    }
  });

  it('are the same on every run, and differ with another seed', () => {
    expect(generateHospitals()).toEqual(hospitals);
    const other = generateHospitals({ seed: 7 });
    expect(other.map((h) => h.code)).toEqual(hospitals.map((h) => h.code)); // same shape
    expect(other).not.toEqual(hospitals);
  });
});
