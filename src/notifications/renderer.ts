/**
 * How a planned notification becomes LINE messages, at send time (not when it was planned):
 * the message shows the appointment as it is now, in the user's language now. A renderer
 * returns null when the notification no longer applies (appointment cancelled or changed
 * since: `appointmentVersion` differs), and the sender then records it as SKIPPED.
 */
import type { Db } from '../db/client.js';
import type { BotServices } from '../bot/context.js';
import type { Locale, Translate } from '../i18n/index.js';
import type { LineMessage } from '../line/line-gateway.js';
import type { NotificationKind } from '../domain/notifications/schedule-notifications.js';

export interface NotificationToRender {
  id: string;
  kind: NotificationKind;
  lineUserId: string;
  personId: string | null;
  appointmentId: string | null;
  appointmentVersion: number | null;
  data: unknown;
  dueAt: Date;
}

export interface RenderContext {
  db: Db;
  locale: Locale;
  t: Translate;
  now: Date;
  /** The same collaborators chat flows get (cipher, settings such as publicBaseUrl, ...). */
  services: BotServices;
}

export type NotificationRenderer = (notification: NotificationToRender, ctx: RenderContext) => Promise<LineMessage[] | null>;
