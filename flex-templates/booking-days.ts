/** The booking flow's day choice: a carousel of days with free places at one hospital. */
import type { messagingApi } from '@line/bot-sdk';
import { formatDate, translator, type Locale } from '../src/i18n/index.js';
import { postbackAction } from '../src/line/message-builders.js';
import { button, flexMessage, header, paragraph, vbox } from './parts.js';

export interface DayChoice {
  /** YYYY-MM-DD */
  date: string;
  freePlaces: number;
  /** Time windows with room that day, e.g. ['09:00-12:00', '13:00-16:00']. */
  windows: string[];
}

export const MAX_DAY_BUBBLES = 12;

export function bookingDays(data: { step: string; hospitalName: string; days: readonly DayChoice[] }, locale: Locale): messagingApi.FlexMessage {
  const t = translator(locale);
  const bubbles = data.days.slice(0, MAX_DAY_BUBBLES).map((d): messagingApi.FlexBubble => {
    const label = formatDate(d.date, locale);
    return {
      type: 'bubble',
      size: 'micro',
      header: header(label),
      body: vbox([paragraph(t('booking.freePlaces', { count: d.freePlaces }), { bold: true }), paragraph(d.windows.join('\n'), { muted: true, size: 'xs' })], 'sm'),
      footer: vbox([button(postbackAction(t('booking.choose'), { a: 'ans', s: data.step, v: `date:${d.date}` }, label), 'primary')]),
    };
  });
  const contents: messagingApi.FlexContainer = bubbles.length === 1 ? bubbles[0]! : { type: 'carousel', contents: bubbles };
  return flexMessage(t('booking.askDate', { hospital: data.hospitalName }), contents);
}
