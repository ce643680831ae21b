/**
 * A symptom check-in at send time: "how are you after dose N?" with quick replies "no
 * symptoms" / "I have symptoms" / stop for this dose / stop all. The buttons are menu
 * postbacks of the 'symptoms' feature carrying the check-in id (handled by the
 * symptom-report flow's start, which checks the owner). Rendering marks the check-in SENT
 * (a re-render after a failed push finds it SENT and renders again). Null (SKIPPED) when
 * the check-in was answered, cancelled or lapsed, follow-ups were stopped, the dose voided, or
 * its day is over (held up by an outage). Unanswered check-ins lapse in the maintenance sweep.
 */
import type { NotificationRenderer, RenderContext } from './renderer.js';
import type { LineMessage } from '../line/line-gateway.js';
import { postbackAction, textMessage } from '../line/message-builders.js';
import { formatDate } from '../i18n/index.js';
import { bangkokToday } from '../shared/clock.js';
import { loadCheckin, type CheckinLoader, type CheckinView } from '../domain/follow-up/load-checkin.js';
import { checkinSendMarks, type CheckinSendMarks } from '../domain/follow-up/checkin-send-marks.js';
import { endOfBangkokDay } from '../domain/follow-up/follow-up-schedule.js';

export function checkinIdOf(data: unknown): string | undefined {
  const id = (data as { checkinId?: unknown } | null)?.checkinId;
  return typeof id === 'string' ? id : undefined;
}

/** The check-in question with its four quick replies. */
export function checkinMessage(ctx: Pick<RenderContext, 't' | 'locale'>, view: CheckinView, key: 'followup.checkin.text' | 'followup.reminder.text'): LineMessage {
  const { t } = ctx;
  const who = view.isSelf ? t('followup.whoSelf') : t('followup.whoOther', { name: view.firstName });
  const button = (label: string, p: string) => postbackAction(label, { a: 'menu', f: 'symptoms', p }, label);
  return textMessage(t(key, { who, dose: view.doseNumber, date: formatDate(bangkokToday(view.administeredAt), ctx.locale) }), [
    button(t('followup.checkin.none'), `checkin:${view.id}:none`),
    button(t('followup.checkin.symptoms'), `checkin:${view.id}:symptoms`),
    button(t('followup.checkin.stopDose'), `stop:${view.id}:dose`),
    button(t('followup.checkin.stopAll'), `stop:${view.id}:all`),
  ]);
}

/** How the check-in renderers read a check-in and record its sending (batched in the sender). */
export interface CheckinAccess {
  load: CheckinLoader;
  marks: CheckinSendMarks;
}

/** One query per check-in: chat and tests; the sender passes the batched forms. */
export const checkinsOneByOne: CheckinAccess = { load: loadCheckin, marks: checkinSendMarks };

export function createFollowUpCheckinRenderer(access: CheckinAccess = checkinsOneByOne): NotificationRenderer {
  return async (notification, ctx) => {
    const checkinId = checkinIdOf(notification.data);
    if (!checkinId) return null;
    const view = await access.load(ctx.db, checkinId, notification.lineUserId);
    if (!view || view.doseVoided || (view.status !== 'SCHEDULED' && view.status !== 'SENT')) return null;
    if (view.stopped) {
      await ctx.db.followUpCheckin.updateMany({ where: { id: view.id, status: 'SCHEDULED' }, data: { status: 'CANCELLED' } });
      return null;
    }
    // A check-in delivered after its day (an outage) would ask about the wrong day.
    if (ctx.now.getTime() >= endOfBangkokDay(view.dueAt).getTime()) return null;
    await access.marks.markSent(ctx.db, view.id, ctx.now);
    return [checkinMessage(ctx, view, 'followup.checkin.text')];
  };
}

