/**
 * The appointment reminders (the day before at 09:00, the morning of the day), rendered when
 * they are sent: a short text in the user's language and the appointment card as it is now.
 * Returns null (the sender records SKIPPED) when the reminder no longer applies: the
 * appointment is gone, no longer BOOKED, changed since it was planned (moved: its new
 * reminders carry the new version), or already past.
 */
import type { Db, PrismaClient } from '../db/client.js';
import type { Statement } from '../db/statements.js';
import { getAppointmentView, type AppointmentView } from '../domain/booking/appointment-view.js';
import { appointmentMessage } from '../bot/appointment-message.js';
import { formatDate } from '../i18n/index.js';
import { bangkokToday } from '../shared/clock.js';
import { addDays } from '../domain/vaccination/interval-rules.js';
import { createStatementLookup } from '../jobs/intake-batcher.js';
import type { NotificationRenderer } from './renderer.js';

/** Loads the appointment a reminder is about (a batching loader under load, see below). */
export type AppointmentViewLoader = (db: Db, appointmentId: string) => Promise<AppointmentView | null>;

const loadOne: AppointmentViewLoader = (db, id) => getAppointmentView(db, { id });

export function createAppointmentReminderRenderer(loadView: AppointmentViewLoader = loadOne): NotificationRenderer {
  return async (notification, ctx) => {
    if (!notification.appointmentId) return null;
    const view = await loadView(ctx.db, notification.appointmentId);
    if (!view || view.status !== 'BOOKED' || view.version !== notification.appointmentVersion) return null;
    const today = bangkokToday(ctx.now);
    if (view.date < today) return null;
    // Worded from the day it is actually sent, not the kind it was planned as: a day-before
    // reminder held up past midnight (an outage) must not say "tomorrow" on the day itself.
    const key = view.date === today ? 'reminders.today' : view.date === addDays(today, 1) ? 'reminders.tomorrow' : 'reminders.onDate';
    const { t, locale } = ctx;
    const text = t(key, {
      date: formatDate(view.date, locale),
      who: view.isSelf ? t('reminders.whoSelf') : t('reminders.whoOther', { name: view.personFirstName }),
      dose: view.doseNumber,
      start: view.startTime,
      end: view.endTime,
      hospital: locale === 'th' ? view.hospitalNameTh : view.hospitalNameEn,
    });
    return [{ type: 'text', text }, appointmentMessage(ctx, view)];
  };
}

export const renderAppointmentReminder: NotificationRenderer = createAppointmentReminderRenderer();

interface ViewRow {
  id: string;
  code: string;
  version: number;
  status: AppointmentView['status'];
  dose_number: number;
  person_id: string;
  owner_id: string;
  first_name: string;
  last_name: string;
  is_self: boolean;
  slot_id: string;
  date: string;
  start_time: string;
  end_time: string;
  hospital_code: string;
  hospital_name_th: string;
  hospital_name_en: string;
  hospital_phone: string | null;
  latitude: number;
  longitude: number;
  product_code: string;
  product_name_th: string;
  product_name_en: string;
}

/**
 * For the sender at 2,000 pushes/s: the appointments of the reminders being rendered at the
 * same moment are read in one query (the same view as getAppointmentView, which costs a Prisma
 * query per reminder). `db` is the client the loader was made with, not the caller's.
 */
const READ_VIEWS: Statement = {
  name: 'appointment-reminder-views',
  text: `
    SELECT a.id, a.code, a.version, a.status::text AS status, a.dose_number, a.person_id, p.owner_id, p.first_name, p.last_name,
           p.is_self, a.slot_id, to_char(s.date, 'YYYY-MM-DD') AS date, s.start_time, s.end_time, h.code AS hospital_code,
           h.name_th AS hospital_name_th, h.name_en AS hospital_name_en, h.phone AS hospital_phone, h.latitude, h.longitude,
           s.product_code, v.name_th AS product_name_th, v.name_en AS product_name_en
    FROM appointment a
    JOIN person p ON p.id = a.person_id
    JOIN slot s ON s.id = a.slot_id
    JOIN hospital h ON h.code = s.hospital_code
    JOIN vaccine_product v ON v.code = s.product_code
    WHERE a.id = ANY($1::uuid[])`,
};

export function createBatchedAppointmentViewLoader(db: Db | PrismaClient): AppointmentViewLoader {
  const lookup = createStatementLookup<ViewRow>(db, READ_VIEWS);
  return async (_db, id) => {
    const row = await lookup(id);
    return row ? toView(row) : null;
  };
}

function toView(r: ViewRow): AppointmentView {
  return {
    id: r.id,
    code: r.code,
    version: r.version,
    status: r.status,
    doseNumber: r.dose_number,
    personId: r.person_id,
    ownerLineUserId: r.owner_id,
    personFirstName: r.first_name,
    personLastName: r.last_name,
    isSelf: r.is_self,
    slotId: r.slot_id,
    date: r.date,
    startTime: r.start_time,
    endTime: r.end_time,
    hospitalCode: r.hospital_code,
    hospitalNameTh: r.hospital_name_th,
    hospitalNameEn: r.hospital_name_en,
    hospitalPhone: r.hospital_phone,
    hospitalLatitude: r.latitude,
    hospitalLongitude: r.longitude,
    productCode: r.product_code,
    productNameTh: r.product_name_th,
    productNameEn: r.product_name_en,
  };
}
