/**
 * Campaign phases: from which day each priority group may book, seeded into `campaign_phase`
 * (see ../shared/design/DOMAIN.md §1). Thailand's order in 2021: health workers, frontline
 * staff, the 7 chronic diseases, 60 and over, then ages 18-59; pregnant women (12 weeks and
 * more) were added as a priority group in July 2021. How a person in several groups is
 * placed in one: src/domain/screening/priority-group.ts.
 *
 * `provinceCode: null` is a nationwide row. A province that opens a group earlier or later
 * gets its own row for that group (code `<group>-<province code>`, e.g. 'general-10'); the
 * province's row then applies there instead of the nationwide one.
 */

import type { PriorityGroup } from '../../src/domain/screening/priority-group.js';

// One list of groups, owned by the screening rules (highest priority first).
export { priorityGroups, type PriorityGroup } from '../../src/domain/screening/priority-group.js';

export interface CampaignPhaseSeed {
  /** Stable key the seed upserts by. */
  code: string;
  nameTh: string;
  nameEn: string;
  priorityGroup: PriorityGroup;
  /** TIS 1099 province code, or null for every province. */
  provinceCode: string | null;
  /** First day (Asia/Bangkok) on which the group may book, YYYY-MM-DD. */
  bookingOpensOn: string;
  note: string | null;
}

export const campaignPhases: ReadonlyArray<CampaignPhaseSeed> = [
  {
    code: 'health_worker',
    nameTh: 'บุคลากรทางการแพทย์และสาธารณสุข',
    nameEn: 'Health workers',
    priorityGroup: 'health_worker',
    provinceCode: null,
    bookingOpensOn: '2021-02-28',
    note: 'First doses in Thailand, 28 Feb 2021',
  },
  {
    code: 'frontline',
    nameTh: 'เจ้าหน้าที่ด่านหน้า',
    nameEn: 'Frontline staff',
    priorityGroup: 'frontline',
    provinceCode: null,
    bookingOpensOn: '2021-02-28',
    note: 'Vaccinated with the health workers from 28 Feb 2021',
  },
  {
    code: 'chronic_disease',
    nameTh: 'ผู้มีโรคประจำตัว 7 กลุ่มโรค',
    nameEn: 'People with one of the 7 chronic diseases',
    priorityGroup: 'chronic_disease',
    provinceCode: null,
    bookingOpensOn: '2021-05-01',
    note: 'Mor Prom booking opened 1 May 2021 (about 4.3 million people)',
  },
  {
    code: 'elderly',
    nameTh: 'ผู้สูงอายุ 60 ปีขึ้นไป',
    nameEn: 'People aged 60 and over',
    priorityGroup: 'elderly',
    provinceCode: null,
    bookingOpensOn: '2021-05-01',
    note: 'Mor Prom booking opened 1 May 2021 (about 11.7 million people)',
  },
  {
    code: 'general',
    nameTh: 'ประชาชนทั่วไปอายุ 18-59 ปี',
    nameEn: 'General public aged 18-59',
    priorityGroup: 'general',
    provinceCode: null,
    bookingOpensOn: '2021-06-07',
    note: 'The national vaccination drive began 7 June 2021; provinces opened ages 18-59 on their own dates from then',
  },
  {
    code: 'pregnant',
    nameTh: 'หญิงตั้งครรภ์ อายุครรภ์ 12 สัปดาห์ขึ้นไป',
    nameEn: 'Pregnant women, 12 weeks or more',
    priorityGroup: 'pregnant',
    provinceCode: null,
    bookingOpensOn: '2021-07-21',
    note:
      'On 21 Jul 2021 the CCSA (ศบค.) announced the Department of Disease Control decision to add pregnant women ' +
      'from 12 weeks of pregnancy to the risk groups vaccinated first (with 60+ and the 7 diseases, later called "608"). ' +
      'Earlier, on 31 May 2021, the Department of Health had said pregnant women could be vaccinated after 12 weeks, ' +
      'case by case. The day bookings opened for them varied by province and hospital; 21 Jul 2021 is the decision date.',
  },
];
