import type { Db } from '../../db/client.js';
import { listPeopleOfOwner, recordPersonalDataAccess, updatePersonContact } from '../../db/repositories/person.repository.js';
import { AppError } from '../../shared/app-error.js';

/**
 * Corrects a person's mobile number or province (PDPA right to correction). Only people
 * the LINE account manages can be changed: anything else is NOT_FOUND, never a hint that
 * the id exists.
 */
export async function updateContact(options: {
  db: Db;
  lineUserId: string;
  personId: string;
  change: { phone?: string; provinceCode?: string };
}): Promise<void> {
  const owned = await listPeopleOfOwner(options.db, options.lineUserId);
  if (!owned.some((p) => p.id === options.personId)) throw new AppError('NOT_FOUND');
  await updatePersonContact(options.db, options.personId, options.change);
  await recordPersonalDataAccess(options.db, {
    actor: `line:${options.lineUserId}`,
    action: 'correct',
    personId: options.personId,
    lineUserId: options.lineUserId,
  });
}
