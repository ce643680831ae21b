/**
 * The chat UI's JSON API and live stream, without a browser: a small bot (LINE SDK
 * middleware and client) behind the emulator, and the API called as the page calls it.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { messagingApi, middleware, type webhook } from '@line/bot-sdk';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSolidPng, startLineEmulator, type LineEmulator } from '../../src/emulator/index.js';
import { createEmulatorUiRouter, type ChatEntry } from '../../src/emulator/ui/index.js';

const CHANNEL = { channelAccessToken: 'ui-token', channelSecret: 'ui-secret' };

const datePicker: messagingApi.DatetimePickerAction = { type: 'datetimepicker', label: 'Pick a date', data: 'date', mode: 'date', min: '2026-01-01', max: '2026-12-31' };
const welcome: messagingApi.TextMessage = {
  type: 'text',
  text: 'Welcome!',
  quickReply: {
    items: [
      { type: 'action', action: { type: 'postback', label: 'Book', data: 'book', displayText: 'I want to book' } },
      { type: 'action', action: datePicker },
      { type: 'action', action: { type: 'location', label: 'Where?' } },
    ],
  },
};

let emulator: LineEmulator;
let bot: Server;
let ui: Server;
let base: string;
let api: messagingApi.MessagingApiClient;
const received: webhook.Event[] = [];

function reply(event: webhook.Event): messagingApi.Message[] {
  if (event.type === 'follow') return [welcome];
  if (event.type === 'message') return [{ type: 'text', text: event.message.type === 'text' ? `You said ${event.message.text}` : `Got a ${event.message.type}` }];
  if (event.type === 'postback') return [{ type: 'text', text: `Postback ${event.postback.data} ${JSON.stringify(event.postback.params ?? {})}` }];
  return [];
}

async function listen(app: express.Express): Promise<Server> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
}

beforeAll(async () => {
  emulator = await startLineEmulator(CHANNEL);
  api = new messagingApi.MessagingApiClient({ channelAccessToken: CHANNEL.channelAccessToken, baseURL: emulator.url });
  const botApp = express();
  botApp.post('/webhook', middleware({ channelSecret: CHANNEL.channelSecret }), async (req, res) => {
    for (const event of (req.body as webhook.CallbackRequest).events) {
      received.push(event);
      const messages = reply(event);
      if (messages.length > 0 && 'replyToken' in event && event.replyToken) await api.replyMessage({ replyToken: event.replyToken, messages });
    }
    res.sendStatus(200);
  });
  bot = await listen(botApp);
  emulator.setWebhookUrl(`http://127.0.0.1:${(bot.address() as AddressInfo).port}/webhook`);

  const uiApp = express();
  uiApp.use(createEmulatorUiRouter(emulator, { botName: 'Test bot' }));
  ui = await listen(uiApp);
  base = `http://127.0.0.1:${(ui.address() as AddressInfo).port}`;
});

afterAll(async () => {
  ui?.closeAllConnections();
  await new Promise((resolve) => ui?.close(resolve));
  await new Promise((resolve) => bot?.close(resolve));
  await emulator?.stop();
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; type: string; json: any }> {
  const response = await fetch(`${base}/emulator/api${path}`, {
    method,
    ...(body !== undefined && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: response.status, type: response.headers.get('content-type') ?? '', json: await response.json() };
}

/** A new user who followed and got the welcome. */
async function followedUser(): Promise<string> {
  const { json: user } = await call('POST', '/users', { displayName: 'Anan' });
  expect((await call('POST', `/users/${user.userId}/follow`)).status).toBe(200);
  await chatUntil(user.userId, (entries) => entries.some((e) => e.from === 'bot'));
  return user.userId;
}

async function chat(userId: string): Promise<ChatEntry[]> {
  return (await call('GET', `/users/${userId}/chat`)).json.entries;
}

/** Polls the chat until `done` holds (the bot answers asynchronously). */
async function chatUntil(userId: string, done: (entries: ChatEntry[]) => boolean): Promise<ChatEntry[]> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const entries = await chat(userId);
    if (done(entries)) return entries;
    if (Date.now() > deadline) throw new Error(`chat never got there: ${JSON.stringify(entries)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** What each entry reads as: "user: text", "bot: text…", "system: …". */
function lines(entries: ChatEntry[]): string[] {
  return entries.map((entry) => {
    if (entry.from === 'system') return `system: ${entry.text}`;
    if (entry.from === 'user') return `user: ${entry.message.type === 'text' ? entry.message.text : entry.message.type}`;
    return `bot: ${entry.messages.map((m) => (m.type === 'text' ? m.text : m.type)).join(' | ')}`;
  });
}

describe('chat UI API', () => {
  it('serves the page and its assets', async () => {
    const page = await fetch(`${base}/emulator`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/emulator/assets/app.js');
    for (const asset of ['app.js', 'flex.js', 'messages.js', 'style.css']) {
      expect((await fetch(`${base}/emulator/assets/${asset}`)).status, asset).toBe(200);
    }
    expect((await call('GET', '/info')).json).toEqual({ botName: 'Test bot' });
  });

  it('creates users with display names the bot can read from the profile, and lists them', async () => {
    const created = await call('POST', '/users', { displayName: 'Malee' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ displayName: 'Malee', friend: false, blocked: false, richMenu: null });
    expect((await api.getProfile(created.json.userId)).displayName).toBe('Malee');
    const again = await call('POST', '/users', { userId: created.json.userId });
    expect(again.status).toBe(200);
    expect((await call('GET', '/users')).json.users.map((u: { userId: string }) => u.userId)).toContain(created.json.userId);
  });

  it('answers bad input with problem details', async () => {
    const bad = await call('POST', '/users', { userId: 'nope' });
    expect(bad.status).toBe(400);
    expect(bad.type).toContain('application/problem+json');
    expect(bad.json).toMatchObject({ type: 'about:blank', title: 'Invalid request', status: 400, errors: [{ path: 'userId' }] });

    const unknown = await call('POST', `/users/U${'0'.repeat(32)}/messages`, { type: 'text', text: 'hi' });
    expect(unknown.status).toBe(404);
    expect(unknown.type).toContain('application/problem+json');

    const { json: user } = await call('POST', '/users', {});
    const blank = await call('POST', `/users/${user.userId}/messages`, { type: 'text', text: '   ' });
    expect(blank.status).toBe(400);
    const twoTargets = await call('POST', `/users/${user.userId}/tap`, { index: 0, area: 0 });
    expect(twoTargets.status).toBe(400);
    const malformed = await fetch(`${base}/emulator/api/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toContain('application/problem+json');
    expect((await call('GET', '/nothing-here')).status).toBe(404);
  });

  it('follows, taps a quick reply and sends text; the chat shows both sides in order', async () => {
    const userId = await followedUser();
    const book = welcome.quickReply!.items![0]!.action!;
    const tapped = await call('POST', `/users/${userId}/tap`, { action: book });
    expect(tapped.status).toBe(200);
    expect(tapped.json.tapped).toMatchObject({ label: 'Book', place: 'quick reply' });
    await chatUntil(userId, (entries) => entries.length >= 4);
    await call('POST', `/users/${userId}/messages`, { type: 'text', text: 'hello\nthere' });

    const entries = await chatUntil(userId, (all) => all.length >= 6);
    expect(lines(entries)).toEqual([
      'system: You added the account as a friend',
      'bot: Welcome!',
      'user: I want to book',
      'bot: Postback book {}',
      'user: hello\nthere',
      'bot: You said hello\nthere',
    ]);
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(received.filter((e) => e.source?.userId === userId).map((e) => e.type)).toEqual(['follow', 'postback', 'message']);
    // Quick replies go away once another message follows, as in LINE.
    expect((await call('POST', `/users/${userId}/tap`, { action: book })).status).toBe(422);
  });

  it('refuses actions that are not on screen and picker values LINE would not allow, sending nothing', async () => {
    const userId = await followedUser();
    const before = received.length;
    const forged = await call('POST', `/users/${userId}/tap`, { action: { type: 'postback', label: 'Admin', data: 'admin' } });
    expect(forged.status).toBe(422);
    const outside = await call('POST', `/users/${userId}/tap`, { action: datePicker, value: '2030-01-01' });
    expect(outside.status).toBe(422);
    expect(outside.json.detail).toContain('outside');
    expect((await call('POST', `/users/${userId}/tap`, { action: welcome.quickReply!.items![2]!.action! })).status).toBe(422); // no location chosen
    expect(received.length).toBe(before);
    expect(lines(await chat(userId))).toHaveLength(2);

    expect((await call('POST', `/users/${userId}/tap`, { action: datePicker, value: '2026-04-12' })).status).toBe(200);
    const entries = await chatUntil(userId, (all) => all.length >= 4);
    expect(lines(entries).slice(2)).toEqual(['system: 📅 2026-04-12', 'bot: Postback date {"date":"2026-04-12"}']);
  });

  it('taps by index of the available actions and sends locations, stickers and pictures', async () => {
    const userId = await followedUser();
    const { json } = await call('GET', `/users/${userId}/actions`);
    expect(json.actions.map((a: { label: string }) => a.label)).toEqual(['Book', 'Pick a date', 'Where?']);
    const location = { latitude: 13.75, longitude: 100.5, title: 'Home' };
    expect((await call('POST', `/users/${userId}/tap`, { index: 2, location })).status).toBe(200);
    expect((await call('POST', `/users/${userId}/messages`, { type: 'sticker', packageId: '446', stickerId: '1988' })).status).toBe(200);
    const png = createSolidPng(4, 4);
    const upload = await fetch(`${base}/emulator/api/users/${userId}/image`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: png });
    expect(upload.status).toBe(200);

    const entries = await chatUntil(userId, (all) => all.length >= 8);
    expect(lines(entries).slice(2)).toEqual(['user: location', 'bot: Got a location', 'user: sticker', 'bot: Got a sticker', 'user: image', 'bot: Got a image']);
    const image = entries[6]!;
    if (image.from !== 'user' || image.message.type !== 'image') throw new Error('expected the picture');
    const content = await fetch(`${base}/emulator/api/content/${image.message.messageId}`);
    expect(Buffer.from(await content.arrayBuffer())).toEqual(png);
    const sent = received.filter((e): e is webhook.MessageEvent => e.type === 'message' && e.source?.userId === userId);
    expect(sent.map((e) => e.message.type)).toEqual(['location', 'sticker', 'image']);
    expect(sent[0]!.message).toMatchObject(location);
  });

  it('shows the rich menu with its image, taps its areas, and streams pushes and menu changes live', async () => {
    const menu = (chatBarText: string) => ({
      size: { width: 2500, height: 843 },
      selected: true,
      name: chatBarText,
      chatBarText,
      areas: [
        { bounds: { x: 0, y: 0, width: 1250, height: 843 }, action: { type: 'message' as const, label: 'Hi', text: 'hi' } },
        { bounds: { x: 1250, y: 0, width: 1250, height: 843 }, action: { type: 'richmenuswitch' as const, richMenuAliasId: 'second', data: 'switch' } },
      ],
    });
    const blob = new messagingApi.MessagingApiBlobClient({ channelAccessToken: CHANNEL.channelAccessToken, baseURL: emulator.url });
    const { richMenuId: first } = await api.createRichMenu(menu('First'));
    const { richMenuId: second } = await api.createRichMenu(menu('Second'));
    for (const id of [first, second]) await blob.setRichMenuImage(id, new Blob([createSolidPng(2500, 843)], { type: 'image/png' }));
    await api.createRichMenuAlias({ richMenuAliasId: 'second', richMenuId: second });
    await api.setDefaultRichMenu(first);

    const userId = await followedUser();
    const { json } = await call('GET', `/users/${userId}/richmenu`);
    expect(json.richMenu).toMatchObject({ richMenuId: first, chatBarText: 'First', imageUrl: `/emulator/api/richmenus/${first}/image` });
    expect(json.richMenu.areas[1]).toMatchObject({ index: 1, bounds: { x: 1250, y: 0, width: 1250, height: 843 } });
    const image = await fetch(`${base}${json.richMenu.imageUrl}`);
    expect(image.headers.get('content-type')).toBe('image/png');

    const stream = await openStream(userId);
    try {
      await stream.until((events) => events.some((e) => e.event === 'entry' && e.data.seq === 2));
      expect(stream.events[0]).toMatchObject({ event: 'status', data: { friend: true, richMenu: { richMenuId: first } } });

      expect((await call('POST', `/users/${userId}/tap`, { area: 1 })).status).toBe(200);
      await stream.until((events) => events.some((e) => e.event === 'status' && e.data.richMenu?.richMenuId === second));

      await api.pushMessage({ to: userId, messages: [{ type: 'text', text: 'A push' }] });
      await stream.until((events) => events.some((e) => e.event === 'entry' && e.data.from === 'bot' && e.data.messages[0].text === 'A push'));

      await call('POST', `/users/${userId}/unfollow`);
      await stream.until((events) => events.some((e) => e.event === 'status' && e.data.blocked === true));
    } finally {
      stream.close();
    }
    // A user who blocked the account never sees what is pushed to them.
    await api.pushMessage({ to: userId, messages: [{ type: 'text', text: 'Unseen' }] });
    expect(lines(await chat(userId)).join('\n')).not.toContain('Unseen');
    // A stream resumes after the last entry it saw.
    const resumed = await openStream(userId, 3);
    try {
      await resumed.until((events) => events.some((e) => e.event === 'entry'));
      expect(resumed.events.find((e) => e.event === 'entry')!.data.seq).toBe(4);
    } finally {
      resumed.close();
    }
  });
});

/** Reads `GET /emulator/api/events` as EventSource would. */
async function openStream(userId: string, lastEventId?: number) {
  const controller = new AbortController();
  const response = await fetch(`${base}/emulator/api/events?userId=${userId}`, {
    signal: controller.signal,
    headers: lastEventId === undefined ? {} : { 'last-event-id': String(lastEventId) },
  });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const events: Array<{ event: string; data: any }> = [];
  let buffer = '';
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of response.body!) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
      }
    }
  })().catch(() => {});
  return {
    events,
    async until(done: (all: typeof events) => boolean): Promise<void> {
      const deadline = Date.now() + 3000;
      while (!done(events)) {
        if (Date.now() > deadline) throw new Error(`stream never got there: ${JSON.stringify(events)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close(): void {
      controller.abort();
      void reading;
    },
  };
}
