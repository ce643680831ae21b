import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../../db/client.js';
import { findLiveDataExport, insertDataExport } from '../../db/repositories/data-export.repository.js';
import { listConsentsOfLineUser, listPeopleOfOwner, recordPersonalDataAccess } from '../../db/repositories/person.repository.js';
import type { PersonalDataCipher } from '../../shared/personal-data.js';
import { describePerson } from './get-profile.js';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Starts a data export (PDPA s.30-31): returns an unguessable token for a download link
 * valid `ttlMinutes`. Only the token's hash is stored, and no copy of the data: the file
 * is built at download time by buildDataExport.
 */
export async function requestDataExport(options: { db: Db; lineUserId: string; ttlMinutes: number; now: Date }): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(24).toString('base64url');
  const expiresAt = new Date(options.now.getTime() + options.ttlMinutes * 60_000);
  await insertDataExport(options.db, { tokenHash: hashToken(token), lineUserId: options.lineUserId, expiresAt });
  return { token, expiresAt };
}

/**
 * Builds the export file for a live token, or null (unknown or expired: the caller answers
 * 404 without saying which). Careful: the file holds the clear document numbers: it goes
 * only to the data subject, over the short-lived link, and is never stored or logged.
 */
export async function buildDataExport(options: { db: Db; cipher: PersonalDataCipher; token: string; now: Date }): Promise<Record<string, unknown> | null> {
  const row = await findLiveDataExport(options.db, hashToken(options.token), options.now);
  if (!row) return null;
  const [people, consents] = await Promise.all([
    listPeopleOfOwner(options.db, row.lineUserId),
    listConsentsOfLineUser(options.db, row.lineUserId),
  ]);
  await recordPersonalDataAccess(options.db, { actor: `line:${row.lineUserId}`, action: 'export', lineUserId: row.lineUserId });
  return {
    exportedAt: options.now.toISOString(),
    lineUserId: row.lineUserId,
    people: people.map((p) => ({
      ...describePerson(p),
      identityNumber: options.cipher.decrypt(p.idCiphertext),
      province: { code: p.provinceCode, nameTh: p.province.nameTh, nameEn: p.province.nameEn },
      registeredAt: p.createdAt.toISOString(),
    })),
    consents: consents.map((c) => ({ version: c.version, decision: c.decision, onBehalf: c.onBehalf, decidedAt: c.decidedAt.toISOString() })),
  };
}
