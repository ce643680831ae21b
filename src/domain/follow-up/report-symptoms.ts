/**
 * Storing a symptom report and, when it has a red flag or an admission, the AEFI case for the
 * hospital that gave the dose (classifyAefi: serious per the WHO criteria).
 *
 * A report with a red flag is saved the moment the red flag is known (the flow calls this
 * with what is known so far: severity 'unknown', onset today), because the user may close the
 * chat right after seeing the emergency card: the case must exist anyway. The confirmed
 * report later updates the same row and its case (`reportId`).
 */
import type { Db } from '../../db/client.js';
import { maskThaiIdsInText } from '../../shared/personal-data.js';
import { classifyAefi, isRedFlag } from './symptoms.js';

export interface SymptomReportInput {
  /** Set to update a report saved earlier in the same conversation. */
  reportId?: string;
  personId: string;
  vaccinationId: string;
  checkinId?: string | null;
  lineUserId: string;
  symptoms: readonly string[];
  /** 'mild' | 'moderate' | 'severe' | 'unable_daily_activities', or 'unknown' while provisional. */
  severity: string;
  /** YYYY-MM-DD. */
  onsetDate: string;
  sawDoctor: boolean;
  admitted: boolean;
  note?: string | null;
}

export type SaveSymptomReportResult =
  | { ok: true; reportId: string; aefiCaseId: string | null; serious: boolean }
  | { ok: false; reason: 'not-found' };

/** Free text may hold an ID number (typed with or without dashes/spaces): masked before storing. */
export function maskIdLikeNumbers(text: string): string {
  const undashed = text.replace(/(?<!\d)\d(?:[\s-]?\d){12}(?!\d)/g, (run) => run.replace(/[\s-]/g, ''));
  return maskThaiIdsInText(undashed).slice(0, 1000);
}

export async function saveSymptomReport(db: Db, input: SymptomReportInput): Promise<SaveSymptomReportResult> {
  const dose = await db.vaccination.findFirst({
    where: { id: input.vaccinationId, personId: input.personId, person: { ownerId: input.lineUserId } },
    select: { hospitalCode: true },
  });
  if (!dose) return { ok: false, reason: 'not-found' };
  const redFlags = input.symptoms.filter(isRedFlag);
  const fields = {
    symptoms: input.symptoms.filter((s) => !isRedFlag(s)),
    redFlags,
    severity: input.severity,
    onsetDate: new Date(`${input.onsetDate}T00:00:00Z`),
    sawDoctor: input.sawDoctor,
    admitted: input.admitted,
    note: input.note ? maskIdLikeNumbers(input.note) : null,
  };
  const existing = input.reportId
    ? await db.symptomReport.findFirst({ where: { id: input.reportId, personId: input.personId, vaccinationId: input.vaccinationId }, select: { id: true } })
    : null;
  const report = existing
    ? await db.symptomReport.update({ where: { id: existing.id }, data: fields })
    : await db.symptomReport.create({
        data: { ...fields, personId: input.personId, vaccinationId: input.vaccinationId, checkinId: input.checkinId ?? null, reportedBy: `line:${input.lineUserId}` },
      });

  const aefi = classifyAefi({ redFlags, admitted: input.admitted });
  if (!aefi.open) {
    // A provisional report whose red flag was unticked: the case it opened stays, for review.
    const kept = await db.aefiCase.findUnique({ where: { reportId: report.id }, select: { id: true, serious: true } });
    return { ok: true, reportId: report.id, aefiCaseId: kept?.id ?? null, serious: kept?.serious ?? false };
  }
  const caseFields = { serious: aefi.serious, criteria: aefi.criteria, onsetDate: fields.onsetDate };
  const aefiCase = await db.aefiCase.upsert({
    where: { reportId: report.id },
    create: { ...caseFields, reportId: report.id, personId: input.personId, vaccinationId: input.vaccinationId, hospitalCode: dose.hospitalCode },
    update: caseFields,
  });
  return { ok: true, reportId: report.id, aefiCaseId: aefiCase.id, serious: aefi.serious };
}
