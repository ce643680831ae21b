/**
 * Symptoms after a dose, and the answers to the check-ins that ask about them.
 *
 * From the rich menu (any time within 42 days of a dose) or a check-in's "I have symptoms":
 * for whom? → which dose? (only doses of the last 42 days; skipped when there is one) →
 * symptoms (multi-select: each tap toggles one, the text shows what is selected; common
 * symptoms and serious ones on two pages of quick replies, LINE allows 13) → severity →
 * onset (today / yesterday / date picker) → saw a doctor? → admitted? → free text or skip →
 * summary card → stored.
 *
 * Red flags answer at once: the moment one is ticked (or "admitted" is answered yes) the very
 * next message is the emergency card (1669, the administering hospital's name and phone), and
 * the report is saved there and then with what is known, opening the AEFI case, so a user who
 * closes the chat or cancels after the emergency card still reaches the hospital. The summary
 * confirmation updates that same report and case.
 *
 * Start parameters (buttons outside any flow, all checked against the LINE user's people):
 *   'checkin:<id>:none' | 'checkin:<id>:symptoms'  the check-in's quick replies
 *   'stop:<id>:dose' | 'stop:<id>:all'            stop follow-ups: asks to confirm
 *   'stopok:<id>:dose' | 'stopok:<id>:all'        confirmed
 *   'keep'                                         not confirmed
 */
import { z } from 'zod';
import type { Flow, FlowStep, StepOutcome, UserInput } from '../flow.js';
import type { BotContext } from '../context.js';
import type { MessageKey } from '../../i18n/index.js';
import { formatDate } from '../../i18n/index.js';
import type { LineMessage } from '../../line/line-gateway.js';
import { datePickerAction, postbackAction, textMessage, type QuickReplyAction } from '../../line/message-builders.js';
import { choosePersonPrompt, listChoosablePeople, readChosenPerson, refsOf } from './steps/choose-person.js';
import { answerValue, textOf } from '../input.js';
import { bangkokToday } from '../../shared/clock.js';
import { addDays } from '../../domain/vaccination/interval-rules.js';
import { commonSymptoms, isRedFlag, redFlags, REPORT_WINDOW_DAYS, severities, type Symptom } from '../../domain/follow-up/symptoms.js';
import { saveSymptomReport } from '../../domain/follow-up/report-symptoms.js';
import { answerCheckin } from '../../domain/follow-up/answer-checkin.js';
import { stopFollowUps } from '../../domain/follow-up/stop-follow-ups.js';
import { emergencyCard } from '../../../flex-templates/emergency-card.js';
import { symptomSummary } from '../../../flex-templates/symptom-summary.js';

const DAY_MS = 86_400_000;
const NOTE_MAX = 500;

const dataSchema = z.object({
  people: z.record(z.string(), z.string()),
  personId: z.string().optional(),
  name: z.string().optional(),
  /** Short refs → vaccination ids of the doses offered. */
  doses: z.record(z.string(), z.string()),
  vaccinationId: z.string().optional(),
  doseNumber: z.number().optional(),
  /** Day of the dose, YYYY-MM-DD. */
  doseDate: z.string().optional(),
  checkinId: z.string().optional(),
  symptoms: z.array(z.string()),
  page: z.enum(['common', 'serious']),
  severity: z.string().optional(),
  onsetDate: z.string().optional(),
  sawDoctor: z.boolean().optional(),
  admitted: z.boolean().optional(),
  note: z.string().nullable().optional(),
  /** Set once the report was saved (a red flag): later saves update it. */
  reportId: z.string().optional(),
});
type ReportData = z.infer<typeof dataSchema>;
type Step = FlowStep<ReportData>;
type Outcome = StepOutcome<ReportData>;

const cancelAction = (ctx: BotContext) => postbackAction(ctx.t('common.cancel'), { a: 'cancel' }, ctx.t('common.cancel'));

function ask(ctx: BotContext, step: string, text: string, answers: ReadonlyArray<[value: string, label: string]>, extra: QuickReplyAction[] = []): LineMessage[] {
  return [textMessage(text, [...answers.map(([v, label]) => postbackAction(label, { a: 'ans', s: step, v }, label)), ...extra, cancelAction(ctx)])];
}

const symptomName = (ctx: BotContext, code: string) => ctx.t(`followup.symptom.${code}` as MessageKey);

/** Recorded doses of a person within the report window, newest first. */
async function recentDoses(ctx: BotContext, personId: string) {
  return ctx.db.vaccination.findMany({
    where: { personId, status: 'RECORDED', person: { ownerId: ctx.lineUserId }, administeredAt: { gte: new Date(ctx.now.getTime() - REPORT_WINDOW_DAYS * DAY_MS) } },
    orderBy: { administeredAt: 'desc' },
    select: { id: true, doseNumber: true, administeredAt: true },
  });
}

/** The emergency card for the dose's hospital. */
async function emergencyMessages(ctx: BotContext, data: ReportData): Promise<LineMessage[]> {
  const dose = await ctx.db.vaccination.findUnique({ where: { id: data.vaccinationId ?? '' }, select: { hospital: { select: { nameTh: true, nameEn: true, phone: true } } } });
  const hospital = dose?.hospital;
  return [
    emergencyCard({ hospitalName: hospital ? (ctx.locale === 'en' ? hospital.nameEn : hospital.nameTh) : '-', hospitalPhone: hospital?.phone ?? null }, ctx.locale),
    textMessage(ctx.t('followup.emergency.continue')),
  ];
}

/** Saves the report as it stands (after a red flag, and at the end). */
async function save(ctx: BotContext, data: ReportData): Promise<string | null> {
  if (!data.personId || !data.vaccinationId) return null;
  const saved = await saveSymptomReport(ctx.db, {
    ...(data.reportId ? { reportId: data.reportId } : {}),
    personId: data.personId,
    vaccinationId: data.vaccinationId,
    checkinId: data.checkinId ?? null,
    lineUserId: ctx.lineUserId,
    symptoms: data.symptoms,
    severity: data.severity ?? 'unknown',
    onsetDate: data.onsetDate ?? bangkokToday(ctx.now),
    sawDoctor: data.sawDoctor ?? false,
    admitted: data.admitted ?? false,
    note: data.note ?? null,
  });
  return saved.ok ? saved.reportId : null;
}

/** A red flag or an admission: emergency card first, report (and AEFI case) saved now. */
async function escalate(ctx: BotContext, data: ReportData, step: string): Promise<Outcome> {
  const reportId = await save(ctx, data);
  const next = reportId ? { ...data, reportId } : data;
  return { type: 'next', step, data: next, messages: await emergencyMessages(ctx, next) };
}

function pickDose(data: ReportData, dose: { id: string; doseNumber: number; administeredAt: Date }): ReportData {
  return { ...data, vaccinationId: dose.id, doseNumber: dose.doseNumber, doseDate: bangkokToday(dose.administeredAt) };
}

/** After the person is known: the dose question, or straight to the symptoms with one dose. */
async function afterPerson(ctx: BotContext, data: ReportData): Promise<Outcome> {
  const doses = await recentDoses(ctx, data.personId ?? '');
  if (doses.length === 0) return { type: 'done', messages: [textMessage(ctx.t('followup.report.noDose'))] };
  if (doses.length === 1) return { type: 'next', step: 'symptoms', data: pickDose(data, doses[0]!) };
  return { type: 'next', step: 'dose', data: { ...data, doses: Object.fromEntries(doses.map((d, i) => [String(i + 1), d.id])) } };
}

const person: Step = {
  async prompt(ctx, data) {
    const people = (await listChoosablePeople(ctx)).filter((p) => data.people[p.ref] === p.personId);
    return choosePersonPrompt(ctx, 'person', people, 'followup.report.choosePerson');
  },
  async handle(ctx, input, data) {
    const personId = readChosenPerson(input, 'person', data.people);
    if (!personId) return { type: 'reprompt', reason: 'choosePerson.pickFromButtons' };
    const people = await listChoosablePeople(ctx);
    return afterPerson(ctx, { ...data, personId, name: people.find((p) => p.personId === personId)?.firstName ?? '' });
  },
};

const dose: Step = {
  async prompt(ctx, data) {
    const doses = await recentDoses(ctx, data.personId ?? '');
    const options = Object.entries(data.doses).flatMap(([ref, id]) => {
      const d = doses.find((x) => x.id === id);
      return d ? [[ref, ctx.t('followup.report.doseOption', { dose: d.doseNumber, date: formatDate(bangkokToday(d.administeredAt), ctx.locale) })] as [string, string]] : [];
    });
    return ask(ctx, 'dose', ctx.t('followup.report.chooseDose'), options);
  },
  async handle(ctx, input, data) {
    const ref = answerValue(input, 'dose');
    const id = ref !== undefined && Object.hasOwn(data.doses, ref) ? data.doses[ref] : undefined;
    const chosen = id ? (await recentDoses(ctx, data.personId ?? '')).find((d) => d.id === id) : undefined;
    if (!chosen) return { type: 'reprompt', reason: 'followup.report.pickFromButtons' };
    return { type: 'next', step: 'symptoms', data: pickDose(data, chosen) };
  },
};

const symptoms: Step = {
  prompt(ctx, data) {
    const page = data.page === 'serious' ? redFlags : commonSymptoms;
    const selected = data.symptoms.length > 0 ? data.symptoms.map((s) => symptomName(ctx, s)).join(', ') : ctx.t('followup.report.noneSelected');
    const question = ctx.t(data.page === 'serious' ? 'followup.report.askRedFlags' : 'followup.report.askSymptoms');
    const items: QuickReplyAction[] = page.map((code) => {
      const name = symptomName(ctx, code);
      const label = data.symptoms.includes(code) ? `✓ ${name}` : name;
      return postbackAction(label, { a: 'ans', s: 'symptoms', v: code }, label);
    });
    const other = data.page === 'serious' ? ctx.t('followup.report.common') : ctx.t('followup.report.serious');
    items.push(postbackAction(other, { a: 'ans', s: 'symptoms', v: 'page' }, other));
    items.push(postbackAction(ctx.t('followup.report.done'), { a: 'ans', s: 'symptoms', v: 'done' }, ctx.t('followup.report.done')));
    items.push(cancelAction(ctx));
    return [textMessage(`${question}\n${ctx.t('followup.report.selected', { list: selected })}`, items)];
  },
  async handle(ctx, input, data) {
    const value = answerValue(input, 'symptoms');
    if (value === 'page') return { type: 'next', step: 'symptoms', data: { ...data, page: data.page === 'serious' ? 'common' : 'serious' } };
    if (value === 'done') {
      if (data.symptoms.length === 0) return { type: 'reprompt', reason: 'followup.report.pickAtLeastOne' };
      return { type: 'next', step: 'severity', data };
    }
    const code = [...commonSymptoms, ...redFlags].find((s) => s === value) as Symptom | undefined;
    if (!code) return { type: 'reprompt', reason: 'followup.report.pickFromButtons' };
    if (data.symptoms.includes(code)) return { type: 'next', step: 'symptoms', data: { ...data, symptoms: data.symptoms.filter((s) => s !== code) } };
    const next = { ...data, symptoms: [...data.symptoms, code] };
    return isRedFlag(code) ? escalate(ctx, next, 'symptoms') : { type: 'next', step: 'symptoms', data: next };
  },
};

const severity: Step = {
  prompt: (ctx) => ask(ctx, 'severity', ctx.t('followup.report.askSeverity'), severities.map((s) => [s, ctx.t(`followup.severity.${s}`)])),
  async handle(_ctx, input, data) {
    const value = severities.find((s) => s === answerValue(input, 'severity'));
    if (!value) return { type: 'reprompt', reason: 'followup.report.pickFromButtons' };
    return { type: 'next', step: 'onset', data: { ...data, severity: value } };
  },
};

const onset: Step = {
  prompt(ctx, data) {
    const today = bangkokToday(ctx.now);
    const from = data.doseDate ?? today;
    const options: Array<[string, string]> = [['today', ctx.t('followup.onset.today')]];
    if (addDays(today, -1) >= from) options.push(['yesterday', ctx.t('followup.onset.yesterday')]);
    return ask(ctx, 'onset', ctx.t('followup.report.askOnset'), options, [
      datePickerAction(ctx.t('followup.onset.pick'), { a: 'ans', s: 'onset', v: 'picked' }, { initial: today, min: from, max: today }),
    ]);
  },
  async handle(ctx, input, data) {
    const today = bangkokToday(ctx.now);
    const from = data.doseDate ?? today;
    const value = answerValue(input, 'onset');
    const day =
      value === 'today' ? today : value === 'yesterday' ? addDays(today, -1) : value === 'picked' && input.kind === 'postback' ? input.params?.date : undefined;
    if (!day || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return { type: 'reprompt', reason: 'followup.report.pickFromButtons' };
    if (day < from || day > today) return { type: 'reprompt', reason: [textMessage(ctx.t('followup.onset.outOfRange', { from: formatDate(from, ctx.locale) }))] };
    return { type: 'next', step: 'doctor', data: { ...data, onsetDate: day } };
  },
};

const yesNo = (ctx: BotContext): Array<[string, string]> => [
  ['yes', ctx.t('followup.answer.yes')],
  ['no', ctx.t('followup.answer.no')],
];

function yesNoAnswer(input: UserInput, step: string): boolean | undefined {
  const value = answerValue(input, step);
  return value === 'yes' ? true : value === 'no' ? false : undefined;
}

const doctor: Step = {
  prompt: (ctx) => ask(ctx, 'doctor', ctx.t('followup.report.askDoctor'), yesNo(ctx)),
  async handle(_ctx, input, data) {
    const answer = yesNoAnswer(input, 'doctor');
    if (answer === undefined) return { type: 'reprompt', reason: 'followup.report.pickFromButtons' };
    return { type: 'next', step: 'admitted', data: { ...data, sawDoctor: answer } };
  },
};

const admitted: Step = {
  prompt: (ctx) => ask(ctx, 'admitted', ctx.t('followup.report.askAdmitted'), yesNo(ctx)),
  async handle(ctx, input, data) {
    const answer = yesNoAnswer(input, 'admitted');
    if (answer === undefined) return { type: 'reprompt', reason: 'followup.report.pickFromButtons' };
    const next = { ...data, admitted: answer };
    return answer ? escalate(ctx, next, 'note') : { type: 'next', step: 'note', data: next };
  },
};

const note: Step = {
  prompt: (ctx) => ask(ctx, 'note', ctx.t('followup.report.askNote'), [['skip', ctx.t('followup.report.skip')]]),
  async handle(ctx, input, data) {
    if (answerValue(input, 'note') === 'skip') return { type: 'next', step: 'summary', data: { ...data, note: null } };
    const text = textOf(input);
    if (!text) return { type: 'reprompt', reason: 'followup.report.pickFromButtons' };
    if ([...text].length > NOTE_MAX) return { type: 'reprompt', reason: 'followup.report.noteTooLong' };
    return { type: 'next', step: 'summary', data: { ...data, note: text } };
  },
};

const summary: Step = {
  prompt(ctx, data) {
    return [
      symptomSummary(
        {
          step: 'summary',
          personName: data.name ?? '',
          doseNumber: data.doseNumber ?? 0,
          symptoms: data.symptoms.filter((s) => !isRedFlag(s)),
          redFlags: data.symptoms.filter(isRedFlag),
          severity: data.severity ?? 'unknown',
          onsetDate: data.onsetDate ?? bangkokToday(ctx.now),
          sawDoctor: data.sawDoctor ?? false,
          admitted: data.admitted ?? false,
          note: data.note ?? null,
        },
        ctx.locale,
      ),
    ];
  },
  async handle(ctx, input, data) {
    if (answerValue(input, 'summary') !== 'confirm') return { type: 'reprompt', reason: 'followup.report.pickFromButtons' };
    const reportId = await save(ctx, data);
    if (!reportId) return { type: 'done', messages: [textMessage(ctx.t('error.notFound'))] };
    const aefiCase = await ctx.db.aefiCase.findUnique({ where: { reportId }, select: { hospital: { select: { nameTh: true, nameEn: true } } } });
    if (!aefiCase) return { type: 'done', messages: [textMessage(ctx.t('followup.report.saved'))] };
    const hospital = ctx.locale === 'en' ? aefiCase.hospital.nameEn : aefiCase.hospital.nameTh;
    return { type: 'done', messages: [textMessage(ctx.t('followup.report.savedCase', { hospital }))] };
  },
};

const emptyData = (people: Record<string, string>): ReportData => ({ people, doses: {}, symptoms: [], page: 'common' });

/** The buttons of check-ins and of the stop confirmation (see the header). */
async function startFromButton(ctx: BotContext, param: string): Promise<Outcome | null> {
  const [action, checkinId, value] = param.split(':');
  if (action === 'keep') return { type: 'done', messages: [textMessage(ctx.t('followup.stop.kept'))] };
  if (!checkinId || !z.uuid().safeParse(checkinId).success) return null;
  const notFound: Outcome = { type: 'done', messages: [textMessage(ctx.t('followup.answer.notFound'))] };
  if (action === 'checkin' && (value === 'none' || value === 'symptoms')) {
    const answered = await answerCheckin({ db: ctx.db, lineUserId: ctx.lineUserId, checkinId, answer: value, now: ctx.now });
    if (!answered.ok) return notFound;
    if (value === 'none') return { type: 'done', messages: [textMessage(ctx.t(answered.alreadyAnswered ? 'followup.answer.already' : 'followup.answer.thanks'))] };
    const dose = await ctx.db.vaccination.findFirst({
      where: { id: answered.vaccinationId, status: 'RECORDED' },
      select: { id: true, doseNumber: true, administeredAt: true, person: { select: { firstName: true } } },
    });
    if (!dose) return notFound;
    return { type: 'next', step: 'symptoms', data: pickDose({ ...emptyData({}), personId: answered.personId, name: dose.person.firstName, checkinId }, dose) };
  }
  if ((action === 'stop' || action === 'stopok') && (value === 'dose' || value === 'all')) {
    const owned = await ctx.db.followUpCheckin.findFirst({ where: { id: checkinId, person: { ownerId: ctx.lineUserId } }, select: { id: true } });
    if (!owned) return notFound;
    if (action === 'stop') {
      const yes = ctx.t('followup.stop.yes');
      const keep = ctx.t('followup.stop.keep');
      return {
        type: 'done',
        messages: [
          textMessage(ctx.t(value === 'all' ? 'followup.stop.confirmAll' : 'followup.stop.confirmDose'), [
            postbackAction(yes, { a: 'menu', f: 'symptoms', p: `stopok:${checkinId}:${value}` }, yes),
            postbackAction(keep, { a: 'menu', f: 'symptoms', p: 'keep' }, keep),
          ]),
        ],
      };
    }
    const stopped = await stopFollowUps({ db: ctx.db, lineUserId: ctx.lineUserId, checkinId, scope: value, now: ctx.now });
    if (!stopped.ok) return notFound;
    return { type: 'done', messages: [textMessage(ctx.t(value === 'all' ? 'followup.stop.doneAll' : 'followup.stop.doneDose'))] };
  }
  return null;
}

export const symptomReportFlow: Flow<ReportData> = {
  id: 'symptom-report',
  version: 1,
  dataSchema,
  async start(ctx, param) {
    if (param) {
      const outcome = await startFromButton(ctx, param);
      return outcome ?? { type: 'done', messages: [textMessage(ctx.t('error.staleButton'))] };
    }
    const people = await listChoosablePeople(ctx);
    if (people.length === 0) {
      return { type: 'done', messages: [textMessage(ctx.t('register.required'), [postbackAction(ctx.t('feature.register'), { a: 'menu', f: 'register' })])] };
    }
    // Only people with a dose in the window can report here.
    const since = new Date(ctx.now.getTime() - REPORT_WINDOW_DAYS * DAY_MS);
    const withDoses = await ctx.db.vaccination.findMany({
      where: { personId: { in: people.map((p) => p.personId) }, status: 'RECORDED', administeredAt: { gte: since } },
      select: { personId: true },
      distinct: ['personId'],
    });
    const eligible = people.filter((p) => withDoses.some((d) => d.personId === p.personId));
    if (eligible.length === 0) return { type: 'done', messages: [textMessage(ctx.t('followup.report.noDose'))] };
    const data = emptyData(refsOf(eligible));
    if (eligible.length === 1) return afterPerson(ctx, { ...data, personId: eligible[0]!.personId, name: eligible[0]!.firstName });
    return { type: 'next', step: 'person', data };
  },
  steps: { person, dose, symptoms, severity, onset, doctor, admitted, note, summary },
};
