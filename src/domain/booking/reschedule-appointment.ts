/**
 * Moving an appointment to another slot, keeping its booking code: the new place is taken
 * first (atomically, so a full slot refuses instead of overselling), then the old one given
 * back, the change recorded and the reminders moved, all in the caller's transaction.
 */
import type { Db } from '../../db/client.js';
import type { AppointmentStatus } from '../../generated/prisma/client.js';
import { releasePlace, takePlace } from '../../db/repositories/slot.repository.js';
import { bangkokInstant, bangkokToday } from '../../shared/clock.js';
import { addDays } from '../vaccination/interval-rules.js';
import { replanAppointmentReminders } from '../notifications/plan-appointment-reminders.js';
import { cancelPendingNotificationsOf } from '../notifications/schedule-notifications.js';
import { findFreeSlots, type FreeSlot } from './find-free-slots.js';
import { allowedChanges } from './list-appointments.js';
import { checkSlotForDose, loadDosePlan } from './dose-rules.js';
import { lockAppointmentByCode } from './cancel-appointment.js';

/** How far ahead alternatives are looked for when the chosen slot filled up. */
export const ALTERNATIVES_DAYS = 14;

export type RescheduleAppointmentResult =
  | { outcome: 'rescheduled'; appointmentId: string; code: string; fromSlotId: string; toSlotId: string }
  /** Unknown code, or not this LINE account's: the same answer, so codes cannot be probed. */
  | { outcome: 'not-found' }
  | { outcome: 'too-late'; code: string; hospitalCode: string }
  | { outcome: 'not-active'; code: string; status: AppointmentStatus }
  | { outcome: 'same-slot'; code: string }
  /** The new slot is unknown, closed or over. */
  | { outcome: 'slot-unavailable'; code: string }
  /** The dose rules refuse the new slot's product or day (dose-rules.ts), e.g. outside the dose-2 window. */
  | { outcome: 'dose-rules'; code: string; reason: string }
  /** It filled up while the user decided: free slots at the same hospital to offer instead. */
  | { outcome: 'slot-full'; code: string; alternatives: FreeSlot[] };

/**
 * Moves appointment `code` to `toSlotId` for the LINE user who manages the person. Run it
 * inside a transaction. BOOKED can move until the day before; NEEDS_REBOOKING (its slot was
 * closed, its place already released) can move any time and becomes BOOKED again.
 *
 * The new slot must not be over, and must pass the same dose rules as a booking
 * (dose-rules.ts: from dose 2 an allowed product inside the interval window on the new day).
 * Eligibility is not asked again: the person was eligible when they booked.
 */
export async function rescheduleAppointment(options: { db: Db; code: string; toSlotId: string; lineUserId: string; now: Date }): Promise<RescheduleAppointmentResult> {
  const { db, code, toSlotId, lineUserId, now } = options;
  const appointment = await lockAppointmentByCode(db, code);
  if (!appointment || appointment.person.ownerId !== lineUserId) return { outcome: 'not-found' };
  const today = bangkokToday(now);
  const fromDate = appointment.slot.date.toISOString().slice(0, 10);
  const allowed = allowedChanges({ status: appointment.status, date: fromDate }, today);
  if (allowed.tooLate) return { outcome: 'too-late', code, hospitalCode: appointment.slot.hospitalCode };
  if (!allowed.canReschedule) return { outcome: 'not-active', code, status: appointment.status };
  if (appointment.status === 'BOOKED' && toSlotId === appointment.slotId) return { outcome: 'same-slot', code };

  const target = /^[0-9a-f-]{36}$/i.test(toSlotId) ? await db.slot.findUnique({ where: { id: toSlotId } }) : null;
  if (!target) return { outcome: 'slot-unavailable', code };
  const toDate = target.date.toISOString().slice(0, 10);
  if (target.status !== 'OPEN' || bangkokInstant(toDate, target.endTime).getTime() <= now.getTime()) return { outcome: 'slot-unavailable', code };
  const plan = await loadDosePlan({ db, personId: appointment.personId, onDate: toDate, exceptAppointmentId: appointment.id });
  // A dose recorded since booking changes which dose this would be: the appointment is stale.
  if ((plan.status !== 'open' && plan.status !== 'follow-up') || plan.doseNumber !== appointment.doseNumber) {
    return { outcome: 'dose-rules', code, reason: plan.status };
  }
  const doseCheck = checkSlotForDose(plan, { productCode: target.productCode, date: toDate });
  if (!doseCheck.ok) return { outcome: 'dose-rules', code, reason: doseCheck.code };

  if (!(await takePlace(db, target.id, today))) {
    const alternatives = await findFreeSlots({
      db,
      hospitalCode: target.hospitalCode,
      productCodes: [target.productCode],
      fromDate: addDays(today, 1),
      toDate: addDays(today, ALTERNATIVES_DAYS),
      limit: 10,
    });
    return { outcome: 'slot-full', code, alternatives: alternatives.filter((s) => s.slotId !== appointment.slotId) };
  }
  if (appointment.status === 'BOOKED') await releasePlace(db, appointment.slotId);

  const version = appointment.version + 1;
  await db.appointment.update({
    where: { id: appointment.id },
    data: { slotId: target.id, status: 'BOOKED', activeDose: appointment.doseNumber, version },
  });
  await db.appointmentEvent.create({
    data: { appointmentId: appointment.id, type: 'rescheduled', actor: `line:${lineUserId}`, fromSlotId: appointment.slotId, toSlotId: target.id },
  });
  await replanAppointmentReminders(db, { id: appointment.id, version, status: 'BOOKED', personId: appointment.personId, lineUserId, date: toDate }, now);
  if (appointment.status === 'NEEDS_REBOOKING') await cancelPendingNotificationsOf(db, appointment.id, ['rebooking-offer']);
  return { outcome: 'rescheduled', appointmentId: appointment.id, code, fromSlotId: appointment.slotId, toSlotId: target.id };
}
