/**
 * PLACEHOLDER (replaced by the appointments work in this session): the appointment
 * confirmation card. Signature is final; the body is a minimal valid bubble.
 */
import type { messagingApi } from '@line/bot-sdk';
import type { AppointmentView } from '../src/domain/booking/appointment-view.js';
import type { Locale } from '../src/i18n/index.js';

export interface AppointmentCardLinks {
  /** PNG of a QR holding the booking code, behind an unguessable expiring token. */
  qrImageUrl: string;
  /** .ics file to add the appointment to a calendar. */
  calendarUrl: string;
}

export function appointmentCard(view: AppointmentView, locale: Locale, links: AppointmentCardLinks): messagingApi.FlexMessage {
  void links;
  const text = `${view.code} ${locale === 'th' ? view.hospitalNameTh : view.hospitalNameEn} ${view.date} ${view.startTime}-${view.endTime}`;
  return {
    type: 'flex',
    altText: text,
    contents: { type: 'bubble', body: { type: 'box', layout: 'vertical', contents: [{ type: 'text', text, wrap: true }] } },
  };
}
