// "My profile" driven step by step through the conversation engine, without the webhook:
// masked view, corrections, export link, erasure. Real PostgreSQL, register and Redis; every
// step in a transaction, the session round-tripped through structuredClone and JSON, every
// message validated for LINE.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoPeople, type DemoPerson } from '../../prisma/data/demo-people.js';
import { th } from '../../src/i18n/th.js';
import { en } from '../../src/i18n/en.js';
import { answerUntil, startEngineHarness, type Chat, type EngineHarness, type PersonAnswers } from '../support/engine-harness.js';

let h: EngineHarness;

beforeAll(async () => {
  h = await startEngineHarness();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

const pool = generateDemoPeople(40).slice(2);
function nextPerson(): PersonAnswers & DemoPerson {
  const person = pool.shift();
  if (!person) throw new Error('demo people exhausted');
  return { ...person };
}

const lead = (text: string) => text.split('{')[0]!.trim();
const masked = (id: string) => `x-xxxx-xxxxx-${id.slice(10, 12)}-${id[12]}`;

/** A LINE user who registered themself (Bangkok, 081-234-5678) and `family` members. */
async function registeredUser(family = 0): Promise<{ chat: Chat; self: DemoPerson; members: DemoPerson[] }> {
  const chat = h.chat();
  await chat.follow();
  const self = nextPerson();
  await answerUntil(chat, self);
  expect((await chat.answer('summary', 'confirm')).all).toContain(lead(th['register.done']));
  const members: DemoPerson[] = [];
  for (let i = 0; i < family; i++) {
    const member = nextPerson();
    await chat.menu('family');
    await answerUntil(chat, { ...member, phone: '0655555555', province: 'Phuket' });
    expect((await chat.answer('summary', 'confirm')).texts).toEqual([th['register.doneFamily'].replace('{name}', `${member.firstName} ${member.lastName}`)]);
    members.push(member);
  }
  return { chat, self, members };
}

describe('profile flow', () => {
  it('asks an unregistered user to register first', async () => {
    const chat = h.chat();
    const answer = await chat.menu('profile');
    expect(answer.texts).toEqual([th['register.required']]);
    expect(answer.quickReplies.map((q) => q.postback)).toEqual([{ a: 'menu', f: 'register' }]);
    expect(chat.session.flowId).toBeNull();
  });

  it('shows what is held, with the document number masked and no database ids', async () => {
    const { chat, self, members } = await registeredUser(1);
    const view = await chat.text('ข้อมูลของฉัน');
    expect(chat.session).toMatchObject({ flowId: 'profile', step: 'overview' });
    expect(view.messages).toHaveLength(1);
    expect(view.messages[0]).toMatchObject({ type: 'flex', altText: th['profile.title'], contents: { type: 'carousel' } });

    expect(view.all).toContain(th['profile.title']);
    expect(view.all).toContain(th['profile.familyTitle']);
    expect(view.all).toContain(`${th['register.idType.THAI_ID']} ${masked(self.nationalId)}`);
    expect(view.all).toContain(`${th['register.idType.THAI_ID']} ${masked(members[0]!.nationalId)}`);
    expect(view.all).toContain(`${self.firstName} ${self.lastName}`);
    expect(view.all).toContain('081-234-5678');
    expect(view.all).toContain('065-555-5555');
    expect(view.all).toContain('กรุงเทพมหานคร');
    expect(view.all).toContain('ภูเก็ต');
    expect(view.all).toContain(th['status.VERIFIED']);

    const json = JSON.stringify(view.messages);
    expect(json).not.toContain(self.nationalId);
    expect(json).not.toContain(members[0]!.nationalId);
    const people = await h.db.person.findMany({ where: { ownerId: chat.userId }, orderBy: { createdAt: 'asc' } });
    for (const person of people) expect(json).not.toContain(person.id);
    // Buttons carry short refs; the session maps them to the people.
    expect(view.postbacks).toEqual(
      expect.arrayContaining([
        { a: 'ans', s: 'overview', v: 'phone:1' },
        { a: 'ans', s: 'overview', v: 'province:2' },
        { a: 'ans', s: 'overview', v: 'export' },
        { a: 'ans', s: 'overview', v: 'delete' },
        { a: 'menu', f: 'family' },
      ]),
    );
    expect(chat.session.data).toEqual({ people: { 1: people[0]!.id, 2: people[1]!.id } });
    expect(JSON.stringify(chat.session)).not.toContain(self.nationalId);

    // Looking is logged as an access to personal data.
    expect(await h.db.personalDataAccess.count({ where: { lineUserId: chat.userId, action: 'view-profile' } })).toBeGreaterThanOrEqual(1);

    // In English too.
    chat.locale = 'en';
    const english = await chat.menu('profile');
    expect(english.all).toContain(en['profile.title']);
    expect(english.all).toContain('Bangkok');
    expect(english.all).toContain(en['status.VERIFIED']);
  });

  it('changes the mobile number (re-prompting a bad one), and only that person', async () => {
    const { chat, self } = await registeredUser(1);
    await chat.menu('profile');
    const ask = await chat.answer('overview', 'phone:1');
    expect(ask.texts).toEqual([th['register.askPhone']]);
    expect(chat.session).toMatchObject({ step: 'phone', data: { personId: expect.any(String) } });
    expect((await chat.text('0123')).texts).toEqual([th['register.badPhone'], th['register.askPhone']]);
    const saved = await chat.text('0998887777');
    expect(saved.texts).toEqual([th['profile.updated']]);
    expect(chat.session.flowId).toBeNull();

    const people = await h.db.person.findMany({ where: { ownerId: chat.userId }, orderBy: { createdAt: 'asc' } });
    expect(people.map((p) => p.phone)).toEqual(['+66998887777', '+66655555555']);
    expect(people[0]!.firstName).toBe(self.firstName);
    expect(await h.db.personalDataAccess.findFirst({ where: { lineUserId: chat.userId, action: 'correct' } })).toMatchObject({ personId: people[0]!.id });

    // The family member's number, from the second card.
    await chat.menu('profile');
    await chat.answer('overview', 'phone:2');
    await chat.text('0611111111');
    const after = await h.db.person.findMany({ where: { ownerId: chat.userId }, orderBy: { createdAt: 'asc' } });
    expect(after.map((p) => p.phone)).toEqual(['+66998887777', '+66611111111']);
  });

  it('changes the province by name, through the picker when several match, or by region', async () => {
    const { chat } = await registeredUser();
    await chat.menu('profile');
    expect((await chat.answer('overview', 'province:1')).all).toContain(th['register.askProvince']);
    const picker = await chat.text('เชียง');
    expect(picker.texts[0]).toBe(th['register.provinceMany']);
    expect(chat.session.step).toBe('province');
    expect((await chat.answer('province', 'code:57')).texts).toEqual([th['profile.updated']]);
    expect(await h.db.person.findFirstOrThrow({ where: { ownerId: chat.userId } })).toMatchObject({ provinceCode: '57' });

    await chat.menu('profile');
    await chat.answer('overview', 'province:1');
    expect((await chat.text('Atlantis')).texts[0]).toBe(th['register.provinceNotFound'].replace('{input}', 'Atlantis'));
    const region = await chat.answer('province', 'region:south');
    expect(region.postbacks.filter((p) => p.a === 'ans' && p.v.startsWith('code:'))).toHaveLength(14);
    await chat.answer('province', 'code:83');
    expect(await h.db.person.findFirstOrThrow({ where: { ownerId: chat.userId } })).toMatchObject({ provinceCode: '83' });

    await chat.menu('profile');
    await chat.answer('overview', 'province:1');
    expect((await chat.text('Khon Kaen')).texts).toEqual([th['profile.updated']]);
    expect(await h.db.person.findFirstOrThrow({ where: { ownerId: chat.userId } })).toMatchObject({ provinceCode: '40' });
  });

  it('export answers with a short-lived link holding an unguessable token (only its hash is stored)', async () => {
    const { chat } = await registeredUser();
    await chat.menu('profile');
    const before = Date.now();
    const answer = await chat.answer('overview', 'export');
    expect(chat.session.flowId).toBeNull();
    expect(answer.texts).toHaveLength(1);
    expect(answer.texts[0]).toContain(lead(th['profile.exportReady']).replace('{minutes}', '15'));
    expect(answer.texts[0]).toContain('15 นาที');
    const match = /https:\/\/morprom\.example\/exports\/([A-Za-z0-9_-]+)$/.exec(answer.texts[0]!);
    expect(match, answer.texts[0]).not.toBeNull();
    const token = match![1]!;
    expect(token.length).toBeGreaterThanOrEqual(32);

    const rows = await h.db.dataExport.findMany({ where: { lineUserId: chat.userId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tokenHash).toBe(createHash('sha256').update(token).digest('hex'));
    const ttl = rows[0]!.expiresAt.getTime() - before;
    expect(ttl).toBeGreaterThan(14 * 60_000);
    expect(ttl).toBeLessThanOrEqual(15 * 60_000 + 5_000);

    // A second request gives another link.
    await chat.menu('profile');
    const second = await chat.answer('overview', 'export');
    expect(second.texts[0]).not.toContain(token);
    expect(await h.db.dataExport.count({ where: { lineUserId: chat.userId } })).toBe(2);
  });

  it('delete, confirmed, erases everything of the LINE user and gives back the guest menu', async () => {
    const { chat, members } = await registeredUser(2);
    const other = await registeredUser();
    await chat.menu('profile');
    await chat.answer('overview', 'export');
    expect(await h.db.dataExport.count({ where: { lineUserId: chat.userId } })).toBe(1);

    await chat.menu('profile');
    const confirm = await chat.answer('overview', 'delete');
    expect(confirm.texts).toEqual([th['profile.confirmDelete']]);
    expect(confirm.quickReplies.map((q) => q.postback)).toEqual([{ a: 'ans', s: 'confirmDelete', v: 'yes' }, { a: 'cancel' }]);
    expect(chat.session.step).toBe('confirmDelete');
    // Anything but the confirm button asks again.
    expect((await chat.text('ok')).texts).toEqual([th['profile.confirmDelete']]);
    expect(await h.db.person.count({ where: { ownerId: chat.userId } })).toBe(3);

    const deleted = await chat.answer('confirmDelete', 'yes');
    expect(deleted.texts).toEqual([th['profile.deleted']]);
    expect(deleted.result.richMenu).toBe('guest');
    expect(deleted.quickReplies.map((q) => q.postback)).toEqual([{ a: 'menu', f: 'register' }]);
    expect(chat.session.flowId).toBeNull();

    expect(await h.db.person.count({ where: { ownerId: chat.userId } })).toBe(0);
    expect(await h.db.consentRecord.count({ where: { lineUserId: chat.userId } })).toBe(0);
    expect(await h.db.dataExport.count({ where: { lineUserId: chat.userId } })).toBe(0);
    const idHashes = members.map((m) => h.cipher.hashIdentity('THAI_ID', m.nationalId));
    expect(await h.db.person.count({ where: { idHash: { in: idHashes } } })).toBe(0);
    // The access log keeps only that the erasure was done.
    expect(await h.db.personalDataAccess.count({ where: { lineUserId: chat.userId, action: 'erase' } })).toBe(1);
    // Nobody else's data was touched.
    expect(await h.db.person.count({ where: { ownerId: other.chat.userId } })).toBe(1);
    expect(await h.db.consentRecord.count({ where: { lineUserId: other.chat.userId } })).toBe(1);

    // The account is a newcomer again.
    const help = await chat.text('hello?');
    expect(help.quickReplies.map((q) => (q.postback?.a === 'menu' ? q.postback.f : null))).toEqual(['register', 'help', 'language']);
    expect((await chat.menu('profile')).texts).toEqual([th['register.required']]);
    // and may register the same people again.
    await chat.menu('family');
    await answerUntil(chat, members[0]!);
    expect((await chat.answer('summary', 'confirm')).texts[0]).toContain(members[0]!.firstName);
  });

  it('delete, cancelled (button or typed), erases nothing', async () => {
    const { chat } = await registeredUser(1);
    for (const cancel of [() => chat.postback({ a: 'cancel' }), () => chat.text('ยกเลิก')]) {
      await chat.menu('profile');
      await chat.answer('overview', 'delete');
      const cancelled = await cancel();
      expect(cancelled.texts[0]).toContain(th['common.cancelled']);
      expect(chat.session.flowId).toBeNull();
      expect(await h.db.person.count({ where: { ownerId: chat.userId } })).toBe(2);
      expect(await h.db.consentRecord.count({ where: { lineUserId: chat.userId } })).toBe(2);
    }
    // The confirm button of the abandoned question has expired.
    const stale = await chat.answer('confirmDelete', 'yes');
    expect(stale.texts[0]).toBe(th['error.staleButton']);
    expect(await h.db.person.count({ where: { ownerId: chat.userId } })).toBe(2);
    expect(await h.db.personalDataAccess.count({ where: { lineUserId: chat.userId, action: 'erase' } })).toBe(0);
  });

  it('a card button for a person that is not in the list asks again', async () => {
    const { chat } = await registeredUser();
    await chat.menu('profile');
    for (const value of ['phone:7', 'phone:', 'province', 'rename:1']) {
      const answer = await chat.answer('overview', value);
      expect(answer.messages).toHaveLength(1);
      expect(answer.messages[0]).toMatchObject({ type: 'flex', altText: th['profile.title'] });
      expect(chat.session.step).toBe('overview');
    }
  });

  // BUG (src/bot/flows/profile.flow.ts, overview.handle): `data.people[ref]` also finds
  // inherited properties, so a tampered button "phone:constructor" puts a function in the state
  // (not plain data: the worker's saveSession then fails and the user gets "error.generic").
  // Expected: treated like any unknown ref. Remove `.fails` once refs are looked up with Object.hasOwn.
  it('a tampered card button naming an inherited property is treated as unknown', async () => {
    const { chat } = await registeredUser();
    await chat.menu('profile');
    const answer = await chat.answer('overview', 'phone:constructor');
    expect(answer.messages[0]).toMatchObject({ type: 'flex', altText: th['profile.title'] });
    expect(chat.session.step).toBe('overview');
  });

  it('the add-family button on the card starts the family registration', async () => {
    const { chat } = await registeredUser();
    await chat.menu('profile');
    const consent = await chat.menu('family');
    expect(consent.all).toContain(th['consent.titleOnBehalf']);
    expect(chat.session).toMatchObject({ flowId: 'family-registration', step: 'consent' });
  });

  it('no call answered with more messages than the worker can send in one reply', () => {
    expect(h.maxMessagesPerCall).toBeLessThanOrEqual(5);
  });
});
