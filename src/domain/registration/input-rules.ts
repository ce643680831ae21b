/**
 * Pure rules for what a person types during registration. Each returns either the
 * normalised value or the catalogue key of the reason it was refused, so the flow can
 * re-prompt with a clear message.
 */
import dayjs from 'dayjs';
import customParseFormat from 'dayjs/plugin/customParseFormat.js';
import type { MessageKey } from '../../i18n/index.js';

dayjs.extend(customParseFormat);

export type RuleResult<T> = { ok: true; value: T } | { ok: false; reason: MessageKey };

const BUDDHIST_ERA_OFFSET = 543;
const MAX_AGE_YEARS = 120;

/**
 * Date of birth as typed ("12/04/2498", "12-4-1955", "1955-04-12") or from the date picker
 * (YYYY-MM-DD). A year above 2400 is read as Buddhist era. `today` is the Bangkok date.
 */
export function parseBirthDate(input: string, today: string): RuleResult<string> {
  const text = input.trim();
  let year: number, month: number, day: number;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  const dmy = /^(\d{1,2})[/.\-\s](\d{1,2})[/.\-\s](\d{4})$/.exec(text);
  if (iso) [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (dmy) [day, month, year] = [Number(dmy[1]), Number(dmy[2]), Number(dmy[3])];
  else return { ok: false, reason: 'register.badBirthDate' };

  if (year > 2400) year -= BUDDHIST_ERA_OFFSET;
  const date = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  // Strict parsing rejects 31/02 instead of rolling it over to March.
  if (!dayjs(date, 'YYYY-MM-DD', true).isValid()) return { ok: false, reason: 'register.badBirthDate' };
  if (date > today) return { ok: false, reason: 'register.birthDateInFuture' };
  if (dayjs(today).diff(dayjs(date), 'year') > MAX_AGE_YEARS) return { ok: false, reason: 'register.birthDateImplausible' };
  return { ok: true, value: date };
}

/** The earliest birth date parseBirthDate accepts on `today`: the picker's lower bound. */
export function oldestBirthDate(today: string): string {
  return dayjs(today).subtract(MAX_AGE_YEARS, 'year').format('YYYY-MM-DD');
}

/** Thai mobile numbers: 06/08/09 + 8 digits, or +66 / 66 without the leading 0. Returns E.164. */
export function parseThaiMobile(input: string): RuleResult<string> {
  const digits = input.replace(/[\s\-().]/g, '');
  const local = /^(?:\+?66|0)([689]\d{8})$/.exec(digits);
  if (!local) return { ok: false, reason: 'register.badPhone' };
  return { ok: true, value: `+66${local[1]}` };
}

/** "+66812345678" → "081-234-5678" for display. */
export function formatThaiMobile(e164: string): string {
  const local = `0${e164.replace(/^\+66/, '')}`;
  return `${local.slice(0, 3)}-${local.slice(3, 6)}-${local.slice(6)}`;
}

/** Names: letters (any script), combining marks (Thai vowels and tones), spaces, dot, hyphen, apostrophe. */
export function parsePersonName(input: string): RuleResult<string> {
  const name = input.trim().replace(/\s+/g, ' ');
  if (name.length < 1 || name.length > 100) return { ok: false, reason: 'register.badName' };
  if (!/^[\p{L}\p{M}][\p{L}\p{M} .'\-]*$/u.test(name)) return { ok: false, reason: 'register.badName' };
  return { ok: true, value: name };
}

/** Whole years between a date of birth and a day (both YYYY-MM-DD). */
export function ageOn(birthDate: string, day: string): number {
  return dayjs(day).diff(dayjs(birthDate), 'year');
}
