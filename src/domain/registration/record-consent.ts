import type { Db } from '../../db/client.js';
import { insertConsent } from '../../db/repositories/person.repository.js';

/**
 * Records a PDPA consent decision (s.26: explicit consent for health data) with the
 * version of the text shown and the time. A refusal is stored alone: nothing else about
 * the person is kept.
 * @returns the consent record id, to attach to the person once registered.
 */
export async function recordConsent(options: {
  db: Db;
  lineUserId: string;
  version: string;
  accepted: boolean;
  /** Given by the LINE user for a family member. */
  onBehalf: boolean;
}): Promise<string> {
  const { id } = await insertConsent(options.db, {
    lineUserId: options.lineUserId,
    version: options.version,
    decision: options.accepted ? 'ACCEPTED' : 'DECLINED',
    onBehalf: options.onBehalf,
  });
  return id;
}
