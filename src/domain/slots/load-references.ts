/**
 * Which hospital and product codes exist, for the rows of an import: two queries for the
 * distinct codes, whatever the number of rows.
 */
import type { Db } from '../../db/client.js';

export interface KnownCodes {
  hospitals: Set<string>;
  products: Set<string>;
}

export async function loadKnownCodes(db: Db, rows: ReadonlyArray<{ hospitalCode: string; productCode: string }>): Promise<KnownCodes> {
  const hospitalCodes = [...new Set(rows.map((r) => r.hospitalCode))];
  const productCodes = [...new Set(rows.map((r) => r.productCode))];
  const [hospitals, products] = await Promise.all([
    hospitalCodes.length ? db.hospital.findMany({ where: { code: { in: hospitalCodes } }, select: { code: true } }) : [],
    productCodes.length ? db.vaccineProduct.findMany({ where: { code: { in: productCodes } }, select: { code: true } }) : [],
  ]);
  return { hospitals: new Set(hospitals.map((h) => h.code)), products: new Set(products.map((p) => p.code)) };
}

/** The reason a row names an unknown hospital or product, or null when both exist. */
export function unknownCodeReason(known: KnownCodes, row: { hospitalCode: string; productCode: string }): string | null {
  if (!known.hospitals.has(row.hospitalCode)) return `unknown hospital ${row.hospitalCode}`;
  if (!known.products.has(row.productCode)) return `unknown product ${row.productCode}`;
  return null;
}
