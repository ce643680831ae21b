import type { Db } from '../../db/client.js';
import { countPeopleByRole } from '../../db/repositories/person.repository.js';

/** Whether the LINE account registered itself, and how many family members it manages. */
export async function getRegistrationStatus(options: { db: Db; lineUserId: string }): Promise<{ hasSelf: boolean; familyCount: number }> {
  const { self, family } = await countPeopleByRole(options.db, options.lineUserId);
  return { hasSelf: self > 0, familyCount: family };
}
