/**
 * The one gentle reminder of a check-in, at 18:00 the same day: only while the check-in is
 * SENT and unanswered (null = SKIPPED otherwise: answered, stopped, never sent because the
 * user had blocked the OA). Records remindedAt.
 */
import type { NotificationRenderer } from './renderer.js';
import { endOfBangkokDay } from '../domain/follow-up/follow-up-schedule.js';
import { checkinIdOf, checkinMessage, checkinsOneByOne, type CheckinAccess } from './follow-up-checkin.renderer.js';

export function createFollowUpReminderRenderer(access: CheckinAccess = checkinsOneByOne): NotificationRenderer {
  return async (notification, ctx) => {
    const checkinId = checkinIdOf(notification.data);
    if (!checkinId) return null;
    const view = await access.load(ctx.db, checkinId, notification.lineUserId);
    if (!view || view.status !== 'SENT' || view.stopped || view.doseVoided) return null;
    if (ctx.now.getTime() >= endOfBangkokDay(view.dueAt).getTime()) return null;
    await access.marks.markReminded(ctx.db, view.id, ctx.now);
    return [checkinMessage(ctx, view, 'followup.reminder.text')];
  };
}

