/**
 * Planning pushes. A notification row is written in the same transaction as the change that
 * causes it (a booking, a closed slot), so a push is never planned for a change that rolled
 * back nor lost for one that committed. The dispatcher (src/jobs/notifications.ts) hands due
 * rows to the rate-limited notifications queue; the sender renders the message when it sends,
 * from the current data, and skips rows whose appointment has changed since.
 */
import type { Db } from '../../db/client.js';
import type { Prisma } from '../../generated/prisma/client.js';

export type NotificationKind =
  | 'appointment-reminder-day-before'
  | 'appointment-reminder-day-of'
  | 'rebooking-offer'
  /** A corrected certificate pushed to its owner (src/notifications/certificate-reissued.renderer.ts). */
  | 'certificate-reissued'
  /** After a dose (issue 6, src/domain/follow-up/plan-after-dose.ts): confirmation card, next-dose reminders, symptom check-ins. */
  | 'dose-recorded'
  | 'next-dose-due'
  | 'next-dose-closing'
  | 'follow-up-checkin'
  | 'follow-up-reminder';

export interface NewNotification {
  lineUserId: string;
  kind: NotificationKind;
  dueAt: Date;
  personId?: string;
  appointmentId?: string;
  appointmentVersion?: number;
  /** Rendering hints (never a clear ID number). */
  data?: Prisma.InputJsonValue;
}

export async function scheduleNotifications(db: Db, notifications: readonly NewNotification[]): Promise<void> {
  if (notifications.length === 0) return;
  await db.notification.createMany({ data: notifications.map((n) => ({ ...n })) });
}

/** Withdraws what is planned for an appointment and not sent yet (a QUEUED row's job will skip it). */
export async function cancelPendingNotificationsOf(db: Db, appointmentId: string, kinds?: readonly NotificationKind[]): Promise<number> {
  const { count } = await db.notification.updateMany({
    where: { appointmentId, status: { in: ['SCHEDULED', 'QUEUED'] }, ...(kinds ? { kind: { in: [...kinds] } } : {}) },
    data: { status: 'CANCELLED' },
  });
  return count;
}
