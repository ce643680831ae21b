// Risk self-screening driven step by step through the conversation engine: for oneself and
// for a family member, every answer path, re-prompts, back, skipping pregnancy where it
// cannot apply, the result card per group, redo (history kept, the latest counts), and the
// person parameter the booking flow uses. Real PostgreSQL and Redis; the session is
// round-tripped through JSON after every step and every message validated for LINE.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoPeople, type DemoPerson } from '../../prisma/data/demo-people.js';
import { th } from '../../src/i18n/th.js';
import { en } from '../../src/i18n/en.js';
import { formatDate } from '../../src/i18n/index.js';
import { ageInYears } from '../../src/domain/screening/priority-group.js';
import { getBookingEligibility } from '../../src/domain/screening/get-booking-eligibility.js';
import { getLatestScreening } from '../../src/domain/screening/get-latest-screening.js';
import { recordScreening } from '../../src/domain/screening/record-screening.js';
import { bangkokToday } from '../../src/shared/clock.js';
import { AppError } from '../../src/shared/app-error.js';
import { answerUntil, startEngineHarness, type Chat, type EngineHarness, type Reply } from '../support/engine-harness.js';

let h: EngineHarness;

beforeAll(async () => {
  h = await startEngineHarness();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

const today = bangkokToday(new Date());
const ageOf = (p: DemoPerson) => ageInYears(p.birthDate, today);
const pool = generateDemoPeople(200).slice(2);
/** The next unused demo person who fits. */
function take(fits: (p: DemoPerson) => boolean): DemoPerson {
  const index = pool.findIndex(fits);
  if (index < 0) throw new Error('no demo person fits');
  return pool.splice(index, 1)[0]!;
}
const youngMan = () => take((p) => p.sex === 'male' && ageOf(p) >= 20 && ageOf(p) <= 50);
const youngWoman = () => take((p) => p.sex === 'female' && ageOf(p) >= 20 && ageOf(p) <= 50);
const olderWoman = () => take((p) => p.sex === 'female' && ageOf(p) >= 65);

const lead = (text: string) => text.split('{')[0]!.trim();
const diseaseSteps = ['disease_respiratory', 'disease_cardiovascular', 'disease_kidney', 'disease_cerebrovascular', 'disease_cancer', 'disease_diabetes'];

/** A LINE user registered as `self`, with `family` members. */
async function registered(self: DemoPerson, family: DemoPerson[] = []): Promise<Chat> {
  const chat = h.chat();
  await chat.follow();
  await answerUntil(chat, self);
  expect((await chat.answer('summary', 'confirm')).all).toContain(lead(th['register.done']));
  for (const member of family) {
    await chat.menu('family');
    await answerUntil(chat, member);
    await chat.answer('summary', 'confirm');
  }
  return chat;
}

async function personIdOf(chat: Chat, who: DemoPerson): Promise<string> {
  const row = await h.db.person.findFirstOrThrow({ where: { ownerId: chat.userId, firstName: who.firstName, birthDate: new Date(`${who.birthDate}T00:00:00Z`) } });
  return row.id;
}

interface Answers {
  occupation?: 'health_worker' | 'frontline' | 'other';
  yes?: readonly string[];
  weight?: string;
  height?: string;
  pregnant?: boolean;
  now?: Date;
}

/** Answers the question the flow is waiting on, as `a` says. */
function answerStep(chat: Chat, a: Answers): Promise<Reply> {
  const step = chat.session.step!;
  const tap = (value: string) => chat.postback({ a: 'ans', s: step, v: value }, undefined, a.now);
  if (step === 'occupation') return tap(a.occupation ?? 'other');
  if (step.startsWith('disease_')) return tap((a.yes ?? []).includes(step.slice('disease_'.length)) ? 'yes' : 'no');
  if (step === 'weight') return chat.text(a.weight ?? '65', a.now);
  if (step === 'height') return chat.text(a.height ?? '165', a.now);
  if (step === 'pregnancy') return tap(a.pregnant ? 'yes' : 'no');
  throw new Error(`unexpected step ${step}`);
}

/** Answers every question from wherever the flow is; returns the steps walked and the result. */
async function stepsWalked(chat: Chat, a: Answers = {}): Promise<{ steps: string[]; result: Reply }> {
  const steps: string[] = [];
  let result: Reply | undefined;
  while (chat.session.flowId === 'screening') {
    const step = chat.session.step!;
    if (steps.length > 12) throw new Error(`stuck at ${step}`);
    steps.push(step);
    result = await answerStep(chat, a);
  }
  if (!result) throw new Error('the screening flow was not running');
  return { steps, result };
}

async function answerScreening(chat: Chat, a: Answers = {}): Promise<Reply> {
  return (await stepsWalked(chat, a)).result;
}

describe('screening flow', () => {
  it('asks an unregistered user to register first', async () => {
    const chat = h.chat();
    const answer = await chat.menu('screening');
    expect(answer.texts).toEqual([th['register.required']]);
    expect(answer.quickReplies.map((q) => q.postback)).toEqual([{ a: 'menu', f: 'register' }]);
    expect(chat.session.flowId).toBeNull();
  });

  it('for oneself (one person): no "for whom?", every question in order, no pregnancy for a man; general can book now', async () => {
    const self = youngMan();
    const chat = await registered(self);
    const first = await chat.text('ประเมินความเสี่ยง');
    expect(chat.session).toMatchObject({ flowId: 'screening', step: 'occupation' });
    expect(first.all).toContain(th['screening.intro'].replace('{name}', self.firstName).split('\n')[0]);
    expect(first.all).toContain('(1/9)');
    // The first question has no "back" (there is nothing before it), but it has cancel.
    expect(first.quickReplies.map((q) => q.postback)).toEqual([
      { a: 'ans', s: 'occupation', v: 'health_worker' },
      { a: 'ans', s: 'occupation', v: 'frontline' },
      { a: 'ans', s: 'occupation', v: 'other' },
      { a: 'cancel' },
    ]);

    const { steps, result } = await stepsWalked(chat, { weight: '70', height: '175' });
    expect(steps).toEqual(['occupation', ...diseaseSteps, 'weight', 'height']);
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0]).toMatchObject({ type: 'flex', altText: `ผลการประเมินความเสี่ยงของคุณ${self.firstName}: ${th['screening.group.general']}` });
    expect(result.all).toContain(th['screening.result.canBook']);
    expect(result.all).toContain('22.9 (น้ำหนัก 70 กก. ส่วนสูง 175 ซม.)');
    expect(result.postbacks).toEqual([{ a: 'menu', f: 'book' }, { a: 'menu', f: 'screening' }]);

    const rows = await h.db.riskScreening.findMany({ where: { person: { ownerId: chat.userId } } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ answeredBy: chat.userId, ageYears: ageOf(self), chronicDiseases: [], pregnant: false, occupation: 'other', priorityGroup: 'general' });
    expect(rows[0]!.weightKg!.toNumber()).toBe(70);
    expect(rows[0]!.heightCm!.toNumber()).toBe(175);
    expect(rows[0]!.bmi!.toNumber()).toBe(22.9);
  });

  it('each disease question gives examples; "yes" to one disease is the 7-diseases group', async () => {
    const self = youngMan();
    const chat = await registered(self);
    await chat.menu('screening');
    await chat.answer('occupation', 'other');
    const respiratory = await chat.answer('disease_respiratory', 'no');
    expect(respiratory.all).toContain('(3/9)');
    expect(respiratory.all).toContain('หลอดเลือดหัวใจตีบ');
    expect(respiratory.quickReplies.map((q) => q.label)).toEqual(['มี', 'ไม่มี', 'กลับ', 'ยกเลิก']);
    const result = await answerScreening(chat, { yes: ['cancer'] });
    expect(result.all).toContain(th['screening.group.chronic_disease']);
    expect(result.all).toContain('โรคมะเร็ง');
    const row = await h.db.riskScreening.findFirstOrThrow({ where: { person: { ownerId: chat.userId } } });
    expect(row).toMatchObject({ chronicDiseases: ['cancer'], priorityGroup: 'chronic_disease' });
  });

  it.each([
    ['health_worker', {}, 'health_worker', []],
    ['frontline', {}, 'frontline', []],
    ['other', { yes: ['diabetes', 'respiratory'] }, 'chronic_disease', ['respiratory', 'diabetes']],
    ['other', { weight: '101', height: '190' }, 'chronic_disease', ['obesity']],
    ['other', { weight: '100', height: '190' }, 'general', []],
    ['health_worker', { yes: ['kidney'] }, 'health_worker', ['kidney']],
  ] as const)('occupation %s with %j → %s', async (occupation, extra, group, diseases) => {
    const chat = await registered(youngMan());
    await chat.menu('screening');
    const result = await answerScreening(chat, { occupation, ...extra });
    expect(result.all).toContain(th[`screening.group.${group}`]);
    const row = await h.db.riskScreening.findFirstOrThrow({ where: { person: { ownerId: chat.userId } } });
    expect(row.priorityGroup).toBe(group);
    expect(row.chronicDiseases).toEqual(diseases);
    expect(row.occupation).toBe(occupation);
  });

  it('obesity is computed and explained on the card, never asked', async () => {
    const chat = await registered(youngMan());
    await chat.menu('screening');
    const { steps, result } = await stepsWalked(chat, { weight: '110 kg', height: '170 cm' });
    expect(steps).not.toContain('disease_obesity');
    expect(result.all).toContain('38.1');
    expect(result.all).toContain(th['screening.result.obesityNote']);
    expect(result.all).toContain(th['screening.disease.obesity']);
  });

  it('re-prompts a weight it cannot read or cannot believe, and takes Thai digits and units', async () => {
    const chat = await registered(youngMan());
    await chat.menu('screening');
    await chat.answer('occupation', 'other');
    for (const step of diseaseSteps) await chat.answer(step, 'no');
    expect(chat.session.step).toBe('weight');

    const unreadable = await chat.text('หนักมาก');
    expect(unreadable.texts[0]).toBe(th['screening.badWeight']);
    expect(unreadable.all).toContain(lead(th['screening.askWeight']));
    expect(chat.session.step).toBe('weight');
    const tooHeavy = await chat.text('650');
    expect(tooHeavy.texts[0]).toBe(th['screening.weightOutOfRange']);
    const tooLight = await chat.text('0.5');
    expect(tooLight.texts[0]).toBe(th['screening.weightOutOfRange']);
    expect(chat.session.step).toBe('weight');

    await chat.text('๗๒.๕ กก.');
    expect(chat.session).toMatchObject({ step: 'height', data: { weightKg: 72.5 } });
    expect((await chat.text('สูงมาก')).texts[0]).toBe(th['screening.badHeight']);
    expect((await chat.text('300')).texts[0]).toBe(th['screening.heightOutOfRange']);
    // 72.5 kg and 45 cm (a typo for 145): both plausible alone, not together.
    expect((await chat.text('45')).texts[0]).toBe(th['screening.bodySizeImplausible']);
    expect(chat.session.step).toBe('height');
    const result = await chat.text('1.70 m');
    expect(result.all).toContain('25.1 (น้ำหนัก 72.5 กก. ส่วนสูง 170 ซม.)');
  });

  it('"back" returns to the previous question and a new answer replaces the old one', async () => {
    const chat = await registered(youngMan());
    await chat.menu('screening');
    await chat.answer('occupation', 'frontline');
    await chat.answer('disease_respiratory', 'yes');
    const back = await chat.answer('disease_cardiovascular', 'back');
    expect(chat.session.step).toBe('disease_respiratory');
    expect(back.all).toContain(lead(th['screening.ask.respiratory']));
    await chat.answer('disease_respiratory', 'no');
    for (const step of diseaseSteps.slice(1)) await chat.answer(step, 'no');
    await chat.text('70');
    await chat.text('กลับ'); // typed back from the height question
    expect(chat.session.step).toBe('weight');
    await chat.answer('weight', 'back');
    expect(chat.session.step).toBe('disease_diabetes');
    await chat.text('มี'); // typed yes
    await chat.text('80');
    const result = await chat.text('170');
    expect(result.all).toContain(th['screening.group.frontline']);
    const row = await h.db.riskScreening.findFirstOrThrow({ where: { person: { ownerId: chat.userId } } });
    expect(row.chronicDiseases).toEqual(['diabetes']);
    expect(row.weightKg!.toNumber()).toBe(80);
  });

  it('refuses answers that are not one of the buttons, and stale buttons', async () => {
    const chat = await registered(youngMan());
    await chat.menu('screening');
    const typed = await chat.text('เป็นหมอ');
    expect(typed.texts[0]).toBe(th['screening.pickFromButtons']);
    expect(chat.session.step).toBe('occupation');
    const forged = await chat.answer('occupation', 'president');
    expect(forged.texts[0]).toBe(th['screening.pickFromButtons']);
    await chat.answer('occupation', 'other');
    const stale = await chat.answer('occupation', 'health_worker');
    expect(stale.texts[0]).toBe(th['error.staleButton']);
    expect(chat.session.step).toBe('disease_respiratory');
  });

  it('cancel leaves without storing anything', async () => {
    const chat = await registered(youngMan());
    await chat.menu('screening');
    await chat.answer('occupation', 'health_worker');
    const cancelled = await chat.postback({ a: 'cancel' });
    expect(cancelled.all).toContain(th['common.cancelled']);
    expect(chat.session.flowId).toBeNull();
    expect(await h.db.riskScreening.count({ where: { person: { ownerId: chat.userId } } })).toBe(0);
  });

  it('for a family member: "for whom?", pregnancy asked for a woman of child-bearing age, stored for her', async () => {
    const self = youngMan();
    const wife = youngWoman();
    const chat = await registered(self, [wife]);
    const ask = await chat.menu('screening');
    expect(chat.session.step).toBe('person');
    expect(ask.texts).toEqual([th['screening.choosePerson']]);
    expect(ask.quickReplies.map((q) => q.label)).toEqual([`${self.firstName} (ตัวฉันเอง)`, wife.firstName]);
    // Typing is not choosing; neither is a ref that was never handed out.
    expect((await chat.text(wife.firstName)).texts[0]).toBe(th['choosePerson.pickFromButtons']);
    expect((await chat.answer('person', '7')).texts[0]).toBe(th['choosePerson.pickFromButtons']);

    const chosen = await chat.answer('person', '2');
    expect(chosen.all).toContain(`คุณ${wife.firstName}ทำงานในกลุ่มใดคะ?`);
    expect(chosen.all).toContain('(1/10)');
    // "Back" on the first question goes back to "for whom?" when there is a choice.
    expect(chosen.quickReplies.map((q) => q.label)).toContain('กลับ');

    const { steps, result } = await stepsWalked(chat, { pregnant: true });
    expect(steps).toEqual(['occupation', ...diseaseSteps, 'weight', 'height', 'pregnancy']);
    expect(result.all).toContain(th['screening.group.pregnant']);
    expect(result.all).toContain(th['screening.result.canBook']);

    const wifeId = await personIdOf(chat, wife);
    const row = await h.db.riskScreening.findFirstOrThrow({ where: { personId: wifeId } });
    expect(row).toMatchObject({ answeredBy: chat.userId, pregnant: true, priorityGroup: 'pregnant', ageYears: ageOf(wife) });
    expect(await h.db.riskScreening.count({ where: { personId: await personIdOf(chat, self) } })).toBe(0);
  });

  it('does not ask a woman of 65 about pregnancy: she is elderly', async () => {
    const chat = await registered(youngMan(), [olderWoman()]);
    await chat.menu('screening');
    await chat.answer('person', '2');
    const { steps, result } = await stepsWalked(chat, {});
    expect(steps).not.toContain('pregnancy');
    expect(result.all).toContain(th['screening.group.elderly']);
  });

  it('"not yet" in 2021: the opening day in the Buddhist era and no "book now"; English too', async () => {
    const chat = await registered(youngMan());
    const may2021 = new Date('2021-05-02T03:00:00Z');
    await chat.postback({ a: 'menu', f: 'screening' }, undefined, may2021);
    const result = await answerScreening(chat, { now: may2021 });
    expect(result.all).toContain(th['screening.result.opensOn'].replace('{date}', formatDate('2021-06-07', 'th')));
    expect(result.all).toContain('7 มิ.ย. 2564');
    expect(result.postbacks).toEqual([{ a: 'menu', f: 'screening' }]);

    chat.locale = 'en';
    await chat.postback({ a: 'menu', f: 'screening' }, undefined, may2021);
    const english = await answerScreening(chat, { now: may2021, yes: ['diabetes'] });
    expect(english.all).toContain(en['screening.group.chronic_disease']);
    expect(english.all).toContain(en['screening.result.canBook']);
    expect(english.postbacks).toContainEqual({ a: 'menu', f: 'book' });
  });

  it('redo keeps the history and the latest counts for booking', async () => {
    const self = youngMan();
    const chat = await registered(self);
    const personId = await personIdOf(chat, self);
    const april = new Date('2021-04-20T03:00:00Z');
    await chat.postback({ a: 'menu', f: 'screening' }, undefined, april);
    await answerScreening(chat, { now: april, yes: ['cancer'] });

    // Redo from the card's button, some days later, now with nothing to declare.
    const may = new Date('2021-05-03T03:00:00Z');
    await chat.postback({ a: 'menu', f: 'screening' }, undefined, may);
    expect(chat.session.step).toBe('occupation');
    await answerScreening(chat, { now: may });

    const rows = await h.db.riskScreening.findMany({ where: { personId }, orderBy: { screenedAt: 'asc' } });
    expect(rows.map((r) => [r.priorityGroup, r.screenedAt.toISOString()])).toEqual([
      ['chronic_disease', april.toISOString()],
      ['general', may.toISOString()],
    ]);
    expect(await getLatestScreening({ db: h.db, lineUserId: chat.userId, personId })).toMatchObject({ priorityGroup: 'general', screenedAt: may });
    expect(await getBookingEligibility({ db: h.db, personId, onDate: '2021-05-03' })).toEqual({ status: 'not-yet', priorityGroup: 'general', screenedAt: may, opensOn: '2021-06-07' });
  });

  it('the booking flow can send a person here (person:<id>); an id of someone else is ignored', async () => {
    const self = youngMan();
    const member = youngWoman();
    const chat = await registered(self, [member]);
    const memberId = await personIdOf(chat, member);
    const direct = await chat.postback({ a: 'menu', f: 'screening', p: `person:${memberId}` });
    expect(chat.session).toMatchObject({ step: 'occupation', data: { personId: memberId } });
    expect(direct.all).toContain(member.firstName);

    const stranger = await registered(youngMan());
    const other = await stranger.postback({ a: 'menu', f: 'screening', p: `person:${memberId}` });
    expect(stranger.session.step).toBe('occupation'); // their own (only) person, not the member
    expect(stranger.session.data).not.toMatchObject({ personId: memberId });
    expect(other.all).not.toContain(member.firstName);
    await stranger.postback({ a: 'menu', f: 'screening', p: 'person:not-a-uuid' });
    expect(stranger.session.step).toBe('occupation');
  });

  it('record-screening refuses a person the LINE user does not manage, and reads no other account\'s latest', async () => {
    const owner = await registered(youngMan());
    const ownerPersonId = (await h.db.person.findFirstOrThrow({ where: { ownerId: owner.userId } })).id;
    const intruder = await registered(youngMan());
    const attempt = recordScreening({
      db: h.db,
      lineUserId: intruder.userId,
      personId: ownerPersonId,
      now: new Date(),
      answers: { occupation: 'other', diseases: [], weightKg: 60, heightCm: 160, pregnant: false },
    });
    await expect(attempt).rejects.toBeInstanceOf(AppError);
    await expect(attempt).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await h.db.riskScreening.count({ where: { personId: ownerPersonId } })).toBe(0);
    expect(await getLatestScreening({ db: h.db, lineUserId: intruder.userId, personId: ownerPersonId })).toBeNull();
  });

  it('a man who says he is pregnant cannot be stored as pregnant', async () => {
    const chat = await registered(youngMan());
    const personId = (await h.db.person.findFirstOrThrow({ where: { ownerId: chat.userId } })).id;
    const stored = await recordScreening({ db: h.db, lineUserId: chat.userId, personId, now: new Date(), answers: { occupation: 'other', diseases: [], weightKg: 60, heightCm: 160, pregnant: true } });
    expect(stored).toMatchObject({ pregnant: false, priorityGroup: 'general' });
  });
});
