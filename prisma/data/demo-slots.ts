/**
 * Demo supply: vaccine allocations and slots at the named demo hospitals (DEMO_HOSPITALS) for
 * the next 14 days, so a newcomer can screen and book at once in the emulator.
 *
 * Four time windows a day; the product of a window rotates over AZ, PFIZER and SINOVAC and the
 * capacity (20-50) varies, both derived from the calendar date (not from "days from today"),
 * so a re-run on a later day produces the same rows for the days the runs share: the import
 * finds them unchanged and only adds the new days. No Math.random, no clock.
 */
import { DEMO_HOSPITALS } from './hospitals.js';

export const DEMO_SLOT_DAYS = 14;
export const DEMO_SLOT_WINDOWS: ReadonlyArray<readonly [start: string, end: string]> = [
  ['09:00', '10:30'],
  ['10:30', '12:00'],
  ['13:00', '14:30'],
  ['14:30', '16:00'],
];
export const DEMO_SLOT_PRODUCTS = ['AZ', 'PFIZER', 'SINOVAC'] as const;
/** Per demo hospital and product: well above 14 days of slots (at most about 1,000 doses). */
export const DEMO_ALLOCATION_DOSES = 2_000;

export interface DemoSlotRow {
  hospitalCode: string;
  productCode: string;
  date: string;
  startTime: string;
  endTime: string;
  capacity: number;
}

const DAY_MS = 86_400_000;

/** The demo slots from `today` (YYYY-MM-DD, Bangkok) for DEMO_SLOT_DAYS days. */
export function demoSlotRows(today: string): DemoSlotRow[] {
  const first = Date.parse(`${today}T00:00:00Z`);
  const rows: DemoSlotRow[] = [];
  DEMO_HOSPITALS.forEach((hospital, h) => {
    for (let d = 0; d < DEMO_SLOT_DAYS; d++) {
      const epochDay = first / DAY_MS + d;
      const date = new Date(first + d * DAY_MS).toISOString().slice(0, 10);
      DEMO_SLOT_WINDOWS.forEach(([startTime, endTime], w) => {
        rows.push({
          hospitalCode: hospital.code,
          productCode: DEMO_SLOT_PRODUCTS[(h + epochDay + w) % DEMO_SLOT_PRODUCTS.length]!,
          date,
          startTime,
          endTime,
          capacity: 20 + ((h * 13 + epochDay * 7 + w * 5) % 31),
        });
      });
    }
  });
  return rows;
}

/** The demo allocations: every demo hospital gets every demo product. */
export function demoAllocationRows(): Array<{ hospitalCode: string; productCode: string; doses: number }> {
  return DEMO_HOSPITALS.flatMap((h) => DEMO_SLOT_PRODUCTS.map((productCode) => ({ hospitalCode: h.code, productCode, doses: DEMO_ALLOCATION_DOSES })));
}
