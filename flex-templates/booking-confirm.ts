/**
 * The booking flow's last question: what will be booked, with the confirm button. The button
 * carries the flow's confirm value (the idempotency key of this confirm screen, so tapping it
 * twice books once, and whom and which dose it books; see booking.flow.ts).
 */
import type { messagingApi } from '@line/bot-sdk';
import { formatDate, translator, type Locale } from '../src/i18n/index.js';
import { postbackAction } from '../src/line/message-builders.js';
import { button, flexMessage, header, row, vbox } from './parts.js';

export interface BookingSummary {
  step: string;
  /** What the confirm button answers (the flow encodes and reads it). */
  confirmValue: string;
  personName: string;
  doseNumber: number;
  hospitalName: string;
  /** YYYY-MM-DD */
  date: string;
  startTime: string;
  endTime: string;
  productName: string;
}

export function bookingConfirm(data: BookingSummary, locale: Locale): messagingApi.FlexMessage {
  const t = translator(locale);
  const date = formatDate(data.date, locale);
  const time = t('booking.timeValue', { start: data.startTime, end: data.endTime });
  return flexMessage(`${t('booking.confirmTitle')}: ${data.hospitalName} ${date} ${time}`, {
    type: 'bubble',
    header: header(t('booking.confirmTitle')),
    body: vbox([
      row(t('booking.person'), data.personName),
      row(t('booking.dose'), t('booking.doseValue', { dose: data.doseNumber })),
      row(t('booking.hospital'), data.hospitalName),
      row(t('booking.date'), date),
      row(t('booking.time'), time),
      row(t('booking.product'), data.productName),
    ], 'sm'),
    footer: vbox([
      button(postbackAction(t('booking.confirm'), { a: 'ans', s: data.step, v: data.confirmValue }, t('booking.confirm')), 'primary'),
      button(postbackAction(t('booking.changeTime'), { a: 'ans', s: data.step, v: 'back' }, t('booking.changeTime'))),
      button(postbackAction(t('common.cancel'), { a: 'cancel' }, t('common.cancel')), 'link'),
    ], 'sm'),
  });
}
