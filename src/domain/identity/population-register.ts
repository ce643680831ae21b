/**
 * The population register (Ministry of Interior) as the identity check sees it. We hold only
 * the keyed hash of each national ID and the birth date: enough to confirm that an ID and a
 * birth date belong together, and nothing to leak if the table is copied.
 */

/** One register row as stored: `idHash` from PersonalDataCipher.hashIdentity('THAI_ID', id). */
export interface RegisterEntry {
  idHash: string;
  /** YYYY-MM-DD, Gregorian. */
  birthDate: string;
}

/** Read side, used when a LINE user registers. */
export interface PopulationRegister {
  lookup(idHash: string): Promise<{ birthDate: string /* YYYY-MM-DD */ } | null>;
}

/** Write side, used by the register import. */
export interface PopulationRegisterWriter {
  /** Inserts or updates by `idHash`; writing the same entries twice changes nothing. */
  upsertMany(entries: readonly RegisterEntry[]): Promise<void>;
}

/**
 * - `match`: the ID is in the register with this birth date.
 * - `mismatch`: the ID is in the register with another birth date.
 * - `unknown`: the ID is not in the register (e.g. not yet imported); the caller decides
 *   whether to accept the person as unverified.
 */
export type IdentityMatch = 'match' | 'mismatch' | 'unknown';

/** Compares the birth date the user typed (YYYY-MM-DD, Gregorian) with the register entry. */
export function matchIdentity(entry: { birthDate: string } | null, birthDate: string): IdentityMatch {
  if (entry === null) return 'unknown';
  return entry.birthDate === birthDate ? 'match' : 'mismatch';
}
