import type { Db } from '../client.js';

/** Creates the user on their first event; one round trip either way (this runs for every event). */
export async function ensureLineUser(db: Db, id: string): Promise<{ locale: string; following: boolean; richMenu: string | null }> {
  const rows = await db.$queryRaw<Array<{ locale: string; following: boolean; rich_menu: string | null }>>`
    INSERT INTO line_user (id, followed_at, updated_at) VALUES (${id}, now(), now())
    ON CONFLICT (id) DO UPDATE SET id = EXCLUDED.id
    RETURNING locale, following, rich_menu`;
  const row = rows[0]!;
  return { locale: row.locale, following: row.following, richMenu: row.rich_menu };
}

export function updateLineUser(db: Db, id: string, change: { locale?: string; following?: boolean; richMenu?: string; now: Date }) {
  const { now, following, ...rest } = change;
  return db.lineUser.update({
    where: { id },
    data: {
      ...rest,
      ...(following === undefined ? {} : following ? { following, followedAt: now } : { following, unfollowedAt: now }),
    },
  });
}
