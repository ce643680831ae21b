// The pure screening rules: BMI, obesity at its boundaries, age on the Bangkok day, the
// precedence of groups, what the chat accepts as weight and height; and the result card in
// both languages through LINE's validator.
import { describe, expect, it } from 'vitest';
import {
  ageInYears,
  bmiOf,
  checkBodySize,
  chronicDiseasesOf,
  choosePriorityGroup,
  highestPriorityGroup,
  isObese,
  parseHeightCm,
  parseWeightKg,
  pregnancyCanApply,
  qualifyingGroups,
  type PriorityGroup,
  type ScreeningAnswers,
} from '../../src/domain/screening/priority-group.js';
import { bangkokToday } from '../../src/shared/clock.js';
import { campaignPhases } from '../../prisma/data/campaign-phases.js';
import { screeningResultCard, type ScreeningResultData } from '../../flex-templates/screening-result.js';
import { validateMessages } from '../../src/line/validation/index.js';
import { locales } from '../../src/i18n/index.js';
import { textsOf } from '../support/stack.js';
import { postbacksIn } from '../support/engine-harness.js';

const base: ScreeningAnswers = { ageYears: 30, occupation: 'other', diseases: [], weightKg: 65, heightCm: 165, pregnant: false };
const answers = (changes: Partial<ScreeningAnswers>): ScreeningAnswers => ({ ...base, ...changes });

describe('BMI and obesity', () => {
  it('computes BMI to one decimal', () => {
    expect(bmiOf(65, 165)).toBe(23.9);
    expect(bmiOf(70, 175)).toBe(22.9);
    expect(bmiOf(100, 200)).toBe(25);
  });

  it('BMI 35.0 is not obese, 35.1 is', () => {
    // 140 cm: 1.96 m²; 68.6 kg → 35.0, 68.8 kg → 35.1
    expect(bmiOf(68.6, 140)).toBe(35);
    expect(isObese(68.6, 140)).toBe(false);
    expect(bmiOf(68.8, 140)).toBe(35.1);
    expect(isObese(68.8, 140)).toBe(true);
  });

  it('compares the BMI as shown: 35.04 shows as 35.0 and is not obese; 35.05 rounds up to 35.1', () => {
    // 100 cm: BMI = weight
    expect(bmiOf(35.04, 100)).toBe(35);
    expect(isObese(35.04, 100)).toBe(false);
    expect(bmiOf(35.05, 100)).toBe(35.1);
    expect(isObese(35.05, 100)).toBe(true);
  });

  it('weight 100 kg is not obese by weight, 100.1 kg is, whatever the BMI', () => {
    expect(isObese(100, 190)).toBe(false); // BMI 27.7
    expect(isObese(100.1, 190)).toBe(true);
    expect(isObese(100.1, 250)).toBe(true); // BMI 16
  });

  it('obesity is added to the chronic diseases, in catalogue order, never asked', () => {
    expect(chronicDiseasesOf({ diseases: ['diabetes', 'respiratory'], weightKg: 120, heightCm: 170 })).toEqual(['respiratory', 'diabetes', 'obesity']);
    expect(chronicDiseasesOf({ diseases: [], weightKg: 65, heightCm: 165 })).toEqual([]);
    expect(qualifyingGroups(answers({ weightKg: 101 }))).toEqual(['chronic_disease', 'general']);
  });

  it('rejects weight and height that cannot belong together', () => {
    expect(checkBodySize(65, 165)).toEqual({ ok: true, value: 23.9 });
    expect(checkBodySize(300, 40)).toEqual({ ok: false, reason: 'screening.bodySizeImplausible' });
    expect(checkBodySize(2, 250)).toEqual({ ok: false, reason: 'screening.bodySizeImplausible' });
    expect(checkBodySize(3.2, 50)).toEqual({ ok: true, value: 12.8 }); // a newborn
  });
});

describe('age on the Bangkok day', () => {
  const born = '1961-11-26';
  it('is 60 on the 60th birthday in Bangkok, though UTC is still the day before', () => {
    // 2021-11-25T17:30Z is 26 Nov 00:30 in Bangkok.
    const birthdayInBangkok = new Date('2021-11-25T17:30:00Z');
    expect(bangkokToday(birthdayInBangkok)).toBe('2021-11-26');
    expect(ageInYears(born, bangkokToday(birthdayInBangkok))).toBe(60);
    expect(highestPriorityGroup(answers({ ageYears: ageInYears(born, bangkokToday(birthdayInBangkok)) }))).toBe('elderly');
  });

  it('is 59 the evening before in Bangkok', () => {
    const eveBefore = new Date('2021-11-25T16:59:00Z'); // 23:59 on 25 Nov in Bangkok
    expect(ageInYears(born, bangkokToday(eveBefore))).toBe(59);
    expect(highestPriorityGroup(answers({ ageYears: 59 }))).toBe('general');
  });

  it('asks about pregnancy only for women or unspecified sex aged 12 to 55', () => {
    expect(pregnancyCanApply('female', 30)).toBe(true);
    expect(pregnancyCanApply('unspecified', 30)).toBe(true);
    expect(pregnancyCanApply('male', 30)).toBe(false);
    expect(pregnancyCanApply('female', 11)).toBe(false);
    expect(pregnancyCanApply('female', 12)).toBe(true);
    expect(pregnancyCanApply('female', 55)).toBe(true);
    expect(pregnancyCanApply('female', 56)).toBe(false);
    expect(pregnancyCanApply('female', 65)).toBe(false);
  });
});

describe('priority group precedence', () => {
  it('each single answer gives its group; nothing gives general', () => {
    expect(highestPriorityGroup(answers({ occupation: 'health_worker' }))).toBe('health_worker');
    expect(highestPriorityGroup(answers({ occupation: 'frontline' }))).toBe('frontline');
    expect(highestPriorityGroup(answers({ diseases: ['cancer'] }))).toBe('chronic_disease');
    expect(highestPriorityGroup(answers({ ageYears: 75 }))).toBe('elderly');
    expect(highestPriorityGroup(answers({ pregnant: true }))).toBe('pregnant');
    expect(highestPriorityGroup(base)).toBe('general');
  });

  it('lists every group a person belongs to, highest first', () => {
    expect(qualifyingGroups(answers({ occupation: 'health_worker', diseases: ['diabetes'], ageYears: 62 }))).toEqual(['health_worker', 'chronic_disease', 'elderly', 'general']);
    expect(qualifyingGroups(answers({ occupation: 'frontline', pregnant: true }))).toEqual(['frontline', 'pregnant', 'general']);
    expect(qualifyingGroups(answers({ diseases: ['kidney'], pregnant: true }))).toEqual(['chronic_disease', 'pregnant', 'general']);
  });

  const seeded = (group: PriorityGroup): string | null => campaignPhases.find((p) => p.priorityGroup === group && p.provinceCode === null)?.bookingOpensOn ?? null;

  it('with every phase open (today), stores the highest group', () => {
    const today = '2026-11-25';
    expect(choosePriorityGroup(['health_worker', 'chronic_disease', 'elderly', 'general'], seeded, today)).toBe('health_worker');
    expect(choosePriorityGroup(['chronic_disease', 'elderly', 'general'], seeded, today)).toBe('chronic_disease');
    expect(choosePriorityGroup(['pregnant', 'general'], seeded, today)).toBe('pregnant');
    expect(choosePriorityGroup(['general'], seeded, today)).toBe('general');
  });

  it('in 2021, a group that opens later does not hide one the person can book now', () => {
    // Pregnant women were added on 21 Jul 2021, after ages 18-59 opened on 7 Jun 2021.
    expect(seeded('pregnant')).toBe('2021-07-21');
    expect(choosePriorityGroup(['pregnant', 'general'], seeded, '2021-07-01')).toBe('general');
    expect(choosePriorityGroup(['pregnant', 'general'], seeded, '2021-07-21')).toBe('pregnant');
    // Before anyone could book, the earliest opening wins: 60+ (1 May) over 18-59 (7 Jun).
    expect(choosePriorityGroup(['elderly', 'general'], seeded, '2021-04-01')).toBe('elderly');
    // Same opening day (1 May): the higher group.
    expect(choosePriorityGroup(['elderly', 'chronic_disease', 'general'], seeded, '2021-04-01')).toBe('chronic_disease');
  });

  it('a group no phase lists comes after every dated one', () => {
    const opensOn = (g: PriorityGroup) => (g === 'general' ? '2030-01-01' : null);
    expect(choosePriorityGroup(['pregnant', 'general'], opensOn, '2026-01-01')).toBe('general');
    expect(choosePriorityGroup(['pregnant'], () => null, '2026-01-01')).toBe('pregnant');
  });
});

describe('weight and height as typed', () => {
  it.each([
    ['65', 65],
    ['65.5', 65.5],
    ['65,5', 65.5],
    [' 65 kg ', 65],
    ['65kg', 65],
    ['65 กก.', 65],
    ['65 กิโล', 65],
    ['๖๕', 65],
    ['๖๕.๕ กก.', 65.5],
    ['2', 2],
    ['300', 300],
    ['72.25', 72.3],
  ])('weight %j → %d kg', (typed, kg) => {
    expect(parseWeightKg(typed)).toEqual({ ok: true, value: kg });
  });

  it.each([
    ['abc', 'screening.badWeight'],
    ['', 'screening.badWeight'],
    ['-5', 'screening.badWeight'],
    ['65 lb', 'screening.badWeight'],
    ['1.9', 'screening.weightOutOfRange'],
    ['301', 'screening.weightOutOfRange'],
    ['6500', 'screening.weightOutOfRange'],
  ])('weight %j is refused (%s)', (typed, reason) => {
    expect(parseWeightKg(typed)).toEqual({ ok: false, reason });
  });

  it.each([
    ['165', 165],
    ['165 cm', 165],
    ['165cm', 165],
    ['165 ซม.', 165],
    ['๑๖๕', 165],
    ['1.65 m', 165],
    ['1.65', 165],
    ['1.655 ม.', 165.5],
    ['40', 40],
    ['250', 250],
  ])('height %j → %d cm', (typed, cm) => {
    expect(parseHeightCm(typed)).toEqual({ ok: true, value: cm });
  });

  it.each([
    ['tall', 'screening.badHeight'],
    ['5\'7"', 'screening.badHeight'],
    ['39', 'screening.heightOutOfRange'],
    ['251', 'screening.heightOutOfRange'],
    ['3 m', 'screening.heightOutOfRange'],
  ])('height %j is refused (%s)', (typed, reason) => {
    expect(parseHeightCm(typed)).toEqual({ ok: false, reason });
  });
});

describe.each(locales)('screening result card in %s', (locale) => {
  const data: ScreeningResultData = {
    personName: 'สมศรี',
    priorityGroup: 'chronic_disease',
    eligibility: { status: 'eligible' },
    chronicDiseases: ['respiratory', 'cardiovascular', 'kidney', 'cerebrovascular', 'cancer', 'diabetes', 'obesity'],
    bmi: 41.2,
    weightKg: 119.5,
    heightCm: 170.3,
    screenedAt: new Date('2021-05-01T03:00:00Z'),
  };

  it('eligible: valid, with "book now" and "screen again"', () => {
    const message = screeningResultCard(data, locale);
    expect(validateMessages([message])).toEqual([]);
    expect(postbacksIn([message])).toEqual([
      { a: 'menu', f: 'book' },
      { a: 'menu', f: 'screening' },
    ]);
    const text = textsOf([message]).join('\n');
    expect(text).toContain('41.2');
    expect(text).toContain('119.5');
    expect(text).toContain('170.3');
    expect(text).toContain(locale === 'th' ? 'โรคอ้วน' : 'Obesity');
    expect(text).toContain(locale === 'th' ? 'ผู้มีโรคประจำตัว 7 กลุ่มโรค' : 'People with one of the 7 chronic diseases');
  });

  it('not yet: the opening day in the Buddhist era for Thai, and no "book now"', () => {
    const message = screeningResultCard({ ...data, priorityGroup: 'general', chronicDiseases: [], bmi: 22, eligibility: { status: 'not-yet', opensOn: '2021-06-07' } }, locale);
    expect(validateMessages([message])).toEqual([]);
    expect(postbacksIn([message])).toEqual([{ a: 'menu', f: 'screening' }]);
    const text = textsOf([message]).join('\n');
    expect(text).toContain(locale === 'th' ? '7 มิ.ย. 2564' : '7 Jun 2021');
    expect(text).toContain('22.0');
    expect(text).not.toContain(locale === 'th' ? 'โรคอ้วน' : 'Obesity');
  });

  it('no phase for the group yet', () => {
    const message = screeningResultCard({ ...data, priorityGroup: 'pregnant', eligibility: { status: 'not-yet', opensOn: null } }, locale);
    expect(validateMessages([message])).toEqual([]);
    expect(textsOf([message]).join('\n')).toContain(locale === 'th' ? 'ยังไม่มีกำหนดวันเปิดจอง' : 'No booking date');
  });

  it('every group has a label', () => {
    for (const group of ['health_worker', 'frontline', 'chronic_disease', 'elderly', 'pregnant', 'general']) {
      const message = screeningResultCard({ ...data, priorityGroup: group }, locale);
      expect(message.altText).not.toContain(group);
    }
  });
});
