/**
 * Dashboard figures: the response rate of each check-in label (answered / sent, where "sent"
 * counts every check-in that reached the user: SENT, ANSWERED, LAPSED), and AEFI cases per
 * hospital, serious and not. Optional period: check-ins due / cases created in [from, to).
 */
import type { Db } from '../../db/client.js';

export interface CheckinLabelStats {
  profile: string;
  label: string;
  scheduled: number;
  sent: number;
  answered: number;
  lapsed: number;
  cancelled: number;
  withSymptoms: number;
  /** answered / sent, 0 when nothing was sent. */
  responseRate: number;
}

export interface AefiHospitalStats {
  hospitalCode: string;
  serious: number;
  nonSerious: number;
  open: number;
}

export interface FollowUpStats {
  checkins: CheckinLabelStats[];
  aefiByHospital: AefiHospitalStats[];
  reports: number;
}

export async function getFollowUpStats(db: Db, period: { from?: Date; to?: Date } = {}): Promise<FollowUpStats> {
  const from = period.from ?? new Date(0);
  const to = period.to ?? new Date('9999-01-01T00:00:00Z');
  const rows = await db.$queryRaw<Array<{ profile: string; label: string; status: string; answer: string | null; n: bigint }>>`
    SELECT profile, label, status, answer, count(*) AS n FROM follow_up_checkin
    WHERE due_at >= ${from} AND due_at < ${to}
    GROUP BY profile, label, status, answer`;
  const byLabel = new Map<string, CheckinLabelStats>();
  for (const row of rows) {
    const key = `${row.profile}:${row.label}`;
    const stats = byLabel.get(key) ?? { profile: row.profile, label: row.label, scheduled: 0, sent: 0, answered: 0, lapsed: 0, cancelled: 0, withSymptoms: 0, responseRate: 0 };
    const n = Number(row.n);
    if (row.status === 'SCHEDULED') stats.scheduled += n;
    if (row.status === 'CANCELLED') stats.cancelled += n;
    if (row.status === 'SENT' || row.status === 'ANSWERED' || row.status === 'LAPSED') stats.sent += n;
    if (row.status === 'ANSWERED') stats.answered += n;
    if (row.status === 'LAPSED') stats.lapsed += n;
    if (row.status === 'ANSWERED' && row.answer === 'symptoms') stats.withSymptoms += n;
    byLabel.set(key, stats);
  }
  const checkins = [...byLabel.values()]
    .map((s) => ({ ...s, responseRate: s.sent === 0 ? 0 : Math.round((s.answered / s.sent) * 1000) / 1000 }))
    .sort((a, b) => a.profile.localeCompare(b.profile) || labelOrder(a.label) - labelOrder(b.label));

  const cases = await db.$queryRaw<Array<{ hospital_code: string; serious: boolean; status: string; n: bigint }>>`
    SELECT hospital_code, serious, status, count(*) AS n FROM aefi_case
    WHERE created_at >= ${from} AND created_at < ${to}
    GROUP BY hospital_code, serious, status`;
  const byHospital = new Map<string, AefiHospitalStats>();
  for (const row of cases) {
    const stats = byHospital.get(row.hospital_code) ?? { hospitalCode: row.hospital_code, serious: 0, nonSerious: 0, open: 0 };
    const n = Number(row.n);
    if (row.serious) stats.serious += n;
    else stats.nonSerious += n;
    if (row.status === 'OPEN') stats.open += n;
    byHospital.set(row.hospital_code, stats);
  }
  const reports = await db.symptomReport.count({ where: { createdAt: { gte: from, lt: to } } });
  return { checkins, aefiByHospital: [...byHospital.values()].sort((a, b) => a.hospitalCode.localeCompare(b.hospitalCode)), reports };
}

/** d0 < d1 < … < w2 < … < m12: days after the dose. */
function labelOrder(label: string): number {
  const n = Number(label.slice(1));
  return label[0] === 'w' ? n * 7 : label[0] === 'm' ? n * 30.4 : n;
}
