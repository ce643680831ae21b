import type { Db } from '../client.js';

export interface ProvinceRow {
  code: string;
  nameTh: string;
  nameEn: string;
  region: string;
}

export function listProvinces(db: Db): Promise<ProvinceRow[]> {
  return db.province.findMany({ orderBy: { nameEn: 'asc' } });
}

export function findProvinceByCode(db: Db, code: string): Promise<ProvinceRow | null> {
  return db.province.findUnique({ where: { code } });
}
