/**
 * Rebooking: an appointment whose slot was closed or shrunk (NEEDS_REBOOKING) moves to a slot
 * the person picked from the offer, keeping its booking code and dose. Closing the slot
 * already gave its place back (move-bookings-to-rebooking.ts), so only the new place is
 * taken, atomically, as in booking. Eligibility is not asked again: the person was eligible
 * when they booked, and the change was ours.
 *
 * Idempotent: rebooking again into the slot the appointment already moved to answers the
 * appointment (`repeated`) instead of taking a second place.
 */
import type { Db, PrismaClient } from '../../db/client.js';
import { takePlace } from '../../db/repositories/slot.repository.js';
import { bangkokToday } from '../../shared/clock.js';
import { replanAppointmentReminders } from '../notifications/plan-appointment-reminders.js';
import { getAppointmentView } from './appointment-view.js';
import { checkSlotForDose, loadDosePlan } from './dose-rules.js';
import { findAlternatives, isOver, isRootClient, type BookAppointmentResult, type BookingRefusal } from './book-appointment.js';

export type RebookRefusal =
  | BookingRefusal
  | { code: 'unknown-appointment' }
  /** Booked, cancelled or completed: nothing to rebook. */
  | { code: 'not-rebookable'; status: string };

export type RebookAppointmentResult = Exclude<BookAppointmentResult, { ok: false }> | { ok: false; refusal: RebookRefusal };

export async function rebookAppointment(options: {
  db: Db | PrismaClient;
  appointmentCode: string;
  slotId: string;
  actor: string;
  /** The LINE user who manages the person. */
  lineUserId: string;
  now: Date;
}): Promise<RebookAppointmentResult> {
  const { db } = options;
  return isRootClient(db) ? db.$transaction((tx) => rebook(tx, options)) : rebook(db, options);
}

async function rebook(
  db: Db,
  options: { appointmentCode: string; slotId: string; actor: string; lineUserId: string; now: Date },
): Promise<RebookAppointmentResult> {
  const { appointmentCode, slotId, actor, lineUserId, now } = options;
  const refuse = (refusal: RebookRefusal): RebookAppointmentResult => ({ ok: false, refusal });

  // Locks the appointment: two taps on the offer serialise here.
  const rows = await db.$queryRaw<Array<{ id: string; personId: string; status: string; slotId: string; version: number; ownerId: string }>>`
    SELECT a.id, a.person_id AS "personId", a.status::text AS status, a.slot_id AS "slotId", a.version, p.owner_id AS "ownerId"
      FROM appointment a JOIN person p ON p.id = a.person_id
     WHERE a.code = ${appointmentCode}
       FOR UPDATE OF a`;
  const appointment = rows[0];
  if (!appointment) return refuse({ code: 'unknown-appointment' });
  if (appointment.ownerId !== lineUserId) return refuse({ code: 'not-owner' });
  if (appointment.status === 'BOOKED' && appointment.slotId === slotId) {
    return { ok: true, appointment: (await getAppointmentView(db, { id: appointment.id }))!, repeated: true };
  }
  if (appointment.status !== 'NEEDS_REBOOKING') return refuse({ code: 'not-rebookable', status: appointment.status });

  const slot = await db.slot.findUnique({
    where: { id: slotId },
    select: { date: true, endTime: true, status: true, productCode: true, hospitalCode: true, hospital: { select: { latitude: true, longitude: true } } },
  });
  if (!slot) return refuse({ code: 'unknown-slot' });
  const today = bangkokToday(now);
  const slotDate = slot.date.toISOString().slice(0, 10);
  if (isOver({ date: slotDate, endTime: slot.endTime }, now)) return refuse({ code: 'in-the-past' });
  if (slot.status !== 'OPEN') return refuse({ code: 'slot-closed' });

  const plan = await loadDosePlan({ db, personId: appointment.personId, onDate: slotDate, exceptAppointmentId: appointment.id });
  if (plan.status === 'already-booked') return refuse({ code: 'already-booked', appointmentCode: plan.appointmentCode, doseNumber: plan.doseNumber });
  if (plan.status === 'series-complete') return refuse({ code: 'series-complete', doseNumber: plan.doseNumber });
  const doseCheck = checkSlotForDose(plan, { productCode: slot.productCode, date: slotDate });
  if (!doseCheck.ok) {
    return refuse(
      doseCheck.code === 'product-not-allowed'
        ? { code: doseCheck.code, doseNumber: plan.doseNumber, allowedProducts: doseCheck.allowedProducts }
        : { code: doseCheck.code, doseNumber: plan.doseNumber, earliest: doseCheck.earliest, latest: doseCheck.latest },
    );
  }

  if (!(await takePlace(db, slotId, today))) {
    const current = await db.slot.findUnique({ where: { id: slotId }, select: { status: true } });
    if (current?.status !== 'OPEN') return refuse({ code: 'slot-closed' });
    const alternatives = await findAlternatives(db, { plan, now, slotId, hospitalCode: slot.hospitalCode, near: slot.hospital });
    return refuse({ code: 'slot-full', alternatives });
  }

  const version = appointment.version + 1;
  await db.appointment.update({ where: { id: appointment.id }, data: { slotId, status: 'BOOKED', version, updatedAt: now } });
  await db.appointmentEvent.create({
    data: { appointmentId: appointment.id, type: 'rescheduled', actor, fromSlotId: appointment.slotId, toSlotId: slotId, reason: 'rebooked', at: now },
  });
  await replanAppointmentReminders(
    db,
    { id: appointment.id, version, status: 'BOOKED', personId: appointment.personId, lineUserId: appointment.ownerId, date: slotDate },
    now,
  );
  return { ok: true, appointment: (await getAppointmentView(db, { id: appointment.id }))!, repeated: false };
}
