/**
 * "My appointments": every appointment of the people a LINE account manages (self and
 * family), split into upcoming and past, with what the user may still do with each.
 */
import type { Db } from '../../db/client.js';
import type { AppointmentStatus } from '../../generated/prisma/client.js';
import { bangkokToday } from '../../shared/clock.js';
import { addDays } from '../vaccination/interval-rules.js';
import { listAppointmentViewsOfOwner, type AppointmentView } from './appointment-view.js';

export interface AllowedChanges {
  canReschedule: boolean;
  canCancel: boolean;
  /** The last day a change is allowed (YYYY-MM-DD), for a BOOKED appointment. */
  changeUntil?: string;
  /** Booked, but it is the appointment day or later: the hospital expects the person. */
  tooLate: boolean;
}

/**
 * The rule of the issue: a booked appointment can be moved or cancelled until the day before
 * (Asia/Bangkok); on the day the hospital has prepared the dose and the list. One that needs
 * rebooking holds no place (its slot was closed), so it can be rebooked or dropped any time.
 */
export function allowedChanges(appointment: { status: AppointmentStatus; date: string }, today: string): AllowedChanges {
  if (appointment.status === 'NEEDS_REBOOKING') return { canReschedule: true, canCancel: true, tooLate: false };
  if (appointment.status !== 'BOOKED') return { canReschedule: false, canCancel: false, tooLate: false };
  if (today >= appointment.date) return { canReschedule: false, canCancel: false, tooLate: true };
  return { canReschedule: true, canCancel: true, changeUntil: addDays(appointment.date, -1), tooLate: false };
}

export interface AppointmentList {
  /** BOOKED from today on, and every NEEDS_REBOOKING; soonest first. */
  upcoming: Array<AppointmentView & { allowed: AllowedChanges }>;
  /** Everything else (cancelled, completed, days gone by), latest first. */
  past: AppointmentView[];
}

/**
 * Lists the appointments of the user and their family. Returns names, hospitals and codes of
 * several people: show them only to the LINE account that manages them (`lineUserId`).
 */
export async function listAppointments(options: { db: Db; lineUserId: string; now: Date }): Promise<AppointmentList> {
  const today = bangkokToday(options.now);
  const views = await listAppointmentViewsOfOwner(options.db, options.lineUserId);
  const upcoming: AppointmentList['upcoming'] = [];
  const past: AppointmentView[] = [];
  for (const view of views) {
    // One that needs rebooking stays in front whatever its old date: it still needs the user.
    if ((view.status === 'BOOKED' && view.date >= today) || view.status === 'NEEDS_REBOOKING') upcoming.push({ ...view, allowed: allowedChanges(view, today) });
    else past.push(view);
  }
  past.reverse();
  return { upcoming, past };
}
