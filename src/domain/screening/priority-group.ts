/**
 * Pure rules of the risk self-screening (../shared/design/DOMAIN.md §1): the 7 chronic disease
 * groups, BMI and obesity, age, and which priority group the answers put a person in.
 *
 * Precedence. MOPH's 2021 order is: health workers, frontline staff, the 7 chronic diseases,
 * 60 and over, pregnant women (12+ weeks, added in July 2021), then everyone else. A person
 * can belong to several groups (a 65-year-old nurse with diabetes); what matters to them is
 * the earliest day they may book, and the group we store should be the highest one that
 * gives it. The campaign phases are data, and they do not always follow the order: pregnant
 * women were made a priority group (21 Jul 2021) after ages 18-59 had opened (7 Jun 2021).
 * So choosePriorityGroup() picks, among the groups a person belongs to, the one whose phase
 * lets them book first, counting every group already open as "today"; ties go to the higher
 * group in the order above. When every phase is open (as today), that is simply the
 * highest group: a pregnant 30-year-old is stored as 'pregnant', not 'general'.
 */
import { ageOn, type RuleResult } from '../registration/input-rules.js';

/** The 7 chronic disease groups, in the order MOPH lists them and the chat asks them. */
export const chronicDiseaseCodes = ['respiratory', 'cardiovascular', 'kidney', 'cerebrovascular', 'cancer', 'diabetes', 'obesity'] as const;
export type ChronicDiseaseCode = (typeof chronicDiseaseCodes)[number];

/** Asked as yes/no; obesity is never asked: it is computed from weight and height. */
export const askedChronicDiseases = chronicDiseaseCodes.filter((c): c is Exclude<ChronicDiseaseCode, 'obesity'> => c !== 'obesity');
export type AskedChronicDisease = (typeof askedChronicDiseases)[number];

/** Priority groups, highest first (the precedence of ties; see the file comment). */
export const priorityGroups = ['health_worker', 'frontline', 'chronic_disease', 'elderly', 'pregnant', 'general'] as const;
export type PriorityGroup = (typeof priorityGroups)[number];

export const occupations = ['health_worker', 'frontline', 'other'] as const;
export type Occupation = (typeof occupations)[number];

export const ELDERLY_FROM_AGE = 60;
/** Obesity (DOMAIN.md §1): BMI over 35 kg/m² or weight over 100 kg; both strictly "over". */
export const OBESITY_BMI_OVER = 35;
export const OBESITY_WEIGHT_OVER_KG = 100;
/** Whom the chat asks about pregnancy: female or unspecified sex, aged 12 to 55. */
export const CHILD_BEARING_AGES = { from: 12, to: 55 } as const;

export const WEIGHT_RANGE_KG = { min: 2, max: 300 } as const;
export const HEIGHT_RANGE_CM = { min: 40, max: 250 } as const;

/** Rounded to one decimal, as stored (NUMERIC(4,1)) and shown. */
export function bmiOf(weightKg: number, heightCm: number): number {
  const metres = heightCm / 100;
  return roundOneDecimal(weightKg / (metres * metres));
}

/**
 * Obese by the MOPH definition. The rounded BMI is compared, so a card that shows "35.0"
 * never says "obesity" (35.04 is not over 35 as shown) while "35.1" always does.
 */
export function isObese(weightKg: number, heightCm: number): boolean {
  return weightKg > OBESITY_WEIGHT_OVER_KG || bmiOf(weightKg, heightCm) > OBESITY_BMI_OVER;
}

/** Whole years on the Bangkok day `today` (YYYY-MM-DD): 60 on the 60th birthday itself. */
export function ageInYears(birthDate: string, today: string): number {
  return ageOn(birthDate, today);
}

export function pregnancyCanApply(sex: string, ageYears: number): boolean {
  return sex !== 'male' && ageYears >= CHILD_BEARING_AGES.from && ageYears <= CHILD_BEARING_AGES.to;
}

export interface ScreeningAnswers {
  ageYears: number;
  occupation: Occupation;
  /** The asked diseases answered "yes" (obesity is added from weight and height). */
  diseases: readonly AskedChronicDisease[];
  weightKg: number;
  heightCm: number;
  pregnant: boolean;
}

/** All chronic disease codes that apply, in catalogue order, obesity computed. */
export function chronicDiseasesOf(answers: Pick<ScreeningAnswers, 'diseases' | 'weightKg' | 'heightCm'>): ChronicDiseaseCode[] {
  const yes = new Set<ChronicDiseaseCode>(answers.diseases);
  if (isObese(answers.weightKg, answers.heightCm)) yes.add('obesity');
  return chronicDiseaseCodes.filter((c) => yes.has(c));
}

/** Every group the answers put the person in, highest first; 'general' always ends the list. */
export function qualifyingGroups(answers: ScreeningAnswers): PriorityGroup[] {
  const groups: PriorityGroup[] = [];
  if (answers.occupation === 'health_worker') groups.push('health_worker');
  if (answers.occupation === 'frontline') groups.push('frontline');
  if (chronicDiseasesOf(answers).length > 0) groups.push('chronic_disease');
  if (answers.ageYears >= ELDERLY_FROM_AGE) groups.push('elderly');
  if (answers.pregnant) groups.push('pregnant');
  groups.push('general');
  return groups;
}

/**
 * The group to store: of `groups`, the one that lets the person book first, where a phase
 * already open counts as `today`; ties (e.g. several groups already open) go to the higher
 * group. A group no phase lists yet (opensOn null) comes after every dated one.
 * @param opensOn first booking day per group for the person's province (YYYY-MM-DD or null)
 */
export function choosePriorityGroup(groups: readonly PriorityGroup[], opensOn: (group: PriorityGroup) => string | null, today: string): PriorityGroup {
  const rank = (group: PriorityGroup): string => {
    const day = opensOn(group);
    if (day === null) return '9999-12-31';
    return day < today ? today : day;
  };
  let best: PriorityGroup | undefined;
  for (const group of [...groups].sort((a, b) => priorityGroups.indexOf(a) - priorityGroups.indexOf(b))) {
    if (best === undefined || rank(group) < rank(best)) best = group;
  }
  return best ?? 'general';
}

/** The highest group of the answers, ignoring phase dates (policy order only). */
export function highestPriorityGroup(answers: ScreeningAnswers): PriorityGroup {
  return qualifyingGroups(answers)[0]!;
}

/**
 * Weight and height that are each plausible can still be a typo together (65 kg and "45"
 * meant as 145 cm gives BMI 321). Outside this BMI range the chat asks again; it also keeps
 * the value inside the stored NUMERIC(4,1).
 */
export const BMI_PLAUSIBLE = { min: 5, max: 200 } as const;

export function checkBodySize(weightKg: number, heightCm: number): RuleResult<number> {
  const bmi = bmiOf(weightKg, heightCm);
  if (!(bmi >= BMI_PLAUSIBLE.min && bmi <= BMI_PLAUSIBLE.max)) return { ok: false, reason: 'screening.bodySizeImplausible' };
  return { ok: true, value: bmi };
}

/** Weight as typed: "65", "65.5", "65,5", "65 kg", "65 กก.", Thai digits (๖๕). */
export function parseWeightKg(input: string): RuleResult<number> {
  const match = /^(\d{1,4}(?:\.\d+)?)\s*(kg|kgs|kilo|kilos|กก|กก\.|กิโล|กิโลกรัม)?$/i.exec(normaliseNumberText(input));
  if (!match) return { ok: false, reason: 'screening.badWeight' };
  const value = roundOneDecimal(Number(match[1]));
  if (value < WEIGHT_RANGE_KG.min || value > WEIGHT_RANGE_KG.max) return { ok: false, reason: 'screening.weightOutOfRange' };
  return { ok: true, value };
}

/** Height as typed: "165", "165 cm", "165 ซม.", "1.65 m", "1.65" (a bare number under 3 is metres), Thai digits. */
export function parseHeightCm(input: string): RuleResult<number> {
  const match = /^(\d{1,4}(?:\.\d+)?)\s*(cm|ซม|ซม\.|เซน|เซนติเมตร|m|ม|ม\.|เมตร)?$/i.exec(normaliseNumberText(input));
  if (!match) return { ok: false, reason: 'screening.badHeight' };
  const number = Number(match[1]);
  const unit = (match[2] ?? '').toLowerCase();
  const metres = ['m', 'ม', 'ม.', 'เมตร'].includes(unit) || (unit === '' && number < 3);
  const value = roundOneDecimal(metres ? number * 100 : number);
  if (value < HEIGHT_RANGE_CM.min || value > HEIGHT_RANGE_CM.max) return { ok: false, reason: 'screening.heightOutOfRange' };
  return { ok: true, value };
}

/** Thai digits to ASCII, a decimal comma to a point, trimmed and without inner spaces before a unit. */
function normaliseNumberText(input: string): string {
  return input
    .trim()
    .replace(/[\u0E50-\u0E59]/g, (d) => String(d.charCodeAt(0) - 0x0e50))
    .replace(/^(\d+),(\d+)/, '$1.$2');
}

function roundOneDecimal(value: number): number {
  // toPrecision first, so 35.05 (350.49999… × 10 in binary) rounds up to 35.1 as on paper.
  return Math.round(Number((value * 10).toPrecision(12))) / 10;
}
