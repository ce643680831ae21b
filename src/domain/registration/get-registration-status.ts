import type { Db } from '../../db/client.js';
import { countPeopleOfOwner } from '../../db/repositories/person.repository.js';

/** Whether the LINE account registered itself, and how many family members it manages. */
export async function getRegistrationStatus(options: { db: Db; lineUserId: string }): Promise<{ hasSelf: boolean; familyCount: number }> {
  const [self, family] = await Promise.all([
    countPeopleOfOwner(options.db, options.lineUserId, true),
    countPeopleOfOwner(options.db, options.lineUserId, false),
  ]);
  return { hasSelf: self > 0, familyCount: family };
}
