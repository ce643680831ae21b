// Dashboard figures on a real PostgreSQL: response rate per check-in label and AEFI cases per
// hospital, from rows written the way the feature writes them (recordDose plans the
// check-ins; saveSymptomReport opens the cases).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/client.js';
import { getFollowUpStats } from '../../src/domain/follow-up/follow-up-stats.js';
import { saveSymptomReport } from '../../src/domain/follow-up/report-symptoms.js';
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

describe('getFollowUpStats', () => {
  it('counts the response rate per label and the cases per hospital, serious or not', async () => {
    const people = await insertPeople(db, { count: 4 });
    const doses: Array<{ id: string }> = [];
    for (const [i, p] of people.entries()) {
      doses.push(await recordDoseFor(db, { personId: p.personId, administeredAt: NOW, now: NOW, hospitalCode: i < 3 ? '10001' : '10002' }));
    }
    // d1: 4 sent, 2 answered (one with symptoms), 1 lapsed, 1 still open; d7: 1 cancelled, 3 scheduled.
    const d1 = await db.followUpCheckin.findMany({ where: { label: 'd1' }, orderBy: { id: 'asc' } });
    await db.followUpCheckin.update({ where: { id: d1[0]!.id }, data: { status: 'ANSWERED', answer: 'none' } });
    await db.followUpCheckin.update({ where: { id: d1[1]!.id }, data: { status: 'ANSWERED', answer: 'symptoms' } });
    await db.followUpCheckin.update({ where: { id: d1[2]!.id }, data: { status: 'LAPSED' } });
    await db.followUpCheckin.update({ where: { id: d1[3]!.id }, data: { status: 'SENT' } });
    const d7 = await db.followUpCheckin.findFirstOrThrow({ where: { label: 'd7' } });
    await db.followUpCheckin.update({ where: { id: d7.id }, data: { status: 'CANCELLED' } });

    const report = (i: number, extra: { symptoms: string[]; admitted: boolean }) =>
      saveSymptomReport(db, { personId: people[i]!.personId, vaccinationId: doses[i]!.id, lineUserId: people[i]!.lineUserId, severity: 'mild', onsetDate: '2021-07-01', sawDoctor: false, ...extra });
    expect(await report(0, { symptoms: ['anaphylaxis'], admitted: false })).toMatchObject({ ok: true, serious: true });
    expect(await report(1, { symptoms: ['limb_weakness'], admitted: false })).toMatchObject({ ok: true, serious: false });
    expect(await report(3, { symptoms: ['fever'], admitted: true })).toMatchObject({ ok: true, serious: true });
    expect(await report(2, { symptoms: ['fever'], admitted: false })).toMatchObject({ ok: true, aefiCaseId: null });
    // Someone else's dose is refused.
    expect(await saveSymptomReport(db, { personId: people[0]!.personId, vaccinationId: doses[0]!.id, lineUserId: people[1]!.lineUserId, symptoms: [], severity: 'mild', onsetDate: '2021-07-01', sawDoctor: false, admitted: false })).toEqual({ ok: false, reason: 'not-found' });

    const stats = await getFollowUpStats(db);
    expect(stats.checkins.map((s) => s.label)).toEqual(['d1', 'd7', 'd30']);
    expect(stats.checkins[0]).toEqual({ profile: 'morprom', label: 'd1', scheduled: 0, sent: 4, answered: 2, lapsed: 1, cancelled: 0, withSymptoms: 1, responseRate: 0.5 });
    expect(stats.checkins[1]).toMatchObject({ label: 'd7', scheduled: 3, sent: 0, cancelled: 1, responseRate: 0 });
    expect(stats.aefiByHospital).toEqual([
      { hospitalCode: '10001', serious: 1, nonSerious: 1, open: 2 },
      { hospitalCode: '10002', serious: 1, nonSerious: 0, open: 1 },
    ]);
    expect(stats.reports).toBe(4);
    // A period with nothing in it.
    expect(await getFollowUpStats(db, { from: new Date('2030-01-01T00:00:00Z') })).toEqual({ checkins: [], aefiByHospital: [], reports: 0 });
  });
});
