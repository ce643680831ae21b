/**
 * An appointment as an iCalendar file (RFC 5545): one VEVENT, times in UTC (no VTIMEZONE
 * needed; calendars show them in the phone's zone, Asia/Bangkok here), CRLF line ends, lines
 * folded at 75 octets without splitting a UTF-8 character (Thai letters are 3 octets each).
 * UID is stable per booking code and SEQUENCE follows the appointment's version, so importing
 * the file again after a reschedule or cancel updates the same event.
 */
import type { AppointmentView } from '../domain/booking/appointment-view.js';
import { bangkokInstant } from '../shared/clock.js';
import { translator, type Locale } from '../i18n/index.js';

export function appointmentIcs(view: AppointmentView, locale: Locale, now: Date): string {
  const t = translator(locale);
  const hospital = locale === 'th' ? view.hospitalNameTh : view.hospitalNameEn;
  const product = locale === 'th' ? view.productNameTh : view.productNameEn;
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Mor Prom//Appointments//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    'BEGIN:VEVENT',
    `UID:${view.code}@morprom`,
    `SEQUENCE:${view.version - 1}`,
    `DTSTAMP:${utc(now)}`,
    `DTSTART:${utc(bangkokInstant(view.date, view.startTime))}`,
    `DTEND:${utc(bangkokInstant(view.date, view.endTime))}`,
    `SUMMARY:${text(t('booking.appt.ics.summary', { dose: view.doseNumber, product }))}`,
    `LOCATION:${text(view.hospitalPhone ? `${hospital} (${view.hospitalPhone})` : hospital)}`,
    `GEO:${view.hospitalLatitude};${view.hospitalLongitude}`,
    `DESCRIPTION:${text(t('booking.appt.ics.description', { code: view.code, name: `${view.personFirstName} ${view.personLastName}` }))}`,
    `STATUS:${view.status === 'CANCELLED' ? 'CANCELLED' : 'CONFIRMED'}`,
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(fold).join('\r\n') + '\r\n';
}

/** 20210501T020000Z */
function utc(instant: Date): string {
  return instant.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** TEXT value escaping (RFC 5545 §3.3.11). */
function text(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/** Folds a content line so no physical line is over 75 octets (§3.1); continuations start with a space. */
export function fold(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char, 'utf8');
    // The first line holds 75 octets; continuation lines 74 after their leading space.
    const limit = parts.length === 0 ? 75 : 74;
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}
