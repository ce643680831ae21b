/**
 * Where can a dose be booked? Reads only: open slots with room (booked < capacity) between two
 * days, by hospital. Used by the booking flow (nearest hospitals, a hospital's days and time
 * windows) and to offer alternatives (full slot, closed slot). The free count is a hint; the
 * booking itself re-checks capacity atomically.
 */
import { Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../../db/client.js';

export interface HospitalWithFreeSlots {
  hospitalCode: string;
  nameTh: string;
  nameEn: string;
  provinceCode: string;
  districtTh: string;
  districtEn: string;
  latitude: number;
  longitude: number;
  phone: string | null;
  /** Great-circle distance from `near`, km; null when no point was given. */
  distanceKm: number | null;
  /** First day with a free place, YYYY-MM-DD. */
  firstFreeDate: string;
  freePlaces: number;
}

export interface SlotSearch {
  db: Db;
  /** First and last day to look at, YYYY-MM-DD, inclusive. */
  fromDate: string;
  toDate: string;
  /** Only these products (e.g. the ones allowed for a dose 2). Omitted: any. */
  productCodes?: readonly string[];
}

/**
 * Hospitals with at least one free place: nearest first when `near` is given, else in the
 * province by name. One query; the distance is computed in SQL so only `limit` rows return.
 */
export async function findHospitalsWithFreeSlots(
  options: SlotSearch & { near?: { latitude: number; longitude: number }; provinceCode?: string; excludeHospitalCodes?: readonly string[]; limit: number },
): Promise<HospitalWithFreeSlots[]> {
  const { db, fromDate, toDate, productCodes, near, provinceCode, excludeHospitalCodes, limit } = options;
  const distance = near
    ? Prisma.sql`(6371 * 2 * asin(sqrt(power(sin(radians(h.latitude - ${near.latitude}) / 2), 2)
        + cos(radians(${near.latitude})) * cos(radians(h.latitude)) * power(sin(radians(h.longitude - ${near.longitude}) / 2), 2))))`
    : Prisma.sql`NULL::float8`;
  const rows = await db.$queryRaw<
    Array<Omit<HospitalWithFreeSlots, 'firstFreeDate' | 'freePlaces'> & { firstFreeDate: Date; freePlaces: bigint }>
  >`
    SELECT h.code AS "hospitalCode", h.name_th AS "nameTh", h.name_en AS "nameEn", h.province_code AS "provinceCode",
           h.district_th AS "districtTh", h.district_en AS "districtEn", h.latitude, h.longitude, h.phone,
           ${distance} AS "distanceKm", f.first_free AS "firstFreeDate", f.free AS "freePlaces"
      FROM (SELECT s.hospital_code, min(s.date) AS first_free, sum(s.capacity - s.booked) AS free
              FROM slot s
             WHERE s.status = 'OPEN' AND s.booked < s.capacity
               AND s.date BETWEEN ${fromDate}::date AND ${toDate}::date
               ${productCodes ? Prisma.sql`AND s.product_code = ANY(${[...productCodes]}::varchar[])` : Prisma.empty}
             GROUP BY s.hospital_code) f
      JOIN hospital h ON h.code = f.hospital_code
     WHERE TRUE
       ${provinceCode ? Prisma.sql`AND h.province_code = ${provinceCode}` : Prisma.empty}
       ${excludeHospitalCodes?.length ? Prisma.sql`AND h.code <> ALL(${[...excludeHospitalCodes]}::varchar[])` : Prisma.empty}
     ORDER BY ${near ? Prisma.sql`"distanceKm"` : Prisma.sql`h.name_th`}, h.code
     LIMIT ${limit}`;
  return rows.map((r) => ({
    ...r,
    distanceKm: r.distanceKm === null ? null : Number(r.distanceKm),
    firstFreeDate: r.firstFreeDate.toISOString().slice(0, 10),
    freePlaces: Number(r.freePlaces),
  }));
}

export interface FreeSlot {
  slotId: string;
  hospitalCode: string;
  productCode: string;
  /** YYYY-MM-DD */
  date: string;
  startTime: string;
  endTime: string;
  free: number;
}

/** A hospital's slots with room, by day and time. */
export async function findFreeSlots(options: SlotSearch & { hospitalCode: string; limit: number }): Promise<FreeSlot[]> {
  const { db, fromDate, toDate, productCodes, hospitalCode, limit } = options;
  const rows = await db.slot.findMany({
    where: {
      hospitalCode,
      status: 'OPEN',
      date: { gte: new Date(`${fromDate}T00:00:00Z`), lte: new Date(`${toDate}T00:00:00Z`) },
      ...(productCodes ? { productCode: { in: [...productCodes] } } : {}),
    },
    orderBy: [{ date: 'asc' }, { startTime: 'asc' }, { productCode: 'asc' }],
    select: { id: true, hospitalCode: true, productCode: true, date: true, startTime: true, endTime: true, capacity: true, booked: true },
  });
  // booked < capacity compares two columns, which Prisma's where cannot express; a hospital
  // has a few dozen slots in two weeks, so filtering here is cheap.
  return rows
    .filter((s) => s.booked < s.capacity)
    .slice(0, limit)
    .map((s) => ({
      slotId: s.id,
      hospitalCode: s.hospitalCode,
      productCode: s.productCode,
      date: s.date.toISOString().slice(0, 10),
      startTime: s.startTime,
      endTime: s.endTime,
      free: s.capacity - s.booked,
    }));
}
