/**
 * "My profile" (PDPA rights): see what we hold (masked), correct the mobile number or
 * province, export everything as a file, or erase it.
 */
import { z } from 'zod';
import type { Flow, FlowStep, StepOutcome } from '../flow.js';
import type { BotContext } from '../context.js';
import { postbackAction, textMessage } from '../../line/message-builders.js';
import { profileCards } from '../../../flex-templates/profile-cards.js';
import { getProfile, listManagedPersonIds } from '../../domain/profile/get-profile.js';
import { updateContact } from '../../domain/profile/update-contact.js';
import { requestDataExport } from '../../domain/profile/export-personal-data.js';
import { erasePersonalData } from '../../domain/profile/erase-personal-data.js';
import { MAX_FAMILY_MEMBERS } from '../../domain/registration/register-person.js';
import { formatThaiMobile, parseThaiMobile } from '../../domain/registration/input-rules.js';
import { answerValue, textOf } from '../input.js';
import { provinceQuestion, readProvinceAnswer } from './registration.flow.js';

const dataSchema = z.object({
  /** Short refs used in buttons ("1", "2", ...) → person ids, so postbacks stay small. */
  people: z.record(z.string(), z.string()),
  personId: z.string().optional(),
});
type ProfileData = z.infer<typeof dataSchema>;
type Step = FlowStep<ProfileData>;
type Outcome = StepOutcome<ProfileData>;

const overview: Step = {
  async prompt(ctx, data) {
    const people = await getProfile({ db: ctx.db, cipher: ctx.services.cipher, lineUserId: ctx.lineUserId });
    const refOf = new Map(Object.entries(data.people).map(([ref, id]) => [id, ref]));
    const familyCount = people.filter((p) => !p.isSelf).length;
    return [
      profileCards(
        {
          step: 'overview',
          canAddFamily: familyCount < MAX_FAMILY_MEMBERS,
          people: people.map((p, i) => ({
            personId: p.personId,
            ref: refOf.get(p.personId) ?? String(i + 1),
            isSelf: p.isSelf,
            identityType: p.identityType,
            maskedId: p.maskedId,
            fullName: `${p.firstName} ${p.lastName}`,
            birthDate: p.birthDate,
            phoneDisplay: formatThaiMobile(p.phone),
            provinceName: ctx.locale === 'th' ? p.provinceNameTh : p.provinceNameEn,
            verificationStatus: p.verificationStatus,
          })),
        },
        ctx.locale,
      ),
    ];
  },
  async handle(ctx, input, data) {
    const answer = answerValue(input, 'overview') ?? '';
    const [action, ref] = answer.split(':');
    // Own keys only: a forged ref like 'constructor' must not reach Object.prototype.
    const personId = ref && Object.hasOwn(data.people, ref) ? data.people[ref] : undefined;
    if (action === 'phone' && personId) return { type: 'next', step: 'phone', data: { ...data, personId } };
    if (action === 'province' && personId) return { type: 'next', step: 'province', data: { ...data, personId } };
    if (action === 'export') return exportData(ctx);
    if (action === 'delete') return { type: 'next', step: 'confirmDelete', data };
    return { type: 'reprompt', reason: [] };
  },
};

async function exportData(ctx: BotContext): Promise<Outcome> {
  const ttlMinutes = ctx.services.settings.exportLinkTtlMinutes;
  const { token } = await requestDataExport({ db: ctx.db, lineUserId: ctx.lineUserId, ttlMinutes, now: ctx.now });
  const url = `${ctx.services.settings.publicBaseUrl.replace(/\/$/, '')}/exports/${token}`;
  return { type: 'done', messages: [textMessage(ctx.t('profile.exportReady', { minutes: ttlMinutes, url }))] };
}

const phone: Step = {
  prompt: (ctx) => [textMessage(ctx.t('register.askPhone'))],
  async handle(ctx, input, data) {
    const result = parseThaiMobile(textOf(input) ?? '');
    if (!result.ok) return { type: 'reprompt', reason: result.reason };
    await updateContact({ db: ctx.db, lineUserId: ctx.lineUserId, personId: data.personId ?? '', change: { phone: result.value } });
    return { type: 'done', messages: [textMessage(ctx.t('profile.updated'))] };
  },
};

const province: Step = {
  prompt: (ctx) => provinceQuestion(ctx, 'province'),
  async handle(ctx, input, data) {
    const result = await readProvinceAnswer(ctx, input, 'province');
    if (!('code' in result)) return { type: 'reprompt', reason: result.messages };
    await updateContact({ db: ctx.db, lineUserId: ctx.lineUserId, personId: data.personId ?? '', change: { provinceCode: result.code } });
    return { type: 'done', messages: [textMessage(ctx.t('profile.updated'))] };
  },
};

const confirmDelete: Step = {
  prompt: (ctx) => [
    textMessage(ctx.t('profile.confirmDelete'), [
      postbackAction(ctx.t('profile.deleteConfirm'), { a: 'ans', s: 'confirmDelete', v: 'yes' }, ctx.t('profile.deleteConfirm')),
      postbackAction(ctx.t('common.cancel'), { a: 'cancel' }, ctx.t('common.cancel')),
    ]),
  ],
  async handle(ctx, input) {
    if (answerValue(input, 'confirmDelete') !== 'yes') return { type: 'reprompt', reason: [] };
    await erasePersonalData({ db: ctx.db, lineUserId: ctx.lineUserId });
    return { type: 'done', messages: [textMessage(ctx.t('profile.deleted'), [postbackAction(ctx.t('feature.register'), { a: 'menu', f: 'register' })])], richMenu: 'guest' };
  },
};

export const profileFlow: Flow<ProfileData> = {
  id: 'profile',
  version: 1,
  dataSchema,
  async start(ctx) {
    // Ids only: the overview's prompt reads (and logs access to) the personal data once.
    const personIds = await listManagedPersonIds({ db: ctx.db, lineUserId: ctx.lineUserId });
    if (personIds.length === 0) {
      return { type: 'done', messages: [textMessage(ctx.t('register.required'), [postbackAction(ctx.t('feature.register'), { a: 'menu', f: 'register' })])] };
    }
    return { type: 'next', step: 'overview', data: { people: Object.fromEntries(personIds.map((id, i) => [String(i + 1), id])) } };
  },
  steps: { overview, phone, province, confirmDelete },
};
