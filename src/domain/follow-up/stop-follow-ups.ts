/**
 * Ending follow-ups: the user stops them for one dose or altogether, or a dose is voided.
 * Pending check-ins (SCHEDULED, or SENT and not answered) become CANCELLED with their planned
 * pushes, in the caller's transaction. Answered and lapsed check-ins stay as they were: they
 * are history the response rates count.
 */
import type { Db } from '../../db/client.js';
import { CHECKIN_KINDS, NEXT_DOSE_KINDS } from './plan-after-dose.js';

/** Cancels the pending check-ins of the given doses or person, and their notifications. */
export async function cancelPendingCheckins(db: Db, scope: { vaccinationId: string } | { personId: string }): Promise<number> {
  const where = { ...scope, status: { in: ['SCHEDULED', 'SENT'] } };
  const pending = await db.followUpCheckin.findMany({ where, select: { id: true } });
  if (pending.length === 0) return 0;
  const ids = pending.map((c) => c.id);
  await db.followUpCheckin.updateMany({ where: { id: { in: ids } }, data: { status: 'CANCELLED' } });
  await db.$executeRaw`
    UPDATE notification SET status = 'CANCELLED'
    WHERE kind = ANY(${[...CHECKIN_KINDS]}::text[]) AND status IN ('SCHEDULED', 'QUEUED')
      AND data->>'checkinId' = ANY(${ids}::text[])`;
  return ids.length;
}

export type StopScope = 'dose' | 'all';

/**
 * The user (or the family member managing the person) stops follow-ups. `lineUserId` must own
 * the person: the check-in id in a button is checked, never trusted.
 */
export async function stopFollowUps(options: { db: Db; lineUserId: string; checkinId: string; scope: StopScope; now: Date }): Promise<{ ok: true; cancelled: number } | { ok: false }> {
  const { db, lineUserId, checkinId, scope, now } = options;
  const checkin = await db.followUpCheckin.findFirst({ where: { id: checkinId, person: { ownerId: lineUserId } }, select: { personId: true, vaccinationId: true } });
  if (!checkin) return { ok: false };
  if (scope === 'all') {
    await db.person.update({ where: { id: checkin.personId }, data: { followUpsStoppedAt: now } });
    return { ok: true, cancelled: await cancelPendingCheckins(db, { personId: checkin.personId }) };
  }
  await db.vaccination.update({ where: { id: checkin.vaccinationId }, data: { followUpsStoppedAt: now } });
  return { ok: true, cancelled: await cancelPendingCheckins(db, { vaccinationId: checkin.vaccinationId }) };
}

/** A voided dose: its check-ins, its next-dose reminders and its unsent confirmation stop. */
export async function cancelFollowUpsOfVoidedDose(db: Db, vaccinationId: string): Promise<void> {
  await cancelPendingCheckins(db, { vaccinationId });
  await db.$executeRaw`
    UPDATE notification SET status = 'CANCELLED'
    WHERE kind = ANY(${[...NEXT_DOSE_KINDS, 'dose-recorded']}::text[]) AND status IN ('SCHEDULED', 'QUEUED')
      AND data->>'vaccinationId' = ${vaccinationId}`;
}
