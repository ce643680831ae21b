import type { Db } from '../../db/client.js';
import { isUuid } from './get-screening-subject.js';

export interface ScreeningView {
  id: string;
  personId: string;
  ageYears: number;
  chronicDiseases: string[];
  weightKg: number | null;
  heightCm: number | null;
  bmi: number | null;
  pregnant: boolean;
  occupation: string;
  priorityGroup: string;
  screenedAt: Date;
}

/**
 * The latest risk screening of a person the LINE account manages (the one that counts for
 * booking; older ones stay as history), or null: not screened, or not theirs. Health data
 * (PDPA s.26): show it only to that account.
 */
export async function getLatestScreening(options: { db: Db; lineUserId: string; personId: string }): Promise<ScreeningView | null> {
  const { db, lineUserId, personId } = options;
  if (!isUuid(personId)) return null;
  const row = await db.riskScreening.findFirst({
    where: { personId, person: { ownerId: lineUserId } },
    orderBy: { screenedAt: 'desc' },
  });
  return row ? toScreeningView(row) : null;
}

type Decimalish = { toNumber(): number } | null;

export function toScreeningView(row: {
  id: string;
  personId: string;
  ageYears: number;
  chronicDiseases: string[];
  weightKg: Decimalish;
  heightCm: Decimalish;
  bmi: Decimalish;
  pregnant: boolean;
  occupation: string;
  priorityGroup: string;
  screenedAt: Date;
}): ScreeningView {
  return {
    id: row.id,
    personId: row.personId,
    ageYears: row.ageYears,
    chronicDiseases: row.chronicDiseases,
    weightKg: row.weightKg?.toNumber() ?? null,
    heightCm: row.heightCm?.toNumber() ?? null,
    bmi: row.bmi?.toNumber() ?? null,
    pregnant: row.pregnant,
    occupation: row.occupation,
    priorityGroup: row.priorityGroup,
    screenedAt: row.screenedAt,
  };
}
