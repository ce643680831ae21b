/**
 * Risk self-screening, for the LINE user or a family member they registered:
 * for whom? → occupation group → the 6 asked chronic disease groups (yes/no, with examples) →
 * weight → height (obesity is computed, never asked) → pregnancy (only when it can apply) →
 * the result card: priority group, whether booking is open, BMI.
 *
 * Every question after the first has "back" (to change the previous answer) and "cancel".
 * Nothing is stored until the last answer: then one RiskScreening row is added (history is
 * kept; the latest counts). Age is never asked: it comes from the registered date of birth.
 * Health data (PDPA s.26) sits in the flow state only until the flow ends or expires.
 */
import { z } from 'zod';
import type { Flow, FlowStep, StepOutcome, UserInput } from '../flow.js';
import type { BotContext } from '../context.js';
import { isMessageKey, type MessageKey } from '../../i18n/index.js';
import type { LineMessage } from '../../line/line-gateway.js';
import { postbackAction, textMessage, type QuickReplyAction } from '../../line/message-builders.js';
import { screeningResultCard, type ScreeningResultEligibility } from '../../../flex-templates/screening-result.js';
import { choosePersonPrompt, listChoosablePeople, readChosenPerson, refsOf } from './steps/choose-person.js';
import { askedChronicDiseases, checkBodySize, occupations, parseHeightCm, parseWeightKg, type AskedChronicDisease } from '../../domain/screening/priority-group.js';
import { getScreeningSubject } from '../../domain/screening/get-screening-subject.js';
import { recordScreening } from '../../domain/screening/record-screening.js';
import { getBookingEligibility } from '../../domain/screening/get-booking-eligibility.js';
import { AppError } from '../../shared/app-error.js';
import { bangkokToday } from '../../shared/clock.js';
import { answerValue, textOf } from '../input.js';

const dataSchema = z.object({
  /** Short refs used in buttons ("1", "2", ...) → person ids. */
  people: z.record(z.string(), z.string()),
  personId: z.string().optional(),
  /** First name, for the questions ("Does Somchai have ..."). */
  name: z.string().optional(),
  pregnancyApplies: z.boolean(),
  occupation: z.enum(occupations).optional(),
  /** Asked diseases answered "yes" so far. */
  diseases: z.array(z.enum(askedChronicDiseases)),
  weightKg: z.number().optional(),
  heightCm: z.number().optional(),
});
type ScreeningData = z.infer<typeof dataSchema>;
type Step = FlowStep<ScreeningData>;
type Outcome = StepOutcome<ScreeningData>;

/** The parameter the booking flow sends an unscreened person here with. */
export const SCREEN_PERSON_PARAM_PREFIX = 'person:';

const diseaseStep = (code: AskedChronicDisease) => `disease_${code}`;
const diseaseSteps = askedChronicDiseases.map(diseaseStep);

/** The questions in order, for "back" and the (n/total) counter. */
function questionOrder(data: ScreeningData): string[] {
  return ['occupation', ...diseaseSteps, 'weight', 'height', ...(data.pregnancyApplies ? ['pregnancy'] : [])];
}

/** Where "back" goes from `step`, or undefined on the first question of a one-person account. */
function previousStep(step: string, data: ScreeningData): string | undefined {
  const order = questionOrder(data);
  const index = order.indexOf(step);
  if (index > 0) return order[index - 1];
  return Object.keys(data.people).length > 1 ? 'person' : undefined;
}

const backWords = new Set(['กลับ', 'ย้อนกลับ', 'back']);

function wantsBack(input: UserInput, step: string): boolean {
  if (answerValue(input, step) === 'back') return true;
  const typed = textOf(input)?.toLowerCase();
  return typed !== undefined && backWords.has(typed);
}

function goBack(step: string, data: ScreeningData): Outcome {
  const previous = previousStep(step, data);
  return previous ? { type: 'next', step: previous, data } : { type: 'reprompt', reason: [] };
}

/** A question with its answers as quick replies, then back (when there is one) and cancel. */
function question(ctx: BotContext, step: string, data: ScreeningData, text: string, answers: ReadonlyArray<[value: string, label: string]>): LineMessage[] {
  const order = questionOrder(data);
  const counter = ctx.t('screening.progress', { n: order.indexOf(step) + 1, total: order.length });
  const actions: QuickReplyAction[] = answers.map(([value, label]) => postbackAction(label, { a: 'ans', s: step, v: value }, label));
  if (previousStep(step, data)) actions.push(postbackAction(ctx.t('common.back'), { a: 'ans', s: step, v: 'back' }, ctx.t('common.back')));
  actions.push(postbackAction(ctx.t('common.cancel'), { a: 'cancel' }, ctx.t('common.cancel')));
  return [textMessage(`${counter} ${text}`, actions)];
}

/** A button answer, or the same words typed (a label, or a plain yes/no). */
function chosenValue(input: UserInput, step: string, options: ReadonlyArray<[value: string, label: string]>, typedAliases: Record<string, string> = {}): string | undefined {
  const tapped = answerValue(input, step);
  if (tapped !== undefined) return options.some(([value]) => value === tapped) ? tapped : undefined;
  const typed = textOf(input)?.toLowerCase();
  if (!typed) return undefined;
  return options.find(([, label]) => label.toLowerCase() === typed)?.[0] ?? (Object.hasOwn(typedAliases, typed) ? typedAliases[typed] : undefined);
}

const yesNoAliases: Record<string, string> = {
  มี: 'yes', ใช่: 'yes', เป็น: 'yes', yes: 'yes', y: 'yes',
  ไม่มี: 'no', ไม่ใช่: 'no', ไม่เป็น: 'no', ไม่: 'no', no: 'no', n: 'no',
};

/** Picks the person and moves to the first question, or says why not. */
async function choosePerson(ctx: BotContext, data: ScreeningData, personId: string): Promise<Outcome | null> {
  const subject = await getScreeningSubject({ db: ctx.db, lineUserId: ctx.lineUserId, personId, now: ctx.now });
  if (!subject) return null;
  return {
    type: 'next',
    step: 'occupation',
    data: { ...data, personId: subject.personId, name: subject.firstName, pregnancyApplies: subject.pregnancyApplies },
    messages: [textMessage(ctx.t('screening.intro', { name: subject.firstName }))],
  };
}

const person: Step = {
  async prompt(ctx, data) {
    // The refs handed out at the start; someone registered since then is not offered.
    const people = (await listChoosablePeople(ctx)).filter((p) => data.people[p.ref] === p.personId);
    return choosePersonPrompt(ctx, 'person', people, 'screening.choosePerson');
  },
  async handle(ctx, input, data) {
    const personId = readChosenPerson(input, 'person', data.people);
    if (!personId) return { type: 'reprompt', reason: 'choosePerson.pickFromButtons' };
    return (await choosePerson(ctx, data, personId)) ?? { type: 'reprompt', reason: 'error.notFound' };
  },
};

function occupationOptions(ctx: BotContext): Array<[string, string]> {
  return occupations.map((o) => [o, ctx.t(`screening.occupation.${o}`)]);
}

const occupation: Step = {
  prompt: (ctx, data) => question(ctx, 'occupation', data, ctx.t('screening.askOccupation', { name: data.name ?? '' }), occupationOptions(ctx)),
  async handle(ctx, input, data) {
    if (wantsBack(input, 'occupation')) return goBack('occupation', data);
    const value = occupations.find((o) => o === chosenValue(input, 'occupation', occupationOptions(ctx)));
    if (!value) return { type: 'reprompt', reason: 'screening.pickFromButtons' };
    return { type: 'next', step: diseaseSteps[0]!, data: { ...data, occupation: value } };
  },
};

function yesNoOptions(ctx: BotContext): Array<[string, string]> {
  return [
    ['yes', ctx.t('screening.answer.yes')],
    ['no', ctx.t('screening.answer.no')],
  ];
}

function diseaseQuestion(code: AskedChronicDisease, index: number): Step {
  const step = diseaseStep(code);
  const next = diseaseSteps[index + 1] ?? 'weight';
  return {
    prompt: (ctx, data) => question(ctx, step, data, ctx.t(`screening.ask.${code}` as MessageKey, { name: data.name ?? '' }), yesNoOptions(ctx)),
    async handle(ctx, input, data) {
      if (wantsBack(input, step)) return goBack(step, data);
      const answer = chosenValue(input, step, yesNoOptions(ctx), yesNoAliases);
      if (answer !== 'yes' && answer !== 'no') return { type: 'reprompt', reason: 'screening.pickFromButtons' };
      // Going back and answering again replaces the earlier answer.
      const others = data.diseases.filter((d) => d !== code);
      const diseases = answer === 'yes' ? askedChronicDiseases.filter((d) => d === code || others.includes(d)) : others;
      return { type: 'next', step: next, data: { ...data, diseases } };
    },
  };
}

const weight: Step = {
  prompt: (ctx, data) => question(ctx, 'weight', data, ctx.t('screening.askWeight', { name: data.name ?? '' }), []),
  async handle(_ctx, input, data) {
    if (wantsBack(input, 'weight')) return goBack('weight', data);
    const result = parseWeightKg(textOf(input) ?? '');
    if (!result.ok) return { type: 'reprompt', reason: result.reason };
    return { type: 'next', step: 'height', data: { ...data, weightKg: result.value } };
  },
};

const height: Step = {
  prompt: (ctx, data) => question(ctx, 'height', data, ctx.t('screening.askHeight'), []),
  async handle(ctx, input, data) {
    if (wantsBack(input, 'height')) return goBack('height', data);
    const result = parseHeightCm(textOf(input) ?? '');
    if (!result.ok) return { type: 'reprompt', reason: result.reason };
    const bodySize = checkBodySize(data.weightKg ?? 0, result.value);
    if (!bodySize.ok) return { type: 'reprompt', reason: bodySize.reason };
    const answered = { ...data, heightCm: result.value };
    return data.pregnancyApplies ? { type: 'next', step: 'pregnancy', data: answered } : finish(ctx, answered, false);
  },
};

function pregnancyOptions(ctx: BotContext): Array<[string, string]> {
  return [
    ['yes', ctx.t('screening.pregnancy.yes')],
    ['no', ctx.t('screening.pregnancy.no')],
  ];
}

const pregnancy: Step = {
  prompt: (ctx, data) => question(ctx, 'pregnancy', data, ctx.t('screening.askPregnancy', { name: data.name ?? '' }), pregnancyOptions(ctx)),
  async handle(ctx, input, data) {
    if (wantsBack(input, 'pregnancy')) return goBack('pregnancy', data);
    const answer = chosenValue(input, 'pregnancy', pregnancyOptions(ctx), yesNoAliases);
    if (answer !== 'yes' && answer !== 'no') return { type: 'reprompt', reason: 'screening.pickFromButtons' };
    return finish(ctx, data, answer === 'yes');
  },
};

/** Stores the screening and answers with the result card. */
async function finish(ctx: BotContext, data: ScreeningData, pregnant: boolean): Promise<Outcome> {
  const { personId, occupation: job, weightKg, heightCm } = data;
  // Unreachable through the steps; a damaged state ends politely rather than storing half an answer.
  if (!personId || !job || weightKg === undefined || heightCm === undefined) return { type: 'cancelled', messages: [textMessage(ctx.t('error.generic'))] };
  const screening = await recordScreening({
    db: ctx.db,
    lineUserId: ctx.lineUserId,
    personId,
    now: ctx.now,
    answers: { occupation: job, diseases: data.diseases, weightKg, heightCm, pregnant },
  }).catch((err: unknown) => {
    // The person was erased while the questions were open: say so rather than fail.
    if (err instanceof AppError) return err;
    throw err;
  });
  if (screening instanceof AppError) return { type: 'done', messages: [textMessage(ctx.t(isMessageKey(screening.userMessageKey) ? screening.userMessageKey : 'error.generic'))] };
  const eligibility = await getBookingEligibility({ db: ctx.db, personId, onDate: bangkokToday(ctx.now) });
  const shown: ScreeningResultEligibility = eligibility.status === 'eligible' ? { status: 'eligible' } : { status: 'not-yet', opensOn: eligibility.status === 'not-yet' ? eligibility.opensOn : null };
  const card = screeningResultCard(
    {
      personName: data.name ?? '',
      priorityGroup: screening.priorityGroup,
      eligibility: shown,
      chronicDiseases: screening.chronicDiseases,
      bmi: screening.bmi ?? 0,
      weightKg,
      heightCm,
      screenedAt: screening.screenedAt,
    },
    ctx.locale,
  );
  return { type: 'done', messages: [card] };
}

export const screeningFlow: Flow<ScreeningData> = {
  id: 'screening',
  version: 1,
  dataSchema,
  /** `param` 'person:<personId>' (from the booking flow) screens that person, if the account manages them. */
  async start(ctx, param) {
    const people = await listChoosablePeople(ctx);
    if (people.length === 0) {
      return { type: 'done', messages: [textMessage(ctx.t('register.required'), [postbackAction(ctx.t('feature.register'), { a: 'menu', f: 'register' })])] };
    }
    const data: ScreeningData = { people: refsOf(people), pregnancyApplies: false, diseases: [] };
    const requested = param?.startsWith(SCREEN_PERSON_PARAM_PREFIX) ? param.slice(SCREEN_PERSON_PARAM_PREFIX.length) : undefined;
    // Only one of the account's own people: any other id falls back to asking.
    const direct = people.find((p) => p.personId === requested) ?? (people.length === 1 ? people[0] : undefined);
    if (direct) {
      const chosen = await choosePerson(ctx, data, direct.personId);
      if (chosen) return chosen;
    }
    return { type: 'next', step: 'person', data };
  },
  steps: {
    person,
    occupation,
    ...Object.fromEntries(askedChronicDiseases.map((code, i) => [diseaseStep(code), diseaseQuestion(code, i)])),
    weight,
    height,
    pregnancy,
  },
};
