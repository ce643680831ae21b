/** People (citizens and foreign residents) and their consents. */
import type { Db } from '../client.js';
import type { IdentityType, VerificationStatus } from '../../generated/prisma/enums.js';

export type { IdentityType, VerificationStatus };

export interface NewPerson {
  id: string;
  ownerId: string;
  isSelf: boolean;
  identityType: IdentityType;
  idHash: string;
  idCiphertext: string;
  nationality: string;
  firstName: string;
  lastName: string;
  birthDate: string; // YYYY-MM-DD
  sex: string;
  phone: string;
  provinceCode: string;
  verificationStatus: VerificationStatus;
}

/**
 * Inserts unless the identity is already registered. Uses ON CONFLICT DO NOTHING (through
 * skipDuplicates) so a duplicate does not abort the surrounding transaction.
 * @returns false when the idHash was taken.
 */
export async function insertPersonUnlessIdentityTaken(db: Db, person: NewPerson): Promise<boolean> {
  const { count } = await db.person.createMany({
    data: [{ ...person, birthDate: new Date(`${person.birthDate}T00:00:00Z`) }],
    skipDuplicates: true,
  });
  return count === 1;
}

export function findPersonByIdHash(db: Db, idHash: string) {
  return db.person.findUnique({ where: { idHash }, select: { id: true, ownerId: true } });
}

/** Self first, then family in the order they were registered. */
const ownerOrder = [{ isSelf: 'desc' as const }, { createdAt: 'asc' as const }];

export function listPeopleOfOwner(db: Db, ownerId: string) {
  return db.person.findMany({ where: { ownerId }, orderBy: ownerOrder, include: { province: true } });
}

/** Only the ids: no personal data is read (nor needs logging as an access). */
export async function listPersonIdsOfOwner(db: Db, ownerId: string): Promise<string[]> {
  const rows = await db.person.findMany({ where: { ownerId }, orderBy: ownerOrder, select: { id: true } });
  return rows.map((r) => r.id);
}

/** Whom the account can act for (self and family), with what a chooser shows: no ID numbers. */
export function listPeopleToChooseFrom(db: Db, ownerId: string) {
  return db.person.findMany({
    where: { ownerId },
    orderBy: ownerOrder,
    select: { id: true, isSelf: true, firstName: true, lastName: true, birthDate: true, provinceCode: true },
  });
}

/** How many people the account manages: itself (0 or 1) and family members, in one query. */
export async function countPeopleByRole(db: Db, ownerId: string): Promise<{ self: number; family: number }> {
  const rows = await db.$queryRaw<Array<{ self: bigint; family: bigint }>>`
    SELECT count(*) FILTER (WHERE is_self) AS self, count(*) FILTER (WHERE NOT is_self) AS family
    FROM person WHERE owner_id = ${ownerId}`;
  return { self: Number(rows[0]?.self ?? 0), family: Number(rows[0]?.family ?? 0) };
}

export function countPeopleOfOwner(db: Db, ownerId: string, isSelf: boolean): Promise<number> {
  return db.person.count({ where: { ownerId, isSelf } });
}

export function updatePersonContact(db: Db, personId: string, change: { phone?: string; provinceCode?: string }) {
  return db.person.update({ where: { id: personId }, data: change });
}

export function deletePeopleOfOwner(db: Db, ownerId: string) {
  return db.person.deleteMany({ where: { ownerId } });
}

export function insertConsent(
  db: Db,
  consent: { lineUserId: string; version: string; decision: 'ACCEPTED' | 'DECLINED' | 'WITHDRAWN'; onBehalf: boolean; personId?: string },
) {
  return db.consentRecord.create({ data: consent, select: { id: true, decidedAt: true } });
}

export function attachConsentToPerson(db: Db, consentId: string, lineUserId: string, personId: string) {
  return db.consentRecord.updateMany({ where: { id: consentId, lineUserId, personId: null }, data: { personId } });
}

export function listConsentsOfLineUser(db: Db, lineUserId: string) {
  return db.consentRecord.findMany({ where: { lineUserId }, orderBy: { decidedAt: 'asc' } });
}

export function deleteConsentsOfLineUser(db: Db, lineUserId: string) {
  return db.consentRecord.deleteMany({ where: { lineUserId } });
}

export function recordPersonalDataAccess(db: Db, entry: { actor: string; action: string; personId?: string; lineUserId?: string }) {
  return db.personalDataAccess.create({ data: entry });
}
