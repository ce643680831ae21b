/**
 * The appointment card: sent after booking and rescheduling, and one per upcoming appointment
 * in "my appointments". The booking code is large (it is read out at the desk) and its QR is
 * an image served behind an unguessable link. Reschedule and cancel appear only while they
 * are allowed; the caller decides that (it knows today), the template only draws.
 */
import type { messagingApi } from '@line/bot-sdk';
import type { AppointmentView } from '../src/domain/booking/appointment-view.js';
import { formatDate, translator, type Locale, type MessageKey } from '../src/i18n/index.js';
import { cut, postbackAction } from '../src/line/message-builders.js';
import { BRAND_COLOR, MUTED_COLOR, button, flexMessage, header, row, vbox } from './parts.js';

export interface AppointmentCardLinks {
  /** PNG of a QR holding the booking code, behind an unguessable expiring token. */
  qrImageUrl: string;
  /** .ics file to add the appointment to a calendar. */
  calendarUrl: string;
}

export interface AppointmentCardOptions {
  /** Show "reschedule" (BOOKED before the day before, or NEEDS_REBOOKING). Default: hidden. */
  canReschedule?: boolean;
  /** Show "cancel". Default: hidden. */
  canCancel?: boolean;
  /** The last day a change is allowed (YYYY-MM-DD), shown under the buttons. */
  changeUntil?: string;
}

/** LINE allows 12 bubbles in a carousel. */
export const APPOINTMENT_CAROUSEL_MAX = 12;
const TEXT_MAX = 80;

export function appointmentCard(view: AppointmentView, locale: Locale, links: AppointmentCardLinks, options: AppointmentCardOptions = {}): messagingApi.FlexMessage {
  return flexMessage(altText(view, locale), appointmentBubble(view, locale, links, options));
}

/** LINE's carousel limit, "50 KB" of JSON; a little kept back for the carousel's own wrapper. */
const CAROUSEL_BYTES = 50 * 1024 - 256;

/**
 * Upcoming appointments side by side: at most 12 bubbles and as many as fit in LINE's 50 KB
 * (a Thai card is about 4.4 KB, so 11 or 12). Returns how many were shown, so the caller can
 * say how many more there are.
 */
export function appointmentCarousel(
  cards: ReadonlyArray<{ view: AppointmentView; links: AppointmentCardLinks; options?: AppointmentCardOptions }>,
  locale: Locale,
): { message: messagingApi.FlexMessage; shown: number } {
  if (cards.length === 1) return { message: appointmentCard(cards[0]!.view, locale, cards[0]!.links, cards[0]!.options), shown: 1 };
  const t = translator(locale);
  const bubbles: messagingApi.FlexBubble[] = [];
  let bytes = 0;
  for (const card of cards.slice(0, APPOINTMENT_CAROUSEL_MAX)) {
    const bubble = appointmentBubble(card.view, locale, card.links, card.options ?? {});
    const size = Buffer.byteLength(JSON.stringify(bubble), 'utf8') + 1;
    if (bytes + size > CAROUSEL_BYTES) break;
    bubbles.push(bubble);
    bytes += size;
  }
  const codes = cards.slice(0, bubbles.length).map((c) => c.view.code);
  return { message: flexMessage(`${t('booking.appt.listTitle')}: ${codes.join(', ')}`, { type: 'carousel', contents: bubbles }), shown: bubbles.length };
}

function altText(view: AppointmentView, locale: Locale): string {
  const t = translator(locale);
  return t('booking.appt.altText', {
    code: view.code,
    date: formatDate(view.date, locale),
    time: t('booking.appt.timeValue', { start: view.startTime, end: view.endTime }),
    hospital: locale === 'th' ? view.hospitalNameTh : view.hospitalNameEn,
  });
}

export function appointmentBubble(view: AppointmentView, locale: Locale, links: AppointmentCardLinks, options: AppointmentCardOptions): messagingApi.FlexBubble {
  const t = translator(locale);
  // Names are user-typed or reference data: capped so a card's size stays predictable.
  const hospital = cut(locale === 'th' ? view.hospitalNameTh : view.hospitalNameEn, TEXT_MAX);
  const active = view.status === 'BOOKED' || view.status === 'NEEDS_REBOOKING';
  const statusColor = view.status === 'BOOKED' ? BRAND_COLOR : view.status === 'NEEDS_REBOOKING' ? '#B45309' : MUTED_COLOR;

  const body: messagingApi.FlexComponent[] = [
    { type: 'text', text: t('booking.appt.codeLabel'), size: 'xs', color: MUTED_COLOR, align: 'center' },
    { type: 'text', text: view.code, size: '3xl', weight: 'bold', align: 'center', color: '#111827' },
  ];
  // The QR only while it can still be used at check-in.
  if (active) {
    body.push(
      { type: 'image', url: links.qrImageUrl, size: 'lg', aspectRatio: '1:1', aspectMode: 'fit' },
      { type: 'text', text: t('booking.appt.qrHint'), size: 'xxs', color: MUTED_COLOR, align: 'center', wrap: true },
    );
  }
  body.push(
    { type: 'separator', margin: 'md' },
    row(t('booking.appt.person'), cut(`${view.personFirstName} ${view.personLastName}`, TEXT_MAX)),
    row(t('booking.appt.dose'), t('booking.appt.doseValue', { dose: view.doseNumber })),
    row(t('booking.appt.hospital'), hospital),
    row(t('booking.appt.date'), formatDate(view.date, locale)),
    row(t('booking.appt.time'), t('booking.appt.timeValue', { start: view.startTime, end: view.endTime })),
    row(t('booking.appt.product'), cut(locale === 'th' ? view.productNameTh : view.productNameEn, TEXT_MAX)),
    {
      type: 'box',
      layout: 'baseline',
      spacing: 'sm',
      contents: [
        { type: 'text', text: t('booking.appt.status'), size: 'sm', color: MUTED_COLOR, flex: 2 },
        { type: 'text', text: t(`booking.appt.status.${view.status}` as MessageKey), size: 'sm', weight: 'bold', color: statusColor, flex: 4, wrap: true },
      ],
    },
  );
  if (view.status === 'NEEDS_REBOOKING') body.push({ type: 'text', text: t('booking.appt.needsRebookingHint'), size: 'xs', color: '#B45309', wrap: true });

  const footer: messagingApi.FlexComponent[] = [];
  if (active) footer.push(button({ type: 'uri', label: t('booking.appt.addToCalendar'), uri: links.calendarUrl }, 'primary'));
  if (options.canReschedule) {
    const label = view.status === 'NEEDS_REBOOKING' ? t('booking.appt.rebook') : t('booking.appt.reschedule');
    footer.push(button(postbackAction(label, { a: 'menu', f: 'appointments', p: `reschedule:${view.code}` }, label)));
  }
  if (options.canCancel) {
    footer.push(button(postbackAction(t('booking.appt.cancel'), { a: 'menu', f: 'appointments', p: `cancel:${view.code}` }, t('booking.appt.cancel'))));
  }
  footer.push(button({ type: 'uri', label: t('booking.appt.map'), uri: mapUrl(view) }, 'link'));
  if (view.hospitalPhone) {
    footer.push(button({ type: 'uri', label: t('booking.appt.call', { phone: view.hospitalPhone }), uri: `tel:${view.hospitalPhone.replace(/[^0-9+]/g, '')}` }, 'link'));
  }
  if ((options.canReschedule || options.canCancel) && options.changeUntil) {
    footer.push({ type: 'text', text: t('booking.appt.changeUntil', { date: formatDate(options.changeUntil, locale) }), size: 'xxs', color: MUTED_COLOR, align: 'center', wrap: true });
  }

  return {
    type: 'bubble',
    size: 'mega',
    header: header(t('booking.appt.title'), hospital),
    body: vbox(body, 'sm'),
    footer: vbox(footer, 'xs'),
  };
}

/** Google Maps search by coordinates: opens the maps app or the web on any phone. */
export function mapUrl(view: Pick<AppointmentView, 'hospitalLatitude' | 'hospitalLongitude'>): string {
  return `https://www.google.com/maps/search/?api=1&query=${view.hospitalLatitude},${view.hospitalLongitude}`;
}
