import type { Db } from '../../db/client.js';
import { deleteDataExportsOf } from '../../db/repositories/data-export.repository.js';
import { deleteOutboundMessagesOf } from '../../db/repositories/outbound-message.repository.js';
import { deleteConsentsOfLineUser, deletePeopleOfOwner, recordPersonalDataAccess } from '../../db/repositories/person.repository.js';

/**
 * Erases everything a LINE account registered (PDPA s.33): its people, their consents,
 * pending exports and the messages we sent it (they quote names and numbers). The access log keeps one 'erase' entry with ids only, as the record
 * that the request was honoured. Runs in the caller's transaction: all or nothing.
 */
export async function erasePersonalData(options: { db: Db; lineUserId: string }): Promise<{ peopleErased: number }> {
  const { db, lineUserId } = options;
  const { count } = await deletePeopleOfOwner(db, lineUserId);
  await deleteConsentsOfLineUser(db, lineUserId);
  await deleteDataExportsOf(db, lineUserId);
  await deleteOutboundMessagesOf(db, lineUserId);
  await recordPersonalDataAccess(db, { actor: `line:${lineUserId}`, action: 'erase', lineUserId });
  return { peopleErased: count };
}
