/**
 * The EU Digital COVID Certificate (schema 1.3.0) for vaccinations: the WHO DDCC:VS core data
 * set mapped to `v[]` entries, one per dose, each with its own certificate identifier.
 *
 * A DCC holds exactly one entry (EU rule, test DGC2): the pass carries the LATEST dose, with
 * dn/sd saying where it stands in the series (2/2 = complete). That is what every EU verifier
 * expects; the full history is on the SMART Health Card.
 *
 * Names: see transliterate.ts. With passport (Latin) names, fn/gn are those names as printed;
 * otherwise fn/gn are the registered Thai names and fnt/gnt their romanisation.
 */
import type { CertificateDose, CertificatePerson } from '../types.js';
import { productCodes } from '../vaccines.js';
import { standardisedName } from './transliterate.js';

export const DCC_SCHEMA_VERSION = '1.3.0';
/** SNOMED CT: COVID-19. */
export const DCC_DISEASE_COVID19 = '840539006';

export interface DccVaccination {
  tg: string;
  vp: string;
  mp: string;
  ma: string;
  dn: number;
  sd: number;
  dt: string;
  co: string;
  is: string;
  ci: string;
}

export interface DccPayload {
  ver: string;
  nam: { fn?: string; fnt: string; gn?: string; gnt?: string };
  dob: string;
  v?: DccVaccination[];
  t?: Array<Record<string, unknown>>;
  r?: Array<Record<string, unknown>>;
}

export interface BuildDccInput {
  person: CertificatePerson;
  dose: CertificateDose;
  /** Doses in the primary series of the product (vaccine_product.primary_series_doses). */
  seriesDoses: number;
  /** URN:UVCI:01:TH:… (newUvci). */
  ci: string;
  /** Issuer name, e.g. 'Department of Disease Control, Ministry of Public Health'. */
  issuer: string;
  /** Override the product codes (mp/ma from the vaccine_product row). */
  mp?: string;
  ma?: string;
}

export function buildDccVaccination(input: BuildDccInput): DccPayload {
  const codes = productCodes(input.dose.productCode);
  const { person } = input;
  const latin = Boolean(person.familyNameLatin);
  const familyName = latin ? person.familyNameLatin! : person.familyName;
  const givenName = latin ? (person.givenNameLatin ?? '') : person.givenName;
  const fnt = standardisedName(familyName);
  const gnt = standardisedName(givenName);
  if (!fnt && !gnt) throw new Error('the name cannot be transliterated: give the passport (Latin) name');
  return {
    ver: DCC_SCHEMA_VERSION,
    nam: { fn: familyName, fnt, ...(givenName ? { gn: givenName, gnt } : {}) },
    dob: person.birthDate,
    v: [
      {
        tg: DCC_DISEASE_COVID19,
        vp: codes.dccVp,
        mp: input.mp ?? codes.dccMp,
        ma: input.ma ?? codes.dccMa,
        dn: input.dose.doseNumber,
        // A booster beyond the series: sd = dn (EU convention for 3/3).
        sd: Math.max(input.seriesDoses, input.dose.doseNumber),
        dt: input.dose.date,
        co: 'TH',
        is: input.issuer,
        ci: input.ci,
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------
// Structural validation (the parts of the DCC JSON schema a verifier relies on)

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DOB = /^(?:\d{4}(?:-\d{2}(?:-\d{2})?)?)?$/; // schema 1.3: YYYY, YYYY-MM, YYYY-MM-DD or empty
const STANDARD_NAME = /^[A-Z<]*$/;

/** Returns null when the payload is a well-formed single-entry DCC, else what is wrong. */
export function dccSchemaProblem(value: unknown): string | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'the DCC is not an object';
  const dcc = value as Record<string, unknown>;
  if (typeof dcc.ver !== 'string' || !/^\d+\.\d+\.\d+$/.test(dcc.ver)) return 'ver is missing';
  const nam = dcc.nam as Record<string, unknown> | undefined;
  if (!nam || typeof nam !== 'object') return 'nam is missing';
  if (typeof nam.fnt !== 'string' || !nam.fnt || nam.fnt.length > 80 || !STANDARD_NAME.test(nam.fnt)) return 'nam.fnt is missing or not standardised';
  if (nam.gnt !== undefined && (typeof nam.gnt !== 'string' || nam.gnt.length > 80 || !STANDARD_NAME.test(nam.gnt))) return 'nam.gnt is not standardised';
  if (typeof dcc.dob !== 'string' || !DOB.test(dcc.dob.slice(0, 10))) return 'dob is missing or invalid';
  const groups = (['v', 't', 'r'] as const).filter((key) => dcc[key] !== undefined);
  if (groups.length !== 1) return 'a DCC holds exactly one of v, t or r';
  const entries = dcc[groups[0]!];
  if (!Array.isArray(entries) || entries.length !== 1) return 'a DCC holds exactly one entry';
  const entry = entries[0] as Record<string, unknown>;
  const required: Record<string, string[]> = {
    v: ['tg', 'vp', 'mp', 'ma', 'dn', 'sd', 'dt', 'co', 'is', 'ci'],
    t: ['tg', 'tt', 'sc', 'tr', 'co', 'is', 'ci'],
    r: ['tg', 'fr', 'co', 'is', 'df', 'du', 'ci'],
  };
  for (const key of required[groups[0]!]!) if (entry[key] === undefined) return `${groups[0]}[0].${key} is missing`;
  if (groups[0] === 'v') {
    if (!Number.isInteger(entry.dn) || !Number.isInteger(entry.sd) || (entry.dn as number) < 1) return 'v[0].dn/sd must be positive integers';
    if (typeof entry.dt !== 'string' || !DATE.test(entry.dt)) return 'v[0].dt is not a date';
  }
  // The UVCI checksum is not checked here: it is optional in the guidelines and EU verifiers
  // accept certificates without (or with a foreign) one.
  if (typeof entry.ci !== 'string' || !entry.ci || entry.ci.length > 80) return 'the certificate identifier is invalid';
  return null;
}
