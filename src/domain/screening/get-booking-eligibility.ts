/**
 * May this person book now? Their priority group is the one their latest risk screening gave;
 * the campaign phase of that group (the province's own row if it has one, else the
 * nationwide row) says from which day the group may book. Enforced by the booking use case,
 * not only shown in chat.
 */
import type { Db } from '../../db/client.js';

export type BookingEligibility =
  /** No screening yet: the person must screen first (the chat offers it). */
  | { status: 'not-screened' }
  | { status: 'eligible'; priorityGroup: string; screenedAt: Date }
  /** The group's phase opens later (or no phase lists the group yet: opensOn null). */
  | { status: 'not-yet'; priorityGroup: string; screenedAt: Date; opensOn: string | null };

export async function getBookingEligibility(options: { db: Db; personId: string; onDate: string }): Promise<BookingEligibility> {
  const { db, personId, onDate } = options;
  const person = await db.person.findUnique({ where: { id: personId }, select: { provinceCode: true } });
  if (!person) return { status: 'not-screened' };
  const latest = await db.riskScreening.findFirst({
    where: { personId },
    orderBy: { screenedAt: 'desc' },
    select: { priorityGroup: true, screenedAt: true },
  });
  if (!latest) return { status: 'not-screened' };
  const opensOn = await bookingOpensOn(db, latest.priorityGroup, person.provinceCode);
  if (opensOn !== null && opensOn <= onDate) {
    return { status: 'eligible', priorityGroup: latest.priorityGroup, screenedAt: latest.screenedAt };
  }
  return { status: 'not-yet', priorityGroup: latest.priorityGroup, screenedAt: latest.screenedAt, opensOn };
}

/** The first day the group may book in the province (YYYY-MM-DD), or null if no phase lists it. */
export async function bookingOpensOn(db: Db, priorityGroup: string, provinceCode: string): Promise<string | null> {
  const phases = await db.campaignPhase.findMany({
    where: { priorityGroup, OR: [{ provinceCode }, { provinceCode: null }] },
    select: { provinceCode: true, bookingOpensOn: true },
  });
  // A province's own row replaces the nationwide one there.
  const phase = phases.find((p) => p.provinceCode === provinceCode) ?? phases.find((p) => p.provinceCode === null);
  return phase ? phase.bookingOpensOn.toISOString().slice(0, 10) : null;
}
