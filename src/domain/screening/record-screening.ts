import type { Db } from '../../db/client.js';
import { recordPersonalDataAccess } from '../../db/repositories/person.repository.js';
import { AppError } from '../../shared/app-error.js';
import { bangkokToday } from '../../shared/clock.js';
import { bookingOpensOn } from './get-booking-eligibility.js';
import { getScreeningSubject } from './get-screening-subject.js';
import { toScreeningView, type ScreeningView } from './get-latest-screening.js';
import {
  bmiOf,
  checkBodySize,
  chronicDiseasesOf,
  choosePriorityGroup,
  qualifyingGroups,
  type AskedChronicDisease,
  type Occupation,
  type PriorityGroup,
  HEIGHT_RANGE_CM,
  WEIGHT_RANGE_KG,
} from './priority-group.js';

export interface ScreeningInput {
  occupation: Occupation;
  /** The asked diseases answered "yes"; obesity is computed here from weight and height. */
  diseases: readonly AskedChronicDisease[];
  weightKg: number;
  heightCm: number;
  /** Pregnant 12 weeks or more. Ignored (stored false) when it cannot apply (men, under 12, over 55). */
  pregnant: boolean;
}

/**
 * Stores a risk screening of a person the LINE account manages, as answered by that account,
 * and returns it with the priority group it gives. Earlier screenings stay as history; the
 * latest one counts (getBookingEligibility reads the latest).
 *
 * Age comes from the registered date of birth on the Bangkok day of `now`, never from the
 * chat. Health data (PDPA s.26): the write is logged as an access to personal data.
 * @throws AppError NOT_FOUND when the person is not managed by `lineUserId` (no hint that it exists)
 * @throws AppError INVALID_INPUT when weight, height or their BMI is outside the plausible range
 */
export async function recordScreening(options: { db: Db; lineUserId: string; personId: string; answers: ScreeningInput; now: Date }): Promise<ScreeningView> {
  const { db, lineUserId, personId, answers, now } = options;
  const subject = await getScreeningSubject({ db, lineUserId, personId, now });
  if (!subject) throw new AppError('NOT_FOUND', { message: 'screening for a person the account does not manage' });
  if (!inRange(answers.weightKg, WEIGHT_RANGE_KG) || !inRange(answers.heightCm, HEIGHT_RANGE_CM) || !checkBodySize(answers.weightKg, answers.heightCm).ok) {
    throw new AppError('INVALID_INPUT', { message: 'weight or height out of range' });
  }

  const person = await db.person.findUniqueOrThrow({ where: { id: personId }, select: { provinceCode: true } });
  const screening = {
    ageYears: subject.ageYears,
    occupation: answers.occupation,
    diseases: answers.diseases,
    weightKg: answers.weightKg,
    heightCm: answers.heightCm,
    pregnant: answers.pregnant && subject.pregnancyApplies,
  };
  const groups = qualifyingGroups(screening);
  const opensOn = new Map<PriorityGroup, string | null>();
  for (const group of groups) opensOn.set(group, await bookingOpensOn(db, group, person.provinceCode));
  const priorityGroup = choosePriorityGroup(groups, (g) => opensOn.get(g) ?? null, bangkokToday(now));

  // "The latest counts" is read as the greatest screenedAt: keep it strictly increasing per
  // person, so two screenings in the same millisecond (a double tap, a test clock) still have
  // an order and the one stored last is the one that counts.
  const previous = await db.riskScreening.findFirst({ where: { personId }, orderBy: { screenedAt: 'desc' }, select: { screenedAt: true } });
  const screenedAt = previous && previous.screenedAt >= now ? new Date(previous.screenedAt.getTime() + 1) : now;

  const row = await db.riskScreening.create({
    data: {
      personId,
      answeredBy: lineUserId,
      ageYears: screening.ageYears,
      chronicDiseases: chronicDiseasesOf(screening),
      weightKg: screening.weightKg,
      heightCm: screening.heightCm,
      bmi: bmiOf(screening.weightKg, screening.heightCm),
      pregnant: screening.pregnant,
      occupation: screening.occupation,
      priorityGroup,
      screenedAt,
    },
  });
  await recordPersonalDataAccess(db, { actor: `line:${lineUserId}`, action: 'record-screening', personId, lineUserId });
  return toScreeningView(row);
}

function inRange(value: number, range: { min: number; max: number }): boolean {
  return Number.isFinite(value) && value >= range.min && value <= range.max;
}
