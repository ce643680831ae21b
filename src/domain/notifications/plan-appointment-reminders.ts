/**
 * The reminders of an appointment: the day before at 09:00 Asia/Bangkok and the morning of the
 * day at 07:00. Called by every use case that books, moves or ends an appointment, inside its
 * transaction: the old reminders are withdrawn and, while the appointment is booked, new ones
 * planned for its current slot and version. A reminder whose time has passed is not planned
 * (booking at 10:00 for tomorrow gets only the morning one).
 */
import type { Db } from '../../db/client.js';
import { addDays } from '../vaccination/interval-rules.js';
import { bangkokInstant } from '../../shared/clock.js';
import { cancelPendingNotificationsOf, scheduleNotifications, type NewNotification, type NotificationKind } from './schedule-notifications.js';

export const REMINDER_DAY_BEFORE_AT = '09:00';
export const REMINDER_DAY_OF_AT = '07:00';

export interface AppointmentToRemind {
  id: string;
  version: number;
  status: 'BOOKED' | 'NEEDS_REBOOKING' | 'CANCELLED' | 'COMPLETED';
  personId: string;
  /** The LINE user who manages the person (gets the push). */
  lineUserId: string;
  /** Slot day, YYYY-MM-DD. */
  date: string;
}

/** The rule itself: when an appointment on `date` (YYYY-MM-DD) is reminded, none in the past. */
export function appointmentReminderTimes(date: string, now: Date): Array<{ kind: NotificationKind; dueAt: Date }> {
  return [
    { kind: 'appointment-reminder-day-before' as const, dueAt: bangkokInstant(addDays(date, -1), REMINDER_DAY_BEFORE_AT) },
    { kind: 'appointment-reminder-day-of' as const, dueAt: bangkokInstant(date, REMINDER_DAY_OF_AT) },
  ].filter((r) => r.dueAt.getTime() > now.getTime());
}

export async function replanAppointmentReminders(db: Db, appointment: AppointmentToRemind, now: Date): Promise<void> {
  await cancelPendingNotificationsOf(db, appointment.id, ['appointment-reminder-day-before', 'appointment-reminder-day-of']);
  if (appointment.status !== 'BOOKED') return;
  const planned: NewNotification[] = appointmentReminderTimes(appointment.date, now).map((r) => ({
      ...r,
      lineUserId: appointment.lineUserId,
      personId: appointment.personId,
      appointmentId: appointment.id,
      appointmentVersion: appointment.version,
    }));
  await scheduleNotifications(db, planned);
}
