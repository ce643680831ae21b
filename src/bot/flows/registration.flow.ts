/**
 * Registration, for the LINE user themself or a family member (`forFamily`):
 * PDPA consent → identity document → name → date of birth → sex → mobile → province →
 * summary (edit any field, then confirm) → identity check and registration.
 *
 * Personal data: the document number is hashed and encrypted as soon as it is typed; the
 * flow state (stored in PostgreSQL) only ever holds the hash, the ciphertext and a mask.
 */
import { z } from 'zod';
import type { Flow, FlowStep, StepOutcome, UserInput } from '../flow.js';
import type { BotContext } from '../context.js';
import type { LineMessage } from '../../line/line-gateway.js';
import { datePickerAction, postbackAction, textMessage } from '../../line/message-builders.js';
import { consentCard } from '../../../flex-templates/consent-card.js';
import { registrationSummary, editableFields, type EditableField } from '../../../flex-templates/registration-summary.js';
import { provincePicker } from '../../../flex-templates/province-picker.js';
import { isValidThaiNationalId, normaliseThaiId, isPlausiblePassport, normalisePassport, passportKey } from '../../domain/identity/thai-national-id.js';
import { maskIdentityNumber } from '../../shared/personal-data.js';
import { parseBirthDate, parsePersonName, parseThaiMobile, formatThaiMobile, oldestBirthDate } from '../../domain/registration/input-rules.js';
import { findCountryCode, countryName } from '../../domain/reference/countries.js';
import { findProvinces, getProvince, provincesInRegion, regions, type Region } from '../../domain/reference/find-provinces.js';
import { recordConsent } from '../../domain/registration/record-consent.js';
import { registerPerson, MAX_FAMILY_MEMBERS } from '../../domain/registration/register-person.js';
import { getRegistrationStatus } from '../../domain/registration/get-registration-status.js';
import { AppError } from '../../shared/app-error.js';
import { bangkokToday } from '../../shared/clock.js';
import { answerValue, textOf } from '../input.js';

const dataSchema = z.object({
  forFamily: z.boolean(),
  consentId: z.string().optional(),
  identityType: z.enum(['THAI_ID', 'PASSPORT']).optional(),
  idHash: z.string().optional(),
  idCiphertext: z.string().optional(),
  maskedId: z.string().optional(),
  nationality: z.string().length(3).optional(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  birthDate: z.string().optional(),
  sex: z.enum(['male', 'female', 'unspecified']).optional(),
  phone: z.string().optional(),
  provinceCode: z.string().optional(),
  /** Set when the user came from the summary's edit button: go back there afterwards. */
  editing: z.boolean().default(false),
});
export type RegistrationData = z.infer<typeof dataSchema>;

type Step = FlowStep<RegistrationData>;
type Outcome = StepOutcome<RegistrationData>;

/** The step after a field: back to the summary when editing, else the next question. */
function after(data: RegistrationData, next: string, changes: Partial<RegistrationData>): Outcome {
  const merged = { ...data, ...changes };
  return merged.editing ? { type: 'next', step: 'summary', data: { ...merged, editing: false } } : { type: 'next', step: next, data: merged };
}

const consent: Step = {
  prompt: (ctx, data) => [consentCard({ version: ctx.services.settings.consentVersion, onBehalf: data.forFamily, step: 'consent' }, ctx.locale)],
  async handle(ctx, input, data) {
    const answer = answerValue(input, 'consent');
    if (answer !== 'accept' && answer !== 'decline') return { type: 'reprompt', reason: [] };
    const consentId = await recordConsent({
      db: ctx.db,
      lineUserId: ctx.lineUserId,
      version: ctx.services.settings.consentVersion,
      accepted: answer === 'accept',
      onBehalf: data.forFamily,
    });
    if (answer === 'decline') {
      return { type: 'done', messages: [textMessage(ctx.t('consent.declined'), [postbackAction(ctx.t('feature.register'), { a: 'menu', f: 'register' })])] };
    }
    return { type: 'next', step: 'idType', data: { ...data, consentId } };
  },
};

const idType: Step = {
  prompt: (ctx) => [
    textMessage(ctx.t('register.askIdType'), [
      postbackAction(ctx.t('register.idType.THAI_ID'), { a: 'ans', s: 'idType', v: 'THAI_ID' }, ctx.t('register.idType.THAI_ID')),
      postbackAction(ctx.t('register.idType.PASSPORT'), { a: 'ans', s: 'idType', v: 'PASSPORT' }, ctx.t('register.idType.PASSPORT')),
    ]),
  ],
  async handle(_ctx, input, data) {
    const answer = answerValue(input, 'idType');
    // Typing the number straight away is the common case: treat 13 digits as a Thai ID.
    const typed = textOf(input);
    if (answer === 'THAI_ID' || answer === 'PASSPORT') return { type: 'next', step: answer === 'THAI_ID' ? 'thaiId' : 'passport', data: { ...data, identityType: answer } };
    if (typed && /^[\d\s-]{13,17}$/.test(typed)) return thaiId.handle(_ctx, input, { ...data, identityType: 'THAI_ID' });
    return { type: 'reprompt', reason: [] };
  },
};

function identityChanges(ctx: BotContext, kind: 'THAI_ID' | 'PASSPORT', number: string): Partial<RegistrationData> {
  return {
    identityType: kind,
    ...(kind === 'THAI_ID' ? { idHash: ctx.services.cipher.hashIdentity(kind, number) } : {}),
    idCiphertext: ctx.services.cipher.encrypt(number),
    maskedId: maskIdentityNumber(kind, number),
  };
}

const thaiId: Step = {
  prompt: (ctx) => [textMessage(ctx.t('register.askThaiId'))],
  async handle(ctx, input, data) {
    const typed = textOf(input);
    if (!typed || !isValidThaiNationalId(typed)) return { type: 'reprompt', reason: 'register.badThaiId' };
    const changes = { ...identityChanges(ctx, 'THAI_ID', normaliseThaiId(typed)), nationality: 'THA' };
    return after(data, 'firstName', changes);
  },
};

const passport: Step = {
  prompt: (ctx) => [textMessage(ctx.t('register.askPassport'))],
  async handle(ctx, input, data) {
    const typed = textOf(input);
    if (!typed || !isPlausiblePassport(typed)) return { type: 'reprompt', reason: 'register.badPassport' };
    // The lookup hash needs the issuing country too (passport numbers repeat across
    // countries), so it is computed at the nationality step.
    const number = normalisePassport(typed);
    const { idHash: _previousDocument, ...rest } = data;
    return { type: 'next', step: 'nationality', data: { ...rest, ...identityChanges(ctx, 'PASSPORT', number) } };
  },
};

const nationality: Step = {
  prompt: (ctx) => [textMessage(ctx.t('register.askNationality'))],
  async handle(ctx, input, data) {
    const typed = textOf(input);
    const code = typed ? findCountryCode(typed) : null;
    if (!code || !data.idCiphertext) return { type: 'reprompt', reason: 'register.badNationality' };
    const idHash = ctx.services.cipher.hashIdentity('PASSPORT', passportKey(code, ctx.services.cipher.decrypt(data.idCiphertext)));
    return after(data, 'firstName', { nationality: code, idHash });
  },
};

export { passportKey };

function nameStep(field: 'firstName' | 'lastName', next: string): Step {
  return {
    prompt: (ctx) => [textMessage(ctx.t(field === 'firstName' ? 'register.askFirstName' : 'register.askLastName'))],
    async handle(_ctx, input, data) {
      const result = parsePersonName(textOf(input) ?? '');
      if (!result.ok) return { type: 'reprompt', reason: result.reason };
      // Editing the name from the summary asks both parts: only the last one returns.
      if (field === 'firstName') return { type: 'next', step: next, data: { ...data, firstName: result.value } };
      return after(data, next, { lastName: result.value });
    },
  };
}

const birthDate: Step = {
  prompt(ctx) {
    const today = bangkokToday(ctx.now);
    return [
      textMessage(ctx.t('register.askBirthDate'), [
        datePickerAction(ctx.t('register.pickBirthDate'), { a: 'ans', s: 'birthDate', v: 'picked' }, { initial: '1970-01-01', min: oldestBirthDate(today), max: today }),
      ]),
    ];
  },
  async handle(ctx, input, data) {
    const raw = input.kind === 'postback' ? input.params?.date : textOf(input);
    if (!raw) return { type: 'reprompt', reason: 'register.badBirthDate' };
    const result = parseBirthDate(raw, bangkokToday(ctx.now));
    if (!result.ok) return { type: 'reprompt', reason: result.reason };
    return after(data, 'sex', { birthDate: result.value });
  },
};

const sexOptions = ['male', 'female', 'unspecified'] as const;
const sex: Step = {
  prompt: (ctx) => [
    textMessage(
      ctx.t('register.askSex'),
      sexOptions.map((s) => postbackAction(ctx.t(`register.sex.${s}`), { a: 'ans', s: 'sex', v: s }, ctx.t(`register.sex.${s}`))),
    ),
  ],
  async handle(ctx, input, data) {
    const answer = answerValue(input, 'sex') ?? sexFromText(ctx, textOf(input));
    const value = sexOptions.find((s) => s === answer);
    if (!value) return { type: 'reprompt', reason: [] };
    return after(data, 'phone', { sex: value });
  },
};

function sexFromText(ctx: BotContext, text: string | undefined): string | undefined {
  if (!text) return undefined;
  return sexOptions.find((s) => ctx.t(`register.sex.${s}`).toLowerCase() === text.trim().toLowerCase());
}

const phone: Step = {
  prompt: (ctx) => [textMessage(ctx.t('register.askPhone'))],
  async handle(_ctx, input, data) {
    const result = parseThaiMobile(textOf(input) ?? '');
    if (!result.ok) return { type: 'reprompt', reason: result.reason };
    return after(data, 'province', { phone: result.value });
  },
};

/** Province: typed name (Thai or English), or region → carousel of that region's provinces. */
export function provinceQuestion(ctx: BotContext, step: string): LineMessage[] {
  return [
    textMessage(
      ctx.t('register.askProvince'),
      regions.map((r) => postbackAction(ctx.t(`region.${r}`), { a: 'ans', s: step, v: `region:${r}` }, ctx.t(`region.${r}`))),
    ),
  ];
}

/**
 * Shared by registration and profile editing: reads a province answer.
 * @returns the chosen code, or messages to show (a picker, or "not found").
 */
export async function readProvinceAnswer(ctx: BotContext, input: UserInput, step: string): Promise<{ code: string } | { messages: LineMessage[] }> {
  const answer = answerValue(input, step);
  if (answer?.startsWith('code:')) {
    const province = await getProvince({ db: ctx.db, code: answer.slice(5) });
    if (province) return { code: province.code };
  }
  if (answer?.startsWith('region:')) {
    const region = answer.slice(7) as Region;
    const provinces = await provincesInRegion({ db: ctx.db, region });
    return { messages: [provincePicker({ step, title: ctx.t(`region.${region}`), provinces }, ctx.locale)] };
  }
  const typed = textOf(input);
  if (typed) {
    const matches = await findProvinces({ db: ctx.db, query: typed });
    if (matches.length === 1) return { code: matches[0]!.code };
    if (matches.length > 1) return { messages: [textMessage(ctx.t('register.provinceMany')), provincePicker({ step, title: ctx.t('register.pickProvince'), provinces: matches }, ctx.locale)] };
    return { messages: [textMessage(ctx.t('register.provinceNotFound', { input: typed.slice(0, 50) }))] };
  }
  return { messages: [] };
}

const province: Step = {
  prompt: (ctx) => provinceQuestion(ctx, 'province'),
  async handle(ctx, input, data) {
    const result = await readProvinceAnswer(ctx, input, 'province');
    if ('code' in result) return { type: 'next', step: 'summary', data: { ...data, provinceCode: result.code, editing: false } };
    // A region choice shows its provinces: that is not an error, so no "again" prompt.
    return { type: 'reprompt', reason: result.messages };
  },
};

const summary: Step = {
  async prompt(ctx, data) {
    const provinceRow = data.provinceCode ? await getProvince({ db: ctx.db, code: data.provinceCode }) : null;
    const summaryCard = registrationSummary(
      {
        forFamily: data.forFamily,
        step: 'summary',
        identityType: data.identityType ?? 'THAI_ID',
        maskedId: data.maskedId ?? '-',
        nationalityName: data.identityType === 'PASSPORT' && data.nationality ? countryName(data.nationality, ctx.locale) : undefined,
        firstName: data.firstName ?? '',
        lastName: data.lastName ?? '',
        birthDate: data.birthDate ?? '',
        sex: data.sex ?? 'unspecified',
        phoneDisplay: data.phone ? formatThaiMobile(data.phone) : '-',
        provinceName: provinceRow ? (ctx.locale === 'th' ? provinceRow.nameTh : provinceRow.nameEn) : '-',
      },
      ctx.locale,
    );
    return [summaryCard];
  },
  async handle(ctx, input, data) {
    const answer = answerValue(input, 'summary');
    if (answer?.startsWith('edit:')) {
      const field = answer.slice(5) as EditableField;
      if (!editableFields.includes(field)) return { type: 'reprompt', reason: [] };
      const step = { identity: 'idType', name: 'firstName', birthDate: 'birthDate', sex: 'sex', phone: 'phone', province: 'province' }[field];
      return { type: 'next', step, data: { ...data, editing: true } };
    }
    if (answer !== 'confirm') return { type: 'reprompt', reason: [] };
    return confirmRegistration(ctx, data);
  },
};

async function confirmRegistration(ctx: BotContext, data: RegistrationData): Promise<Outcome> {
  const d = data;
  if (!d.consentId || !d.identityType || !d.idHash || !d.idCiphertext || !d.nationality || !d.firstName || !d.lastName || !d.birthDate || !d.sex || !d.phone || !d.provinceCode) {
    // Cannot happen through the steps; restart rather than save half a record.
    return { type: 'cancelled', messages: [textMessage(ctx.t('error.generic'))] };
  }
  try {
    const { verificationStatus, dosesClaimed } = await registerPerson({
      db: ctx.db,
      register: ctx.services.register,
      identityLimiter: ctx.services.identityLimiter,
      lineUserId: ctx.lineUserId,
      isSelf: !d.forFamily,
      consentId: d.consentId,
      now: ctx.now,
      details: {
        identityType: d.identityType,
        idHash: d.idHash,
        idCiphertext: d.idCiphertext,
        nationality: d.nationality,
        firstName: d.firstName,
        lastName: d.lastName,
        birthDate: d.birthDate,
        sex: d.sex,
        phone: d.phone,
        provinceCode: d.provinceCode,
      },
    });
    const name = `${d.firstName} ${d.lastName}`;
    const messages: LineMessage[] = [textMessage(ctx.t(d.forFamily ? 'register.doneFamily' : 'register.done', { name }))];
    if (verificationStatus === 'UNVERIFIED') messages.push(textMessage(ctx.t('register.unverifiedNote')));
    if (dosesClaimed > 0) {
      messages.push(textMessage(ctx.t('register.dosesFound', { count: dosesClaimed }), [postbackAction(ctx.t('feature.certificate'), { a: 'menu', f: 'certificate' })]));
    }
    return { type: 'done', messages, richMenu: 'member' };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    // A birth-date mismatch can be fixed from the summary; the other refusals end the flow.
    if (err.code === 'IDENTITY_MISMATCH') return { type: 'reprompt', reason: err.userMessageKey as 'register.identityMismatch' };
    return { type: 'done', messages: [textMessage(ctx.t(err.userMessageKey as 'error.generic'))] };
  }
}

export const registrationFlow: Flow<RegistrationData> = {
  id: 'registration',
  version: 1,
  dataSchema,
  start: (ctx) => startRegistration(ctx, false),
  steps: {
    consent,
    idType,
    thaiId,
    passport,
    nationality,
    firstName: nameStep('firstName', 'lastName'),
    lastName: nameStep('lastName', 'birthDate'),
    birthDate,
    sex,
    phone,
    province,
    summary,
  },
};

/** The same steps for a family member: consent is given on their behalf. */
export const familyRegistrationFlow: Flow<RegistrationData> = {
  ...registrationFlow,
  id: 'family-registration',
  start: (ctx) => startRegistration(ctx, true),
};

async function startRegistration(ctx: BotContext, forFamily: boolean): Promise<Outcome> {
  const status = await getRegistrationStatus({ db: ctx.db, lineUserId: ctx.lineUserId });
  if (!forFamily && status.hasSelf) {
    return {
      type: 'done',
      messages: [
        textMessage(ctx.t('register.alreadyRegistered'), [
          postbackAction(ctx.t('feature.profile'), { a: 'menu', f: 'profile' }),
          postbackAction(ctx.t('feature.family'), { a: 'menu', f: 'family' }),
        ]),
      ],
    };
  }
  if (forFamily && status.familyCount >= MAX_FAMILY_MEMBERS) return { type: 'done', messages: [textMessage(ctx.t('family.limitReached'))] };
  return { type: 'next', step: 'consent', data: { forFamily, editing: false } };
}

