// Slot and allocation rows: what an admin's file may contain, and the reason given for what
// it may not. Also the demo slot plan and the rebooking-offer template through LINE's schema.
import { describe, expect, it } from 'vitest';
import { isCalendarDate, validateSlotRow } from '../../src/domain/slots/slot-rows.js';
import { validateAllocationRow } from '../../src/domain/slots/set-allocations.js';
import { demoAllocationRows, demoSlotRows, DEMO_ALLOCATION_DOSES } from '../../prisma/data/demo-slots.js';
import { rebookingOffer, type RebookingOfferData } from '../../flex-templates/rebooking-offer.js';
import { validateMessages } from '../../src/line/validation/index.js';
import { decodePostback } from '../../src/bot/postback.js';
import { locales } from '../../src/i18n/index.js';

/** 10:00 in Bangkok on 25 Nov 2026. */
const NOW = new Date('2026-11-25T03:00:00Z');
const ok = { hospitalCode: '10001', productCode: 'AZ', date: '2026-11-26', startTime: '09:00', endTime: '10:30', capacity: 30 };

function reasonOf(input: unknown): string {
  const result = validateSlotRow(input, 7, NOW);
  if (result.ok) throw new Error('expected the row to be invalid');
  expect(result.invalid.row).toBe(7);
  return result.invalid.reason;
}

describe('validateSlotRow', () => {
  it('accepts a JSON row and a CSV row (text cells, lower-case product, spaces)', () => {
    expect(validateSlotRow(ok, 1, NOW)).toEqual({ ok: true, value: { row: 1, action: 'open', ...ok } });
    const csv = { hospitalCode: ' 10001 ', productCode: 'az', date: '2026-11-26', startTime: '09:00', endTime: '10:30', capacity: ' 30 ', action: '' };
    expect(validateSlotRow(csv, 2, NOW)).toEqual({ ok: true, value: { row: 2, action: 'open', ...ok } });
  });

  it('reads close rows from action or status, without end time or capacity', () => {
    const { endTime: _e, capacity: _c, ...key } = ok;
    expect(validateSlotRow({ ...key, action: 'close' }, 1, NOW)).toMatchObject({ ok: true, value: { action: 'close' } });
    expect(validateSlotRow({ ...key, action: 'CLOSED' }, 1, NOW)).toMatchObject({ ok: true, value: { action: 'close' } });
    expect(validateSlotRow({ ...ok, status: 'CLOSED' }, 1, NOW)).toMatchObject({ ok: true, value: { action: 'close' } });
    expect(reasonOf({ ...ok, action: 'delete' })).toBe('action must be "open" or "close"');
  });

  it('names every missing or malformed field', () => {
    expect(reasonOf({})).toMatch(/hospitalCode is missing; productCode is missing; date is missing; startTime is missing/);
    expect(reasonOf({ ...ok, hospitalCode: '1001' })).toBe('hospitalCode must be 5 digits');
    expect(reasonOf({ ...ok, hospitalCode: 10001 })).toBe('hospitalCode must be text');
    expect(reasonOf({ ...ok, productCode: 'Astra Zeneca' })).toMatch(/productCode must be a product code/);
    expect(reasonOf({ ...ok, endTime: undefined })).toBe('endTime is missing');
    expect(reasonOf({ ...ok, capacity: '' })).toBe('capacity is missing');
    expect(reasonOf('10001,AZ')).toMatch(/row must be an object/);
    expect(reasonOf(null)).toMatch(/row must be an object/);
  });

  it('refuses dates that are not calendar days, or past', () => {
    expect(reasonOf({ ...ok, date: '2027-02-30' })).toBe('date 2027-02-30 is not a calendar date');
    expect(reasonOf({ ...ok, date: '26/11/2026' })).toBe('date must be YYYY-MM-DD');
    expect(reasonOf({ ...ok, date: '2026-11-24' })).toBe('date 2026-11-24 is in the past (today in Bangkok is 2026-11-25)');
    // Today in Bangkok: 09:00 has started at 10:00, 10:30 has not.
    expect(reasonOf({ ...ok, date: '2026-11-25' })).toBe('the slot 2026-11-25 09:00 has already started');
    expect(validateSlotRow({ ...ok, date: '2026-11-25', startTime: '10:30', endTime: '12:00' }, 1, NOW).ok).toBe(true);
    // 23:30 UTC on the 24th is already the 25th in Bangkok.
    expect(validateSlotRow({ ...ok, date: '2026-11-24' }, 1, new Date('2026-11-24T23:30:00Z')).ok).toBe(false);
    expect(validateSlotRow({ ...ok, date: '2026-11-24' }, 1, new Date('2026-11-23T23:30:00Z')).ok).toBe(true);
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2027-02-29')).toBe(false);
  });

  it('checks times and capacity', () => {
    expect(reasonOf({ ...ok, startTime: '9:00' })).toBe('startTime must be HH:MM (00:00-23:59)');
    expect(reasonOf({ ...ok, endTime: '24:00' })).toBe('endTime must be HH:MM (00:00-23:59)');
    expect(reasonOf({ ...ok, startTime: '10:30', endTime: '10:30' })).toBe('startTime 10:30 must be before endTime 10:30');
    expect(reasonOf({ ...ok, capacity: 0 })).toBe('capacity must be at least 1 (close the slot instead)');
    expect(reasonOf({ ...ok, capacity: 10_001 })).toBe('capacity must be at most 10000');
    expect(reasonOf({ ...ok, capacity: 2.5 })).toBe('capacity must be a whole number');
    expect(reasonOf({ ...ok, capacity: 'twenty' })).toBe('capacity must be a whole number');
    expect(validateSlotRow({ ...ok, capacity: 10_000 }, 1, NOW).ok).toBe(true);
  });
});

describe('validateAllocationRow', () => {
  it('accepts numbers and CSV text, refuses negatives and fractions', () => {
    expect(validateAllocationRow({ hospitalCode: '10001', productCode: 'pfizer', doses: '1200' }, 1)).toEqual({
      ok: true,
      value: { hospitalCode: '10001', productCode: 'PFIZER', doses: 1200 },
    });
    expect(validateAllocationRow({ hospitalCode: '10001', productCode: 'AZ', doses: -1 }, 3)).toEqual({ ok: false, invalid: { row: 3, reason: 'doses must be 0 or more' } });
    expect(validateAllocationRow({ hospitalCode: '10001', productCode: 'AZ', doses: 1.5 }, 3)).toMatchObject({ invalid: { reason: 'doses must be a whole number' } });
    expect(validateAllocationRow({ productCode: 'AZ', doses: 1 }, 3)).toMatchObject({ invalid: { reason: 'hospitalCode is missing' } });
  });
});

describe('demo slot plan', () => {
  const rows = demoSlotRows('2026-11-25');

  it('opens 4 windows a day for 14 days at each demo hospital, every row valid', () => {
    expect(rows).toHaveLength(5 * 14 * 4);
    for (const [i, row] of rows.entries()) expect(validateSlotRow(row, i + 1, new Date('2026-11-24T12:00:00Z')).ok).toBe(true);
    expect(Math.min(...rows.map((r) => r.capacity))).toBeGreaterThanOrEqual(20);
    expect(Math.max(...rows.map((r) => r.capacity))).toBeLessThanOrEqual(50);
    expect(new Set(rows.map((r) => r.productCode))).toEqual(new Set(['AZ', 'PFIZER', 'SINOVAC']));
  });

  it('gives the same rows for the days two runs share, and fits the allocations', () => {
    const nextDay = demoSlotRows('2026-11-26');
    const shared = rows.filter((r) => r.date >= '2026-11-26');
    expect(nextDay.filter((r) => r.date <= '2026-12-08')).toEqual(shared);
    const perPair = new Map<string, number>();
    for (const r of rows) perPair.set(`${r.hospitalCode}|${r.productCode}`, (perPair.get(`${r.hospitalCode}|${r.productCode}`) ?? 0) + r.capacity);
    for (const total of perPair.values()) expect(total).toBeLessThan(DEMO_ALLOCATION_DOSES);
    expect(demoAllocationRows()).toHaveLength(15);
  });
});

describe.each(locales)('rebooking offer template in %s', (locale) => {
  const alternative = (i: number) => ({
    hospitalCode: `1000${i}`,
    nameTh: 'โรงพยาบาลมหาวิทยาลัยสาธิตราชเทวีและศูนย์ฉีดวัคซีนกลางบางซื่อ',
    nameEn: 'Ratchathewi Demonstration University Hospital and Central Vaccination Centre',
    districtTh: 'ราชเทวี',
    districtEn: 'Ratchathewi',
    distanceKm: 3.456 * i,
    firstFreeDate: '2026-11-27',
    freePlaces: 120,
  });
  const data: RebookingOfferData = {
    appointmentCode: 'K7Q2M9XD',
    change: 'closed',
    personName: 'สมชาย ใจดี',
    doseNumber: 1,
    hospitalNameTh: 'โรงพยาบาลสาธิตพระนคร',
    hospitalNameEn: 'Phra Nakhon Demonstration Hospital',
    date: '2026-11-26',
    startTime: '09:00',
    endTime: '10:30',
    productNameTh: 'แอสตร้าเซนเนก้า',
    productNameEn: 'AstraZeneca',
    alternatives: [1, 2, 3, 4, 5, 6, 7].map(alternative),
  };

  it('lists at most 5 alternatives, each with a button that opens booking for this appointment', () => {
    const message = rebookingOffer(data, locale);
    expect(validateMessages([message])).toEqual([]);
    const carousel = message.contents as { type: string; contents: unknown[] };
    expect(carousel.type).toBe('carousel');
    expect(carousel.contents).toHaveLength(6);
    const postbacks = [...JSON.stringify(message).matchAll(/"data":"((?:[^"\\]|\\.)*)"/g)].map((m) => decodePostback(JSON.parse(`"${m[1]}"`) as string));
    expect(postbacks.filter((p) => p?.a === 'menu' && p.f === 'book' && p.p === 'rebook:K7Q2M9XD')).toHaveLength(6);
    expect(postbacks.filter((p) => p?.a === 'menu' && p.f === 'appointments' && p.p === 'cancel:K7Q2M9XD')).toHaveLength(1);
    expect(message.altText).toContain(locale === 'th' ? 'โรงพยาบาลสาธิตพระนคร' : 'Phra Nakhon Demonstration Hospital');
  });

  it('without alternatives still offers to choose a new slot or cancel', () => {
    const message = rebookingOffer({ ...data, change: 'reduced', alternatives: [] }, locale);
    expect(validateMessages([message])).toEqual([]);
    expect((message.contents as { contents: unknown[] }).contents).toHaveLength(1);
    expect(JSON.stringify(message)).toContain('cancel:K7Q2M9XD');
  });
});
