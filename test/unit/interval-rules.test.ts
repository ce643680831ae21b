import { describe, expect, it } from 'vitest';
import {
  addDays,
  doseTwoWindow,
  findIntervalRule,
  findIntervalRuleProblems,
  type IntervalRule,
} from '../../src/domain/vaccination/interval-rules.js';
import { doseIntervalRules, vaccineProducts } from '../../prisma/data/vaccines.js';

const rules = doseIntervalRules;

/** min/max days of the rule in force, or null. */
function window(first: string, second: string, onDate: string): [number, number] | null {
  const rule = findIntervalRule(rules, first, second, onDate);
  return rule ? [rule.minDays, rule.maxDays] : null;
}

describe('the 2021 interval rules (DOMAIN.md §2)', () => {
  it('are consistent: no overlaps, min ≤ max, known products', () => {
    expect(findIntervalRuleProblems(rules)).toEqual([]);
    const codes = new Set(vaccineProducts.map((p) => p.code));
    for (const rule of rules) {
      expect(codes.has(rule.firstProductCode)).toBe(true);
      expect(codes.has(rule.secondProductCode)).toBe(true);
    }
  });

  it('Sinovac ×2: 2-4 weeks from 1 Feb 2021, nothing before', () => {
    expect(window('SINOVAC', 'SINOVAC', '2021-01-31')).toBeNull();
    expect(window('SINOVAC', 'SINOVAC', '2021-02-01')).toEqual([14, 28]);
    expect(window('SINOVAC', 'SINOVAC', '2022-06-01')).toEqual([14, 28]);
  });

  it('AstraZeneca ×2: 10-12 weeks from 1 Jun, 8 weeks from 22 Jun, 12 weeks from 1 Aug 2021', () => {
    expect(window('AZ', 'AZ', '2021-05-31')).toBeNull();
    expect(window('AZ', 'AZ', '2021-06-01')).toEqual([70, 84]);
    expect(window('AZ', 'AZ', '2021-06-21')).toEqual([70, 84]);
    expect(window('AZ', 'AZ', '2021-06-22')).toEqual([56, 84]);
    expect(window('AZ', 'AZ', '2021-07-31')).toEqual([56, 84]);
    expect(window('AZ', 'AZ', '2021-08-01')).toEqual([84, 98]);
    expect(window('AZ', 'AZ', '2023-01-01')).toEqual([84, 98]);
  });

  it('each AstraZeneca rule ends the day before the next one starts', () => {
    const az = rules.filter((r) => r.firstProductCode === 'AZ' && r.secondProductCode === 'AZ');
    const sorted = [...az].sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
    for (let i = 0; i + 1 < sorted.length; i++) expect(sorted[i]!.effectiveTo).toBe(addDays(sorted[i + 1]!.effectiveFrom, -1));
    expect(sorted.at(-1)!.effectiveTo).toBeNull();
  });

  it('Sinovac then AstraZeneca: 3-4 weeks from 1 Jul 2021; the reverse is not a rule', () => {
    expect(window('SINOVAC', 'AZ', '2021-06-30')).toBeNull();
    expect(window('SINOVAC', 'AZ', '2021-07-01')).toEqual([21, 28]);
    expect(window('AZ', 'SINOVAC', '2021-07-01')).toBeNull();
  });

  it('Pfizer ×2: 3 weeks (up to 6) from 1 Aug 2021', () => {
    expect(window('PFIZER', 'PFIZER', '2021-07-31')).toBeNull();
    expect(window('PFIZER', 'PFIZER', '2021-08-01')).toEqual([21, 42]);
  });

  it('Sinopharm ×2: 3-4 weeks from 1 Jun 2021', () => {
    expect(window('SINOPHARM', 'SINOPHARM', '2021-05-31')).toBeNull();
    expect(window('SINOPHARM', 'SINOPHARM', '2021-06-01')).toEqual([21, 28]);
  });

  it('Moderna ×2: 4 weeks (up to 6) from 1 Nov 2021', () => {
    expect(window('MODERNA', 'MODERNA', '2021-10-31')).toBeNull();
    expect(window('MODERNA', 'MODERNA', '2021-11-01')).toEqual([28, 42]);
  });
});

describe('findIntervalRule', () => {
  const rule = (from: string | Date, to: string | Date | null, minDays = 1, maxDays = 2): IntervalRule => ({
    firstProductCode: 'A',
    secondProductCode: 'B',
    minDays,
    maxDays,
    effectiveFrom: from,
    effectiveTo: to,
  });

  it('reads rule dates given as Dates, as Prisma returns @db.Date columns', () => {
    const fromDb = [rule(new Date('2021-06-01T00:00:00Z'), new Date('2021-06-21T00:00:00Z'), 70, 84), rule(new Date('2021-06-22T00:00:00Z'), null, 56, 84)];
    expect(findIntervalRule(fromDb, 'A', 'B', '2021-06-21')?.minDays).toBe(70);
    expect(findIntervalRule(fromDb, 'A', 'B', '2021-06-22')?.minDays).toBe(56);
  });

  it('returns the rule object itself, so callers keep their row type', () => {
    const rows = [{ ...rule('2021-01-01', null), id: 'row-1' }];
    expect(findIntervalRule(rows, 'A', 'B', '2021-05-05')?.id).toBe('row-1');
  });

  it('prefers the newest rule when rules overlap, and such data is reported', () => {
    const overlapping = [rule('2021-01-01', null, 10, 20), rule('2021-03-01', null, 30, 40)];
    expect(findIntervalRule(overlapping, 'A', 'B', '2021-04-01')?.minDays).toBe(30);
    expect(findIntervalRuleProblems(overlapping)).toHaveLength(1);
  });

  it('refuses a day that is not YYYY-MM-DD', () => {
    expect(() => findIntervalRule(rules, 'AZ', 'AZ', '22/06/2021')).toThrow(RangeError);
    expect(() => findIntervalRule(rules, 'AZ', 'AZ', '2021-02-30')).toThrow(RangeError);
  });

  it('reports inverted intervals and rules that end before they start', () => {
    expect(findIntervalRuleProblems([rule('2021-01-01', null, 30, 20)])).toHaveLength(1);
    expect(findIntervalRuleProblems([rule('2021-02-01', '2021-01-01')])).toHaveLength(1);
  });
});

describe('doseTwoWindow', () => {
  it('counts calendar days from dose 1, across month ends', () => {
    const az = findIntervalRule(rules, 'AZ', 'AZ', '2021-06-22')!;
    expect(doseTwoWindow(az, '2021-06-25')).toEqual({ earliest: '2021-08-20', latest: '2021-09-17' });
    const sinovac = findIntervalRule(rules, 'SINOVAC', 'SINOVAC', '2021-03-01')!;
    expect(doseTwoWindow(sinovac, '2021-02-28')).toEqual({ earliest: '2021-03-14', latest: '2021-03-28' });
  });
});
