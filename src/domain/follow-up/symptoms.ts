/**
 * The symptom checklist of the report flow and what it means for an AEFI case.
 *
 * Red flags (DOMAIN.md §3) need care now: the chat answers with 1669 at once and an AEFI case
 * is opened. WHO's seriousness criteria are death, life-threatening, hospitalisation,
 * disability, congenital anomaly. Mapping used here (a chat report cannot confirm a diagnosis;
 * the hospital reviews every case):
 *   life_threatening ← anaphylaxis (face/throat swelling, hives all over), shortness of breath,
 *                      chest pain/tightness, seizure, loss of consciousness, facial drooping,
 *                      slurred speech (stroke signs)
 *   hospitalisation  ← "admitted to hospital" answered yes
 *   (suspected, not serious until reviewed) ← limb weakness/numbness, severe headache with
 *                      vomiting: criteria keep 'red_flag:<code>' so the hospital sees why.
 */
export const commonSymptoms = [
  'fever',
  'injection_site',
  'headache',
  'fatigue',
  'muscle_joint_pain',
  'chills',
  'nausea_vomiting',
  'diarrhoea',
  'rash',
] as const;

export const redFlags = [
  'limb_weakness',
  'facial_drooping',
  'slurred_speech',
  'chest_pain',
  'shortness_of_breath',
  'seizure',
  'loss_of_consciousness',
  'anaphylaxis',
  'severe_headache_vomiting',
] as const;

export type CommonSymptom = (typeof commonSymptoms)[number];
export type RedFlag = (typeof redFlags)[number];
export type Symptom = CommonSymptom | RedFlag;
export const allSymptoms: readonly Symptom[] = [...commonSymptoms, ...redFlags];

export const severities = ['mild', 'moderate', 'severe', 'unable_daily_activities'] as const;
export type Severity = (typeof severities)[number];

export function isRedFlag(symptom: string): symptom is RedFlag {
  return (redFlags as readonly string[]).includes(symptom);
}

const LIFE_THREATENING: ReadonlySet<RedFlag> = new Set([
  'anaphylaxis',
  'shortness_of_breath',
  'chest_pain',
  'seizure',
  'loss_of_consciousness',
  'facial_drooping',
  'slurred_speech',
]);

/** Whether a report opens an AEFI case, and how serious it is per the WHO criteria. */
export function classifyAefi(report: { redFlags: readonly string[]; admitted: boolean }): { open: boolean; serious: boolean; criteria: string[] } {
  const flags = report.redFlags.filter(isRedFlag);
  const criteria = flags.map((f) => `red_flag:${f}`);
  if (flags.some((f) => LIFE_THREATENING.has(f))) criteria.push('life_threatening');
  if (report.admitted) criteria.push('hospitalisation');
  const serious = criteria.includes('life_threatening') || criteria.includes('hospitalisation');
  return { open: flags.length > 0 || report.admitted, serious, criteria };
}

/** A report is taken within this many days of a dose (the flow offers only these doses). */
export const REPORT_WINDOW_DAYS = 42;
