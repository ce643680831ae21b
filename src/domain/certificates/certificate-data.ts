/**
 * What a person's certificate says, read from the database: the person (name, date of birth)
 * and every RECORDED dose with its product and hospital, plus the data version: a SHA-256 of
 * exactly those fields. Same data → same version → the stored certificate is sent again
 * without re-signing; any change (a correction, a new or voided dose) → a new version.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../../db/client.js';
import { bangkokToday } from '../../shared/clock.js';

export interface CertificateHolder {
  personId: string;
  ownerId: string;
  isSelf: boolean;
  identityType: 'THAI_ID' | 'PASSPORT';
  idCiphertext: string;
  firstName: string;
  lastName: string;
  /** YYYY-MM-DD. */
  birthDate: string;
  /** The linked passport (Thai-ID holders who travel): names as printed there, masked number. */
  passport?: { givenNameLatin: string; familyNameLatin: string; nationality: string; ciphertext: string };
}

export interface DoseOnCertificate {
  vaccinationId: string;
  doseNumber: number;
  productCode: string;
  productNameTh: string;
  productNameEn: string;
  lotNumber: string | null;
  /** Day given, Asia/Bangkok, YYYY-MM-DD. */
  date: string;
  hospitalCode: string;
  hospitalNameTh: string;
  hospitalNameEn: string;
}

export interface CertificateData {
  person: CertificateHolder;
  doses: DoseOnCertificate[];
  /** Doses in the primary series of the product the person started with. */
  seriesDoses: number;
  complete: boolean;
  dataVersion: string;
  /**
   * The international pass's version: the data version plus the linked passport's names,
   * which only the pass carries (linking a passport re-issues the pass, not the SHC card).
   */
  passVersion: string;
}

/** null when the person does not exist. `doses` may be empty. */
export async function loadCertificateData(db: Db, personId: string): Promise<CertificateData | null> {
  const person = await db.person.findUnique({
    where: { id: personId },
    select: {
      id: true, ownerId: true, isSelf: true, identityType: true, idCiphertext: true, firstName: true, lastName: true, birthDate: true,
      travelDocument: { select: { givenNameLatin: true, familyNameLatin: true, nationality: true, passportCiphertext: true } },
    },
  });
  if (!person) return null;
  const rows = await db.vaccination.findMany({
    where: { personId, status: 'RECORDED' },
    orderBy: { doseNumber: 'asc' },
    include: {
      product: { select: { nameTh: true, nameEn: true, primarySeriesDoses: true } },
      hospital: { select: { nameTh: true, nameEn: true } },
    },
  });
  const doses: DoseOnCertificate[] = rows.map((row) => ({
    vaccinationId: row.id,
    doseNumber: row.doseNumber,
    productCode: row.productCode,
    productNameTh: row.product.nameTh,
    productNameEn: row.product.nameEn,
    lotNumber: row.lotNumber,
    date: bangkokToday(row.administeredAt),
    hospitalCode: row.hospitalCode,
    hospitalNameTh: row.hospital.nameTh,
    hospitalNameEn: row.hospital.nameEn,
  }));
  // The series is the one the person started (a mixed Sinovac → AstraZeneca course counts as 2).
  const seriesDoses = rows[0]?.product.primarySeriesDoses ?? 0;
  const holder: CertificateHolder = {
    personId: person.id,
    ownerId: person.ownerId,
    isSelf: person.isSelf,
    identityType: person.identityType,
    idCiphertext: person.idCiphertext,
    firstName: person.firstName,
    lastName: person.lastName,
    birthDate: person.birthDate.toISOString().slice(0, 10),
    ...(person.travelDocument
      ? {
          passport: {
            givenNameLatin: person.travelDocument.givenNameLatin,
            familyNameLatin: person.travelDocument.familyNameLatin,
            nationality: person.travelDocument.nationality,
            ciphertext: person.travelDocument.passportCiphertext,
          },
        }
      : {}),
  };
  const dataVersion = dataVersionOf(holder, doses);
  return { person: holder, doses, seriesDoses, complete: doses.length > 0 && doses.length >= seriesDoses, dataVersion, passVersion: passVersionOf(dataVersion, holder) };
}

/** Hash of every field a certificate shows (in a fixed order), nothing else. */
export function dataVersionOf(person: Pick<CertificateHolder, 'firstName' | 'lastName' | 'birthDate'>, doses: ReadonlyArray<DoseOnCertificate>): string {
  const signed = {
    person: [person.firstName, person.lastName, person.birthDate],
    doses: doses.map((d) => [d.vaccinationId, d.doseNumber, d.productCode, d.date, d.lotNumber, d.hospitalCode, d.hospitalNameEn]),
  };
  return createHash('sha256').update(JSON.stringify(signed)).digest('hex');
}

/** The pass's version: the data version itself while no passport is linked. */
export function passVersionOf(dataVersion: string, person: Pick<CertificateHolder, 'passport'>): string {
  if (!person.passport) return dataVersion;
  return createHash('sha256').update(JSON.stringify([dataVersion, person.passport.givenNameLatin, person.passport.familyNameLatin])).digest('hex');
}
