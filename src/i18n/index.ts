/**
 * Translation and locale-aware formatting. Dates are shown in Asia/Bangkok, in the
 * Buddhist era for Thai (12 เม.ย. 2498) and the Gregorian calendar for English.
 */
import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc.js';
import timezone from 'dayjs/plugin/timezone.js';
import buddhistEra from 'dayjs/plugin/buddhistEra.js';
import 'dayjs/locale/th.js';
import { LRUCache } from 'lru-cache';
import { th, type MessageKey } from './th.js';
import { en } from './en.js';

dayjs.extend(utc);
dayjs.extend(timezone);
dayjs.extend(buddhistEra);

export const locales = ['th', 'en'] as const;
export type Locale = (typeof locales)[number];
export type { MessageKey };
export const TIME_ZONE = 'Asia/Bangkok';

const catalogues: Record<Locale, Record<MessageKey, string>> = { th, en };

export function isLocale(value: unknown): value is Locale {
  return value === 'th' || value === 'en';
}

export function isMessageKey(value: string): value is MessageKey {
  return Object.hasOwn(th, value);
}

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export function translator(locale: Locale): Translate {
  const catalogue = catalogues[locale];
  return (key, params) => {
    const text = catalogue[key];
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
      Object.hasOwn(params, name) ? String(params[name]) : whole,
    );
  };
}

/** A calendar date (date of birth): no time zone shift. `date` is YYYY-MM-DD. */
export function formatDate(date: string, locale: Locale): string {
  const key = `${locale}${date}`;
  let text = formattedDates.get(key);
  if (text === undefined) {
    const d = dayjs(date);
    text = locale === 'th' ? d.locale('th').format('D MMM BBBB') : d.locale('en').format('D MMM YYYY');
    formattedDates.set(key, text);
  }
  return text;
}

/**
 * Formatting a date with dayjs's locales costs ~5% of a reminder push, and a morning's
 * reminders share a handful of days: the texts of recent dates are kept.
 */
const formattedDates = new LRUCache<string, string>({ max: 2_000 });

/** An instant, shown in Bangkok time. */
export function formatDateTime(instant: Date, locale: Locale): string {
  const d = dayjs(instant).tz(TIME_ZONE);
  return locale === 'th'
    ? d.locale('th').format('D MMM BBBB HH:mm น.')
    : d.locale('en').format('D MMM YYYY, HH:mm');
}
