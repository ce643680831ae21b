/**
 * Which renderer turns each kind of planned notification into LINE messages. A kind without
 * a renderer here is recorded FAILED ('no renderer …') by the sender rather than dropped, so
 * a deploy that plans a new kind before it can render it shows up in the table.
 */
import type { NotificationKind } from '../domain/notifications/schedule-notifications.js';
import type { NotificationRenderer } from './renderer.js';
import { createAppointmentReminderRenderer, type AppointmentViewLoader } from './appointment-reminder.renderer.js';
import { renderRebookingOffer } from './rebooking-offer.renderer.js';
import { renderCertificateReissued } from './certificate-reissued.renderer.js';
import { renderDoseRecorded } from './dose-recorded.renderer.js';
import { renderNextDose } from './next-dose.renderer.js';
import { createFollowUpCheckinRenderer, type CheckinAccess } from './follow-up-checkin.renderer.js';
import { createFollowUpReminderRenderer } from './follow-up-reminder.renderer.js';

export type NotificationRenderers = Partial<Record<NotificationKind, NotificationRenderer>>;

/**
 * The registry; the sender passes batching data access (a statement per batch of pushes, not
 * per push) for the appointment reminders and the check-ins.
 */
export function createNotificationRenderers(deps: { loadAppointmentView?: AppointmentViewLoader; checkins?: CheckinAccess } = {}): NotificationRenderers {
  const reminder = createAppointmentReminderRenderer(deps.loadAppointmentView);
  return {
    'appointment-reminder-day-before': reminder,
    'appointment-reminder-day-of': reminder,
    'rebooking-offer': renderRebookingOffer,
    'certificate-reissued': renderCertificateReissued,
    'dose-recorded': renderDoseRecorded,
    'next-dose-due': renderNextDose,
    'next-dose-closing': renderNextDose,
    'follow-up-checkin': createFollowUpCheckinRenderer(deps.checkins),
    'follow-up-reminder': createFollowUpReminderRenderer(deps.checkins),
  };
}

export const notificationRenderers: NotificationRenderers = createNotificationRenderers();
