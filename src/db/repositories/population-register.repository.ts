/**
 * PostgreSQL implementation of the population register (table registry_entry).
 * Holds only keyed hashes and birth dates: see src/domain/identity/population-register.ts.
 */
import { Prisma, type PrismaClient } from '../../generated/prisma/client.js';
import type {
  PopulationRegister,
  PopulationRegisterWriter,
  RegisterEntry,
} from '../../domain/identity/population-register.js';

/** Rows per INSERT. Two array parameters per statement, so the size is bounded by memory only. */
const UPSERT_CHUNK_SIZE = 5_000;

export class PostgresPopulationRegister implements PopulationRegister, PopulationRegisterWriter {
  constructor(private readonly prisma: PrismaClient) {}

  async lookup(idHash: string): Promise<{ birthDate: string } | null> {
    const entry = await this.prisma.registryEntry.findUnique({
      where: { idHash },
      select: { birthDate: true },
    });
    // @db.Date comes back as midnight UTC, so the ISO date part is the stored date.
    return entry ? { birthDate: entry.birthDate.toISOString().slice(0, 10) } : null;
  }

  /**
   * One INSERT … SELECT FROM unnest(…) ON CONFLICT per chunk: a single round trip and a
   * single statement plan whatever the chunk size (100k rows take a few seconds).
   * Rows whose birth date is unchanged are not rewritten, so a re-import leaves the table,
   * including `importedAt`, exactly as it was.
   */
  async upsertMany(entries: readonly RegisterEntry[]): Promise<void> {
    for (let start = 0; start < entries.length; start += UPSERT_CHUNK_SIZE) {
      const chunk = lastWins(entries.slice(start, start + UPSERT_CHUNK_SIZE));
      const idHashes = chunk.map((e) => e.idHash);
      const birthDates = chunk.map((e) => e.birthDate);
      await this.prisma.$executeRaw(Prisma.sql`
        INSERT INTO registry_entry (id_hash, birth_date)
        SELECT * FROM unnest(${idHashes}::text[], ${birthDates}::date[])
        ON CONFLICT (id_hash) DO UPDATE
          SET birth_date = EXCLUDED.birth_date, imported_at = now()
          WHERE registry_entry.birth_date IS DISTINCT FROM EXCLUDED.birth_date`);
    }
  }
}

/**
 * PostgreSQL refuses to update the same row twice in one INSERT … ON CONFLICT, so a hash
 * repeated within a chunk keeps only its last occurrence (as a later chunk would).
 */
function lastWins(entries: readonly RegisterEntry[]): RegisterEntry[] {
  const byHash = new Map<string, RegisterEntry>();
  for (const entry of entries) byHash.set(entry.idHash, entry);
  return byHash.size === entries.length ? [...entries] : [...byHash.values()];
}
