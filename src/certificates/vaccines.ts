/**
 * Product codes → the coded values each certificate format needs.
 *
 * CVX (CDC vaccine administered codes), as used by SMART Health Cards:
 *   207 Moderna (mRNA-1273), 208 Pfizer-BioNTech (30 mcg), 210 AstraZeneca (ChAdOx1),
 *   510 Sinopharm BIBP (non-US), 511 Sinovac CoronaVac (non-US).
 *
 * EU DCC vaccine-prophylaxis (vp): 1119349007 = SARS-CoV-2 mRNA vaccine; J07BX03 = "covid-19
 * vaccines" (ATC), the value the EU value set 1.0 offers for vector and inactivated vaccines.
 * mp (medicinal product) and ma (marketing authorisation holder) come from the product row
 * (vaccine_product.certificate_product_id / certificate_holder_id); the defaults here mirror
 * the seed (prisma/data/vaccines.ts) so the library can be used without the database.
 */
export interface ProductCertificateCodes {
  cvx: string;
  /** Human name for the verifier's answer. */
  display: string;
  dccVp: string;
  dccMp: string;
  dccMa: string;
}

export const PRODUCT_CODES: Readonly<Record<string, ProductCertificateCodes>> = {
  SINOVAC: { cvx: '511', display: 'CoronaVac (Sinovac)', dccVp: 'J07BX03', dccMp: 'CoronaVac', dccMa: 'Sinovac-Biotech' },
  AZ: { cvx: '210', display: 'Vaxzevria (AstraZeneca)', dccVp: 'J07BX03', dccMp: 'EU/1/21/1529', dccMa: 'ORG-100001699' },
  PFIZER: { cvx: '208', display: 'Comirnaty (Pfizer-BioNTech)', dccVp: '1119349007', dccMp: 'EU/1/20/1528', dccMa: 'ORG-100030215' },
  MODERNA: { cvx: '207', display: 'Spikevax (Moderna)', dccVp: '1119349007', dccMp: 'EU/1/20/1507', dccMa: 'ORG-100031184' },
  SINOPHARM: { cvx: '510', display: 'BBIBP-CorV (Sinopharm)', dccVp: 'J07BX03', dccMp: 'BBIBP-CorV', dccMa: 'ORG-100020693' },
};

const BY_CVX = new Map(Object.values(PRODUCT_CODES).map((codes) => [codes.cvx, codes]));
const BY_MP = new Map(Object.values(PRODUCT_CODES).map((codes) => [codes.dccMp, codes]));

export function productCodes(productCode: string): ProductCertificateCodes {
  const codes = PRODUCT_CODES[productCode];
  if (!codes) throw new Error(`no certificate codes for vaccine product '${productCode}'`);
  return codes;
}

/** A readable product name for a CVX code (foreign cards may use codes we do not know: the code). */
export function productNameFromCvx(cvx: string): string {
  return BY_CVX.get(cvx)?.display ?? `CVX ${cvx}`;
}

/** A readable product name for an EU DCC medicinal product value. */
export function productNameFromDccMp(mp: string): string {
  return BY_MP.get(mp)?.display ?? mp;
}
