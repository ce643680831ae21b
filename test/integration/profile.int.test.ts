// "My profile" through the real webhook: the emulator's virtual user registers, opens the
// profile from the rich menu, downloads the data export over HTTP, and erases everything.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VirtualUser } from '../../src/emulator/index.js';
import { DEMO_PERSON, DEMO_PERSON_UNDER_60, type DemoPerson } from '../../prisma/data/demo-people.js';
import { th } from '../../src/i18n/th.js';
import { say, startStack, tap, textsOf, type TestStack, registerThroughChat } from '../support/stack.js';
import { freePort } from '../support/ports.js';

let stack: TestStack;
const register = (user: VirtualUser, person: DemoPerson) => registerThroughChat(stack, user, person);
let publicBaseUrl: string;


beforeAll(async () => {
  const port = await freePort();
  publicBaseUrl = `http://127.0.0.1:${port}`;
  stack = await startStack({ env: { PORT: String(port), PUBLIC_BASE_URL: publicBaseUrl, EXPORT_LINK_TTL_MINUTES: '1' } });
  expect(stack.service.url).toBe(publicBaseUrl);
}, 60_000);

afterAll(async () => {
  await stack?.close();
});


/** Opens "ข้อมูลของฉัน" from the rich menu (not from a message) and returns the card's texts. */
async function openProfile(user: VirtualUser): Promise<string[]> {
  const result = await user.tap('ข้อมูลของฉัน');
  expect(result.tapped.place).toBe('rich menu');
  return textsOf(await user.nextMessages());
}

/** Asks for an export and returns the link the bot sent. */
async function requestExport(user: VirtualUser): Promise<{ url: string; token: string; text: string }> {
  await openProfile(user);
  const [text] = await tap(user, 'ขอสำเนาข้อมูล');
  const match = /(https?:\/\/\S+\/exports\/([A-Za-z0-9_-]+))/.exec(text ?? '');
  expect(match, text).not.toBeNull();
  return { url: match![1]!, token: match![2]!, text: text! };
}

/** Number of rows in any table whose text contains `needle`, per table. */
async function tablesContaining(needle: string): Promise<Record<string, number>> {
  const tables = await stack.db.$queryRaw<Array<{ table_name: string }>>`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`;
  const found: Record<string, number> = {};
  for (const { table_name } of tables) {
    const rows = await stack.db.$queryRawUnsafe<Array<{ n: bigint }>>(`SELECT count(*) AS n FROM "${table_name}" t WHERE t::text LIKE '%' || $1 || '%'`, needle);
    if (Number(rows[0]!.n) > 0) found[table_name] = Number(rows[0]!.n);
  }
  return found;
}

describe('profile through the webhook', () => {
  let user: VirtualUser;

  beforeAll(async () => {
    user = stack.emulator.user();
    await register(user, DEMO_PERSON);
  }, 30_000);

  it('opens from the rich menu with the document number masked', async () => {
    const card = await openProfile(user);
    expect(card).toContain(th['profile.title']);
    expect(card.join('\n')).toContain('x-xxxx-xxxxx-03-0');
    expect(card).toContain('081-234-5678');
    expect(card).toContain(th['status.VERIFIED']);
    expect(JSON.stringify(user.lastMessages)).not.toContain(DEMO_PERSON.nationalId);
    // The tap was a rich menu postback: the LINE app shows its display text, nothing typed.
    expect(user.transcript).toContainEqual({ from: 'user', text: 'ข้อมูลของฉัน' });
  });

  it('export: the link in the chat downloads the file, the only place the clear ID appears', async () => {
    const before = Date.now();
    const { url, token, text } = await requestExport(user);
    expect(url.startsWith(`${publicBaseUrl}/exports/`)).toBe(true);
    expect(text).toContain('1 นาที');
    const row = await stack.db.dataExport.findUniqueOrThrow({ where: { tokenHash: createHash('sha256').update(token).digest('hex') } });
    expect(row.lineUserId).toBe(user.userId);
    expect(row.expiresAt.getTime() - before).toBeGreaterThan(50_000);
    expect(row.expiresAt.getTime() - before).toBeLessThanOrEqual(65_000);

    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="[^"]+\.json"$/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const file = (await response.json()) as { lineUserId: string; people: Array<Record<string, unknown>>; consents: Array<Record<string, unknown>> };
    expect(file.lineUserId).toBe(user.userId);
    expect(file.people).toEqual([
      expect.objectContaining({
        isSelf: true,
        identityType: 'THAI_ID',
        identityNumber: DEMO_PERSON.nationalId,
        nationality: 'THA',
        firstName: DEMO_PERSON.firstName,
        lastName: DEMO_PERSON.lastName,
        birthDate: DEMO_PERSON.birthDate,
        sex: 'male',
        phone: '+66812345678',
        province: { code: '10', nameTh: 'กรุงเทพมหานคร', nameEn: 'Bangkok' },
        verificationStatus: 'VERIFIED',
      }),
    ]);
    expect(file.consents).toEqual([expect.objectContaining({ version: stack.env.CONSENT_VERSION, decision: 'ACCEPTED', onBehalf: false })]);
    expect(await stack.db.personalDataAccess.count({ where: { lineUserId: user.userId, action: 'export' } })).toBe(1);

    // Nowhere else: not in any message the bot sent, not in any table.
    const sent = stack.emulator.store.messagesFor(user.userId).flatMap((d) => d.messages);
    expect(JSON.stringify(sent)).not.toContain(DEMO_PERSON.nationalId);
    expect(await tablesContaining(DEMO_PERSON.nationalId)).toEqual({});
  });

  it('an unknown or malformed token is a 404 problem, saying nothing about which', async () => {
    for (const token of ['A'.repeat(32), 'short', '..%2F..%2Fetc']) {
      const response = await fetch(`${publicBaseUrl}/exports/${token}`);
      expect(response.status, token).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toEqual({ type: 'about:blank', title: 'Not found', status: 404, detail: 'This link is unknown or has expired.' });
    }
  });

  it('an expired link is a 404', async () => {
    const { url, token } = await requestExport(user);
    const tokenHash = createHash('sha256').update(token).digest('hex');
    await stack.db.dataExport.update({ where: { tokenHash }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const response = await fetch(url);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await response.text()).not.toContain(DEMO_PERSON.nationalId);
    // Expired rows are removed when seen.
    expect(await stack.db.dataExport.findUnique({ where: { tokenHash } })).toBeNull();
  });

  it('delete: everything is erased and the guest menu is linked', async () => {
    const { url } = await requestExport(user);
    await openProfile(user);
    expect(await tap(user, 'ขอลบข้อมูล')).toEqual([th['profile.confirmDelete']]);
    expect(await tap(user, 'ลบข้อมูล')).toEqual([th['profile.deleted']]);

    expect(stack.emulator.store.linkedRichMenuId(user.userId)).toBe(stack.richMenuIds.guest);
    expect(user.richMenu?.richMenuId).toBe(stack.richMenuIds.guest);
    expect(await stack.db.lineUser.findUniqueOrThrow({ where: { id: user.userId } })).toMatchObject({ richMenu: 'guest' });
    expect(await stack.db.person.count({ where: { ownerId: user.userId } })).toBe(0);
    expect(await stack.db.person.count({ where: { idHash: stack.cipher.hashIdentity('THAI_ID', DEMO_PERSON.nationalId) } })).toBe(0);
    expect(await stack.db.consentRecord.count({ where: { lineUserId: user.userId } })).toBe(0);
    expect(await stack.db.dataExport.count({ where: { lineUserId: user.userId } })).toBe(0);
    // A link sent before the erasure no longer works.
    expect((await fetch(url)).status).toBe(404);

    // The guest menu is what the user now taps: "ลงทะเบียน" starts over.
    const register = await user.tap(0);
    expect(register.tapped.label).toBe('ลงทะเบียน');
    expect(textsOf(await user.nextMessages())).toContain(th['consent.title']);
    expect((await say(user, 'ยกเลิก')).join('\n')).toContain(th['common.cancelled']);
  });

  it('unfollow, then follow again: the user is greeted again', async () => {
    await user.unfollow();
    await expect.poll(async () => (await stack.db.lineUser.findUniqueOrThrow({ where: { id: user.userId } })).following).toBe(false);
    await user.follow();
    const welcome = textsOf(await user.nextMessages());
    expect(welcome.join('\n')).toContain(th['follow.greeting'].split('\n')[0]);
    expect(welcome).toContain(th['consent.title']);
    expect(await stack.db.lineUser.findUniqueOrThrow({ where: { id: user.userId } })).toMatchObject({ following: true });
  });
});

it('a registered user who unfollows and follows again is greeted with the member features', async () => {
  const user = stack.emulator.user();
  await register(user, DEMO_PERSON_UNDER_60);
  await user.unfollow();
  await expect.poll(async () => (await stack.db.lineUser.findUniqueOrThrow({ where: { id: user.userId } })).following).toBe(false);
  await user.follow();
  const welcome = await user.nextMessages();
  expect(textsOf(welcome).join('\n')).toContain(th['follow.greeting'].split('\n')[0]);
  expect(user.availableActions().filter((a) => a.place === 'quick reply').map((a) => a.label)).toContain(th['feature.profile']);
  expect(stack.emulator.store.linkedRichMenuId(user.userId)).toBe(stack.richMenuIds.member);
  expect(await stack.db.person.count({ where: { ownerId: user.userId } })).toBe(1);
});
