/**
 * PLACEHOLDER (replaced by the appointments work in this session): the card a flow sends for
 * an appointment (after booking, rescheduling, and in "my appointments"), with its QR and
 * calendar links. Signature is final.
 */
import type { BotContext } from './context.js';
import type { LineMessage } from '../line/line-gateway.js';
import type { AppointmentView } from '../domain/booking/appointment-view.js';
import { appointmentCard } from '../../flex-templates/appointment-card.js';

/** Flows pass their BotContext; the notification sender passes its RenderContext. */
export type AppointmentMessageContext = Pick<BotContext, 'locale' | 't' | 'services'>;

export function appointmentMessage(ctx: AppointmentMessageContext, view: AppointmentView): LineMessage {
  const base = ctx.services.settings.publicBaseUrl.replace(/\/$/, '');
  return appointmentCard(view, ctx.locale, { qrImageUrl: `${base}/placeholder.png`, calendarUrl: `${base}/placeholder.ics` });
}
