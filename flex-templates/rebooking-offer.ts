/**
 * The rebooking offer: the slot someone booked was closed or reduced. A carousel: first what
 * happened, with "choose a new slot" and "cancel this appointment"; then one bubble per nearby
 * hospital with free places, each with a button that opens booking for this appointment.
 */
import type { messagingApi } from '@line/bot-sdk';
import { formatDate, translator, type Locale } from '../src/i18n/index.js';
import { postbackAction } from '../src/line/message-builders.js';
import type { Postback } from '../src/bot/postback.js';
import { button, flexMessage, header, paragraph, vbox } from './parts.js';
import { hospitalChoiceBubble, type HospitalChoice } from './booking-hospitals.js';

/** A nearby hospital with free places, as the booking flow lists them. */
export type RebookingAlternative = HospitalChoice;

export interface RebookingOfferData {
  appointmentCode: string;
  change: 'closed' | 'reduced';
  personName: string;
  doseNumber: number;
  hospitalNameTh: string;
  hospitalNameEn: string;
  /** YYYY-MM-DD */
  date: string;
  startTime: string;
  endTime: string;
  productNameTh: string;
  productNameEn: string;
  /** Nearest first; at most 5 are shown (LINE allows 12 bubbles). */
  alternatives: RebookingAlternative[];
}

const MAX_ALTERNATIVES = 5;

/** The postbacks the booking and appointments flows take as a start parameter. */
export const rebookPostback = (code: string): Postback => ({ a: 'menu', f: 'book', p: `rebook:${code}` });
export const cancelAppointmentPostback = (code: string): Postback => ({ a: 'menu', f: 'appointments', p: `cancel:${code}` });

export function rebookingOffer(data: RebookingOfferData, locale: Locale): messagingApi.FlexMessage {
  const t = translator(locale);
  const th = locale === 'th';
  const time = t('slots.rebooking.time', { start: data.startTime, end: data.endTime });
  const what = t(data.change === 'closed' ? 'slots.rebooking.closed' : 'slots.rebooking.reduced', {
    hospital: th ? data.hospitalNameTh : data.hospitalNameEn,
    date: formatDate(data.date, locale),
    time,
  });
  const alternatives = data.alternatives.slice(0, MAX_ALTERNATIVES);
  const choose = t('slots.rebooking.choose');
  const cancel = t('slots.rebooking.cancel');

  const summary: messagingApi.FlexBubble = {
    type: 'bubble',
    size: 'mega',
    header: header(t('slots.rebooking.title')),
    body: vbox([
      paragraph(what, { bold: true }),
      paragraph(t('slots.rebooking.kept', { name: data.personName, dose: data.doseNumber, code: data.appointmentCode })),
      paragraph(
        alternatives.length > 0
          ? t('slots.rebooking.pick', { product: th ? data.productNameTh : data.productNameEn })
          : t('slots.rebooking.none'),
        { muted: true },
      ),
    ]),
    footer: vbox(
      [
        button(postbackAction(choose, rebookPostback(data.appointmentCode), choose), 'primary'),
        button(postbackAction(cancel, cancelAppointmentPostback(data.appointmentCode), cancel), 'link'),
      ],
      'xs',
    ),
  };

  const bookHere = t('slots.rebooking.bookHere');
  const hospitals = alternatives.map((h) =>
    hospitalChoiceBubble(h, locale, (name) => postbackAction(bookHere, rebookPostback(data.appointmentCode), `${bookHere}: ${name}`)),
  );

  return flexMessage(what, { type: 'carousel', contents: [summary, ...hospitals] });
}
