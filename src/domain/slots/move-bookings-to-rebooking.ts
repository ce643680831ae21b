/**
 * What happens to the people booked in a slot that is closed or shrunk: their appointments
 * become NEEDS_REBOOKING (still holding the dose, so nobody else takes their "active dose"
 * place), the slot gets the places back, the change is audited, reminders are withdrawn and a
 * rebooking offer is planned for the person's LINE account, due now. Nobody loses a booking
 * silently. Runs inside the caller's transaction, after the caller locked the slots.
 */
import { Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../../db/client.js';
import { replanAppointmentReminders } from '../notifications/plan-appointment-reminders.js';
import { scheduleNotifications } from '../notifications/schedule-notifications.js';

export interface SlotToEmpty {
  slotId: string;
  /** How many booked people must leave: all of them for a close, the surplus for a shrink. */
  surplus: number;
  /** What the rebooking offer tells the person: the slot was closed, or reduced. */
  change: 'closed' | 'reduced';
}

/** Rendering hints stored on the 'rebooking-offer' notification (no personal data). */
export interface RebookingOfferData {
  change: 'closed' | 'reduced';
}

/**
 * Moves `surplus` booked appointments of each slot to NEEDS_REBOOKING, the most recently booked
 * first (they had the least time to plan around it), set-based: a handful of statements
 * whatever the number of slots. Returns how many appointments moved.
 */
export async function moveBookingsToRebooking(
  db: Db,
  options: { slots: readonly SlotToEmpty[]; actor: string; reason: string; now: Date },
): Promise<number> {
  const slots = options.slots.filter((s) => s.surplus > 0);
  if (slots.length === 0) return 0;
  const { actor, reason, now } = options;

  // "Booked into this slot at" is the last audit event that brought the appointment here
  // (booked or rescheduled in), else its creation.
  const moved = await db.$queryRaw<Array<{ id: string; slotId: string; version: number; personId: string; ownerId: string; date: Date }>>`
    WITH target AS (
      SELECT * FROM unnest(${slots.map((s) => s.slotId)}::uuid[], ${slots.map((s) => s.surplus)}::int[]) AS t(slot_id, surplus)
    ), ranked AS (
      SELECT a.id, t.surplus,
             row_number() OVER (
               PARTITION BY a.slot_id
               ORDER BY coalesce((SELECT max(e.at) FROM appointment_event e WHERE e.appointment_id = a.id AND e.to_slot_id = a.slot_id), a.created_at) DESC,
                        a.created_at DESC, a.id DESC) AS rank
        FROM appointment a JOIN target t ON t.slot_id = a.slot_id
       WHERE a.status = 'BOOKED'
    )
    UPDATE appointment a
       SET status = 'NEEDS_REBOOKING', version = a.version + 1, updated_at = ${now}
      FROM ranked r, person p, slot s
     WHERE a.id = r.id AND r.rank <= r.surplus AND p.id = a.person_id AND s.id = a.slot_id
    RETURNING a.id, a.slot_id AS "slotId", a.version, a.person_id AS "personId", p.owner_id AS "ownerId", s.date`;
  if (moved.length === 0) return 0;

  // Give the places back: booked - (moved from that slot).
  const perSlot = new Map<string, number>();
  for (const m of moved) perSlot.set(m.slotId, (perSlot.get(m.slotId) ?? 0) + 1);
  await db.$executeRaw`
    UPDATE slot s SET booked = s.booked - t.n, updated_at = ${now}
      FROM unnest(${[...perSlot.keys()]}::uuid[], ${[...perSlot.values()]}::int[]) AS t(slot_id, n)
     WHERE s.id = t.slot_id`;

  await db.$executeRaw`
    INSERT INTO appointment_event (id, appointment_id, type, actor, from_slot_id, reason, at)
    SELECT gen_random_uuid(), t.id, 'needs-rebooking', ${actor}, t.slot_id, ${reason}, ${now}
      FROM unnest(${moved.map((m) => m.id)}::uuid[], ${moved.map((m) => m.slotId)}::uuid[]) AS t(id, slot_id)`;

  // One rule for reminders, wherever an appointment changes: for NEEDS_REBOOKING it withdraws them.
  for (const m of moved) {
    await replanAppointmentReminders(
      db,
      { id: m.id, version: m.version, status: 'NEEDS_REBOOKING', personId: m.personId, lineUserId: m.ownerId, date: m.date.toISOString().slice(0, 10) },
      now,
    );
  }

  const changeOf = new Map(slots.map((s) => [s.slotId, s.change]));
  await scheduleNotifications(
    db,
    moved.map((m) => ({
      lineUserId: m.ownerId,
      kind: 'rebooking-offer' as const,
      dueAt: now,
      personId: m.personId,
      appointmentId: m.id,
      appointmentVersion: m.version,
      data: { change: changeOf.get(m.slotId) ?? 'closed' } satisfies RebookingOfferData as unknown as Prisma.InputJsonValue,
    })),
  );
  return moved.length;
}
