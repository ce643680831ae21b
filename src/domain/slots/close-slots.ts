/**
 * Closes slots (a hospital runs out of vaccine, a session is cancelled): the slots stop taking
 * bookings and everyone booked in them moves to NEEDS_REBOOKING with a rebooking offer pushed
 * to them (moveBookingsToRebooking), in one transaction. Slots in the past are left alone:
 * their bookings are history, not something to rebook.
 */
import type { PrismaClient } from '../../db/client.js';
import { bangkokInstant, bangkokToday } from '../../shared/clock.js';
import { moveBookingsToRebooking } from './move-bookings-to-rebooking.js';
import { runSlotTransaction } from './run-transaction.js';

export interface SlotNaturalKey {
  hospitalCode: string;
  productCode: string;
  /** YYYY-MM-DD */
  date: string;
  startTime: string;
}

export interface CloseSlotsResult {
  /** Ids of the slots this call closed. */
  closed: string[];
  /** Already closed: nothing to do (closing is idempotent). */
  alreadyClosed: string[];
  /** Slots that have started or are over: not closed. */
  past: string[];
  /** Ids or keys (`hospital|date|start|product`) that name no slot. */
  notFound: string[];
  movedToRebooking: number;
}

/**
 * Closes the slots named by id and/or natural key.
 * @param actor audit actor: 'admin:api', 'admin:cli', 'system:<reason>'.
 */
export async function closeSlots(options: {
  db: PrismaClient;
  slotIds?: readonly string[];
  keys?: readonly SlotNaturalKey[];
  actor: string;
  reason?: string;
  now: Date;
}): Promise<CloseSlotsResult> {
  const { db, actor, now } = options;
  const ids = [...new Set(options.slotIds ?? [])];
  const keys = options.keys ?? [];
  const reason = options.reason ?? 'slot closed by the hospital';
  const today = bangkokToday(now);

  return runSlotTransaction(db, async (tx) => {
    const slots = await tx.$queryRaw<Array<{ id: string; key: string; date: string; startTime: string; booked: number; status: string }>>`
      SELECT s.id, concat_ws('|', s.hospital_code, to_char(s.date, 'YYYY-MM-DD'), s.start_time, s.product_code) AS key,
             to_char(s.date, 'YYYY-MM-DD') AS date, s.start_time AS "startTime", s.booked, s.status::text AS status
        FROM slot s
       WHERE s.id = ANY(${ids}::uuid[])
          OR (s.hospital_code, s.date, s.start_time, s.product_code) IN (
               SELECT * FROM unnest(${keys.map((k) => k.hospitalCode)}::varchar[], ${keys.map((k) => k.date)}::date[],
                                    ${keys.map((k) => k.startTime)}::varchar[], ${keys.map((k) => k.productCode)}::varchar[]))
       ORDER BY s.id
         FOR UPDATE OF s`;
    const found = new Set(slots.flatMap((s) => [s.id, s.key]));
    const notFound = [
      ...ids.filter((id) => !found.has(id)),
      ...keys.map((k) => `${k.hospitalCode}|${k.date}|${k.startTime}|${k.productCode}`).filter((k) => !found.has(k)),
    ];
    const started = (s: { date: string; startTime: string }) => s.date < today || bangkokInstant(s.date, s.startTime).getTime() <= now.getTime();
    const past = slots.filter((s) => s.status === 'OPEN' && started(s));
    const toClose = slots.filter((s) => s.status === 'OPEN' && !started(s));

    const movedToRebooking = await moveBookingsToRebooking(tx, {
      slots: toClose.map((s) => ({ slotId: s.id, surplus: s.booked, change: 'closed' as const })),
      actor,
      reason,
      now,
    });
    if (toClose.length > 0) {
      await tx.$executeRaw`UPDATE slot SET status = 'CLOSED', updated_at = ${now} WHERE id = ANY(${toClose.map((s) => s.id)}::uuid[])`;
    }
    return {
      closed: toClose.map((s) => s.id),
      alreadyClosed: slots.filter((s) => s.status === 'CLOSED').map((s) => s.id),
      past: past.map((s) => s.id),
      notFound,
      movedToRebooking,
    };
  });
}
