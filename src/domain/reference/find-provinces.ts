/**
 * Province look-up for what people type ("เชียงใหม่", "chiang mai", "โคราช" is not handled:
 * nicknames would need a synonym list) and for picking by region.
 */
import type { Db } from '../../db/client.js';
import { listProvinces, findProvinceByCode, type ProvinceRow } from '../../db/repositories/province.repository.js';

export type { ProvinceRow };

const fold = (s: string) => s.toLowerCase().replace(/[\s.\-]/g, '').replace(/^จังหวัด|^จ\./, '');

/**
 * Finds provinces whose Thai or English name matches the text: an exact match wins,
 * else every name that starts with or contains it.
 */
export async function findProvinces(options: { db: Db; query: string }): Promise<ProvinceRow[]> {
  const query = fold(options.query);
  if (!query) return [];
  const all = await listProvinces(options.db);
  const exact = all.filter((p) => fold(p.nameTh) === query || fold(p.nameEn) === query);
  if (exact.length > 0) return exact;
  return all.filter((p) => fold(p.nameTh).includes(query) || fold(p.nameEn).includes(query));
}

export async function provincesInRegion(options: { db: Db; region: string }): Promise<ProvinceRow[]> {
  const all = await listProvinces(options.db);
  return all.filter((p) => p.region === options.region);
}

export function getProvince(options: { db: Db; code: string }): Promise<ProvinceRow | null> {
  return findProvinceByCode(options.db, options.code);
}

export const regions = ['bangkok', 'central', 'north', 'northeast', 'east', 'west', 'south'] as const;
export type Region = (typeof regions)[number];
