/**
 * Cancelling an appointment from chat: the place goes back to the slot, the reminders are
 * withdrawn and the change is recorded (who, when, why).
 */
import type { Db } from '../../db/client.js';
import type { AppointmentStatus } from '../../generated/prisma/client.js';
import { releasePlace } from '../../db/repositories/slot.repository.js';
import { bangkokToday } from '../../shared/clock.js';
import { replanAppointmentReminders } from '../notifications/plan-appointment-reminders.js';
import { cancelPendingNotificationsOf } from '../notifications/schedule-notifications.js';
import { allowedChanges } from './list-appointments.js';

export type CancelAppointmentResult =
  | { outcome: 'cancelled'; appointmentId: string; code: string }
  /** Cancelling twice (a double tap, an old button) answers this instead of an error. */
  | { outcome: 'already-cancelled'; code: string }
  /** Unknown code, or an appointment of someone this LINE account does not manage (same answer: no probing). */
  | { outcome: 'not-found' }
  /** Booked, and it is the appointment day or later. */
  | { outcome: 'too-late'; code: string; hospitalCode: string }
  /** Completed: the dose was given. */
  | { outcome: 'not-active'; code: string; status: AppointmentStatus };

/**
 * Locks the appointment's row (FOR UPDATE) and reads what the rules need. Serialises this
 * change with any other on the same appointment (an admin closing its slot, a second device),
 * so the status read here is the one the update replaces.
 */
export async function lockAppointmentByCode(db: Db, code: string) {
  const locked = await db.$queryRaw<Array<{ id: string }>>`SELECT id FROM appointment WHERE code = ${code} FOR UPDATE`;
  if (locked.length === 0) return null;
  return db.appointment.findUnique({
    where: { id: locked[0]!.id },
    include: { person: { select: { ownerId: true } }, slot: { select: { date: true, hospitalCode: true, productCode: true } } },
  });
}

/**
 * Cancels `code` for the LINE user who manages the person. Run it inside a transaction (the
 * chat engine's): status, slot count, audit event and reminders change together or not at all.
 * Only BOOKED (until the day before) and NEEDS_REBOOKING (any time) can be cancelled.
 */
export async function cancelAppointment(options: { db: Db; code: string; lineUserId: string; now: Date; reason?: string }): Promise<CancelAppointmentResult> {
  const { db, code, lineUserId, now } = options;
  const appointment = await lockAppointmentByCode(db, code);
  if (!appointment || appointment.person.ownerId !== lineUserId) return { outcome: 'not-found' };
  if (appointment.status === 'CANCELLED') return { outcome: 'already-cancelled', code };
  const date = appointment.slot.date.toISOString().slice(0, 10);
  const allowed = allowedChanges({ status: appointment.status, date }, bangkokToday(now));
  if (allowed.tooLate) return { outcome: 'too-late', code, hospitalCode: appointment.slot.hospitalCode };
  if (!allowed.canCancel) return { outcome: 'not-active', code, status: appointment.status };

  const version = appointment.version + 1;
  // active_dose must be NULL once cancelled (CHECK appointment_active_dose), which also frees
  // the person to book this dose again.
  await db.appointment.update({ where: { id: appointment.id }, data: { status: 'CANCELLED', activeDose: null, version } });
  // A NEEDS_REBOOKING appointment's place was released when its slot was closed or shrunk.
  if (appointment.status === 'BOOKED') await releasePlace(db, appointment.slotId);
  await db.appointmentEvent.create({
    data: { appointmentId: appointment.id, type: 'cancelled', actor: `line:${lineUserId}`, fromSlotId: appointment.slotId, reason: options.reason ?? 'cancelled by the user in chat' },
  });
  await replanAppointmentReminders(db, { id: appointment.id, version, status: 'CANCELLED', personId: appointment.personId, lineUserId, date }, now);
  // Anything else still planned about it (a rebooking offer) no longer applies either.
  await cancelPendingNotificationsOf(db, appointment.id);
  return { outcome: 'cancelled', appointmentId: appointment.id, code };
}
