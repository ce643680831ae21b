/**
 * The chat UI in a real browser (Debian's chromium, driven by playwright-core) against the
 * real stack: a new user follows the account and registers by typing and tapping, then sees
 * the member rich menu. Saves a screenshot (UPDATE_SCREENSHOT=1 refreshes the README's
 * docs/images/emulator-chat.png; otherwise it goes to tmp/ so test runs leave the tree clean).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulatorUiRouter } from '../../src/emulator/ui/index.js';
import { DEMO_PERSON } from '../../prisma/data/demo-people.js';
import { startStack, type TestStack } from '../support/stack.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = process.env.UPDATE_SCREENSHOT === '1' ? 'docs/images/emulator-chat.png' : 'tmp/emulator-chat.png';
const STEP_TIMEOUT_MS = 10_000;

let stack: TestStack;
let context: BrowserContext;
let page: Page;
let userDataDir: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: the end-to-end test drives Debian's chromium. Install it with: apt-get install -y chromium (.ci/run does so)`);
  }
  stack = await startStack({ extraRouters: (emulator) => [createEmulatorUiRouter(emulator, { botName: 'หมอพร้อม' })] });
  userDataDir = mkdtempSync(join(tmpdir(), 'e2e-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1000, height: 900 },
    deviceScaleFactor: 1,
    locale: 'th-TH',
    timezoneId: 'Asia/Bangkok',
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
}, 60_000);

afterAll(async () => {
  await context?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  await stack?.close();
});

/** Does something in the page, then waits until the bot has answered with `expected`. */
async function expectAnswer(expected: string, act: () => Promise<void>): Promise<void> {
  const answers = page.locator('#chat .msg--bot', { hasText: expected });
  const before = await answers.count();
  await act();
  await expect.poll(() => answers.count(), { timeout: STEP_TIMEOUT_MS }).toBeGreaterThan(before);
}

/** Types into the chat box, switching from the rich menu to the keyboard first if needed. */
async function type(text: string): Promise<void> {
  if (await page.locator('#keyboard-toggle').isVisible()) await page.click('#keyboard-toggle');
  await page.fill('#message-input', text);
  await page.press('#message-input', 'Enter');
}

async function tap(label: string): Promise<void> {
  await page.getByRole('button', { name: label, exact: true }).last().click();
}

describe('chat UI', () => {
  it('a new user follows, registers by typing and tapping, and sees the member rich menu', async () => {
    await page.goto(`${stack.service.url}/emulator`);
    await page.waitForSelector('body[data-ready="true"]');

    await page.fill('#new-user-name', 'สมชาย');
    await page.click('#new-user-button');
    await page.waitForSelector('.user-item--selected:has-text("สมชาย")');
    const userId = (await page.textContent('#user-id'))!.trim();

    // The guest menu is the default: shown before the user even follows.
    const richMenuImage = page.locator('#richmenu-image');
    await expect.poll(() => richMenuImage.getAttribute('src')).toContain(stack.richMenuIds.guest);

    await expectAnswer('ยินดีต้อนรับ', () => page.click('#banner-follow-button'));
    await expectAnswer('ประเภทเอกสาร', () => tap('ยินยอม'));
    await expectAnswer('13 หลัก', () => tap('บัตรประชาชน'));
    await expectAnswer('ชื่อ', () => type(DEMO_PERSON.nationalId));
    await expectAnswer('นามสกุล', () => type(DEMO_PERSON.firstName));
    await expectAnswer('วันเกิด', () => type(DEMO_PERSON.lastName));
    await expectAnswer('เพศ', async () => {
      await tap('เลือกวันเกิด');
      await page.waitForSelector('#picker-dialog[open]');
      expect(await page.getAttribute('#picker-input', 'type')).toBe('date');
      await page.fill('#picker-input', DEMO_PERSON.birthDate);
      await page.click('#picker-ok');
    });
    await expectAnswer('มือถือ', () => tap('ชาย'));
    await expectAnswer('จังหวัด', () => type('0812345678'));
    await expectAnswer('ตรวจสอบข้อมูล', () => type('กรุงเทพมหานคร'));

    const summary = (await page.locator('#chat .msg--bot').last().textContent()) ?? '';
    expect(summary).toContain('x-xxxx-xxxxx-03-0');
    expect(summary).toContain('12 เม.ย. 2498');
    expect(summary).toContain('กรุงเทพมหานคร');
    expect(summary).not.toContain(DEMO_PERSON.nationalId);

    await expectAnswer('ลงทะเบียนสำเร็จ', () => tap('ยืนยัน'));

    // The bot links the member menu; the page follows without a reload.
    await expect.poll(() => richMenuImage.getAttribute('src'), { timeout: STEP_TIMEOUT_MS }).toContain(stack.richMenuIds.member);
    if (!(await richMenuImage.isVisible())) await page.click('#menu-toggle');
    const naturalWidth = () => richMenuImage.evaluate((image) => (image as unknown as { naturalWidth: number }).naturalWidth);
    await expect.poll(naturalWidth).toBe(2500);
    expect(await page.locator('#richmenu-areas .richmenu__area').count()).toBe(stack.emulator.store.richMenu(stack.richMenuIds.member)!.areas.length);

    // What the user typed is on the right, in order.
    const sent = await page.locator('#chat .msg--user').allTextContents();
    expect(sent.join('\n')).toContain(DEMO_PERSON.nationalId);
    expect(sent.join('\n')).toContain('0812345678');
    expect(await page.locator('#chat').textContent()).toContain('ลงทะเบียนสำเร็จ');

    const person = await stack.db.person.findFirstOrThrow({ where: { ownerId: userId } });
    expect(person).toMatchObject({ verificationStatus: 'VERIFIED', phone: '+66812345678', provinceCode: '10' });

    await page.mouse.move(0, 0); // no hover highlight in the picture
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
  }, 60_000);
});
