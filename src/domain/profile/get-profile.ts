import type { Db } from '../../db/client.js';
import { listPeopleOfOwner, recordPersonalDataAccess } from '../../db/repositories/person.repository.js';
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
    isSelf: p.isSelf,
    identityType: p.identityType,
    maskedId: maskIdentityNumber(p.identityType, options.cipher.decrypt(p.idCiphertext)),
    nationality: p.nationality,
    firstName: p.firstName,
    lastName: p.lastName,
    birthDate: p.birthDate.toISOString().slice(0, 10),
    sex: p.sex,
    phone: p.phone,
    provinceCode: p.provinceCode,
    provinceNameTh: p.province.nameTh,
    provinceNameEn: p.province.nameEn,
    verificationStatus: p.verificationStatus,
  }));
}
