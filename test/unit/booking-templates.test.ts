// The booking flow's Flex templates, in both languages, at their largest, pass LINE's OpenAPI
// schema plus the limits the spec does not encode (validateMessages).
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { validateMessages } from '../../src/line/validation/index.js';
import { bookingHospitals, MAX_HOSPITAL_BUBBLES, type HospitalChoice } from '../../flex-templates/booking-hospitals.js';
import { bookingDays, MAX_DAY_BUBBLES } from '../../flex-templates/booking-days.js';
import { bookingConfirm } from '../../flex-templates/booking-confirm.js';
import { decodePostback } from '../../src/bot/postback.js';
import { locales } from '../../src/i18n/index.js';

const longName = 'โรงพยาบาลสมเด็จพระยุพราชและศูนย์ฉีดวัคซีนกลางบางซื่อสถานีกลางกรุงเทพอภิวัฒน์ '.repeat(2);
const hospital = (i: number, distanceKm: number | null): HospitalChoice => ({
  hospitalCode: String(10000 + i),
  nameTh: longName,
  nameEn: `Very Long Named Central Vaccination Centre Number ${i} of the Bang Sue Grand Station`,
  districtTh: 'เขตจตุจักร',
  districtEn: 'Chatuchak',
  distanceKm,
  firstFreeDate: '2021-08-03',
  freePlaces: 1234,
});

describe.each(locales)('booking templates in %s', (locale) => {
  it('hospital carousel: nearest with distances, or by province; at most the bubbles LINE allows', () => {
    for (const distance of [1.234, null]) {
      const message = bookingHospitals({ step: 'hospital', title: 'Hospitals', hospitals: Array.from({ length: 15 }, (_, i) => hospital(i, distance)) }, locale);
      expect(validateMessages([message])).toEqual([]);
      expect(message.contents.type === 'carousel' && message.contents.contents.length).toBe(MAX_HOSPITAL_BUBBLES);
    }
    expect(validateMessages([bookingHospitals({ step: 'hospital', title: 'One', hospitals: [hospital(1, 0)] }, locale)])).toEqual([]);
  });

  it('day carousel of the bookable days', () => {
    const days = Array.from({ length: 20 }, (_, i) => ({ date: `2021-08-${String(i + 1).padStart(2, '0')}`, freePlaces: 500, windows: ['08:00-10:00', '10:00-12:00', '13:00-15:00', '15:00-17:00'] }));
    const message = bookingDays({ step: 'date', hospitalName: longName, days }, locale);
    expect(validateMessages([message])).toEqual([]);
    expect(message.contents.type === 'carousel' && message.contents.contents.length).toBe(MAX_DAY_BUBBLES);
  });

  it('confirm summary carries its confirm value on its confirm button', () => {
    const key = randomUUID();
    const message = bookingConfirm(
      { step: 'confirm', confirmValue: key, personName: 'สมชาย ใจดีมากมายหลายคำ', doseNumber: 2, hospitalName: longName, date: '2021-08-03', startTime: '09:00', endTime: '12:00', productName: 'Oxford–AstraZeneca (Vaxzevria)' },
      locale,
    );
    expect(validateMessages([message])).toEqual([]);
    const data = JSON.stringify(message).match(/"data":"((?:[^"\\]|\\.)*)"/g)!.map((d) => decodePostback(JSON.parse(`{${d}}`).data));
    expect(data).toContainEqual({ a: 'ans', s: 'confirm', v: key });
  });
});
