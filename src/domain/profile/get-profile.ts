import type { Db } from '../../db/client.js';
import { listPeopleOfOwner, listPersonIdsOfOwner, recordPersonalDataAccess } from '../../db/repositories/person.repository.js';
import { maskIdentityNumber, type PersonalDataCipher } from '../../shared/personal-data.js';

export interface PersonProfile {
  personId: string;
  isSelf: boolean;
  identityType: 'THAI_ID' | 'PASSPORT';
  /** Masked document number: only the last digits show. */
  maskedId: string;
  nationality: string;
  firstName: string;
  lastName: string;
  birthDate: string;
  sex: string;
  phone: string;
  provinceCode: string;
  provinceNameTh: string;
  provinceNameEn: string;
  verificationStatus: 'VERIFIED' | 'UNVERIFIED';
}

/**
 * The people a LINE account manages (itself first, then family), with identity numbers
 * masked. Each call is logged as an access to personal data (PDPA).
 */
export async function getProfile(options: { db: Db; cipher: PersonalDataCipher; lineUserId: string }): Promise<PersonProfile[]> {
  const people = await listPeopleOfOwner(options.db, options.lineUserId);
  if (people.length > 0) {
    await recordPersonalDataAccess(options.db, { actor: `line:${options.lineUserId}`, action: 'view-profile', lineUserId: options.lineUserId });
  }
  return people.map((p) => ({
    personId: p.id,
    ...describePerson(p),
    maskedId: maskIdentityNumber(p.identityType, options.cipher.decrypt(p.idCiphertext)),
    provinceCode: p.provinceCode,
    provinceNameTh: p.province.nameTh,
    provinceNameEn: p.province.nameEn,
  }));
}

type PersonRow = Awaited<ReturnType<typeof listPeopleOfOwner>>[number];

/** The fields every view of a person shares (profile, export); never the identity number. */
export function describePerson(p: PersonRow) {
  return {
    isSelf: p.isSelf,
    identityType: p.identityType,
    nationality: p.nationality,
    firstName: p.firstName,
    lastName: p.lastName,
    birthDate: p.birthDate.toISOString().slice(0, 10),
    sex: p.sex,
    phone: p.phone,
    verificationStatus: p.verificationStatus,
  };
}

/** The ids of the people a LINE account manages, in getProfile's order; reads no personal data. */
export function listManagedPersonIds(options: { db: Db; lineUserId: string }): Promise<string[]> {
  return listPersonIdsOfOwner(options.db, options.lineUserId);
}
