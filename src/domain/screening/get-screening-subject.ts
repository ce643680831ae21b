import type { Db } from '../../db/client.js';
import { bangkokToday } from '../../shared/clock.js';
import { ageInYears, pregnancyCanApply } from './priority-group.js';

export interface ScreeningSubject {
  personId: string;
  firstName: string;
  ageYears: number;
  /** Whether the pregnancy question applies (sex and age, see pregnancyCanApply). */
  pregnancyApplies: boolean;
}

/**
 * The person a screening is about, if the LINE account manages them (self or family), else
 * null: never a hint that another account's person exists. Reads only what the questions
 * need (first name, age, whether pregnancy can apply), not the identity document.
 */
export async function getScreeningSubject(options: { db: Db; lineUserId: string; personId: string; now: Date }): Promise<ScreeningSubject | null> {
  const { db, lineUserId, personId, now } = options;
  if (!isUuid(personId)) return null;
  const person = await db.person.findFirst({
    where: { id: personId, ownerId: lineUserId },
    select: { id: true, firstName: true, birthDate: true, sex: true },
  });
  if (!person) return null;
  const ageYears = ageInYears(person.birthDate.toISOString().slice(0, 10), bangkokToday(now));
  return { personId: person.id, firstName: person.firstName, ageYears, pregnancyApplies: pregnancyCanApply(person.sex, ageYears) };
}

/** person.id is a UUID column: anything else would make PostgreSQL fail the whole transaction. */
export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
