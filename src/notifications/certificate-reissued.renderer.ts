/**
 * Renders a 'certificate-reissued' notification at send time: after a hospital corrected a
 * dose (resolve-correction.ts), the owner gets the person's current certificate card (the one
 * stored then, not re-signed). Skipped when the person is gone or has no dose left.
 */
import type { NotificationRenderer } from './renderer.js';
import { textMessage } from '../line/message-builders.js';
import { certificateMessages } from '../bot/flows/certificate.flow.js';

export const renderCertificateReissued: NotificationRenderer = async (notification, ctx) => {
  if (!notification.personId) return null;
  const person = await ctx.db.person.findFirst({ where: { id: notification.personId, ownerId: notification.lineUserId }, select: { firstName: true, lastName: true } });
  if (!person) return null;
  const { messages, cards } = await certificateMessages({ ...ctx, lineUserId: notification.lineUserId }, [notification.personId]);
  if (cards === 0) return null;
  return [textMessage(ctx.t('certificate.reissued', { name: `${person.firstName} ${person.lastName}` })), ...messages].slice(0, 5);
};
