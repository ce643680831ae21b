/**
 * Time helpers. The current time is always passed in (ctx.now, job timestamps) so tests
 * can control it; these only convert.
 */
import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc.js';
import timezone from 'dayjs/plugin/timezone.js';

dayjs.extend(utc);
dayjs.extend(timezone);

/** The calendar date in Asia/Bangkok at `now`, as YYYY-MM-DD. */
export function bangkokToday(now: Date): string {
  return dayjs(now).tz('Asia/Bangkok').format('YYYY-MM-DD');
}

/** The instant of `time` ('HH:MM') on `day` (YYYY-MM-DD) in Asia/Bangkok (UTC+7, no DST). */
export function bangkokInstant(day: string, time: string): Date {
  return dayjs.tz(`${day} ${time}`, 'YYYY-MM-DD HH:mm', 'Asia/Bangkok').toDate();
}
