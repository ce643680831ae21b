/**
 * "Certificate": the vaccination certificates of the user and their family, one card each
 * (carousel), issued from the recorded doses (stored and re-sent unchanged while the doses
 * are). Buttons on the card start this flow again with a parameter:
 *   dcc:<personId>     the International pass (EU DCC) of that person, a second card in English
 *                      (a Thai-ID holder is first asked for the passport they travel on: its
 *                      number and the names as printed there, which border checks compare)
 *   report:<personId>  report wrong data: which field, (which dose), what is right → a
 *                      correction request for the hospital that recorded the dose
 * Person ids in buttons are checked against the LINE user every time (BOLA).
 */
import { z } from 'zod';
import type { Flow, FlowStep, StepOutcome } from '../flow.js';
import type { BotContext } from '../context.js';
import type { MessageKey } from '../../i18n/index.js';
import type { LineMessage } from '../../line/line-gateway.js';
import { postbackAction, textMessage } from '../../line/message-builders.js';
import { answerValue, textOf } from '../input.js';
import { listPersonIdsOfOwner, recordPersonalDataAccess } from '../../db/repositories/person.repository.js';
import { maskIdentityNumber } from '../../shared/personal-data.js';
import { romanizeThai } from '../../certificates/index.js';
import { dccPerson, issueCertificates } from '../../domain/certificates/issue-certificates.js';
import { loadCertificateData } from '../../domain/certificates/certificate-data.js';
import {
  CORRECT_VALUE_MAX,
  CORRECTION_FIELDS,
  DOSE_FIELDS,
  requestCertificateCorrection,
  type CorrectionField,
} from '../../domain/certificates/request-correction.js';
import { linkTravelDocument, parsePassportName, parsePassportNumber } from '../../domain/certificates/link-travel-document.js';
import { certificateCards, internationalPassCard, type CertificateCardView } from '../../../flex-templates/certificate-card.js';

const dataSchema = z.object({
  personId: z.string(),
  field: z.enum(CORRECTION_FIELDS).optional(),
  doseNumber: z.number().int().optional(),
  /** Linking a passport: the number typed, encrypted like every ID, and the given names. */
  passportCiphertext: z.string().optional(),
  givenNameLatin: z.string().optional(),
});
type CertificateData = z.infer<typeof dataSchema>;
type Step = FlowStep<CertificateData>;
type Outcome = StepOutcome<CertificateData>;

/** What building certificate messages needs: a chat context, or a notification's render context. */
export type CertificateMessageContext = Pick<BotContext, 'db' | 'locale' | 't' | 'now' | 'services'> & { lineUserId: string };

const baseUrl = (ctx: CertificateMessageContext) => ctx.services.settings.publicBaseUrl.replace(/\/+$/, '');

/**
 * The certificate cards of these people (of this LINE user), plus a line for those without
 * doses. Logs the access to personal data (the masked ID is decrypted) when a card is built.
 */
export async function certificateMessages(ctx: CertificateMessageContext, personIds: readonly string[]): Promise<{ messages: LineMessage[]; cards: number }> {
  const views: CertificateCardView[] = [];
  const withoutDoses: string[] = [];
  const notes: LineMessage[] = [];
  for (const personId of personIds) {
    const issued = await issueCertificates({ db: ctx.db, keys: ctx.services.certificates.keys, personId, requester: { lineUserId: ctx.lineUserId }, now: ctx.now });
    if (!issued.ok) {
      if (issued.refusal === 'no-doses' || issued.refusal === 'too-large') {
        const data = await loadCertificateData(ctx.db, personId);
        const name = data ? `${data.person.firstName} ${data.person.lastName}` : '';
        if (issued.refusal === 'no-doses') withoutDoses.push(name);
        else notes.push(textMessage(ctx.t('certificate.tooLarge', { name })));
      }
      continue;
    }
    const token = ctx.services.certificates.links.sign(issued.shc.id, ctx.now, ctx.locale);
    views.push({
      personId,
      fullName: `${issued.person.firstName} ${issued.person.lastName}`,
      birthDate: issued.person.birthDate,
      maskedId: maskIdentityNumber(issued.person.identityType, ctx.services.cipher.decrypt(issued.person.idCiphertext)),
      doses: issued.doses.map((d) => ({
        doseNumber: d.doseNumber,
        date: d.date,
        productName: ctx.locale === 'th' ? d.productNameTh : d.productNameEn,
        lotNumber: d.lotNumber,
        hospitalName: ctx.locale === 'th' ? d.hospitalNameTh : d.hospitalNameEn,
      })),
      complete: issued.complete,
      seriesDoses: issued.seriesDoses,
      qrImageUrl: `${baseUrl(ctx)}/certificates/${token}/qr.png`,
      fileUrl: `${baseUrl(ctx)}/certificates/${token}/card.smart-health-card`,
    });
  }
  const messages: LineMessage[] = [];
  if (views.length > 0) {
    await recordPersonalDataAccess(ctx.db, { actor: `line:${ctx.lineUserId}`, action: 'view-certificate', lineUserId: ctx.lineUserId });
    const { message, shown } = certificateCards(views, ctx.locale);
    messages.push(message);
    if (shown < views.length) messages.push(textMessage(ctx.t('certificate.moreThanShown', { shown, total: views.length })));
  }
  if (withoutDoses.length > 0) {
    messages.push(textMessage(views.length === 0 && personIds.length === withoutDoses.length ? ctx.t('certificate.noDoses') : ctx.t('certificate.noDosesFor', { names: withoutDoses.join(', ') })));
  }
  messages.push(...notes);
  return { messages: messages.slice(0, 5), cards: views.length };
}

async function internationalPass(ctx: BotContext, personId: string): Promise<Outcome> {
  const issued = await issueCertificates({ db: ctx.db, keys: ctx.services.certificates.keys, personId, requester: { lineUserId: ctx.lineUserId }, hcert: true, now: ctx.now });
  if (!issued.ok) {
    const key: MessageKey = issued.refusal === 'no-doses' ? 'certificate.noDoses' : 'certificate.notFound';
    return { type: 'done', messages: [textMessage(ctx.t(key))] };
  }
  const pass = issued.hcert!;
  const person = dccPerson(issued);
  const latest = issued.doses.at(-1)!;
  const token = ctx.services.certificates.links.sign(pass.id, ctx.now, ctx.locale);
  const validUntil = new Date(pass.issuedAt.getTime() + ctx.services.certificates.keys.dccValidityDays * 86_400_000).toISOString().slice(0, 10);
  const holder = issued.person;
  const passportNumber = holder.passport
    ? ctx.services.cipher.decrypt(holder.passport.ciphertext)
    : holder.identityType === 'PASSPORT'
      ? ctx.services.cipher.decrypt(holder.idCiphertext)
      : undefined;
  const card = internationalPassCard({
    familyName: person.familyNameLatin ?? romanizeThai(issued.person.lastName).toUpperCase(),
    givenName: person.givenNameLatin ?? romanizeThai(issued.person.firstName).toUpperCase(),
    ...(passportNumber ? { passport: maskIdentityNumber('PASSPORT', passportNumber) } : {}),
    birthDate: issued.person.birthDate,
    doseNumber: latest.doseNumber,
    seriesDoses: issued.seriesDoses,
    date: latest.date,
    productName: latest.productNameEn,
    certificateId: pass.revocationId,
    validUntil,
    qrImageUrl: `${baseUrl(ctx)}/certificates/${token}/qr.png`,
  });
  const name = `${issued.person.firstName} ${issued.person.lastName}`;
  const lead: MessageKey = holder.passport || holder.identityType === 'PASSPORT' ? 'certificate.internationalSentPassport' : 'certificate.internationalSent';
  return { type: 'done', messages: [textMessage(ctx.t(lead, { name })), card] };
}

// ---------------------------------------------------------------------------------------
// Linking the passport (before the first international pass of a Thai-ID holder)

const passportNumber: Step = {
  prompt: (ctx) => [textMessage(ctx.t('certificate.askPassport'), [postbackAction(ctx.t('certificate.skipPassport'), { a: 'ans', s: 'passportNumber', v: 'skip' })])],
  async handle(ctx, input, data) {
    if (answerValue(input, 'passportNumber') === 'skip') return internationalPass(ctx, data.personId);
    const parsed = parsePassportNumber(textOf(input) ?? '');
    if (!parsed.ok) return { type: 'reprompt', reason: 'certificate.badPassport' };
    return { type: 'next', step: 'givenNameLatin', data: { ...data, passportCiphertext: ctx.services.cipher.encrypt(parsed.value) } };
  },
};

const givenNameLatin: Step = {
  prompt: (ctx) => [textMessage(ctx.t('certificate.askGivenNameLatin'))],
  async handle(_ctx, input, data) {
    const parsed = parsePassportName(textOf(input) ?? '');
    if (!parsed.ok) return { type: 'reprompt', reason: 'certificate.badLatinName' };
    return { type: 'next', step: 'familyNameLatin', data: { ...data, givenNameLatin: parsed.value } };
  },
};

const familyNameLatin: Step = {
  prompt: (ctx) => [textMessage(ctx.t('certificate.askFamilyNameLatin'))],
  async handle(ctx, input, data) {
    const parsed = parsePassportName(textOf(input) ?? '');
    if (!parsed.ok) return { type: 'reprompt', reason: 'certificate.badLatinName' };
    if (!data.passportCiphertext || !data.givenNameLatin) return { type: 'cancelled', messages: [textMessage(ctx.t('error.generic'))] };
    const linked = await linkTravelDocument({
      db: ctx.db,
      cipher: ctx.services.cipher,
      lineUserId: ctx.lineUserId,
      personId: data.personId,
      nationality: 'THA',
      passportNumber: ctx.services.cipher.decrypt(data.passportCiphertext),
      givenNameLatin: data.givenNameLatin,
      familyNameLatin: parsed.value,
      now: ctx.now,
    });
    if (!linked.ok) return { type: 'done', messages: [textMessage(ctx.t('certificate.notFound'))] };
    const pass = await internationalPass(ctx, data.personId);
    if (pass.type !== 'done') return pass;
    return { ...pass, messages: [textMessage(ctx.t('certificate.passportLinked')), ...pass.messages] };
  },
};

/** A Thai-ID holder without a linked passport: ask for it first (or skip: romanised names). */
async function needsPassport(ctx: BotContext, personId: string): Promise<boolean> {
  const person = await ctx.db.person.findUnique({ where: { id: personId }, select: { identityType: true, travelDocument: { select: { personId: true } } } });
  return person?.identityType === 'THAI_ID' && !person.travelDocument;
}

// ---------------------------------------------------------------------------------------
// Report wrong data

const field: Step = {
  prompt: (ctx) => [
    textMessage(
      ctx.t('certificate.askField'),
      CORRECTION_FIELDS.map((f) => {
        const label = ctx.t(`certificate.field.${f}` as MessageKey);
        return postbackAction(label, { a: 'ans', s: 'field', v: f }, label);
      }),
    ),
  ],
  async handle(ctx, input, data) {
    const answer = answerValue(input, 'field');
    const chosen = CORRECTION_FIELDS.find((f) => f === answer);
    if (!chosen) return { type: 'reprompt', reason: [] };
    if (DOSE_FIELDS.has(chosen) && (await doseNumbersOf(ctx, data.personId)).length > 1) return { type: 'next', step: 'dose', data: { ...data, field: chosen } };
    return { type: 'next', step: 'value', data: { ...data, field: chosen } };
  },
};

const dose: Step = {
  async prompt(ctx, data) {
    const numbers = await doseNumbersOf(ctx, data.personId);
    return [
      textMessage(
        ctx.t('certificate.askDose'),
        numbers.slice(0, 12).map((n) => {
          const label = ctx.t('certificate.doseChoice', { dose: n });
          return postbackAction(label, { a: 'ans', s: 'dose', v: String(n) }, label);
        }),
      ),
    ];
  },
  async handle(ctx, input, data) {
    const chosen = Number(answerValue(input, 'dose'));
    if (!(await doseNumbersOf(ctx, data.personId)).includes(chosen)) return { type: 'reprompt', reason: [] };
    return { type: 'next', step: 'value', data: { ...data, doseNumber: chosen } };
  },
};

const value: Step = {
  prompt: (ctx) => [textMessage(ctx.t('certificate.askValue'))],
  async handle(ctx, input, data) {
    const text = textOf(input)?.trim();
    if (!text) return { type: 'reprompt', reason: [] };
    if ([...text].length > CORRECT_VALUE_MAX) return { type: 'reprompt', reason: 'certificate.valueTooLong' };
    const result = await requestCertificateCorrection({
      db: ctx.db,
      lineUserId: ctx.lineUserId,
      personId: data.personId,
      field: data.field as CorrectionField,
      ...(data.doseNumber !== undefined ? { doseNumber: data.doseNumber } : {}),
      correctValue: text,
    });
    if (!result.ok) return { type: 'done', messages: [textMessage(ctx.t(result.refusal === 'no-doses' ? 'certificate.noDoses' : 'certificate.notFound'))] };
    const hospital = await ctx.db.hospital.findUnique({ where: { code: result.hospitalCode }, select: { nameTh: true, nameEn: true } });
    const hospitalName = hospital ? (ctx.locale === 'th' ? hospital.nameTh : hospital.nameEn) : result.hospitalCode;
    return { type: 'done', messages: [textMessage(ctx.t('certificate.reportSent', { hospital: hospitalName }))] };
  },
};

async function doseNumbersOf(ctx: BotContext, personId: string): Promise<number[]> {
  const rows = await ctx.db.vaccination.findMany({ where: { personId, status: 'RECORDED', person: { ownerId: ctx.lineUserId } }, orderBy: { doseNumber: 'asc' }, select: { doseNumber: true } });
  return rows.map((r) => r.doseNumber);
}

async function ownsPerson(ctx: BotContext, personId: string): Promise<boolean> {
  if (!/^[0-9a-f-]{36}$/i.test(personId)) return false;
  return (await ctx.db.person.count({ where: { id: personId, ownerId: ctx.lineUserId } })) > 0;
}

export const certificateFlow: Flow<CertificateData> = {
  id: 'certificate',
  version: 1,
  dataSchema,
  async start(ctx, param) {
    const [action, personId] = param?.split(':') ?? [];
    if (action === 'dcc' || action === 'report') {
      if (!personId || !(await ownsPerson(ctx, personId))) return { type: 'done', messages: [textMessage(ctx.t('certificate.notFound'))] };
      if (action === 'dcc') {
        return (await needsPassport(ctx, personId)) ? { type: 'next', step: 'passportNumber', data: { personId } } : internationalPass(ctx, personId);
      }
      return { type: 'next', step: 'field', data: { personId } };
    }
    const personIds = await listPersonIdsOfOwner(ctx.db, ctx.lineUserId);
    if (personIds.length === 0) {
      return { type: 'done', messages: [textMessage(ctx.t('register.required'), [postbackAction(ctx.t('feature.register'), { a: 'menu', f: 'register' })])] };
    }
    const { messages } = await certificateMessages(ctx, personIds);
    return { type: 'done', messages };
  },
  steps: { field, dose, value, passportNumber, givenNameLatin, familyNameLatin },
};
