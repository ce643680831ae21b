/**
 * The capacity primitive: taking and giving back a place in a slot are single UPDATE
 * statements whose WHERE re-checks the room, so concurrent bookings serialise on the slot's
 * row and a slot can never be oversold (the CHECK booked <= capacity is the last guard).
 */
import type { Db } from '../client.js';

/**
 * Takes one place if the slot is open, on or after `today` (YYYY-MM-DD) and has room.
 * @returns false when it cannot (full, closed, past or unknown): nothing was changed.
 */
export async function takePlace(db: Db, slotId: string, today: string): Promise<boolean> {
  const taken = await db.$executeRaw`
    UPDATE slot SET booked = booked + 1, updated_at = now()
     WHERE id = ${slotId}::uuid AND status = 'OPEN' AND booked < capacity AND date >= ${today}::date`;
  return taken === 1;
}

/** Gives a place back (cancel, reschedule away). Never below zero. */
export async function releasePlace(db: Db, slotId: string): Promise<void> {
  await db.$executeRaw`UPDATE slot SET booked = booked - 1, updated_at = now() WHERE id = ${slotId}::uuid AND booked > 0`;
}
