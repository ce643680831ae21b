import type { Db } from '../client.js';

export function insertDataExport(db: Db, row: { tokenHash: string; lineUserId: string; expiresAt: Date }) {
  return db.dataExport.create({ data: row });
}

/** Finds an export that has not expired; expired rows are deleted on the way. */
export async function findLiveDataExport(db: Db, tokenHash: string, now: Date) {
  await db.dataExport.deleteMany({ where: { expiresAt: { lt: now } } });
  return db.dataExport.findUnique({ where: { tokenHash } });
}

export function deleteDataExportsOf(db: Db, lineUserId: string) {
  return db.dataExport.deleteMany({ where: { lineUserId } });
}
