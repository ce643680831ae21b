/**
 * Dose intervals as data: Thailand changed them at least four times in 2021, so each rule is
 * keyed by (dose-1 product, dose-2 product) and is in force from `effectiveFrom` to
 * `effectiveTo`, both inclusive (`null`: until further notice). The rules themselves live in
 * the `dose_interval_rule` table (seeded from prisma/data/vaccines.ts); these functions are
 * pure and take them as an argument.
 *
 * Days are calendar days in Asia/Bangkok written YYYY-MM-DD. Rule dates may also be `Date`s
 * as Prisma returns `@db.Date` columns (midnight UTC of that calendar day).
 */

/** A calendar day, YYYY-MM-DD (Asia/Bangkok when it comes from an instant: see bangkokToday). */
export type LocalDate = string;

/** What the functions here need of a rule; database rows and seed data both fit. */
export interface IntervalRule {
  firstProductCode: string;
  secondProductCode: string;
  /** Earliest dose 2, in days after dose 1. */
  minDays: number;
  /** Latest dose 2 that still completes the series on schedule, in days after dose 1. */
  maxDays: number;
  effectiveFrom: LocalDate | Date;
  /** Last day in force; null while in force. */
  effectiveTo: LocalDate | Date | null;
}

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** A rule date as YYYY-MM-DD: strings are checked, Dates read as their UTC calendar day (Prisma's @db.Date). */
export function toLocalDate(value: LocalDate | Date): LocalDate {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new RangeError('invalid Date');
    return value.toISOString().slice(0, 10);
  }
  const match = LOCAL_DATE.exec(value);
  if (!match) throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(value)}`);
  const [, y, m, d] = match;
  const parsed = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  if (parsed.toISOString().slice(0, 10) !== value) throw new RangeError(`no such date: ${value}`);
  return value;
}

/** `date` plus `days` calendar days (negative to go back). */
export function addDays(date: LocalDate, days: number): LocalDate {
  const start = Date.parse(`${toLocalDate(date)}T00:00:00Z`);
  return new Date(start + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whether `rule` is in force on `day` (both ends inclusive). */
export function isInForce(rule: Pick<IntervalRule, 'effectiveFrom' | 'effectiveTo'>, day: LocalDate): boolean {
  const from = toLocalDate(rule.effectiveFrom);
  const to = rule.effectiveTo === null ? null : toLocalDate(rule.effectiveTo);
  return from <= day && (to === null || day <= to);
}

/**
 * The rule in force on `onDate` for a dose 2 of `secondProduct` after a dose 1 of
 * `firstProduct`, or null when no rule allows that combination on that day (for example a
 * mix that was not yet allowed, or a product not yet in use).
 *
 * `onDate` is the day the policy is applied on: the caller decides which (the day a dose 2
 * is booked or given). Should rules of one pair overlap (a data mistake that
 * {@link findIntervalRuleProblems} reports), the most recent `effectiveFrom` wins, as the
 * newest policy would.
 */
export function findIntervalRule<R extends IntervalRule>(
  rules: readonly R[],
  firstProduct: string,
  secondProduct: string,
  onDate: LocalDate,
): R | null {
  const day = toLocalDate(onDate);
  let found: R | null = null;
  for (const rule of rules) {
    if (rule.firstProductCode !== firstProduct || rule.secondProductCode !== secondProduct) continue;
    if (!isInForce(rule, day)) continue;
    if (found === null || toLocalDate(rule.effectiveFrom) > toLocalDate(found.effectiveFrom)) found = rule;
  }
  return found;
}

/** The days on which dose 2 may be given under `rule` after a dose 1 on `firstDoseDate`. */
export function doseTwoWindow(rule: Pick<IntervalRule, 'minDays' | 'maxDays'>, firstDoseDate: LocalDate): { earliest: LocalDate; latest: LocalDate } {
  return { earliest: addDays(firstDoseDate, rule.minDays), latest: addDays(firstDoseDate, rule.maxDays) };
}

/**
 * What is wrong with a set of rules, in words (empty when nothing is): bad dates, negative or
 * inverted intervals, and rules of the same product pair in force on the same day.
 */
export function findIntervalRuleProblems(rules: readonly IntervalRule[]): string[] {
  const problems: string[] = [];
  const show = (value: LocalDate | Date) =>
    value instanceof Date ? (Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString().slice(0, 10)) : value;
  const name = (r: IntervalRule) => `${r.firstProductCode}→${r.secondProductCode} from ${show(r.effectiveFrom)}`;
  const valid: Array<{ rule: IntervalRule; from: LocalDate; to: LocalDate | null }> = [];
  for (const rule of rules) {
    let from: LocalDate;
    let to: LocalDate | null;
    try {
      from = toLocalDate(rule.effectiveFrom);
      to = rule.effectiveTo === null ? null : toLocalDate(rule.effectiveTo);
    } catch (error) {
      problems.push(`${name(rule)}: ${(error as Error).message}`);
      continue;
    }
    if (!Number.isInteger(rule.minDays) || !Number.isInteger(rule.maxDays) || rule.minDays < 0) {
      problems.push(`${name(rule)}: minDays and maxDays must be whole days, minDays at least 0`);
    } else if (rule.minDays > rule.maxDays) {
      problems.push(`${name(rule)}: minDays ${rule.minDays} is more than maxDays ${rule.maxDays}`);
    }
    if (to !== null && to < from) problems.push(`${name(rule)}: ends (${to}) before it starts`);
    valid.push({ rule, from, to });
  }
  for (let i = 0; i < valid.length; i++) {
    for (let j = i + 1; j < valid.length; j++) {
      const a = valid[i]!;
      const b = valid[j]!;
      if (a.rule.firstProductCode !== b.rule.firstProductCode || a.rule.secondProductCode !== b.rule.secondProductCode) continue;
      const overlap = a.from <= (b.to ?? '9999-12-31') && b.from <= (a.to ?? '9999-12-31');
      if (overlap) problems.push(`${name(a.rule)} and ${name(b.rule)} are in force on the same days`);
    }
  }
  return problems;
}
