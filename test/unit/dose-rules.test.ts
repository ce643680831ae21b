// The dose rules as pure functions: which dose is next, what a dose 2 may be and when.
import { describe, expect, it } from 'vitest';
import { allowedFollowUpProducts, bookableRange, checkSlotForDose, nextDoseNumber, planNextDose, BOOKING_HORIZON_DAYS } from '../../src/domain/booking/dose-rules.js';
import { newBookingCode, normaliseBookingCode, BOOKING_CODE_ALPHABET } from '../../src/domain/booking/booking-code.js';
import { doseIntervalRules } from '../../prisma/data/vaccines.js';
import { addDays } from '../../src/domain/vaccination/interval-rules.js';

const rules = doseIntervalRules;
const sinovacDose1 = { doseNumber: 1, productCode: 'SINOVAC', date: '2021-07-10' };

describe('dose rules', () => {
  it('counts recorded doses for the next dose number', () => {
    expect(nextDoseNumber([])).toBe(1);
    expect(nextDoseNumber([sinovacDose1])).toBe(2);
  });

  it('plans dose 1 as open, and says when the next dose is already booked', () => {
    expect(planNextDose({ doses: [], active: [], rules, onDate: '2021-07-20' })).toEqual({ status: 'open', doseNumber: 1 });
    expect(planNextDose({ doses: [], active: [{ doseNumber: 1, code: 'K7Q2M9XD' }], rules, onDate: '2021-07-20' })).toEqual({
      status: 'already-booked', doseNumber: 1, appointmentCode: 'K7Q2M9XD',
    });
    // An active appointment for another dose does not block this one.
    expect(planNextDose({ doses: [sinovacDose1], active: [{ doseNumber: 1, code: 'OLD00000' }], rules, onDate: '2021-07-20', seriesDoses: 2 }).status).toBe('follow-up');
  });

  it('allows dose 2 products with their windows from the rules in force on the day', () => {
    expect(allowedFollowUpProducts(rules, sinovacDose1, '2021-07-20')).toEqual([
      { productCode: 'AZ', earliest: '2021-07-31', latest: '2021-08-07' },
      { productCode: 'SINOVAC', earliest: '2021-07-24', latest: '2021-08-07' },
    ]);
    // Before 1 Jul 2021 the Sinovac → AstraZeneca mix was not a rule yet.
    expect(allowedFollowUpProducts(rules, sinovacDose1, '2021-06-30').map((a) => a.productCode)).toEqual(['SINOVAC']);
    // AstraZeneca: 8-12 weeks until 31 Jul 2021, 12-14 weeks from 1 Aug.
    const az = { doseNumber: 1, productCode: 'AZ', date: '2021-07-01' };
    expect(allowedFollowUpProducts(rules, az, '2021-07-31')).toEqual([{ productCode: 'AZ', earliest: '2021-08-26', latest: '2021-09-23' }]);
    expect(allowedFollowUpProducts(rules, az, '2021-08-01')).toEqual([{ productCode: 'AZ', earliest: '2021-09-23', latest: '2021-10-07' }]);
  });

  it('checks a slot against the plan: product, too early, too late', () => {
    const plan = planNextDose({ doses: [sinovacDose1], active: [], rules, onDate: '2021-08-01', seriesDoses: 2 });
    if (plan.status !== 'follow-up') throw new Error(plan.status);
    expect(checkSlotForDose(plan, { productCode: 'PFIZER', date: '2021-08-01' })).toEqual({ ok: false, code: 'product-not-allowed', allowedProducts: ['AZ', 'SINOVAC'] });
    expect(checkSlotForDose(plan, { productCode: 'AZ', date: '2021-07-30' })).toEqual({ ok: false, code: 'dose-not-due', earliest: '2021-07-31', latest: '2021-08-07' });
    expect(checkSlotForDose(plan, { productCode: 'SINOVAC', date: '2021-08-08' })).toEqual({ ok: false, code: 'dose-window-passed', earliest: '2021-07-24', latest: '2021-08-07' });
    expect(checkSlotForDose(plan, { productCode: 'AZ', date: '2021-08-07' })).toEqual({ ok: true });
    expect(checkSlotForDose({ status: 'open', doseNumber: 1 }, { productCode: 'PFIZER', date: '2021-08-07' })).toEqual({ ok: true });
  });

  it('says when the primary series is complete', () => {
    const doses = [sinovacDose1, { doseNumber: 2, productCode: 'SINOVAC', date: '2021-08-01' }];
    expect(planNextDose({ doses, active: [], rules, onDate: '2021-09-01', seriesDoses: 2 })).toEqual({ status: 'series-complete', doseNumber: 3 });
  });

  it('searches from today (or the earliest day) to the horizon (or the latest day)', () => {
    expect(bookableRange({ status: 'open', doseNumber: 1 }, '2021-07-20')).toEqual({ fromDate: '2021-07-20', toDate: addDays('2021-07-20', BOOKING_HORIZON_DAYS) });
    const plan = planNextDose({ doses: [sinovacDose1], active: [], rules, onDate: '2021-07-20', seriesDoses: 2 });
    if (plan.status !== 'follow-up') throw new Error(plan.status);
    expect(bookableRange(plan, '2021-07-20')).toEqual({ fromDate: '2021-07-24', toDate: '2021-08-07', productCodes: ['AZ', 'SINOVAC'] });
    expect(bookableRange(plan, '2021-08-05')).toEqual({ fromDate: '2021-08-05', toDate: '2021-08-07', productCodes: ['AZ', 'SINOVAC'] });
    expect(bookableRange(plan, '2021-08-08')).toBeNull();
  });
});

describe('booking codes', () => {
  it('are 8 unambiguous characters, different each time', () => {
    const codes = Array.from({ length: 2000 }, newBookingCode);
    for (const code of codes) expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(new Set(codes).size).toBe(codes.length);
    expect(BOOKING_CODE_ALPHABET).toHaveLength(32);
    expect(new Set(codes.join('')).size).toBe(32);
  });

  it('are read as people type them', () => {
    expect(normaliseBookingCode('k7q2-m9xd')).toBe('K7Q2M9XD');
    expect(normaliseBookingCode('KOQ2 M9XD')).toBe('K0Q2M9XD');
    expect(normaliseBookingCode('K7Q2M9X')).toBeNull();
    expect(normaliseBookingCode('K7Q2M9XU')).toBeNull();
  });
});
