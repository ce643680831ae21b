// The reminder renderer on its own (the appointment comes from an injected loader, no
// database): wording by the day it is sent, family members by name, both languages, every
// message valid for LINE, and null whenever the reminder no longer applies.
import { describe, expect, it } from 'vitest';
import type { AppointmentView } from '../../src/domain/booking/appointment-view.js';
import type { BotServices } from '../../src/bot/context.js';
import type { Db } from '../../src/db/client.js';
import { createAppointmentLinkSigner } from '../../src/domain/booking/appointment-links.js';
import { translator, type Locale } from '../../src/i18n/index.js';
import { validateMessages } from '../../src/line/validation/index.js';
import { createAppointmentReminderRenderer } from '../../src/notifications/appointment-reminder.renderer.js';
import { bangkokInstant, bangkokToday } from '../../src/shared/clock.js';
import type { NotificationToRender } from '../../src/notifications/renderer.js';

const view: AppointmentView = {
  id: '2f0e5a4c-93c1-4a52-8a8e-5d4c1f0b7a11',
  code: 'K7Q2M9',
  version: 2,
  status: 'BOOKED',
  doseNumber: 2,
  personId: 'p1',
  ownerLineUserId: 'U0123456789abcdef0123456789abcdef',
  personFirstName: 'มาลี',
  personLastName: 'ใจดี',
  isSelf: false,
  slotId: 's1',
  date: '2030-03-05',
  startTime: '09:00',
  endTime: '10:00',
  hospitalCode: '10661',
  hospitalNameTh: 'โรงพยาบาลราชวิถี',
  hospitalNameEn: 'Rajavithi Hospital',
  hospitalPhone: null,
  hospitalLatitude: 13.76,
  hospitalLongitude: 100.53,
  productCode: 'AZ',
  productNameTh: 'แอสตร้าเซนเนก้า',
  productNameEn: 'AstraZeneca',
};

const notification: NotificationToRender = {
  id: 'a1b2c3d4-0000-4000-8000-000000000001',
  kind: 'appointment-reminder-day-before',
  lineUserId: view.ownerLineUserId,
  personId: view.personId,
  appointmentId: view.id,
  appointmentVersion: 2,
  data: null,
  dueAt: bangkokInstant('2030-03-04', '09:00'),
};

const services = {
  settings: { publicBaseUrl: 'https://morprom.example', consentVersion: 'v', exportLinkTtlMinutes: 15 },
  appointmentLinks: createAppointmentLinkSigner(Buffer.alloc(32, 3)),
} as unknown as BotServices;

async function render(current: AppointmentView | null, at: string, locale: Locale = 'th', planned = notification) {
  const renderer = createAppointmentReminderRenderer(async () => current);
  return renderer(planned, { db: {} as Db, locale, t: translator(locale), now: new Date(at), services });
}

describe('appointment reminder renderer', () => {
  it('the day before: "tomorrow", the family member by name, then the card; valid for LINE', async () => {
    const messages = await render(view, '2030-03-04T02:00:00Z');
    expect(messages).toHaveLength(2);
    expect(messages![0]).toMatchObject({ type: 'text' });
    const text = (messages![0] as { text: string }).text;
    expect(text).toContain('พรุ่งนี้ 5 มี.ค. 2573 คุณมาลี มีนัดฉีดวัคซีน');
    expect(text).toContain('เข็มที่ 2 เวลา 09:00–10:00 น. ที่ โรงพยาบาลราชวิถี');
    expect(messages![1]).toMatchObject({ type: 'flex' });
    expect(validateMessages(messages!)).toEqual([]);
  });

  it('in English, worded by the day it is actually sent (a late day-before reminder says "today")', async () => {
    const messages = await render({ ...view, isSelf: true }, '2030-03-05T01:00:00Z', 'en');
    expect((messages![0] as { text: string }).text).toMatch(/^🔔 Reminder: today, 5 Mar 2030, you have a COVID-19 vaccination appointment \(dose 2\) at 09:00–10:00 at Rajavithi Hospital\./);
    expect(validateMessages(messages!)).toEqual([]);
    const early = await render(view, '2030-03-01T01:00:00Z', 'en');
    expect((early![0] as { text: string }).text).toContain('on 5 Mar 2030 มาลี has');
  });

  it('returns null when the reminder no longer applies', async () => {
    expect(await render(null, '2030-03-04T02:00:00Z')).toBeNull();
    expect(await render({ ...view, status: 'CANCELLED' }, '2030-03-04T02:00:00Z')).toBeNull();
    expect(await render({ ...view, status: 'NEEDS_REBOOKING' }, '2030-03-04T02:00:00Z')).toBeNull();
    expect(await render({ ...view, version: 3 }, '2030-03-04T02:00:00Z')).toBeNull();
    expect(await render(view, '2030-03-06T00:00:00Z')).toBeNull();
    expect(await render(view, '2030-03-04T02:00:00Z', 'th', { ...notification, appointmentId: null })).toBeNull();
  });
});

describe('Bangkok clock (fixed UTC+7)', () => {
  it('converts at the day boundary', () => {
    expect(bangkokToday(new Date('2030-03-04T16:59:59.999Z'))).toBe('2030-03-04');
    expect(bangkokToday(new Date('2030-03-04T17:00:00Z'))).toBe('2030-03-05');
    expect(bangkokInstant('2030-03-05', '07:00').toISOString()).toBe('2030-03-05T00:00:00.000Z');
    expect(bangkokInstant('2024-02-29', '00:00').toISOString()).toBe('2024-02-28T17:00:00.000Z');
  });
});
