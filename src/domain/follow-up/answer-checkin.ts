/**
 * The answer to a check-in ("no symptoms" / "I have symptoms"), from its quick reply. The
 * button carries the check-in id; it is used only if the LINE user manages that person. A
 * late answer (after the check-in lapsed) still counts, with its time; a second answer does
 * not overwrite the first.
 */
import type { Db } from '../../db/client.js';

export type CheckinAnswer = 'none' | 'symptoms';

export type AnswerCheckinResult =
  | { ok: true; personId: string; vaccinationId: string; alreadyAnswered: boolean }
  | { ok: false; reason: 'not-found' | 'cancelled' };

export async function answerCheckin(options: { db: Db; lineUserId: string; checkinId: string; answer: CheckinAnswer; now: Date }): Promise<AnswerCheckinResult> {
  const { db, lineUserId, checkinId, answer, now } = options;
  const checkin = await db.followUpCheckin.findFirst({
    where: { id: checkinId, person: { ownerId: lineUserId } },
    select: { personId: true, vaccinationId: true, status: true },
  });
  if (!checkin) return { ok: false, reason: 'not-found' };
  if (checkin.status === 'CANCELLED') return { ok: false, reason: 'cancelled' };
  const base = { ok: true as const, personId: checkin.personId, vaccinationId: checkin.vaccinationId };
  if (checkin.status === 'ANSWERED') return { ...base, alreadyAnswered: true };
  await db.followUpCheckin.update({ where: { id: checkinId }, data: { status: 'ANSWERED', answer, answeredAt: now } });
  return { ...base, alreadyAnswered: false };
}

/** Check-ins sent and still unanswered when their day ended become LAPSED (the maintenance sweep). */
export async function lapseUnansweredCheckins(db: Db, now: Date): Promise<number> {
  // due_at is 09:00 Bangkok (or later the same day); the day ends at 17:00 UTC.
  return db.$executeRaw`
    UPDATE follow_up_checkin SET status = 'LAPSED'
    WHERE status = 'SENT' AND due_at < ${now}
      AND (date_trunc('day', due_at AT TIME ZONE 'Asia/Bangkok') + interval '1 day') AT TIME ZONE 'Asia/Bangkok' <= ${now}`;
}
