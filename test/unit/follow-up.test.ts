// The after-the-dose pieces that need no database: the check-in schedules, the AEFI
// classification, ID masking of free text, and every Flex template of the feature in both
// languages against LINE's schema.
import { describe, expect, it } from 'vitest';
import { validateMessages } from '../../src/line/validation/index.js';
import { locales, translator } from '../../src/i18n/index.js';
import { planCheckins, endOfBangkokDay } from '../../src/domain/follow-up/follow-up-schedule.js';
import { classifyAefi, redFlags, commonSymptoms } from '../../src/domain/follow-up/symptoms.js';
import { maskIdLikeNumbers } from '../../src/domain/follow-up/report-symptoms.js';
import { doseRecordedCard, type DoseRecordedNext } from '../../flex-templates/dose-recorded-card.js';
import { emergencyCard, telUri } from '../../flex-templates/emergency-card.js';
import { symptomSummary } from '../../flex-templates/symptom-summary.js';
import { checkinMessage } from '../../src/notifications/follow-up-checkin.renderer.js';
import { decodePostback } from '../../src/bot/postback.js';

// Dose given 2021-07-01 10:00 Bangkok.
const GIVEN = new Date('2021-07-01T03:00:00Z');

describe('check-in schedules', () => {
  it('morprom: days 1, 7 and 30 at 09:00 Bangkok, each with an 18:00 reminder', () => {
    const planned = planCheckins('morprom', GIVEN, GIVEN);
    expect(planned.map((c) => [c.label, c.dueAt.toISOString(), c.reminderAt?.toISOString()])).toEqual([
      ['d1', '2021-07-02T02:00:00.000Z', '2021-07-02T11:00:00.000Z'],
      ['d7', '2021-07-08T02:00:00.000Z', '2021-07-08T11:00:00.000Z'],
      ['d30', '2021-07-31T02:00:00.000Z', '2021-07-31T11:00:00.000Z'],
    ]);
  });

  it('vsafe: daily days 0-7, weekly to week 6, then 3, 6, 12 months; day 0 goes out now (09:00 has passed)', () => {
    const planned = planCheckins('vsafe', GIVEN, GIVEN);
    expect(planned.map((c) => c.label)).toEqual(['d0', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7', 'w2', 'w3', 'w4', 'w5', 'w6', 'm3', 'm6', 'm12']);
    expect(planned[0]!.dueAt).toEqual(GIVEN);
    expect(planned.find((c) => c.label === 'w6')!.day).toBe('2021-08-12');
    expect(planned.find((c) => c.label === 'm12')!.day).toBe('2022-07-01');
  });

  it('a dose reported late plans only the check-ins still ahead', () => {
    const late = new Date('2021-07-05T03:00:00Z');
    expect(planCheckins('morprom', GIVEN, late).map((c) => c.label)).toEqual(['d7', 'd30']);
  });

  it('a check-in day ends at midnight Bangkok', () => {
    expect(endOfBangkokDay(new Date('2021-07-02T02:00:00Z')).toISOString()).toBe('2021-07-02T17:00:00.000Z');
  });
});

describe('AEFI classification (WHO seriousness)', () => {
  it('no red flag and no admission: no case', () => {
    expect(classifyAefi({ redFlags: [], admitted: false })).toEqual({ open: false, serious: false, criteria: [] });
  });
  it('life-threatening red flags and admissions are serious; the others are opened as suspected', () => {
    expect(classifyAefi({ redFlags: ['anaphylaxis'], admitted: false })).toEqual({ open: true, serious: true, criteria: ['red_flag:anaphylaxis', 'life_threatening'] });
    expect(classifyAefi({ redFlags: [], admitted: true })).toEqual({ open: true, serious: true, criteria: ['hospitalisation'] });
    expect(classifyAefi({ redFlags: ['limb_weakness'], admitted: false })).toEqual({ open: true, serious: false, criteria: ['red_flag:limb_weakness'] });
    expect(classifyAefi({ redFlags: ['fever'], admitted: false }).open).toBe(false);
  });
});

describe('free text', () => {
  it('masks ID-like numbers, with or without dashes', () => {
    expect(maskIdLikeNumbers('บัตร 1103702071981 และ 1-1037-02071-98-1')).toBe('บัตร x-xxxx-xxxxx-98-1 และ x-xxxx-xxxxx-98-1');
    expect(maskIdLikeNumbers('โทร 0812345678')).toBe('โทร 0812345678');
  });
});

describe.each(locales)('after-the-dose templates in %s', (locale) => {
  const base = { personName: 'สมชาย ใจดี', doseNumber: 1, productName: 'AstraZeneca (Vaxzevria)', lotNumber: 'A1234', hospitalName: 'โรงพยาบาลกลาง', date: '2021-07-01' };
  it.each<DoseRecordedNext>([
    { status: 'window', doseNumber: 2, earliest: '2021-09-23', latest: '2021-09-23', personId: '00000000-0000-4000-8000-000000000001' },
    { status: 'booked', doseNumber: 2 },
    { status: 'complete' },
    { status: 'unknown' },
  ])('dose-recorded card: next $status', (next) => {
    const message = doseRecordedCard({ ...base, next }, locale);
    expect(validateMessages([message])).toEqual([]);
    const json = JSON.stringify(message);
    expect(json).toContain('A1234');
    if (next.status === 'window') expect(json).toContain(JSON.stringify(JSON.stringify({ a: 'menu', f: 'book', p: `person:${next.personId}` })).slice(1, -1));
    if (next.status === 'complete') expect(json).toContain(JSON.stringify(JSON.stringify({ a: 'menu', f: 'certificate' })).slice(1, -1));
  });

  it('emergency card: 1669 and the hospital phone as tel: buttons (left out when unknown)', () => {
    const withPhone = emergencyCard({ hospitalName: 'โรงพยาบาลกลาง', hospitalPhone: '02-225-1001' }, locale);
    expect(validateMessages([withPhone])).toEqual([]);
    expect(JSON.stringify(withPhone)).toContain('"uri":"tel:1669"');
    expect(JSON.stringify(withPhone)).toContain('"uri":"tel:022251001"');
    const without = emergencyCard({ hospitalName: 'x', hospitalPhone: null }, locale);
    expect(validateMessages([without])).toEqual([]);
    expect(JSON.stringify(without).match(/tel:/g)).toHaveLength(1);
    expect(telUri('+66 2 225 1001')).toBe('tel:+6622251001');
    expect(telUri('call us')).toBeNull();
  });

  it('symptom summary with every symptom and a long note', () => {
    const message = symptomSummary(
      { step: 'summary', personName: 'สมชาย', doseNumber: 2, symptoms: [...commonSymptoms], redFlags: [...redFlags], severity: 'unable_daily_activities', onsetDate: '2021-07-02', sawDoctor: true, admitted: true, note: 'ก'.repeat(500) },
      locale,
    );
    expect(validateMessages([message])).toEqual([]);
  });

  it('the check-in question: four quick replies that fit a postback and carry the check-in id', () => {
    const id = '00000000-0000-4000-8000-000000000001';
    const view = { id, status: 'SCHEDULED', label: 'd1', dueAt: GIVEN, personId: 'p', vaccinationId: 'v', isSelf: false, firstName: 'สมศรี', doseNumber: 1, administeredAt: GIVEN, doseVoided: false, stopped: false };
    for (const key of ['followup.checkin.text', 'followup.reminder.text'] as const) {
      const message = checkinMessage({ t: translator(locale), locale }, view, key);
      expect(validateMessages([message])).toEqual([]);
      const items = (message as { quickReply?: { items: Array<{ action: { data?: string } }> } }).quickReply!.items;
      expect(items.map((i) => decodePostback(i.action.data!))).toEqual([
        { a: 'menu', f: 'symptoms', p: `checkin:${id}:none` },
        { a: 'menu', f: 'symptoms', p: `checkin:${id}:symptoms` },
        { a: 'menu', f: 'symptoms', p: `stop:${id}:dose` },
        { a: 'menu', f: 'symptoms', p: `stop:${id}:all` },
      ]);
    }
  });
});
