/**
 * The next-dose reminders ('next-dose-due' when the window opens, 'next-dose-closing' a few
 * days before it closes), with a button that starts booking for that person. Null (SKIPPED)
 * when the reminder no longer applies: the dose it follows was voided, the next dose is
 * booked (an active appointment) or recorded, or the window has closed. The booking use
 * case does not touch these rows (it is raw SQL, tuned for the launch-day load): this check
 * at send time is what cancels them when the next dose is booked.
 */
import type { NotificationRenderer } from './renderer.js';
import { postbackAction, textMessage } from '../line/message-builders.js';
import { formatDate } from '../i18n/index.js';
import { bangkokToday } from '../shared/clock.js';
import type { NextDoseData } from '../domain/follow-up/plan-after-dose.js';

function readData(data: unknown): NextDoseData | null {
  const d = data as Partial<NextDoseData> | null;
  return d && typeof d.vaccinationId === 'string' && typeof d.nextDose === 'number' && typeof d.earliest === 'string' && typeof d.latest === 'string'
    ? (d as NextDoseData)
    : null;
}

export const renderNextDose: NotificationRenderer = async (notification, ctx) => {
  const data = readData(notification.data);
  if (!data || !notification.personId) return null;
  if (bangkokToday(ctx.now) > data.latest) return null;
  const previous = await ctx.db.vaccination.findFirst({
    where: { id: data.vaccinationId, status: 'RECORDED', person: { ownerId: notification.lineUserId } },
    select: { person: { select: { id: true, isSelf: true, firstName: true } } },
  });
  if (!previous) return null;
  const [recorded, booked] = await Promise.all([
    ctx.db.vaccination.count({ where: { personId: previous.person.id, status: 'RECORDED', doseNumber: { gte: data.nextDose } } }),
    ctx.db.appointment.count({ where: { personId: previous.person.id, activeDose: { gte: data.nextDose } } }),
  ]);
  if (recorded > 0 || booked > 0) return null;
  const { t, locale } = ctx;
  const who = previous.person.isSelf ? t('followup.whoSelf') : t('followup.whoOther', { name: previous.person.firstName });
  const key = notification.kind === 'next-dose-closing' ? 'followup.nextClosing.text' : 'followup.nextDue.text';
  const label = t('followup.button.book', { dose: data.nextDose });
  return [
    textMessage(t(key, { who, dose: data.nextDose, earliest: formatDate(data.earliest, locale), latest: formatDate(data.latest, locale) }), [
      postbackAction(label, { a: 'menu', f: 'book', p: `person:${previous.person.id}` }, label),
    ]),
  ];
};
