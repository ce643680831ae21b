/**
 * The emergency card, sent the moment a red flag (or a hospital admission) is reported: call
 * 1669 (tel: button), the administering hospital's name and a tel: button to it when its
 * phone is known, and short advice. Red header: nothing else in the chat looks like it.
 */
import type { messagingApi } from '@line/bot-sdk';
import { translator, type Locale } from '../src/i18n/index.js';
import { cut } from '../src/line/message-builders.js';
import { flexMessage, paragraph, vbox } from './parts.js';

export interface EmergencyCardView {
  hospitalName: string;
  /** E.164 or a Thai number; null when unknown (the button is left out). */
  hospitalPhone: string | null;
}

const RED = '#B91C1C';

/** A tel: URI LINE accepts: digits and a leading +, nothing else. */
export function telUri(phone: string): string | null {
  const digits = phone.replace(/[^\d+]/g, '');
  return /^\+?\d{3,15}$/.test(digits) ? `tel:${digits}` : null;
}

export function emergencyCard(view: EmergencyCardView, locale: Locale): messagingApi.FlexMessage {
  const t = translator(locale);
  const hospitalTel = view.hospitalPhone ? telUri(view.hospitalPhone) : null;
  const footer: messagingApi.FlexComponent[] = [
    { type: 'button', style: 'primary', color: RED, height: 'md', action: { type: 'uri', label: t('followup.emergency.call1669'), uri: 'tel:1669' } },
  ];
  if (hospitalTel) footer.push({ type: 'button', style: 'secondary', height: 'sm', action: { type: 'uri', label: t('followup.emergency.callHospital'), uri: hospitalTel } });
  const bubble: messagingApi.FlexBubble = {
    type: 'bubble',
    header: {
      type: 'box',
      layout: 'vertical',
      backgroundColor: RED,
      paddingAll: 'lg',
      contents: [{ type: 'text', text: t('followup.emergency.title'), color: '#FFFFFF', weight: 'bold', size: 'lg', wrap: true }],
    },
    body: vbox(
      [
        paragraph(t('followup.emergency.advice')),
        { type: 'separator', margin: 'md' },
        paragraph(t('followup.emergency.hospital'), { muted: true, size: 'xs' }),
        paragraph(cut(view.hospitalName, 100), { bold: true }),
        ...(view.hospitalPhone ? [paragraph(cut(view.hospitalPhone, 30))] : []),
      ],
      'sm',
    ),
    footer: vbox(footer, 'sm'),
  };
  return flexMessage(t('followup.emergency.alt'), bubble);
}
