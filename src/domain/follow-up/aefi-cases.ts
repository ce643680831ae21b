/**
 * AEFI cases as the hospitals see them. Until the hospital-sync path exists, a hospital is
 * "notified" by its cases being listed on the admin API; acknowledging records that the
 * hospital has taken the case (status ACKNOWLEDGED, hospitalNotifiedAt).
 */
import type { Db } from '../../db/client.js';

export interface AefiCaseView {
  id: string;
  hospitalCode: string;
  hospitalName: string;
  serious: boolean;
  criteria: string[];
  onsetDate: string;
  status: string;
  createdAt: string;
  hospitalNotifiedAt: string | null;
  personFirstName: string;
  personPhone: string;
  doseNumber: number;
  productCode: string;
  administeredAt: string;
  report: { symptoms: string[]; redFlags: string[]; severity: string; sawDoctor: boolean; admitted: boolean; note: string | null };
}

export async function listAefiCases(db: Db, filter: { hospitalCode?: string; status?: string; limit?: number }): Promise<AefiCaseView[]> {
  const cases = await db.aefiCase.findMany({
    where: { ...(filter.hospitalCode ? { hospitalCode: filter.hospitalCode } : {}), ...(filter.status ? { status: filter.status } : {}) },
    orderBy: [{ serious: 'desc' }, { createdAt: 'desc' }],
    take: filter.limit ?? 200,
    include: { hospital: { select: { nameEn: true } }, person: { select: { firstName: true, phone: true } }, report: { include: { vaccination: true } } },
  });
  return cases.map((c) => ({
    id: c.id,
    hospitalCode: c.hospitalCode,
    hospitalName: c.hospital.nameEn,
    serious: c.serious,
    criteria: c.criteria,
    onsetDate: c.onsetDate.toISOString().slice(0, 10),
    status: c.status,
    createdAt: c.createdAt.toISOString(),
    hospitalNotifiedAt: c.hospitalNotifiedAt?.toISOString() ?? null,
    // The hospital calls the patient back: name and phone, never the ID number.
    personFirstName: c.person.firstName,
    personPhone: c.person.phone,
    doseNumber: c.report.vaccination.doseNumber,
    productCode: c.report.vaccination.productCode,
    administeredAt: c.report.vaccination.administeredAt.toISOString(),
    report: { symptoms: c.report.symptoms, redFlags: c.report.redFlags, severity: c.report.severity, sawDoctor: c.report.sawDoctor, admitted: c.report.admitted, note: c.report.note },
  }));
}

export async function acknowledgeAefiCase(db: Db, id: string, now: Date): Promise<{ ok: true; status: string } | { ok: false; reason: 'not-found' }> {
  const found = await db.aefiCase.findUnique({ where: { id }, select: { status: true } });
  if (!found) return { ok: false, reason: 'not-found' };
  if (found.status !== 'OPEN') return { ok: true, status: found.status };
  await db.aefiCase.update({ where: { id }, data: { status: 'ACKNOWLEDGED', hospitalNotifiedAt: now } });
  return { ok: true, status: 'ACKNOWLEDGED' };
}
