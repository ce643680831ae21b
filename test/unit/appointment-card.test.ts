// The appointment card and carousel through LINE's schema and limits, the signed links behind
// its QR and calendar buttons, the .ics file they open, and the "until the day before" rule.
import { actionsIn } from '../support/engine-harness.js';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { validateMessages } from '../../src/line/validation/index.js';
import { decodePostback } from '../../src/bot/postback.js';
import { appointmentCard, appointmentCarousel, APPOINTMENT_CAROUSEL_MAX } from '../../flex-templates/appointment-card.js';
import type { AppointmentView } from '../../src/domain/booking/appointment-view.js';
import {
  APPOINTMENT_TOKEN_LENGTH,
  appointmentLinkExpiry,
  createAppointmentLinkSigner,
  deriveAppointmentLinkKey,
} from '../../src/domain/booking/appointment-links.js';
import { allowedChanges } from '../../src/domain/booking/list-appointments.js';
import { appointmentIcs, fold } from '../../src/http/appointment-ics.js';
import { locales } from '../../src/i18n/index.js';
import { th } from '../../src/i18n/th.js';
import { en } from '../../src/i18n/en.js';

const view = (over: Partial<AppointmentView> = {}): AppointmentView => ({
  id: '3f2b8c1e-9a4d-4e5f-8b7a-1c2d3e4f5a6b',
  code: 'K7Q2M9XD',
  version: 1,
  status: 'BOOKED',
  doseNumber: 1,
  personId: '00000000-0000-0000-0000-000000000001',
  ownerLineUserId: 'U0123456789abcdef0123456789abcdef',
  personFirstName: 'สมชาย',
  personLastName: 'ใจดี',
  isSelf: true,
  slotId: '00000000-0000-0000-0000-000000000002',
  date: '2021-06-07',
  startTime: '09:00',
  endTime: '12:00',
  hospitalCode: '10001',
  hospitalNameTh: 'โรงพยาบาลสาธิตพระนคร',
  hospitalNameEn: 'Phra Nakhon Demonstration Hospital',
  hospitalPhone: '02-225-1001',
  hospitalLatitude: 13.7563,
  hospitalLongitude: 100.4991,
  productCode: 'AZ',
  productNameTh: 'แอสตร้าเซนเนก้า',
  productNameEn: 'AstraZeneca',
  ...over,
});

const links = {
  qrImageUrl: `https://morprom.example/appointments/${'A'.repeat(APPOINTMENT_TOKEN_LENGTH)}/qr.png`,
  calendarUrl: `https://morprom.example/appointments/${'A'.repeat(APPOINTMENT_TOKEN_LENGTH)}/calendar.ics`,
};

const actionsOf = actionsIn;

describe.each(locales)('appointment card in %s', (locale) => {
  const t = locale === 'th' ? th : en;

  it('shows the code, QR, details and every button while a change is allowed', () => {
    const message = appointmentCard(view(), locale, links, { canReschedule: true, canCancel: true, changeUntil: '2021-06-06' });
    expect(validateMessages([message])).toEqual([]);
    const json = JSON.stringify(message);
    expect(json).toContain('"text":"K7Q2M9XD","size":"3xl"');
    expect(json).toContain(`"url":"${links.qrImageUrl}"`);
    expect(json).toContain(locale === 'th' ? '7 มิ.ย. 2564' : '7 Jun 2021');
    expect(json).toContain(locale === 'th' ? 'โรงพยาบาลสาธิตพระนคร' : 'Phra Nakhon Demonstration Hospital');
    expect(json).toContain(t['booking.appt.status.BOOKED']);
    const actions = actionsOf(message);
    expect(actions).toContainEqual(expect.objectContaining({ type: 'uri', uri: links.calendarUrl }));
    expect(actions).toContainEqual(expect.objectContaining({ type: 'uri', uri: 'https://www.google.com/maps/search/?api=1&query=13.7563,100.4991' }));
    expect(actions).toContainEqual(expect.objectContaining({ type: 'uri', uri: 'tel:022251001' }));
    const postbacks = actions.filter((a) => a.type === 'postback').map((a) => decodePostback(String(a.data)));
    expect(postbacks).toEqual([
      { a: 'menu', f: 'appointments', p: 'reschedule:K7Q2M9XD' },
      { a: 'menu', f: 'appointments', p: 'cancel:K7Q2M9XD' },
    ]);
  });

  it('hides reschedule and cancel when not allowed (default), and the phone when unknown', () => {
    const message = appointmentCard(view({ hospitalPhone: null }), locale, links);
    expect(validateMessages([message])).toEqual([]);
    const actions = actionsOf(message);
    expect(actions.filter((a) => a.type === 'postback')).toEqual([]);
    expect(actions.some((a) => String(a.uri).startsWith('tel:'))).toBe(false);
  });

  it.each(['NEEDS_REBOOKING', 'CANCELLED', 'COMPLETED'] as const)('status %s', (status) => {
    const message = appointmentCard(view({ status }), locale, links, { canReschedule: status === 'NEEDS_REBOOKING', canCancel: status === 'NEEDS_REBOOKING' });
    expect(validateMessages([message])).toEqual([]);
    const json = JSON.stringify(message);
    expect(json).toContain(t[`booking.appt.status.${status}`]);
    // No QR or calendar for an appointment that cannot be attended.
    expect(json.includes(links.qrImageUrl)).toBe(status === 'NEEDS_REBOOKING');
  });

  it('a carousel: 12 cards at most, as many as fit in 50 KB, each card within 30 KB', () => {
    const cards = (n: number, long: boolean) =>
      Array.from({ length: n }, (_, i) => ({
        view: long ? view({ code: `K7Q2M9X${i}`, personFirstName: 'ก'.repeat(100), personLastName: 'ข'.repeat(100), hospitalNameTh: 'ค'.repeat(300), hospitalNameEn: 'H'.repeat(300) }) : view({ code: `K7Q2M9X${i}` }),
        links,
        options: { canReschedule: true, canCancel: true, changeUntil: '2021-06-06' },
      }));
    const typical = appointmentCarousel(cards(15, false), locale);
    expect(validateMessages([typical.message])).toEqual([]);
    expect(typical.shown).toBeGreaterThanOrEqual(10);
    expect(typical.shown).toBeLessThanOrEqual(APPOINTMENT_CAROUSEL_MAX);
    expect((typical.message.contents as { contents: unknown[] }).contents).toHaveLength(typical.shown);
    const extreme = appointmentCarousel(cards(15, true), locale);
    expect(validateMessages([extreme.message])).toEqual([]);
    expect(extreme.shown).toBeGreaterThanOrEqual(8);
    expect(Buffer.byteLength(JSON.stringify(extreme.message.contents))).toBeLessThanOrEqual(50 * 1024);
    // One card alone is a bubble, not a carousel of one.
    expect(appointmentCarousel(cards(1, true), locale)).toMatchObject({ shown: 1, message: { contents: { type: 'bubble' } } });
  });
});

describe('appointment links', () => {
  const signer = createAppointmentLinkSigner(randomBytes(32));
  const id = '3f2b8c1e-9a4d-4e5f-8b7a-1c2d3e4f5a6b';
  const now = new Date('2021-06-01T03:00:00Z');
  const expiresAt = appointmentLinkExpiry('2021-06-07');

  it('round-trips id, expiry and language in a URL-safe token of fixed length', () => {
    const token = signer.sign({ appointmentId: id, expiresAt, locale: 'en' });
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(token).toHaveLength(APPOINTMENT_TOKEN_LENGTH);
    expect(token).not.toContain(id.replace(/-/g, ''));
    expect(signer.verify(token, now)).toEqual({ appointmentId: id, expiresAt, locale: 'en' });
    expect(signer.verify(signer.sign({ appointmentId: id, expiresAt, locale: 'th' }), now)?.locale).toBe('th');
  });

  it('expires 14 days after the appointment day, end of day in Bangkok', () => {
    expect(expiresAt.toISOString()).toBe('2021-06-21T17:00:00.000Z');
    const token = signer.sign({ appointmentId: id, expiresAt, locale: 'th' });
    expect(signer.verify(token, new Date(expiresAt.getTime() - 1000))).not.toBeNull();
    expect(signer.verify(token, expiresAt)).toBeNull();
  });

  it('refuses forgeries: a flipped bit anywhere, another key, a longer expiry, junk', () => {
    const token = signer.sign({ appointmentId: id, expiresAt, locale: 'th' });
    const raw = Buffer.from(token, 'base64url');
    for (let i = 0; i < raw.length; i++) {
      const forged = Buffer.from(raw);
      forged[i]! ^= 0x01;
      expect(signer.verify(forged.toString('base64url'), now), `byte ${i}`).toBeNull();
    }
    const other = createAppointmentLinkSigner(randomBytes(32));
    expect(other.verify(token, now)).toBeNull();
    const extended = Buffer.from(raw);
    extended.writeUInt32BE(0xffffffff, 16);
    expect(signer.verify(extended.toString('base64url'), now)).toBeNull();
    for (const junk of ['', 'x', 'A'.repeat(APPOINTMENT_TOKEN_LENGTH), `${token}A`, token.slice(1), '../../etc/passwd']) {
      expect(signer.verify(junk, now)).toBeNull();
    }
  });

  it('derives a distinct key from ID_HASH_KEY, stable for the same input', () => {
    const idHashKey = randomBytes(32);
    expect(deriveAppointmentLinkKey(idHashKey)).toEqual(deriveAppointmentLinkKey(idHashKey));
    expect(deriveAppointmentLinkKey(idHashKey).equals(idHashKey)).toBe(false);
    expect(deriveAppointmentLinkKey(idHashKey)).toHaveLength(32);
  });
});

describe('calendar file', () => {
  const now = new Date('2021-06-01T03:04:05Z');

  it('is one VEVENT with UTC times (09:00-12:00 Bangkok = 02:00-05:00Z), CRLF lines of at most 75 octets', () => {
    const ics = appointmentIcs(view({ version: 3 }), 'th', now);
    expect(ics.endsWith('\r\n')).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const physical = ics.split('\r\n').slice(0, -1);
    for (const line of physical) expect(Buffer.byteLength(line, 'utf8'), line).toBeLessThanOrEqual(75);
    // Unfolded (RFC 5545 §3.1), the content lines read back whole.
    const lines = ics.replace(/\r\n /g, '').split('\r\n');
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
    expect(lines).toContain('VERSION:2.0');
    expect(lines).toContain('BEGIN:VEVENT');
    expect(lines).toContain('UID:K7Q2M9XD@morprom');
    expect(lines).toContain('SEQUENCE:2');
    expect(lines).toContain('DTSTAMP:20210601T030405Z');
    expect(lines).toContain('DTSTART:20210607T020000Z');
    expect(lines).toContain('DTEND:20210607T050000Z');
    expect(lines).toContain('STATUS:CONFIRMED');
    expect(lines).toContain('SUMMARY:ฉีดวัคซีนโควิด-19 เข็มที่ 1 (แอสตร้าเซนเนก้า)');
    expect(lines).toContain('LOCATION:โรงพยาบาลสาธิตพระนคร (02-225-1001)');
    expect(lines.at(-2)).toBe('END:VCALENDAR');
    // Thai lines are long enough to be folded, never inside a character.
    expect(physical.some((l) => l.startsWith(' '))).toBe(true);
    expect(ics).not.toContain('\uFFFD');
  });

  it('says CANCELLED for a cancelled appointment and escapes TEXT values', () => {
    const ics = appointmentIcs(view({ status: 'CANCELLED', hospitalNameEn: 'A, B; C\\D', hospitalPhone: null }), 'en', now);
    const lines = ics.replace(/\r\n /g, '').split('\r\n');
    expect(lines).toContain('STATUS:CANCELLED');
    expect(lines).toContain('LOCATION:A\\, B\\; C\\\\D');
    expect(lines).toContain('SUMMARY:COVID-19 vaccination\\, dose 1 (AstraZeneca)');
  });

  it('folds at 75 octets exactly, continuation lines start with one space', () => {
    const folded = fold('X'.repeat(200)).split('\r\n');
    expect(folded.map((l) => Buffer.byteLength(l))).toEqual([75, 75, 52]);
    expect(folded.slice(1).every((l) => l.startsWith(' ') && !l.startsWith('  '))).toBe(true);
    const thai = fold(`SUMMARY:${'ก'.repeat(60)}`).split('\r\n');
    for (const l of thai) expect(Buffer.byteLength(l)).toBeLessThanOrEqual(75);
    expect(thai.map((l, i) => (i === 0 ? l : l.slice(1))).join('')).toBe(`SUMMARY:${'ก'.repeat(60)}`);
  });
});

describe('changing an appointment: until the day before', () => {
  it.each([
    ['BOOKED', '2021-06-05', { canReschedule: true, canCancel: true, changeUntil: '2021-06-06', tooLate: false }],
    ['BOOKED', '2021-06-06', { canReschedule: true, canCancel: true, changeUntil: '2021-06-06', tooLate: false }],
    ['BOOKED', '2021-06-07', { canReschedule: false, canCancel: false, tooLate: true }],
    ['BOOKED', '2021-06-08', { canReschedule: false, canCancel: false, tooLate: true }],
    ['NEEDS_REBOOKING', '2021-06-07', { canReschedule: true, canCancel: true, tooLate: false }],
    ['CANCELLED', '2021-06-01', { canReschedule: false, canCancel: false, tooLate: false }],
    ['COMPLETED', '2021-06-01', { canReschedule: false, canCancel: false, tooLate: false }],
  ] as const)('%s on %s (appointment 2021-06-07)', (status, today, expected) => {
    expect(allowedChanges({ status, date: '2021-06-07' }, today)).toEqual(expected);
  });
});
