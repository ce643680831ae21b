/**
 * The card a flow sends for an appointment (after booking, rescheduling, in "my
 * appointments", in reminders), with its QR and calendar links. The links carry a signed,
 * expiring token instead of the appointment id or code, so they cannot be guessed.
 */
import type { BotContext } from './context.js';
import type { LineMessage } from '../line/line-gateway.js';
import type { AppointmentView } from '../domain/booking/appointment-view.js';
import { appointmentLinkExpiry } from '../domain/booking/appointment-links.js';
import { allowedChanges } from '../domain/booking/list-appointments.js';
import { bangkokToday } from '../shared/clock.js';
import { appointmentCard, appointmentCarousel, type AppointmentCardLinks, type AppointmentCardOptions } from '../../flex-templates/appointment-card.js';

/**
 * Flows pass their BotContext; the notification sender passes its RenderContext. `now` decides
 * whether reschedule/cancel are still offered (both contexts have it; without it, the wall clock).
 */
export type AppointmentMessageContext = Pick<BotContext, 'locale' | 't' | 'services'> & { now?: Date };

export function appointmentMessage(ctx: AppointmentMessageContext, view: AppointmentView): LineMessage {
  return appointmentCard(view, ctx.locale, appointmentLinks(ctx, view), cardOptions(ctx, view));
}

/** Upcoming appointments as one carousel: the first 12 or fewer (50 KB); `shown` says how many. */
export function appointmentsCarouselMessage(ctx: AppointmentMessageContext, views: readonly AppointmentView[]): { message: LineMessage; shown: number } {
  return appointmentCarousel(
    views.map((view) => ({ view, links: appointmentLinks(ctx, view), options: cardOptions(ctx, view) })),
    ctx.locale,
  );
}

/** `${publicBaseUrl}/appointments/<token>/qr.png` and `.../calendar.ics`. */
export function appointmentLinks(ctx: AppointmentMessageContext, view: Pick<AppointmentView, 'id' | 'date'>): AppointmentCardLinks {
  const base = ctx.services.settings.publicBaseUrl.replace(/\/$/, '');
  const token = ctx.services.appointmentLinks.sign({ appointmentId: view.id, expiresAt: appointmentLinkExpiry(view.date), locale: ctx.locale });
  return { qrImageUrl: `${base}/appointments/${token}/qr.png`, calendarUrl: `${base}/appointments/${token}/calendar.ics` };
}

function cardOptions(ctx: AppointmentMessageContext, view: AppointmentView): AppointmentCardOptions {
  const allowed = allowedChanges(view, bangkokToday(ctx.now ?? new Date()));
  return { canReschedule: allowed.canReschedule, canCancel: allowed.canCancel, ...(allowed.changeUntil ? { changeUntil: allowed.changeUntil } : {}) };
}
