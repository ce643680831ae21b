/**
 * Recording a dose given, as the hospital's system (or an admin) reports it. Idempotent by
 * the source's record id: the same report twice records once, and a different report under
 * the same id is refused (a change goes through correct-dose, with a reason). Recording the
 * dose completes the person's appointment for it and withdraws that appointment's reminders.
 * Everything in one transaction, with an audit row.
 */
import type { Db } from '../../db/client.js';
import type { Vaccination } from '../../generated/prisma/client.js';
import { bangkokToday } from '../../shared/clock.js';
import { replanAppointmentReminders } from '../notifications/plan-appointment-reminders.js';
import { planAfterDose } from '../follow-up/plan-after-dose.js';

export interface DoseReport {
  personId: string;
  doseNumber: number;
  productCode: string;
  lotNumber?: string | null;
  administeredAt: Date;
  hospitalCode: string;
  /** Who reported it: 'his:<hospital code>' | 'admin:<name>' | 'seed'. */
  source: string;
  /** The source's own id of the record (idempotency key). */
  sourceRecordId: string;
  /** Who recorded it at the source (a nurse's id, 'admin', ...). */
  recordedBy: string;
}

export type RecordDoseResult =
  | { ok: true; vaccination: Vaccination; created: boolean }
  | { ok: false; refusal: 'unknown-person' | 'unknown-product' | 'unknown-hospital' | 'in-the-future' | 'conflicting-report' | 'dose-already-recorded' };

/** The fields that make two reports of one record the same report. */
function sameReport(existing: Vaccination, report: DoseReport): boolean {
  return (
    existing.personId === report.personId &&
    existing.doseNumber === report.doseNumber &&
    existing.productCode === report.productCode &&
    (existing.lotNumber ?? null) === (report.lotNumber ?? null) &&
    existing.administeredAt.getTime() === report.administeredAt.getTime() &&
    existing.hospitalCode === report.hospitalCode
  );
}

export async function recordDose(options: { db: Db; report: DoseReport; now: Date }): Promise<RecordDoseResult> {
  const { db, report, now } = options;
  const previous = await db.vaccination.findUnique({
    where: { source_sourceRecordId: { source: report.source, sourceRecordId: report.sourceRecordId } },
  });
  if (previous) {
    return sameReport(previous, report) ? { ok: true, vaccination: previous, created: false } : { ok: false, refusal: 'conflicting-report' };
  }
  if (bangkokToday(report.administeredAt) > bangkokToday(now)) return { ok: false, refusal: 'in-the-future' };

  // One after another: in a transaction they share one connection, where node-postgres queues
  // concurrent queries anyway (and pg 9 will refuse them).
  const person = await db.person.findUnique({ where: { id: report.personId }, select: { ownerId: true } });
  const product = await db.vaccineProduct.findUnique({ where: { code: report.productCode }, select: { code: true } });
  const hospital = await db.hospital.findUnique({ where: { code: report.hospitalCode }, select: { code: true } });
  const sameDose = await db.vaccination.findFirst({ where: { personId: report.personId, doseNumber: report.doseNumber, status: 'RECORDED' }, select: { id: true } });
  if (!person) return { ok: false, refusal: 'unknown-person' };
  if (!product) return { ok: false, refusal: 'unknown-product' };
  if (!hospital) return { ok: false, refusal: 'unknown-hospital' };
  // Another record already holds this dose number: one of the two is wrong, and guessing
  // which would put a wrong dose on a certificate. The source must correct or void one.
  if (sameDose) return { ok: false, refusal: 'dose-already-recorded' };

  const appointment = await db.appointment.findUnique({
    where: { personId_activeDose: { personId: report.personId, activeDose: report.doseNumber } },
    select: { id: true, version: true, slot: { select: { date: true } } },
  });
  const vaccination = await db.vaccination.create({
    data: {
      personId: report.personId,
      doseNumber: report.doseNumber,
      productCode: report.productCode,
      lotNumber: report.lotNumber ?? null,
      administeredAt: report.administeredAt,
      hospitalCode: report.hospitalCode,
      recordedBy: report.recordedBy,
      source: report.source,
      sourceRecordId: report.sourceRecordId,
      appointmentId: appointment?.id ?? null,
    },
  });
  await db.vaccinationChange.create({
    data: { vaccinationId: vaccination.id, type: 'recorded', actor: report.source, after: doseFields(vaccination) },
  });
  if (appointment) {
    const version = appointment.version + 1;
    await db.appointment.update({ where: { id: appointment.id }, data: { status: 'COMPLETED', activeDose: null, version } });
    await db.appointmentEvent.create({ data: { appointmentId: appointment.id, type: 'completed', actor: report.source, reason: `dose ${report.doseNumber} recorded` } });
    await replanAppointmentReminders(
      db,
      { id: appointment.id, version, status: 'COMPLETED', personId: report.personId, lineUserId: person.ownerId, date: appointment.slot.date.toISOString().slice(0, 10) },
      now,
    );
  }
  // The confirmation push, the next-dose reminders and the symptom check-ins (issue 6).
  await planAfterDose({ db, vaccination, lineUserId: person.ownerId, now });
  return { ok: true, vaccination, created: true };
}

/** The clinical fields of a dose as stored in the audit trail. */
export function doseFields(v: Pick<Vaccination, 'doseNumber' | 'productCode' | 'lotNumber' | 'administeredAt' | 'hospitalCode'>) {
  return {
    doseNumber: v.doseNumber,
    productCode: v.productCode,
    lotNumber: v.lotNumber,
    administeredAt: v.administeredAt.toISOString(),
    hospitalCode: v.hospitalCode,
  };
}
