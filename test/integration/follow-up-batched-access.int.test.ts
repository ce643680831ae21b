// The notification sender reads check-ins and records their sending in batches (one statement
// per batch of pushes). On a real PostgreSQL, the batched forms must answer exactly as the
// one-by-one Prisma forms do: the owner check, a voided dose, stopped follow-ups, an id that is
// not a UUID; and only a SCHEDULED check-in becomes SENT.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/client.js';
import { createBatchedCheckinLoader, loadCheckin } from '../../src/domain/follow-up/load-checkin.js';
import { checkinSendMarks, createBatchedCheckinSendMarks } from '../../src/domain/follow-up/checkin-send-marks.js';
import { createSeededDatabase, type SeededDatabase } from '../support/seeded-database.js';
import { insertPeople } from '../support/booking-fixtures.js';
import { recordDoseFor } from '../support/follow-up-fixtures.js';

let seeded: SeededDatabase;
let db: PrismaClient;
const NOW = new Date('2021-07-01T03:00:00Z');

beforeAll(async () => {
  seeded = await createSeededDatabase();
  db = seeded.db;
}, 120_000);

afterAll(async () => {
  await seeded?.close();
});

it('the batched loader answers as loadCheckin does, for many check-ins read together', async () => {
  const people = await insertPeople(db, { count: 4 });
  const doses = [];
  for (const p of people) doses.push(await recordDoseFor(db, { personId: p.personId, administeredAt: NOW, now: NOW }));
  // One dose voided, one person who stopped follow-ups, one dose whose follow-ups were stopped.
  await db.vaccination.update({ where: { id: doses[1]!.id }, data: { status: 'VOIDED' } });
  await db.person.update({ where: { id: people[2]!.personId }, data: { followUpsStoppedAt: NOW } });
  await db.vaccination.update({ where: { id: doses[3]!.id }, data: { followUpsStoppedAt: NOW } });
  const checkins = await db.followUpCheckin.findMany({ include: { person: true }, orderBy: { id: 'asc' } });
  expect(checkins.length).toBeGreaterThanOrEqual(12);

  const batched = createBatchedCheckinLoader(db);
  const asks = [
    ...checkins.map((c) => ({ id: c.id, owner: c.person.ownerId })),
    { id: checkins.find((c) => c.personId === people[0]!.personId)!.id, owner: people[1]!.lineUserId }, // someone else's check-in
    { id: randomUUID(), owner: people[0]!.lineUserId }, // gone
    { id: 'not-a-uuid', owner: people[0]!.lineUserId }, // malformed data must not fail the batch
  ];
  // All at once, so they share one statement.
  const got = await Promise.all(asks.map((a) => batched(db, a.id, a.owner)));
  const want = await Promise.all(asks.map((a) => (a.id === 'not-a-uuid' ? null : loadCheckin(db, a.id, a.owner))));
  expect(got).toEqual(want);
  expect(got.filter((v) => v?.doseVoided)).toHaveLength(3);
  expect(got.filter((v) => v?.stopped)).toHaveLength(6);
  expect(got.slice(-3)).toEqual([null, null, null]);
});

it('batched marks: SCHEDULED becomes SENT (others stay as they are), and the reminder time is kept', async () => {
  const [person] = await insertPeople(db, { count: 1 });
  await recordDoseFor(db, { personId: person!.personId, administeredAt: NOW, now: NOW });
  const [a, b, c] = await db.followUpCheckin.findMany({ where: { personId: person!.personId }, orderBy: { dueAt: 'asc' } });
  await db.followUpCheckin.update({ where: { id: b!.id }, data: { status: 'ANSWERED' } });
  const marks = createBatchedCheckinSendMarks(db);
  const sentAt = new Date('2021-07-02T02:00:00Z');
  const remindedAt = new Date('2021-07-02T11:00:00Z');
  await Promise.all([marks.markSent(db, a!.id, sentAt), marks.markSent(db, b!.id, sentAt), marks.markReminded(db, c!.id, remindedAt)]);
  const after = new Map((await db.followUpCheckin.findMany({ where: { personId: person!.personId } })).map((r) => [r.id, r]));
  expect(after.get(a!.id)).toMatchObject({ status: 'SENT', sentAt });
  expect(after.get(b!.id)).toMatchObject({ status: 'ANSWERED', sentAt: null });
  expect(after.get(c!.id)).toMatchObject({ status: 'SCHEDULED', remindedAt });

  // The one-by-one forms leave the same state.
  await checkinSendMarks.markSent(db, b!.id, sentAt);
  expect((await db.followUpCheckin.findUniqueOrThrow({ where: { id: b!.id } })).status).toBe('ANSWERED');
});
