// Every Flex template and message builder, in both languages, passes LINE's OpenAPI schema
// plus the limits the spec does not encode (validateMessages).
import { describe, expect, it } from 'vitest';
import { validateMessages } from '../../src/line/validation/index.js';
import { consentCard } from '../../flex-templates/consent-card.js';
import { registrationSummary } from '../../flex-templates/registration-summary.js';
import { profileCards, type ProfileCardPerson } from '../../flex-templates/profile-cards.js';
import { provincePicker } from '../../flex-templates/province-picker.js';
import { provinces } from '../../prisma/data/provinces.js';
import { textMessage, postbackAction, datePickerAction } from '../../src/line/message-builders.js';
import { locales } from '../../src/i18n/index.js';

const person = (i: number): ProfileCardPerson => ({
  personId: `00000000-0000-0000-0000-00000000000${i}`,
  ref: String(i + 1),
  isSelf: i === 0,
  identityType: i % 2 ? 'PASSPORT' : 'THAI_ID',
  maskedId: 'x-xxxx-xxxxx-03-0',
  fullName: 'สมชาย ใจดี',
  birthDate: '1955-04-12',
  phoneDisplay: '081-234-5678',
  provinceName: 'กรุงเทพมหานคร',
  verificationStatus: i % 2 ? 'UNVERIFIED' : 'VERIFIED',
});

describe.each(locales)('templates in %s', (locale) => {
  it('consent card, for oneself and on behalf of family', () => {
    for (const onBehalf of [false, true]) {
      const message = consentCard({ version: '2021-04-01', onBehalf, step: 'consent' }, locale);
      expect(validateMessages([message])).toEqual([]);
      expect(JSON.stringify(message)).toContain('2021-04-01');
    }
  });

  it('registration summary with an edit button per field', () => {
    const message = registrationSummary(
      { forFamily: false, step: 'summary', identityType: 'PASSPORT', maskedId: 'xxxxx123', nationalityName: 'Myanmar', firstName: 'Aung', lastName: 'San', birthDate: '1980-01-02', sex: 'female', phoneDisplay: '081-234-5678', provinceName: 'Bangkok' },
      locale,
    );
    expect(validateMessages([message])).toEqual([]);
    const json = JSON.stringify(message);
    for (const field of ['identity', 'name', 'birthDate', 'sex', 'phone', 'province']) expect(json).toContain(`edit:${field}`);
  });

  it('profile cards: one bubble, and a carousel for a family of six', () => {
    expect(validateMessages([profileCards({ people: [person(0)], step: 'overview', canAddFamily: true }, locale)])).toEqual([]);
    const family = profileCards({ people: [0, 1, 2, 3, 4, 5].map(person), step: 'overview', canAddFamily: false }, locale);
    expect(family.contents.type).toBe('carousel');
    expect(validateMessages([family])).toEqual([]);
  });

  it('province picker for the largest region stays within 12 bubbles', () => {
    const northeast = provinces.filter((p) => p.region === 'northeast');
    const message = provincePicker({ step: 'province', title: 'Northeast', provinces: northeast }, locale);
    expect(validateMessages([message])).toEqual([]);
    expect(JSON.stringify(message).match(/"code:/g)?.length).toBe(northeast.length);
  });
});

describe('message builders', () => {
  it('cuts quick-reply labels to 20 characters and keeps at most 13 items', () => {
    const actions = Array.from({ length: 20 }, (_, i) => postbackAction(`ภาคตะวันออกเฉียงเหนือ ${i}`, { a: 'ans', s: 'x', v: String(i) }));
    const message = textMessage('เลือก', actions);
    expect(validateMessages([message])).toEqual([]);
    const items = (message as { quickReply: { items: Array<{ action: { label: string } }> } }).quickReply.items;
    expect(items).toHaveLength(13);
    expect([...items[0]!.action.label].length).toBeLessThanOrEqual(20);
  });

  it('a date picker quick reply is valid', () => {
    const message = textMessage('วันเกิด', [datePickerAction('เลือกวันเกิด', { a: 'ans', s: 'birthDate', v: 'picked' }, { initial: '1970-01-01', min: '1900-01-01', max: '2026-11-25' })]);
    expect(validateMessages([message])).toEqual([]);
  });
});
