import type { Db } from '../client.js';

export async function ensureLineUser(db: Db, id: string): Promise<{ locale: string; following: boolean; richMenu: string | null }> {
  return db.lineUser.upsert({
    where: { id },
    create: { id, followedAt: new Date() },
    update: {},
    select: { locale: true, following: true, richMenu: true },
  });
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
