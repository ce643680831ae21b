/**
 * The symptom follow-up schedules (DOMAIN.md §3), as data. A check-in is due at 09:00
 * Asia/Bangkok on its day, counted in calendar days from the day the dose was given (day 0).
 *   morprom: days 1, 7 and 30 (Mor Prom's own follow-up).
 *   vsafe:   CDC v-safe: daily days 0-7, weekly to week 6 (days 14 … 42), then 3, 6 and 12
 *            months (counted as 91, 182 and 365 days: a fixed count keeps labels comparable).
 * Each check-in gets one gentle reminder at 18:00 the same day if unanswered.
 */
import { addDays } from '../vaccination/interval-rules.js';
import { bangkokInstant, bangkokToday } from '../../shared/clock.js';

export const followUpProfiles = ['morprom', 'vsafe'] as const;
export type FollowUpProfile = (typeof followUpProfiles)[number];

export const CHECKIN_AT = '09:00';
export const REMINDER_AT = '18:00';

export interface CheckinSpec {
  label: string;
  day: number;
}

const schedules: Record<FollowUpProfile, CheckinSpec[]> = {
  morprom: [
    { label: 'd1', day: 1 },
    { label: 'd7', day: 7 },
    { label: 'd30', day: 30 },
  ],
  vsafe: [
    ...Array.from({ length: 8 }, (_, day) => ({ label: `d${day}`, day })),
    ...[2, 3, 4, 5, 6].map((week) => ({ label: `w${week}`, day: week * 7 })),
    { label: 'm3', day: 91 },
    { label: 'm6', day: 182 },
    { label: 'm12', day: 365 },
  ],
};

export function checkinSpecs(profile: FollowUpProfile): readonly CheckinSpec[] {
  return schedules[profile];
}

export interface PlannedCheckin {
  label: string;
  /** YYYY-MM-DD (Bangkok). */
  day: string;
  dueAt: Date;
  /** The 18:00 reminder, or null when the check-in itself goes out after it would. */
  reminderAt: Date | null;
}

/**
 * The check-ins of a dose given at `administeredAt`, as seen at `now`: a day already over is
 * not planned (a dose reported late gets only what is still ahead); a check-in whose 09:00
 * has passed today (v-safe day 0, a dose reported at noon) goes out now.
 */
export function planCheckins(profile: FollowUpProfile, administeredAt: Date, now: Date): PlannedCheckin[] {
  const doseDay = bangkokToday(administeredAt);
  const today = bangkokToday(now);
  const planned: PlannedCheckin[] = [];
  for (const spec of checkinSpecs(profile)) {
    const day = addDays(doseDay, spec.day);
    if (day < today) continue;
    const at = bangkokInstant(day, CHECKIN_AT);
    const dueAt = at.getTime() < now.getTime() ? now : at;
    const reminder = bangkokInstant(day, REMINDER_AT);
    planned.push({ label: spec.label, day, dueAt, reminderAt: reminder.getTime() > dueAt.getTime() + 60 * 60_000 ? reminder : null });
  }
  return planned;
}

/** The start of the Bangkok day after the one `instant` falls on: a check-in sent that day lapses then. */
export function endOfBangkokDay(instant: Date): Date {
  return bangkokInstant(addDays(bangkokToday(instant), 1), '00:00');
}

/** The profile a deployment uses (FOLLOW_UP_PROFILE), set once at start-up by the service. */
let configuredProfile: FollowUpProfile = 'morprom';

export function configureFollowUpProfile(profile: FollowUpProfile): void {
  configuredProfile = profile;
}

export function currentFollowUpProfile(): FollowUpProfile {
  return configuredProfile;
}
