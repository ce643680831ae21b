/**
 * What a recorded dose sets in motion, planned in recordDose's transaction (so nothing is
 * planned for a dose that rolled back, nothing lost for one that committed):
 *   - 'dose-recorded': the confirmation card, pushed now;
 *   - 'next-dose-due' when the next dose's window opens and 'next-dose-closing'
 *     NEXT_DOSE_CLOSING_DAYS before it closes (when the series needs another dose and nothing
 *     is booked yet). Booking is raw SQL for speed, so the booking use case does not cancel
 *     these rows: their renderer returns null (SKIPPED) when the next dose is booked or
 *     recorded by the time they are due, which is "cancelled when booked" in effect; recording
 *     the next dose cancels the rows outright (here, before planning the new dose's);
 *   - the symptom check-ins of the configured profile: a FollowUpCheckin row each, with its
 *     'follow-up-checkin' push and the 18:00 'follow-up-reminder'.
 * Check-ins are not planned when follow-ups are stopped for the person or the dose.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/client.js';
import type { Vaccination } from '../../generated/prisma/client.js';
import { bangkokInstant, bangkokToday } from '../../shared/clock.js';
import { addDays, type IntervalRule } from '../vaccination/interval-rules.js';
import { planNextDose, type ActiveAppointmentRef, type RecordedDose } from '../booking/dose-rules.js';
import type { NewNotification } from '../notifications/schedule-notifications.js';
import { currentFollowUpProfile, planCheckins, type FollowUpProfile } from './follow-up-schedule.js';

/** The second next-dose reminder goes out this many days before the window closes. */
export const NEXT_DOSE_CLOSING_DAYS = 7;
export const NEXT_DOSE_REMINDER_AT = '09:00';

export const NEXT_DOSE_KINDS = ['next-dose-due', 'next-dose-closing'] as const;
export const CHECKIN_KINDS = ['follow-up-checkin', 'follow-up-reminder'] as const;

/** What the next-dose reminders carry (rendering hints; the renderer re-checks the data). */
export interface NextDoseData {
  vaccinationId: string;
  nextDose: number;
  earliest: string;
  latest: string;
}

export async function planAfterDose(options: {
  db: Db;
  vaccination: Vaccination;
  lineUserId: string;
  now: Date;
  profile?: FollowUpProfile;
}): Promise<{ checkins: number; notifications: number }> {
  const { db, vaccination, lineUserId, now } = options;
  const profile = options.profile ?? currentFollowUpProfile();
  const personId = vaccination.personId;

  // This dose supersedes the reminders planned for it by the previous one (dose 1 has none).
  if (vaccination.doseNumber > 1) {
    await db.notification.updateMany({
      where: { lineUserId, personId, kind: { in: [...NEXT_DOSE_KINDS] }, status: { in: ['SCHEDULED', 'QUEUED'] } },
      data: { status: 'CANCELLED' },
    });
  }

  const notifications: NewNotification[] = [
    { lineUserId, personId, kind: 'dose-recorded', dueAt: now, data: { vaccinationId: vaccination.id } },
  ];

  const facts = await loadPlanningFacts(db, personId);
  const plan = planNextDose({
    doses: facts.doses,
    active: facts.active,
    rules: facts.rules,
    onDate: bangkokToday(vaccination.administeredAt),
    ...(facts.seriesDoses !== null ? { seriesDoses: facts.seriesDoses } : {}),
  });
  if (plan.status === 'follow-up' && plan.allowed.length > 0) {
    const earliest = plan.allowed.map((a) => a.earliest).sort()[0]!;
    const latest = plan.allowed.map((a) => a.latest).sort().at(-1)!;
    const data: NextDoseData = { vaccinationId: vaccination.id, nextDose: plan.doseNumber, earliest, latest };
    const due = bangkokInstant(earliest, NEXT_DOSE_REMINDER_AT);
    const closingDay = addDays(latest, -NEXT_DOSE_CLOSING_DAYS);
    const closing = bangkokInstant(closingDay, NEXT_DOSE_REMINDER_AT);
    if (due.getTime() > now.getTime()) notifications.push({ lineUserId, personId, kind: 'next-dose-due', dueAt: due, data: { ...data } });
    if (closingDay > earliest && closing.getTime() > now.getTime()) {
      notifications.push({ lineUserId, personId, kind: 'next-dose-closing', dueAt: closing, data: { ...data } });
    }
  }

  let checkins: Array<{ id: string; label: string; dueAt: Date }> = [];
  if (!facts.stopped && !vaccination.followUpsStoppedAt) {
    checkins = planCheckins(profile, vaccination.administeredAt, now).map((c) => {
      const id = randomUUID();
      notifications.push({ lineUserId, personId, kind: 'follow-up-checkin', dueAt: c.dueAt, data: { checkinId: id } });
      if (c.reminderAt) notifications.push({ lineUserId, personId, kind: 'follow-up-reminder', dueAt: c.reminderAt, data: { checkinId: id } });
      return { id, label: c.label, dueAt: c.dueAt };
    });
  }
  await insertPlanned(db, { lineUserId, personId, vaccinationId: vaccination.id, profile, checkins, notifications });
  return { checkins: checkins.length, notifications: notifications.length };
}

interface PlanningFacts {
  stopped: boolean;
  doses: RecordedDose[];
  active: ActiveAppointmentRef[];
  /** The interval rules from the latest dose's product, and that product's series size. */
  rules: IntervalRule[];
  seriesDoses: number | null;
}

/**
 * What planning needs of the person in one query: the same inputs as loadDosePlan
 * (dose-rules.ts) plus the stop flag. recordDose runs 100,000 times on a busy day, and on a
 * small machine each Prisma query costs about a millisecond of CPU: five became one.
 */
async function loadPlanningFacts(db: Db, personId: string): Promise<PlanningFacts> {
  const [row] = await db.$queryRaw<Array<{
    stopped: boolean | null;
    doses: Array<{ doseNumber: number; productCode: string; date: string }>;
    active: ActiveAppointmentRef[];
    rules: Array<{ firstProductCode: string; secondProductCode: string; minDays: number; maxDays: number; effectiveFrom: string; effectiveTo: string | null }>;
    series: number | null;
  }>>`
    WITH latest AS (
      SELECT product_code FROM vaccination WHERE person_id = ${personId}::uuid AND status = 'RECORDED'
      ORDER BY dose_number DESC, administered_at DESC LIMIT 1
    )
    SELECT
      (SELECT follow_ups_stopped_at IS NOT NULL FROM person WHERE id = ${personId}::uuid) AS stopped,
      (SELECT coalesce(json_agg(json_build_object('doseNumber', dose_number, 'productCode', product_code,
                'date', to_char(administered_at AT TIME ZONE 'Asia/Bangkok', 'YYYY-MM-DD'))), '[]'::json)
         FROM vaccination WHERE person_id = ${personId}::uuid AND status = 'RECORDED') AS doses,
      (SELECT coalesce(json_agg(json_build_object('doseNumber', dose_number, 'code', code)), '[]'::json)
         FROM appointment WHERE person_id = ${personId}::uuid AND active_dose IS NOT NULL) AS active,
      (SELECT coalesce(json_agg(json_build_object('firstProductCode', first_product_code, 'secondProductCode', second_product_code,
                'minDays', min_days, 'maxDays', max_days, 'effectiveFrom', to_char(effective_from, 'YYYY-MM-DD'),
                'effectiveTo', to_char(effective_to, 'YYYY-MM-DD'))), '[]'::json)
         FROM dose_interval_rule WHERE first_product_code = (SELECT product_code FROM latest)) AS rules,
      (SELECT primary_series_doses FROM vaccine_product WHERE code = (SELECT product_code FROM latest)) AS series`;
  return { stopped: row?.stopped ?? false, doses: row?.doses ?? [], active: row?.active ?? [], rules: row?.rules ?? [], seriesDoses: row?.series ?? null };
}

/** The notifications and check-ins of a dose in one statement (a data-modifying CTE). */
async function insertPlanned(
  db: Db,
  planned: { lineUserId: string; personId: string; vaccinationId: string; profile: string; checkins: Array<{ id: string; label: string; dueAt: Date }>; notifications: NewNotification[] },
): Promise<void> {
  const { checkins, notifications } = planned;
  await db.$executeRaw`
    WITH c AS (
      INSERT INTO follow_up_checkin (id, person_id, vaccination_id, label, profile, due_at)
      SELECT id, ${planned.personId}::uuid, ${planned.vaccinationId}::uuid, label, ${planned.profile}, due_at
      FROM unnest(${checkins.map((c) => c.id)}::uuid[], ${checkins.map((c) => c.label)}::text[], ${checkins.map((c) => c.dueAt)}::timestamptz[]) AS t(id, label, due_at)
      ON CONFLICT (vaccination_id, label) DO NOTHING
    )
    INSERT INTO notification (id, line_user_id, kind, person_id, data, due_at)
    SELECT gen_random_uuid(), ${planned.lineUserId}, kind, ${planned.personId}::uuid, data::jsonb, due_at
    FROM unnest(${notifications.map((n) => n.kind)}::text[], ${notifications.map((n) => JSON.stringify(n.data ?? null))}::text[],
                ${notifications.map((n) => n.dueAt)}::timestamptz[]) AS t(kind, data, due_at)`;
}
