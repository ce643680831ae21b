/**
 * The confirmation pushed when a dose is recorded: who, which dose, product, lot, where and
 * when, then what comes next: the next dose's window with a booking button, "already booked",
 * or "series complete" with the certificate button. Pure builder.
 */
import type { messagingApi } from '@line/bot-sdk';
import { formatDate, translator, type Locale } from '../src/i18n/index.js';
import { cut, postbackAction } from '../src/line/message-builders.js';
import { button, flexMessage, header, paragraph, row, vbox } from './parts.js';

export type DoseRecordedNext =
  | { status: 'window'; doseNumber: number; earliest: string; latest: string; personId: string }
  | { status: 'booked'; doseNumber: number }
  | { status: 'complete' }
  | { status: 'unknown' };

export interface DoseRecordedView {
  personName: string;
  doseNumber: number;
  productName: string;
  lotNumber: string | null;
  hospitalName: string;
  /** YYYY-MM-DD (Bangkok). */
  date: string;
  next: DoseRecordedNext;
}

const TEXT_MAX = 80;

export function doseRecordedCard(view: DoseRecordedView, locale: Locale): messagingApi.FlexMessage {
  const t = translator(locale);
  const next = view.next;
  const nextText =
    next.status === 'window'
      ? t('followup.next.window', { dose: next.doseNumber, earliest: formatDate(next.earliest, locale), latest: formatDate(next.latest, locale) })
      : next.status === 'booked'
        ? t('followup.next.booked', { dose: next.doseNumber })
        : next.status === 'complete'
          ? t('followup.next.complete')
          : t('followup.next.unknown');
  const body: messagingApi.FlexComponent[] = [
    row(t('followup.field.person'), cut(view.personName, TEXT_MAX)),
    row(t('followup.field.dose'), String(view.doseNumber)),
    row(t('followup.field.product'), cut(view.productName, TEXT_MAX)),
    row(t('followup.field.lot'), cut(view.lotNumber ?? '-', 40)),
    row(t('followup.field.hospital'), cut(view.hospitalName, TEXT_MAX)),
    row(t('followup.field.date'), formatDate(view.date, locale)),
    { type: 'separator', margin: 'md' },
    paragraph(t('followup.next.title'), { bold: true }),
    paragraph(nextText),
    paragraph(t('followup.next.followUpNote'), { muted: true, size: 'xs' }),
  ];
  const footer: messagingApi.FlexComponent[] = [];
  if (next.status === 'window') {
    footer.push(button(postbackAction(t('followup.button.book', { dose: next.doseNumber }), { a: 'menu', f: 'book', p: `person:${next.personId}` }), 'primary'));
  }
  if (next.status === 'complete') footer.push(button(postbackAction(t('followup.button.certificate'), { a: 'menu', f: 'certificate' }), 'primary'));
  const bubble: messagingApi.FlexBubble = {
    type: 'bubble',
    header: header(t('followup.doseRecorded.title'), cut(view.personName, TEXT_MAX)),
    body: vbox(body, 'sm'),
    ...(footer.length > 0 ? { footer: vbox(footer, 'xs') } : {}),
  };
  return flexMessage(t('followup.doseRecorded.alt', { dose: view.doseNumber, name: view.personName }), bubble);
}
