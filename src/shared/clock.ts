/**
 * Time helpers. The current time is always passed in (ctx.now, job timestamps) so tests
 * can control it; these only convert.
 *
 * Asia/Bangkok is UTC+7 all year (no daylight saving since 1920), so these are plain offset
 * arithmetic: dayjs's timezone plugin builds an Intl formatter per call, which made it the
 * most expensive step of rendering a reminder (about 0.2 ms a call, several calls per card).
 */
const BANGKOK_OFFSET_MS = 7 * 60 * 60 * 1000;

/** The calendar date in Asia/Bangkok at `now`, as YYYY-MM-DD. */
export function bangkokToday(now: Date): string {
  return new Date(now.getTime() + BANGKOK_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant of `time` ('HH:MM') on `day` (YYYY-MM-DD) in Asia/Bangkok (UTC+7, no DST). */
export function bangkokInstant(day: string, time: string): Date {
  return new Date(`${day}T${time}:00.000+07:00`);
}
