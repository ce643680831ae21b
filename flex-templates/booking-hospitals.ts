/** The booking flow's hospital choice: a carousel of hospitals with free places (nearest first). */
import type { messagingApi } from '@line/bot-sdk';
import { formatDate, translator, type Locale } from '../src/i18n/index.js';
import { postbackAction } from '../src/line/message-builders.js';
import { button, flexMessage, header, paragraph, vbox } from './parts.js';

export interface HospitalChoice {
  hospitalCode: string;
  nameTh: string;
  nameEn: string;
  districtTh: string;
  districtEn: string;
  /** null when the list is by province, not by distance. */
  distanceKm: number | null;
  /** YYYY-MM-DD */
  firstFreeDate: string;
  freePlaces: number;
}

/** LINE allows 12 bubbles in a carousel. */
export const MAX_HOSPITAL_BUBBLES = 10;

/**
 * One hospital with free places: district, distance, first free day, places; the button is the
 * caller's (choose it in the booking flow, or rebook there from a rebooking offer).
 */
export function hospitalChoiceBubble(h: HospitalChoice, locale: Locale, action: (name: string) => messagingApi.PostbackAction): messagingApi.FlexBubble {
  const t = translator(locale);
  const name = locale === 'th' ? h.nameTh : h.nameEn;
  const lines = [
    paragraph(locale === 'th' ? h.districtTh : h.districtEn, { muted: true, size: 'xs' }),
    ...(h.distanceKm === null ? [] : [paragraph(t('booking.distance', { km: h.distanceKm.toFixed(1) }), { bold: true })]),
    paragraph(t('booking.firstFree', { date: formatDate(h.firstFreeDate, locale) })),
    paragraph(t('booking.freePlaces', { count: h.freePlaces })),
  ];
  return { type: 'bubble', size: 'kilo', header: header(name), body: vbox(lines, 'sm'), footer: vbox([button(action(name), 'primary')]) };
}

export function bookingHospitals(data: { step: string; title: string; hospitals: readonly HospitalChoice[] }, locale: Locale): messagingApi.FlexMessage {
  const choose = translator(locale)('booking.choose');
  const bubbles = data.hospitals
    .slice(0, MAX_HOSPITAL_BUBBLES)
    .map((h) => hospitalChoiceBubble(h, locale, (name) => postbackAction(choose, { a: 'ans', s: data.step, v: `code:${h.hospitalCode}` }, name)));
  const contents: messagingApi.FlexContainer = bubbles.length === 1 ? bubbles[0]! : { type: 'carousel', contents: bubbles };
  return flexMessage(data.title, contents);
}
