/**
 * Which dose a person may book next, and under which rules. The dose number follows from the
 * doses the hospitals recorded (status RECORDED, voided ones do not count); an active
 * appointment for that dose means it is already booked. From dose 2 on, the previous dose's
 * product and day decide, through the effective-dated interval rules, which products may be
 * booked and in which window of days.
 *
 * The pure functions take plain data (tests, the flow's slot filter); `loadDosePlan` reads it.
 * The booking use case re-checks everything against the chosen slot: what the flow filters
 * with is a convenience, what the use case refuses is the rule.
 */
import type { Db } from '../../db/client.js';
import { bangkokToday } from '../../shared/clock.js';
import { addDays, doseTwoWindow, findIntervalRule, type IntervalRule, type LocalDate } from '../vaccination/interval-rules.js';

export interface RecordedDose {
  doseNumber: number;
  productCode: string;
  /** Day given, YYYY-MM-DD (Asia/Bangkok). */
  date: LocalDate;
}

export interface ActiveAppointmentRef {
  doseNumber: number;
  code: string;
}

/** A product that may be booked for the next dose, and the days it may be given on. */
export interface AllowedProduct {
  productCode: string;
  earliest: LocalDate;
  latest: LocalDate;
}

export type DosePlan =
  /** Dose 1: any product, any day. */
  | { status: 'open'; doseNumber: 1 }
  /** Dose 2+: only these products, each in its window (rules in force on `onDate`). */
  | { status: 'follow-up'; doseNumber: number; previous: RecordedDose; allowed: AllowedProduct[] }
  | { status: 'already-booked'; doseNumber: number; appointmentCode: string }
  /** The previous dose's product completes its primary series with the doses given. */
  | { status: 'series-complete'; doseNumber: number };

/** The number of the next dose: recorded doses + 1 (gaps in the numbering do not matter). */
export function nextDoseNumber(doses: readonly RecordedDose[]): number {
  return doses.length + 1;
}

/**
 * For every product a dose may follow `previous` with: the window of days, from the rule in
 * force on `onDate` (the slot's day when booking; today when filtering what to show).
 */
export function allowedFollowUpProducts(
  rules: readonly IntervalRule[],
  previous: RecordedDose,
  onDate: LocalDate,
): AllowedProduct[] {
  const candidates = [...new Set(rules.filter((r) => r.firstProductCode === previous.productCode).map((r) => r.secondProductCode))].sort();
  const allowed: AllowedProduct[] = [];
  for (const productCode of candidates) {
    const rule = findIntervalRule(rules, previous.productCode, productCode, onDate);
    if (rule) allowed.push({ productCode, ...doseTwoWindow(rule, previous.date) });
  }
  return allowed;
}

/**
 * The plan for the next dose, from plain data.
 * @param seriesDoses how many doses the previous dose's product needs in its primary series
 *   (1 for a one-shot vaccine), or undefined for dose 1.
 */
export function planNextDose(input: {
  doses: readonly RecordedDose[];
  active: readonly ActiveAppointmentRef[];
  rules: readonly IntervalRule[];
  seriesDoses?: number;
  onDate: LocalDate;
}): DosePlan {
  const doseNumber = nextDoseNumber(input.doses);
  const booked = input.active.find((a) => a.doseNumber === doseNumber);
  if (booked) return { status: 'already-booked', doseNumber, appointmentCode: booked.code };
  if (doseNumber === 1) return { status: 'open', doseNumber: 1 };
  const previous = [...input.doses].sort((a, b) => a.doseNumber - b.doseNumber || a.date.localeCompare(b.date)).at(-1)!;
  if (input.seriesDoses !== undefined && input.doses.length >= input.seriesDoses) return { status: 'series-complete', doseNumber };
  return { status: 'follow-up', doseNumber, previous, allowed: allowedFollowUpProducts(input.rules, previous, input.onDate) };
}

export type SlotDoseCheck =
  | { ok: true }
  | { ok: false; code: 'product-not-allowed'; allowedProducts: string[] }
  | { ok: false; code: 'dose-not-due' | 'dose-window-passed'; earliest: LocalDate; latest: LocalDate };

/**
 * May the planned dose be given in a slot of `productCode` on `date`? For dose 2+ the plan
 * must have been made with onDate = the slot's day (rules change over time).
 */
export function checkSlotForDose(plan: Extract<DosePlan, { status: 'open' | 'follow-up' }>, slot: { productCode: string; date: LocalDate }): SlotDoseCheck {
  if (plan.status === 'open') return { ok: true };
  const allowed = plan.allowed.find((a) => a.productCode === slot.productCode);
  if (!allowed) return { ok: false, code: 'product-not-allowed', allowedProducts: plan.allowed.map((a) => a.productCode) };
  if (slot.date < allowed.earliest) return { ok: false, code: 'dose-not-due', earliest: allowed.earliest, latest: allowed.latest };
  if (slot.date > allowed.latest) return { ok: false, code: 'dose-window-passed', earliest: allowed.earliest, latest: allowed.latest };
  return { ok: true };
}

/**
 * Reads a person's recorded doses and active appointments (one query each) and, from dose 2
 * on, the interval rules of the previous product, and plans the next dose on `onDate`.
 */
export async function loadDosePlan(options: {
  db: Db;
  personId: string;
  onDate: LocalDate;
  /** An appointment being moved (rebooking): it does not count as "already booked". */
  exceptAppointmentId?: string;
}): Promise<DosePlan> {
  const { db, personId, onDate, exceptAppointmentId } = options;
  // Sequential: inside a transaction the queries share one connection anyway.
  const vaccinations = await db.vaccination.findMany({
    where: { personId, status: 'RECORDED' },
    select: { doseNumber: true, productCode: true, administeredAt: true },
  });
  const active = await db.appointment.findMany({
    where: { personId, activeDose: { not: null }, ...(exceptAppointmentId ? { id: { not: exceptAppointmentId } } : {}) },
    select: { doseNumber: true, code: true },
  });
  const doses: RecordedDose[] = vaccinations.map((v) => ({ doseNumber: v.doseNumber, productCode: v.productCode, date: bangkokToday(v.administeredAt) }));
  if (doses.length === 0) return planNextDose({ doses, active, rules: [], onDate });
  const previous = [...doses].sort((a, b) => a.doseNumber - b.doseNumber || a.date.localeCompare(b.date)).at(-1)!;
  const rules = await db.doseIntervalRule.findMany({
    where: { firstProductCode: previous.productCode },
    select: { firstProductCode: true, secondProductCode: true, minDays: true, maxDays: true, effectiveFrom: true, effectiveTo: true },
  });
  const product = await db.vaccineProduct.findUnique({ where: { code: previous.productCode }, select: { primarySeriesDoses: true } });
  return planNextDose({ doses, active, rules, onDate, ...(product ? { seriesDoses: product.primarySeriesDoses } : {}) });
}

/** How far ahead the chat offers days (slots further out can exist; they are not offered). */
export const BOOKING_HORIZON_DAYS = 30;

/**
 * The days worth searching for a slot, and the products: from today (or the earliest day of
 * an allowed product) to the horizon (or the latest day). Null when no day fits (the window
 * passed, or no product is allowed).
 */
export function bookableRange(
  plan: Extract<DosePlan, { status: 'open' | 'follow-up' }>,
  today: LocalDate,
): { fromDate: LocalDate; toDate: LocalDate; productCodes?: string[] } | null {
  const horizon = addDays(today, BOOKING_HORIZON_DAYS);
  if (plan.status === 'open') return { fromDate: today, toDate: horizon };
  const open = plan.allowed.filter((a) => a.latest >= today && a.earliest <= horizon);
  if (open.length === 0) return null;
  const earliest = open.map((a) => a.earliest).sort()[0]!;
  const latest = open.map((a) => a.latest).sort().at(-1)!;
  return {
    fromDate: earliest > today ? earliest : today,
    toDate: latest < horizon ? latest : horizon,
    productCodes: open.map((a) => a.productCode),
  };
}
