// The registration flows driven step by step through the conversation engine, without the
// webhook: real PostgreSQL (seeded), the real population register, a real Redis rate limiter.
// Every step runs in a transaction as the worker runs it; the session is round-tripped
// through structuredClone and JSON between steps; every message is validated for LINE.
import { passportKey } from '../../src/bot/flows/registration.flow.js';
import { emptySession } from '../../src/bot/engine.js';
import { ensureLineUser } from '../../src/db/repositories/line-user.repository.js';
import { bangkokToday } from '../../src/shared/clock.js';
import { oldestBirthDate } from '../../src/domain/registration/input-rules.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PERSON, generateDemoPeople, type DemoPerson } from '../../prisma/data/demo-people.js';
import { withThaiIdCheckDigit } from '../../src/domain/identity/thai-national-id.js';
import { holdDoseReport } from '../../src/domain/vaccination/held-dose-reports.js';
import { registrationFlow } from '../../src/bot/flows/registration.flow.js';
import type { Postback } from '../../src/bot/postback.js';
import { th } from '../../src/i18n/th.js';
import { en } from '../../src/i18n/en.js';
import {
  answerUntil,
  postbacksIn,
  IDENTITY_ATTEMPTS_PER_HOUR,
  SESSION_TTL_MINUTES,
  startEngineHarness,
  type Chat,
  type EngineHarness,
  type PersonAnswers,
} from '../support/engine-harness.js';

let h: EngineHarness;

beforeAll(async () => {
  h = await startEngineHarness();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

// People of the demo register (their ID and birth date match), one per test that registers.
const pool = generateDemoPeople(60).slice(2);
function nextPerson(): PersonAnswers & DemoPerson {
  const person = pool.shift();
  if (!person) throw new Error('demo people exhausted');
  return { ...person };
}

/** A Thai ID the register does not know (unique per call). */
let unknownIdCounter = 0;
function unknownThaiId(): string {
  unknownIdCounter++;
  return withThaiIdCheckDigit(`19${String(Date.now() % 1e7).padStart(7, '0')}${String(unknownIdCounter).padStart(3, '0')}`);
}

/** Text of a catalogue entry without its {placeholders}, for toContain. */
const lead = (text: string) => text.split('{')[0]!.trim();

const menuFeatures = (postbacks: Array<Postback | null>) => postbacks.map((p) => (p?.a === 'menu' ? p.f : null));

/** A new user who followed the OA: the greeting and the consent card are on screen. */
async function newcomer(): Promise<Chat> {
  const chat = h.chat();
  const welcome = await chat.follow();
  expect(welcome.result.following).toBe(true);
  expect(welcome.all).toContain(lead(th['follow.greeting']));
  expect(chat.session.step).toBe('consent');
  return chat;
}

describe('registration flow', () => {
  it('walks the whole path from follow to a verified registration', async () => {
    const person = nextPerson();
    const chat = h.chat();

    const welcome = await chat.follow();
    expect(welcome.all).toContain(lead(th['follow.greeting']));
    expect(welcome.all).toContain(th['consent.title']);
    expect(welcome.all).toContain(th['consent.intro']);
    expect(welcome.postbacks).toContainEqual({ a: 'ans', s: 'consent', v: 'accept' });
    expect(chat.session).toMatchObject({ flowId: 'registration', step: 'consent', version: registrationFlow.version, data: { forFamily: false } });
    const ttl = chat.session.expiresAt!.getTime() - Date.now();
    expect(ttl).toBeGreaterThan((SESSION_TTL_MINUTES - 1) * 60_000);
    expect(ttl).toBeLessThanOrEqual(SESSION_TTL_MINUTES * 60_000);

    const idType = await chat.answer('consent', 'accept');
    expect(idType.all).toContain(th['register.askIdType']);
    expect(idType.quickReplies.map((q) => q.postback)).toEqual([
      { a: 'ans', s: 'idType', v: 'THAI_ID' },
      { a: 'ans', s: 'idType', v: 'PASSPORT' },
    ]);
    expect(chat.session.step).toBe('idType');

    expect((await chat.answer('idType', 'THAI_ID')).all).toContain(th['register.askThaiId']);
    // People type the number as printed on the card.
    const dashed = `${person.nationalId[0]}-${person.nationalId.slice(1, 5)}-${person.nationalId.slice(5, 10)}-${person.nationalId.slice(10, 12)}-${person.nationalId[12]}`;
    expect((await chat.text(dashed)).all).toContain(th['register.askFirstName']);
    // From here on the state holds the hash, ciphertext and mask, never the number.
    expect(JSON.stringify(chat.session)).not.toContain(person.nationalId);
    expect(chat.session.data).toMatchObject({
      identityType: 'THAI_ID',
      nationality: 'THA',
      idHash: h.cipher.hashIdentity('THAI_ID', person.nationalId),
      maskedId: `x-xxxx-xxxxx-${person.nationalId.slice(10, 12)}-${person.nationalId[12]}`,
    });

    expect((await chat.text(`  ${person.firstName} `)).all).toContain(th['register.askLastName']);
    const birth = await chat.text(person.lastName);
    expect(birth.all).toContain(th['register.askBirthDate']);
    const picker = birth.messages.at(-1)?.quickReply?.items?.[0]?.action;
    // The picker offers exactly the dates the rules accept: up to 120 years back, not past today.
    const today = bangkokToday(new Date());
    expect(picker).toMatchObject({ type: 'datetimepicker', mode: 'date', min: oldestBirthDate(today), max: today });
    expect(Number(today.slice(0, 4)) - Number(oldestBirthDate(today).slice(0, 4))).toBe(120);

    const sex = await chat.answer('birthDate', 'picked', { date: person.birthDate });
    expect(sex.all).toContain(th['register.askSex']);
    expect(sex.quickReplies.map((q) => q.label)).toEqual([th['register.sex.male'], th['register.sex.female'], th['register.sex.unspecified']]);

    expect((await chat.answer('sex', person.sex)).all).toContain(th['register.askPhone']);
    const province = await chat.text('081 234 5678');
    expect(province.all).toContain(th['register.askProvince']);
    expect(menuFeatures(province.quickReplies.map((q) => q.postback))).toEqual(Array(7).fill(null));
    expect(province.quickReplies.map((q) => q.postback)).toContainEqual({ a: 'ans', s: 'province', v: 'region:north' });

    const summary = await chat.text('Chiang Mai');
    expect(chat.session.step).toBe('summary');
    expect(summary.all).toContain(th['register.summaryTitle']);
    expect(summary.all).toContain(`${th['register.idType.THAI_ID']} x-xxxx-xxxxx-${person.nationalId.slice(10, 12)}-${person.nationalId[12]}`);
    expect(summary.all).toContain(`${person.firstName} ${person.lastName}`);
    expect(summary.all).toContain('081-234-5678');
    expect(summary.all).toContain('เชียงใหม่');
    expect(JSON.stringify(summary.messages)).not.toContain(person.nationalId);

    const done = await chat.answer('summary', 'confirm');
    expect(done.all).toContain(lead(th['register.done']));
    expect(done.all).toContain(`${person.firstName} ${person.lastName}`);
    expect(done.all).not.toContain(th['register.unverifiedNote']);
    expect(done.result.richMenu).toBe('member');
    expect(chat.session).toEqual({ flowId: null, step: null, data: null, version: 0, expiresAt: null });

    const stored = await h.db.person.findFirstOrThrow({ where: { ownerId: chat.userId } });
    expect(stored).toMatchObject({
      isSelf: true,
      identityType: 'THAI_ID',
      nationality: 'THA',
      firstName: person.firstName,
      lastName: person.lastName,
      sex: person.sex,
      phone: '+66812345678',
      provinceCode: '50',
      verificationStatus: 'VERIFIED',
      idHash: h.cipher.hashIdentity('THAI_ID', person.nationalId),
    });
    expect(stored.birthDate.toISOString().slice(0, 10)).toBe(person.birthDate);
    expect(h.cipher.decrypt(stored.idCiphertext)).toBe(person.nationalId);
    const consents = await h.db.consentRecord.findMany({ where: { lineUserId: chat.userId } });
    expect(consents).toEqual([expect.objectContaining({ decision: 'ACCEPTED', onBehalf: false, personId: stored.id, version: h.settings.consentVersion })]);
  });

  it('declining consent ends the flow, stores only the refusal and offers to register later', async () => {
    const chat = await newcomer();
    const answer = await chat.answer('consent', 'decline');
    expect(answer.all).toContain(th['consent.declined']);
    expect(answer.quickReplies.map((q) => q.postback)).toEqual([{ a: 'menu', f: 'register' }]);
    expect(chat.session.flowId).toBeNull();
    expect(await h.db.consentRecord.findMany({ where: { lineUserId: chat.userId }, select: { decision: true, personId: true } })).toEqual([{ decision: 'DECLINED', personId: null }]);
    expect(await h.db.person.count({ where: { ownerId: chat.userId } })).toBe(0);
  });

  it('registers a Thai ID the register does not know as unverified', async () => {
    const chat = await newcomer();
    await answerUntil(chat, { nationalId: unknownThaiId(), firstName: 'Malee', lastName: 'Dee', birthDate: '1980-02-29', sex: 'female' });
    const done = await chat.answer('summary', 'confirm');
    expect(done.all).toContain(th['register.unverifiedNote']);
    expect(await h.db.person.findFirstOrThrow({ where: { ownerId: chat.userId } })).toMatchObject({ verificationStatus: 'UNVERIFIED' });
  });

  it('records the doses a hospital reported before the person registered, and says so', async () => {
    const chat = await newcomer();
    const nationalId = unknownThaiId();
    const idHash = h.cipher.hashIdentity('THAI_ID', nationalId);
    const held = await holdDoseReport({
      db: h.db,
      idHash,
      report: {
        doseNumber: 1, productCode: 'AZ', lotNumber: 'A1', administeredAt: new Date('2021-06-15T03:00:00Z'),
        hospitalCode: '10001', source: 'his:10001', sourceRecordId: `held-${nationalId}`, recordedBy: 'nurse-1',
      },
    });
    expect(held).toEqual({ ok: true, created: true });
    await answerUntil(chat, { nationalId, firstName: 'Somsri', lastName: 'Dee', birthDate: '1970-05-05', sex: 'female' });
    const done = await chat.answer('summary', 'confirm');
    expect(done.all).toContain(th['register.dosesFound'].replace('{count}', '1'));
    expect(done.postbacks).toContainEqual({ a: 'menu', f: 'certificate' });
    const person = await h.db.person.findFirstOrThrow({ where: { ownerId: chat.userId }, include: { vaccinations: true } });
    expect(person.vaccinations.map((v) => [v.doseNumber, v.productCode, v.source])).toEqual([[1, 'AZ', 'his:10001']]);
    expect(await h.db.heldDoseReport.count({ where: { idHash } })).toBe(0);
  });

  it('a 13-digit number typed at the document question is taken as a Thai ID', async () => {
    const person = nextPerson();
    const chat = await newcomer();
    await chat.answer('consent', 'accept');
    expect((await chat.text(person.nationalId)).all).toContain(th['register.askFirstName']);
    expect(chat.session.data).toMatchObject({ identityType: 'THAI_ID', idHash: h.cipher.hashIdentity('THAI_ID', person.nationalId) });
  });

  describe('re-prompts with the reason and asks the same step again', () => {
    it('a national ID with a wrong check digit', async () => {
      const chat = await newcomer();
      await answerUntil(chat, nextPerson(), 'thaiId');
      for (const bad of ['1101700207031', '12345', 'abcdefghijklm']) {
        const answer = await chat.text(bad);
        expect(answer.texts).toEqual([th['register.badThaiId'], th['register.askThaiId']]);
        expect(chat.session.step).toBe('thaiId');
      }
      expect(chat.session.data).not.toHaveProperty('idHash');
    });

    it('a passport holder whose nationality is not found, then found', async () => {
      const chat = await newcomer();
      await chat.answer('consent', 'accept');
      expect((await chat.answer('idType', 'PASSPORT')).all).toContain(th['register.askPassport']);
      expect((await chat.text('12')).texts).toEqual([th['register.badPassport'], th['register.askPassport']]);
      expect((await chat.text('mb 765 432')).all).toContain(th['register.askNationality']);
      expect(chat.session.data).toMatchObject({ identityType: 'PASSPORT', maskedId: 'xxxxx432' });
      // The lookup hash waits for the nationality: passport numbers repeat across countries.
      expect(chat.session.data).not.toHaveProperty('idHash');
      expect(JSON.stringify(chat.session)).not.toContain('MB765432');

      for (const unknown of ['Atlantis', 'XYZ', 'Q']) {
        const answer = await chat.text(unknown);
        expect(answer.texts).toEqual([th['register.badNationality'], th['register.askNationality']]);
        expect(chat.session.step).toBe('nationality');
      }
      expect((await chat.text('Myanmar')).all).toContain(th['register.askFirstName']);
      expect(chat.session.data).toMatchObject({ nationality: 'MMR', idHash: h.cipher.hashIdentity('PASSPORT', passportKey('MMR', 'MB765432')) });
    });

    it('a name with digits or symbols (first and last name)', async () => {
      const chat = await newcomer();
      await answerUntil(chat, nextPerson(), 'firstName');
      for (const bad of ['Somchai2', '@@@', '   ', 'x'.repeat(101)]) {
        expect((await chat.text(bad)).texts).toEqual([th['register.badName'], th['register.askFirstName']]);
        expect(chat.session.step).toBe('firstName');
      }
      await chat.text("Jean-Luc O'Neil");
      expect((await chat.text('Dee 9')).texts).toEqual([th['register.badName'], th['register.askLastName']]);
      expect(chat.session.data).toMatchObject({ firstName: "Jean-Luc O'Neil" });
    });

    it('a birth date in the future, implausibly old or malformed (typed or picked)', async () => {
      const chat = await newcomer();
      await answerUntil(chat, nextPerson(), 'birthDate');
      const cases: Array<[() => ReturnType<Chat['text']>, string]> = [
        [() => chat.text('01/01/2600'), th['register.birthDateInFuture']], // Buddhist era 2600 = 2057
        [() => chat.text('2099-12-31'), th['register.birthDateInFuture']],
        [() => chat.answer('birthDate', 'picked', { date: '2999-01-01' }), th['register.birthDateInFuture']],
        [() => chat.text('01/01/1890'), th['register.birthDateImplausible']],
        [() => chat.text('31/02/2530'), th['register.badBirthDate']],
        [() => chat.text('yesterday'), th['register.badBirthDate']],
        [() => chat.answer('birthDate', 'picked'), th['register.badBirthDate']], // a picker answer without a date
      ];
      for (const [send, reason] of cases) {
        const answer = await send();
        expect(answer.texts).toEqual([reason, th['register.askBirthDate']]);
        expect(chat.session.step).toBe('birthDate');
      }
      expect((await chat.text('12/04/2498')).all).toContain(th['register.askSex']);
      expect(chat.session.data).toMatchObject({ birthDate: '1955-04-12' });
    });

    it('a mobile number that is not Thai', async () => {
      const chat = await newcomer();
      await answerUntil(chat, nextPerson(), 'phone');
      for (const bad of ['12345', '0212345678', '+1 415 555 0100', '08123456789']) {
        expect((await chat.text(bad)).texts).toEqual([th['register.badPhone'], th['register.askPhone']]);
        expect(chat.session.step).toBe('phone');
      }
      await chat.text('+66 91 234 5678');
      expect(chat.session.data).toMatchObject({ phone: '+66912345678' });
    });

    it('an unknown province', async () => {
      const chat = await newcomer();
      await answerUntil(chat, nextPerson(), 'province');
      const answer = await chat.text('Atlantis');
      expect(answer.texts).toEqual([th['register.provinceNotFound'].replace('{input}', 'Atlantis'), th['register.askProvince']]);
      expect(chat.session.step).toBe('province');
      // What is echoed back is cut to 50 characters.
      const long = await chat.text('ก'.repeat(80));
      expect(long.texts[0]).toContain(`"${'ก'.repeat(50)}"`);
      expect(long.texts[0]).not.toContain('ก'.repeat(51));
    });

    it('several provinces match: a picker of the matches, then a tap chooses one', async () => {
      const chat = await newcomer();
      await answerUntil(chat, nextPerson(), 'province');
      const answer = await chat.text('Chiang');
      expect(answer.texts[0]).toBe(th['register.provinceMany']);
      expect(answer.messages[1]).toMatchObject({ type: 'flex', altText: th['register.pickProvince'] });
      expect(answer.postbacks.filter((p) => p.a === 'ans' && p.v.startsWith('code:'))).toEqual([
        { a: 'ans', s: 'province', v: 'code:50' },
        { a: 'ans', s: 'province', v: 'code:57' },
      ]);
      expect(answer.all).toContain(th['register.askProvince']);
      expect(chat.session.step).toBe('province');

      const summary = await chat.answer('province', 'code:57');
      expect(chat.session.step).toBe('summary');
      expect(summary.all).toContain('เชียงราย');
    });

    it('a region shows a carousel of its provinces; a code that does not exist is ignored', async () => {
      const chat = await newcomer();
      await answerUntil(chat, nextPerson(), 'province');
      const answer = await chat.answer('province', 'region:northeast');
      const carousel = answer.messages[0]!;
      expect(carousel).toMatchObject({ type: 'flex', contents: { type: 'carousel' } });
      const codes = answer.postbacks.filter((p) => p.a === 'ans' && p.v.startsWith('code:'));
      expect(codes).toHaveLength(20);
      expect(answer.all).toContain(th['region.northeast']);
      expect(answer.all).not.toContain(lead(th['register.provinceNotFound']));
      expect(answer.all).toContain(th['register.askProvince']);
      expect(chat.session.step).toBe('province');

      // Bangkok is alone in its region: one bubble, not a carousel.
      const bangkok = await chat.answer('province', 'region:bangkok');
      expect(bangkok.messages[0]).toMatchObject({ type: 'flex', contents: { type: 'bubble' } });

      await chat.answer('province', 'code:99');
      expect(chat.session.step).toBe('province');
      await chat.answer('province', 'code:30');
      expect(chat.session.step).toBe('summary');
      expect(chat.session.data).toMatchObject({ provinceCode: '30' });
    });
  });

  describe('editing from the summary', () => {
    it('changes the phone and the birth date, returning to the summary each time', async () => {
      const person = nextPerson();
      const chat = await newcomer();
      await answerUntil(chat, person);
      const before = chat.session.data as Record<string, unknown>;

      const askPhone = await chat.answer('summary', 'edit:phone');
      expect(askPhone.texts).toEqual([th['register.askPhone']]);
      expect(chat.session).toMatchObject({ step: 'phone', data: { editing: true } });
      const backAfterPhone = await chat.text('0898765432');
      expect(chat.session).toMatchObject({ step: 'summary', data: { editing: false, phone: '+66898765432' } });
      expect(backAfterPhone.all).toContain(th['register.summaryTitle']);
      expect(backAfterPhone.all).toContain('089-876-5432');
      expect(backAfterPhone.all).not.toContain(th['register.askProvince']);

      // A bad answer while editing re-prompts, still editing.
      await chat.answer('summary', 'edit:birthDate');
      expect((await chat.text('01/01/2600')).texts[0]).toBe(th['register.birthDateInFuture']);
      expect(chat.session).toMatchObject({ step: 'birthDate', data: { editing: true } });
      const backAfterBirth = await chat.answer('birthDate', 'picked', { date: '1955-05-01' });
      expect(chat.session.step).toBe('summary');
      expect(backAfterBirth.all).toContain('1 พ.ค. 2498');
      expect(backAfterBirth.all).not.toContain(th['register.askSex']);

      // Nothing else changed, and no other question was asked again.
      expect(chat.session.data).toEqual({ ...before, phone: '+66898765432', birthDate: '1955-05-01', editing: false });

      // The register has another birth date for this ID: confirming says so and stays on the summary.
      const mismatch = await chat.answer('summary', 'confirm');
      expect(mismatch.texts[0]).toBe(th['register.identityMismatch']);
      expect(chat.session.step).toBe('summary');
      await chat.answer('summary', 'edit:birthDate');
      await chat.answer('birthDate', 'picked', { date: person.birthDate });
      const done = await chat.answer('summary', 'confirm');
      expect(done.all).toContain(lead(th['register.done']));
      expect(await h.db.person.findFirstOrThrow({ where: { ownerId: chat.userId } })).toMatchObject({ phone: '+66898765432', verificationStatus: 'VERIFIED' });
    });

    it('changes the name (both parts), the sex, the province and the document', async () => {
      const person = nextPerson();
      const chat = await newcomer();
      await answerUntil(chat, person);

      await chat.answer('summary', 'edit:name');
      expect(chat.session.step).toBe('firstName');
      expect((await chat.text('Ann')).all).toContain(th['register.askLastName']);
      const afterName = await chat.text('Lee');
      expect(chat.session.step).toBe('summary');
      expect(afterName.all).toContain('Ann Lee');

      await chat.answer('summary', 'edit:sex');
      await chat.answer('sex', 'unspecified');
      expect(chat.session).toMatchObject({ step: 'summary', data: { sex: 'unspecified' } });

      await chat.answer('summary', 'edit:province');
      await chat.text('ภูเก็ต');
      expect(chat.session).toMatchObject({ step: 'summary', data: { provinceCode: '83' } });

      await chat.answer('summary', 'edit:identity');
      expect(chat.session.step).toBe('idType');
      await chat.answer('idType', 'PASSPORT');
      await chat.text('AA1234567');
      const afterDoc = await chat.text('JPN');
      expect(chat.session).toMatchObject({ step: 'summary', data: { identityType: 'PASSPORT', nationality: 'JPN', maskedId: 'xxxxxx567' } });
      expect(afterDoc.all).toContain('xxxxxx567');

      // An unknown field name in a (tampered) edit button changes nothing.
      await chat.answer('summary', 'edit:consent');
      expect(chat.session.step).toBe('summary');
    });
  });

  it('a button of another step says it expired and asks the current step again', async () => {
    const chat = await newcomer();
    await answerUntil(chat, nextPerson(), 'phone');
    const stale = await chat.answer('sex', 'male');
    expect(stale.texts).toEqual([th['error.staleButton'], th['register.askPhone']]);
    expect(stale.all).toContain('ปุ่มนี้หมดอายุแล้ว');
    expect(chat.session.step).toBe('phone');
    const staleConsent = await chat.answer('consent', 'accept');
    expect(staleConsent.texts).toEqual([th['error.staleButton'], th['register.askPhone']]);
    expect(await h.db.consentRecord.count({ where: { lineUserId: chat.userId } })).toBe(1);

    // Something that is not one of our payloads (an old or tampered button).
    const garbage = await chat.send(h.events.postback(chat.userId, '{"a":"ans","s":1}'));
    expect(garbage.texts).toEqual([th['common.unsupportedInput'], th['register.askPhone']]);
    // A sticker is not an answer either.
    const sticker = await chat.send(h.events.sticker(chat.userId, '446', '1988'));
    expect(sticker.texts).toEqual([th['common.unsupportedInput'], th['register.askPhone']]);
    expect(chat.session.step).toBe('phone');

    // Outside any flow, an answer button is just as stale.
    await chat.text('ยกเลิก');
    const outside = await chat.answer('summary', 'confirm');
    expect(outside.texts[0]).toBe(th['error.staleButton']);
    expect(outside.all).toContain(lead(th['help.text']));
    expect(await h.db.person.count({ where: { ownerId: chat.userId } })).toBe(0);
  });

  it('a session written by another flow version restarts the flow at consent', async () => {
    const chat = await newcomer();
    await answerUntil(chat, nextPerson(), 'phone');
    chat.session = { ...chat.session, version: registrationFlow.version + 1 };
    const restarted = await chat.text('0812345678');
    expect(restarted.texts[0]).toBe(th['common.flowRestarted']);
    expect(restarted.all).toContain('ระบบได้รับการปรับปรุง');
    expect(restarted.all).toContain(th['consent.title']);
    expect(chat.session).toMatchObject({ flowId: 'registration', step: 'consent', version: registrationFlow.version, data: { forFamily: false, editing: false } });

    // Data the flow cannot read (same version) restarts too, and so does an unknown step.
    await answerUntil(chat, nextPerson(), 'phone');
    chat.session = { ...chat.session, data: { forFamily: 'yes' } };
    expect((await chat.text('0812345678')).texts[0]).toBe(th['common.flowRestarted']);
    expect(chat.session.step).toBe('consent');
    chat.session = { ...chat.session, step: 'favouriteColour' };
    expect((await chat.answer('consent', 'accept')).texts[0]).toBe(th['common.flowRestarted']);
    expect(chat.session.step).toBe('consent');
  });

  it('an expired session says so and handles the message outside the flow', async () => {
    const chat = await newcomer();
    await answerUntil(chat, nextPerson(), 'phone');
    const saved = chat.session;

    // Just before the end of the TTL the flow is still waiting.
    const inTime = await chat.send(h.events.text(chat.userId, '0812345678'), new Date(saved.expiresAt!.getTime() - 1000));
    expect(inTime.all).toContain(th['register.askProvince']);

    chat.session = saved;
    const late = await chat.send(h.events.text(chat.userId, '0812345678'), new Date(saved.expiresAt!.getTime() + 60_000));
    expect(late.texts[0]).toBe(th['common.sessionExpired'].replace('{minutes}', '30'));
    expect(late.all).toContain('หมดเวลา');
    expect(late.all).toContain(lead(th['help.text']));
    expect(late.all).not.toContain(th['register.askProvince']);
    expect(chat.session).toMatchObject({ flowId: null, step: null });

    // An expiry in the past, as the row would hold it, and a keyword: the feature starts afresh.
    await chat.menu('register');
    await answerUntil(chat, nextPerson(), 'sex');
    chat.session = { ...chat.session, expiresAt: new Date(Date.now() - 1) };
    const again = await chat.text('ลงทะเบียน');
    expect(again.texts[0]).toBe(th['common.sessionExpired'].replace('{minutes}', '30'));
    expect(again.all).toContain(th['consent.title']);
    expect(chat.session.step).toBe('consent');
  });

  describe('cancel leaves the flow; the next message is handled outside it', () => {
    const cancels: Array<[string, (chat: Chat) => ReturnType<Chat['text']>]> = [
      ['typed ยกเลิก', (chat) => chat.text('ยกเลิก')],
      ['typed cancel', (chat) => chat.text(' Cancel ')],
      ['the cancel button', (chat) => chat.postback({ a: 'cancel' })],
    ];
    it.each(cancels)('%s', async (_name, cancel) => {
      const chat = await newcomer();
      await answerUntil(chat, nextPerson(), 'phone');
      const cancelled = await cancel(chat);
      expect(cancelled.texts[0]).toContain(th['common.cancelled']);
      expect(cancelled.texts[0]).toContain(th['help.text']);
      expect(menuFeatures(cancelled.quickReplies.map((q) => q.postback))).toEqual(['register', 'help', 'language']);
      expect(chat.session).toMatchObject({ flowId: null, step: null, data: null });

      const next = await chat.text('0812345678');
      expect(next.texts).toEqual([th['help.text']]);
      expect(chat.session.flowId).toBeNull();
      expect(await h.db.person.count({ where: { ownerId: chat.userId } })).toBe(0);
    });

    it('cancel outside a flow just shows help', async () => {
      const chat = h.chat();
      const answer = await chat.text('ยกเลิก');
      expect(answer.texts).toEqual([th['help.text']]);
    });
  });

  it('switching language mid-flow confirms in English and asks the current step again in English', async () => {
    const chat = await newcomer();
    const consentEn = await chat.postback({ a: 'lang', l: 'en' });
    expect(consentEn.result.locale).toBe('en');
    expect(consentEn.texts[0]).toBe(en['language.switched']);
    expect(consentEn.all).toContain(en['consent.title']);
    expect(consentEn.all).not.toContain(th['consent.title']);
    expect(chat.session.step).toBe('consent');

    await answerUntil(chat, nextPerson(), 'phone');
    await chat.postback({ a: 'lang', l: 'th' });
    expect(chat.locale).toBe('th');
    const before = chat.session;
    const switched = await chat.postback({ a: 'lang', l: 'en' });
    expect(switched.result.locale).toBe('en');
    expect(switched.texts).toEqual([en['language.switched'], en['register.askPhone']]);
    expect(chat.session).toMatchObject({ flowId: before.flowId, step: 'phone', data: before.data });
    expect(chat.session.expiresAt!.getTime()).toBeGreaterThanOrEqual(before.expiresAt!.getTime());

    expect((await chat.text('12')).texts).toEqual([en['register.badPhone'], en['register.askPhone']]);
    const province = await chat.text('0812345678');
    expect(province.all).toContain(en['register.askProvince']);
    expect(province.quickReplies.map((q) => q.label)).toContain(en['region.northeast']);
    const summary = await chat.text('Bangkok');
    expect(summary.all).toContain(en['register.summaryTitle']);
    expect(summary.all).toContain('Bangkok');
    expect(chat.locale).toBe('en');
  });

  describe('outside a flow', () => {
    it('unknown text gets help with register / help / language for an unregistered user', async () => {
      const chat = h.chat();
      const answer = await chat.text('อยากฉีดวัคซีนค่ะ');
      expect(answer.texts).toEqual([th['help.text']]);
      expect(menuFeatures(answer.quickReplies.map((q) => q.postback))).toEqual(['register', 'help', 'language']);
      expect(answer.quickReplies.map((q) => q.label)).toEqual([th['feature.register'], th['feature.help'], th['feature.language']]);
      expect(chat.session.flowId).toBeNull();

      const language = await chat.menu('language');
      expect(language.quickReplies.map((q) => q.postback)).toEqual([{ a: 'lang', l: 'th' }, { a: 'lang', l: 'en' }]);
      const english = await chat.postback({ a: 'lang', l: 'en' });
      expect(english.texts).toEqual([en['language.switched'], en['help.text']]);
      expect(english.result.locale).toBe('en');
      expect((await chat.text('hmm')).texts).toEqual([en['help.text']]);
    });

    it('unknown text gets help with the member features for a registered user', async () => {
      const chat = await newcomer();
      await answerUntil(chat, nextPerson());
      await chat.answer('summary', 'confirm');
      const answer = await chat.text('สวัสดีครับ ขอสอบถาม');
      expect(answer.texts).toEqual([th['help.text']]);
      expect(menuFeatures(answer.quickReplies.map((q) => q.postback))).toEqual(['screening', 'book', 'appointments', 'symptoms', 'certificate', 'profile', 'family', 'language']);

      // Registering again is refused politely with the way to the profile.
      const again = await chat.menu('register');
      expect(again.texts).toEqual([th['register.alreadyRegistered']]);
      expect(menuFeatures(again.quickReplies.map((q) => q.postback))).toEqual(['profile', 'family']);
      expect(chat.session.flowId).toBeNull();
    });

    // Every feature has its flow now (symptoms since issue 6): none answers "coming soon".
    it.each(['screening', 'book', 'symptoms', 'certificate'] as const)('"%s" opens its flow, not "coming soon"', async (feature) => {
      const chat = h.chat();
      const answer = await chat.menu(feature);
      expect(answer.all).not.toContain(th['common.comingSoon'].replace('{feature}', th[`feature.${feature}`]));
      // An unregistered user is sent to registration by each of them.
      expect(answer.texts).toEqual([th['register.required']]);
    });

    it('a feature tapped in the middle of a flow leaves it, in English', async () => {
      const chat = h.chat();
      chat.locale = 'en';
      await chat.menu('register');
      expect(chat.session.step).toBe('consent');
      const tapped = await chat.menu('symptoms');
      expect(tapped.texts[0]).toBe(en['common.leftFlow']);
      expect(tapped.all).not.toContain(en['common.comingSoon'].replace('{feature}', en['feature.symptoms']));
      expect(chat.session.flowId).toBeNull();
    });
  });

  it(`identity checks over ${IDENTITY_ATTEMPTS_PER_HOUR} an hour are refused with the rate-limit message`, async () => {
    const chat = await newcomer();
    // The register knows this ID with another birth date: every confirm is one identity check.
    await answerUntil(chat, { ...DEMO_PERSON, birthDate: '1990-01-01' });
    for (let attempt = 1; attempt <= IDENTITY_ATTEMPTS_PER_HOUR; attempt++) {
      const answer = await chat.answer('summary', 'confirm');
      expect(answer.texts[0], `attempt ${attempt}`).toBe(th['register.identityMismatch']);
      expect(chat.session.step).toBe('summary');
    }
    const limited = await chat.answer('summary', 'confirm');
    expect(limited.texts).toEqual([th['register.rateLimited']]);
    expect(chat.session.flowId).toBeNull();
    expect(await h.db.person.count({ where: { ownerId: chat.userId } })).toBe(0);

    // The counter lives in Redis under this test's prefix (removed by close()).
    const keys = await h.redis.keys(`${h.redisPrefix}:rl:identity:${chat.userId}:*`);
    expect(keys).toHaveLength(1);
    expect(Number(await h.redis.get(keys[0]!))).toBe(IDENTITY_ATTEMPTS_PER_HOUR + 1);
    expect(await h.redis.ttl(keys[0]!)).toBeGreaterThan(0);

    // Even the right birth date is refused until the window passes; another user is not affected.
    await chat.menu('register');
    await answerUntil(chat, DEMO_PERSON);
    expect((await chat.answer('summary', 'confirm')).texts).toEqual([th['register.rateLimited']]);
    expect(await h.db.person.count({ where: { ownerId: chat.userId } })).toBe(0);
  });

  it('family: self, then 5 members each with consent on their behalf; the 6th is refused', async () => {
    const chat = await newcomer();
    const self = nextPerson();
    await answerUntil(chat, self);
    await chat.answer('summary', 'confirm');

    for (let i = 1; i <= 5; i++) {
      const member = nextPerson();
      const consent = await chat.menu('family');
      expect(consent.all).toContain(th['consent.titleOnBehalf']);
      expect(consent.all).toContain(th['consent.onBehalfIntro']);
      expect(chat.session).toMatchObject({ flowId: 'family-registration', step: 'consent', data: { forFamily: true } });
      const summary = await answerUntil(chat, member);
      expect(summary!.all).toContain(th['register.summaryTitleFamily']);
      const done = await chat.answer('summary', 'confirm');
      expect(done.texts[0]).toBe(th['register.doneFamily'].replace('{name}', `${member.firstName} ${member.lastName}`));
      expect(done.result.richMenu).toBe('member');
    }

    const refused = await chat.menu('family');
    expect(refused.texts).toEqual([th['family.limitReached']]);
    expect(chat.session.flowId).toBeNull();

    const people = await h.db.person.findMany({ where: { ownerId: chat.userId }, orderBy: { createdAt: 'asc' } });
    expect(people.map((p) => p.isSelf)).toEqual([true, false, false, false, false, false]);
    const consents = await h.db.consentRecord.findMany({ where: { lineUserId: chat.userId }, orderBy: { decidedAt: 'asc' } });
    expect(consents).toHaveLength(6);
    expect(consents.map((c) => c.onBehalf)).toEqual([false, true, true, true, true, true]);
    expect(consents.every((c) => c.decision === 'ACCEPTED')).toBe(true);
    // Each consent belongs to the person it was given for.
    expect(new Set(consents.map((c) => c.personId))).toEqual(new Set(people.map((p) => p.id)));
    for (const person of people) {
      expect(consents.find((c) => c.personId === person.id)!.onBehalf).toBe(!person.isSelf);
    }
  });

  it('a document already registered by another account is refused', async () => {
    const first = await newcomer();
    const person = nextPerson();
    await answerUntil(first, person);
    await first.answer('summary', 'confirm');

    const second = await newcomer();
    await answerUntil(second, person);
    const refused = await second.answer('summary', 'confirm');
    expect(refused.texts).toEqual([th['register.identityTaken']]);
    expect(second.session.flowId).toBeNull();
    expect(await h.db.person.count({ where: { ownerId: second.userId } })).toBe(0);
  });

  it('the same passport number from two countries is two people; from the same country, one', async () => {
    const register = async (nationality: string) => {
      const chat = await newcomer();
      await chat.answer('consent', 'accept');
      await chat.answer('idType', 'PASSPORT');
      await chat.text('AB123456');
      await chat.text(nationality);
      await answerUntil(chat, { ...nextPerson(), sex: 'female' });
      return { chat, reply: await chat.answer('summary', 'confirm') };
    };
    expect((await register('MMR')).reply.texts[0]).toContain(th['register.done'].split('{name}')[0]!.slice(0, 10));
    const american = await register('USA');
    expect(american.reply.texts.join('\n')).not.toContain(th['register.identityTaken']);
    expect(await h.db.person.count({ where: { identityType: 'PASSPORT', ownerId: american.chat.userId } })).toBe(1);
    const again = await register('Myanmar');
    expect(again.reply.texts).toEqual([th['register.identityTaken']]);
  });

  it('unfollow clears the session; following again greets and restarts registration', async () => {
    const chat = await newcomer();
    await answerUntil(chat, nextPerson(), 'phone');
    const gone = await chat.unfollow();
    expect(gone.messages).toEqual([]);
    expect(gone.result.following).toBe(false);
    expect(chat.session.flowId).toBeNull();
    const back = await chat.follow();
    expect(back.all).toContain(lead(th['follow.greeting']));
    expect(chat.session.step).toBe('consent');
  });

  it('no call answered with more messages than the worker can send in one reply', () => {
    expect(h.maxMessagesPerCall).toBeLessThanOrEqual(5);
  });
});

// The chat round reads each account's registration status with its conversation and hands it
// to the engine (src/bot/engine.ts), saving a query per event. It must be used only while no
// flow has run: a flow may register or erase people, and the help menu must then be read again.
describe('the registration status a round read', () => {
  async function handle(userId: string, text: string, registration?: { hasSelf: boolean; familyCount: number }) {
    return h.db.$transaction(async (tx) => {
      await ensureLineUser(tx, userId);
      return h.engine.handle({ db: tx, lineUserId: userId, locale: 'th', session: emptySession, event: h.events.text(userId, text), now: new Date(), ...(registration ? { registration } : {}) });
    });
  }
  const menuOf = (messages: unknown) => postbacksIn(messages).filter((p) => p.a === 'menu').map((p) => (p as { f: string }).f);

  it('answers the help menu from it, and hands it on when no flow ran', async () => {
    const chat = h.chat();
    // Nobody is registered on this account; the given status says otherwise, and is used.
    const told = await handle(chat.userId, 'help', { hasSelf: true, familyCount: 0 });
    expect(menuOf(told.messages)).toContain('book');
    expect(told.registration).toEqual({ hasSelf: true, familyCount: 0 });
    // Without it, the database is read: a guest's menu.
    const read = await handle(chat.userId, 'help');
    expect(menuOf(read.messages)).toContain('register');
    expect(menuOf(read.messages)).not.toContain('book');
    expect(read.registration).toBeUndefined();
  });

  it('drops it once a flow runs (the flow may register people)', async () => {
    const chat = h.chat();
    const started = await h.db.$transaction(async (tx) => {
      await ensureLineUser(tx, chat.userId);
      return h.engine.handle({
        db: tx, lineUserId: chat.userId, locale: 'th', session: emptySession,
        event: h.events.postback(chat.userId, JSON.stringify({ a: 'menu', f: 'register' })),
        now: new Date(), registration: { hasSelf: false, familyCount: 0 },
      });
    });
    expect(started.session.flowId).not.toBeNull();
    expect(started.registration).toBeUndefined();
  });
});
