/**
 * The summary of a symptom report, to confirm before it is sent: symptoms, serious symptoms
 * (red), severity, onset, doctor, admission, note; buttons "send" and "cancel". Pure builder.
 */
import type { messagingApi } from '@line/bot-sdk';
import { formatDate, translator, type Locale, type MessageKey } from '../src/i18n/index.js';
import { cut, postbackAction } from '../src/line/message-builders.js';
import { button, flexMessage, header, row, vbox } from './parts.js';

export interface SymptomSummaryView {
  step: string;
  personName: string;
  doseNumber: number;
  symptoms: string[];
  redFlags: string[];
  severity: string;
  /** YYYY-MM-DD */
  onsetDate: string;
  sawDoctor: boolean;
  admitted: boolean;
  note: string | null;
}

export function symptomSummary(view: SymptomSummaryView, locale: Locale): messagingApi.FlexMessage {
  const t = translator(locale);
  const name = (code: string) => t(`followup.symptom.${code}` as MessageKey);
  const yesNo = (v: boolean) => t(v ? 'followup.answer.yes' : 'followup.answer.no');
  const body: messagingApi.FlexComponent[] = [
    row(t('followup.field.person'), cut(view.personName, 80)),
    row(t('followup.field.dose'), String(view.doseNumber)),
    row(t('followup.summary.symptoms'), view.symptoms.map(name).join(', ') || '-'),
  ];
  if (view.redFlags.length > 0) {
    body.push({
      type: 'box',
      layout: 'baseline',
      spacing: 'sm',
      contents: [
        { type: 'text', text: t('followup.summary.redFlags'), size: 'sm', color: '#B91C1C', flex: 2, wrap: true },
        { type: 'text', text: view.redFlags.map(name).join(', '), size: 'sm', color: '#B91C1C', weight: 'bold', flex: 4, wrap: true },
      ],
    });
  }
  body.push(
    row(t('followup.summary.severity'), t(`followup.severity.${view.severity}` as MessageKey)),
    row(t('followup.summary.onset'), formatDate(view.onsetDate, locale)),
    row(t('followup.summary.doctor'), yesNo(view.sawDoctor)),
    row(t('followup.summary.admitted'), yesNo(view.admitted)),
  );
  if (view.note) body.push(row(t('followup.summary.note'), cut(view.note, 500)));
  const bubble: messagingApi.FlexBubble = {
    type: 'bubble',
    header: header(t('followup.summary.title')),
    body: vbox(body, 'sm'),
    footer: vbox(
      [
        button(postbackAction(t('followup.summary.confirm'), { a: 'ans', s: view.step, v: 'confirm' }, t('followup.summary.confirm')), 'primary'),
        button(postbackAction(t('common.cancel'), { a: 'cancel' }, t('common.cancel'))),
      ],
      'xs',
    ),
  };
  return flexMessage(t('followup.summary.title'), bubble);
}
