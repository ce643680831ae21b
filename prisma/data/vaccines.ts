/**
 * Vaccine products and the effective-dated dose-interval rules of Thailand's 2021 campaign,
 * seeded into `vaccine_product` and `dose_interval_rule` (see ../shared/design/DOMAIN.md §2).
 * Policy changes are new rules, never edits in code: add a row with its start date and end
 * the previous rule of the same pair on the day before.
 *
 * Certificates (DOMAIN.md §6, later): `certificateProductId` is the EU Digital COVID
 * Certificate "medicinal product" value (the EU marketing authorisation number, or the WHO
 * EUL name for products without one), `certificateHolderId` the marketing authorisation
 * holder or manufacturer value of the same value sets.
 */
import { findIntervalRuleProblems, type IntervalRule, type LocalDate } from '../../src/domain/vaccination/interval-rules.js';

export interface VaccineProductSeed {
  /** Our key, used in rules, slots and appointments. */
  code: string;
  /** What people call it in Thai and in English (not the brand: "แอสตร้าเซนเนก้า", not "Vaxzevria"). */
  nameTh: string;
  nameEn: string;
  brand: string;
  manufacturer: string;
  primarySeriesDoses: number;
  certificateProductId: string;
  certificateHolderId: string;
}

export const vaccineProducts: ReadonlyArray<VaccineProductSeed> = [
  {
    code: 'SINOVAC',
    nameTh: 'ซิโนแวค',
    nameEn: 'Sinovac',
    brand: 'CoronaVac',
    manufacturer: 'Sinovac Biotech',
    primarySeriesDoses: 2,
    certificateProductId: 'CoronaVac',
    certificateHolderId: 'Sinovac-Biotech',
  },
  {
    code: 'AZ',
    nameTh: 'แอสตร้าเซนเนก้า',
    nameEn: 'AstraZeneca',
    brand: 'Vaxzevria',
    manufacturer: 'AstraZeneca (made in Thailand by Siam Bioscience)',
    primarySeriesDoses: 2,
    certificateProductId: 'EU/1/21/1529',
    certificateHolderId: 'ORG-100001699',
  },
  {
    code: 'PFIZER',
    nameTh: 'ไฟเซอร์',
    nameEn: 'Pfizer-BioNTech',
    brand: 'Comirnaty',
    manufacturer: 'Pfizer / BioNTech',
    primarySeriesDoses: 2,
    certificateProductId: 'EU/1/20/1528',
    certificateHolderId: 'ORG-100030215',
  },
  {
    code: 'MODERNA',
    nameTh: 'โมเดอร์นา',
    nameEn: 'Moderna',
    brand: 'Spikevax',
    manufacturer: 'Moderna',
    primarySeriesDoses: 2,
    certificateProductId: 'EU/1/20/1507',
    certificateHolderId: 'ORG-100031184',
  },
  {
    code: 'SINOPHARM',
    nameTh: 'ซิโนฟาร์ม',
    nameEn: 'Sinopharm',
    brand: 'BBIBP-CorV',
    manufacturer: 'Sinopharm (Beijing Institute of Biological Products)',
    primarySeriesDoses: 2,
    certificateProductId: 'BBIBP-CorV',
    certificateHolderId: 'ORG-100020693',
  },
];

export interface DoseIntervalRuleSeed extends IntervalRule {
  effectiveFrom: LocalDate;
  effectiveTo: LocalDate | null;
  /** How the policy's wording became minDays/maxDays. */
  note: string;
  /** Where the policy comes from. */
  source: string;
}

const SOURCE = 'MOPH policy as summarised in shared/design/DOMAIN.md §2';

/**
 * The table of DOMAIN.md §2. A month without a day ("from Jun 2021") starts on its 1st.
 * Where the policy names one interval ("8 weeks"), minDays is that interval (never earlier)
 * and maxDays the latest day the series still counts as on schedule, as noted per rule.
 */
export const doseIntervalRules: ReadonlyArray<DoseIntervalRuleSeed> = [
  {
    firstProductCode: 'SINOVAC',
    secondProductCode: 'SINOVAC',
    minDays: 14,
    maxDays: 28,
    effectiveFrom: '2021-02-01',
    effectiveTo: null,
    note: '2-4 weeks',
    source: SOURCE,
  },
  {
    firstProductCode: 'AZ',
    secondProductCode: 'AZ',
    minDays: 70,
    maxDays: 84,
    effectiveFrom: '2021-06-01',
    effectiveTo: '2021-06-21',
    note: '10-12 weeks',
    source: SOURCE,
  },
  {
    firstProductCode: 'AZ',
    secondProductCode: 'AZ',
    minDays: 56,
    maxDays: 84,
    effectiveFrom: '2021-06-22',
    effectiveTo: '2021-07-31',
    note: '8 weeks; up to 12 weeks (the upper end of the WHO range for AstraZeneca, and of the previous rule) still on schedule',
    source: SOURCE,
  },
  {
    firstProductCode: 'AZ',
    secondProductCode: 'AZ',
    minDays: 84,
    maxDays: 98,
    effectiveFrom: '2021-08-01',
    effectiveTo: null,
    note: '12 weeks; a two-week window (as wide as the June 10-12 week rule) so that a full day can be rebooked',
    source: SOURCE,
  },
  {
    firstProductCode: 'SINOVAC',
    secondProductCode: 'AZ',
    minDays: 21,
    maxDays: 28,
    effectiveFrom: '2021-07-01',
    effectiveTo: null,
    note: '3-4 weeks (heterologous: Sinovac, then AstraZeneca)',
    source: SOURCE,
  },
  {
    firstProductCode: 'PFIZER',
    secondProductCode: 'PFIZER',
    minDays: 21,
    maxDays: 42,
    effectiveFrom: '2021-08-01',
    effectiveTo: null,
    note: '3 weeks; up to 6 weeks, the latest dose 2 of the US CDC 2021 interim guidance for mRNA vaccines',
    source: SOURCE,
  },
  {
    firstProductCode: 'SINOPHARM',
    secondProductCode: 'SINOPHARM',
    minDays: 21,
    maxDays: 28,
    effectiveFrom: '2021-06-01',
    effectiveTo: null,
    note: '3-4 weeks (commonly cited)',
    source: SOURCE,
  },
  {
    firstProductCode: 'MODERNA',
    secondProductCode: 'MODERNA',
    minDays: 28,
    maxDays: 42,
    effectiveFrom: '2021-11-01',
    effectiveTo: null,
    note: '4 weeks (commonly cited), "late 2021" taken as 1 Nov 2021; up to 6 weeks as for Pfizer',
    source: SOURCE,
  },
];

// A broken table is a bug in this file: fail when it is loaded, not on a citizen's booking day.
const problems = findIntervalRuleProblems(doseIntervalRules);
if (problems.length > 0) throw new Error(`prisma/data/vaccines.ts: ${problems.join('; ')}`);
for (const rule of doseIntervalRules) {
  for (const code of [rule.firstProductCode, rule.secondProductCode]) {
    if (!vaccineProducts.some((p) => p.code === code)) throw new Error(`prisma/data/vaccines.ts: rule names unknown product ${code}`);
  }
}
