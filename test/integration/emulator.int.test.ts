/**
 * End to end through the emulator: a tiny bot (SDK middleware for signatures, SDK client
 * for replies) driven by a virtual user who taps quick replies, Flex buttons, template
 * buttons, date pickers and rich menu areas.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { messagingApi, middleware, type webhook } from '@line/bot-sdk';
import express from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSolidPng, startLineEmulator, type LineEmulator } from '../../src/emulator/index.js';

const CHANNEL = { channelAccessToken: 'int-token', channelSecret: 'int-secret' };
const text = (value: string, extra: Partial<messagingApi.TextMessage> = {}): messagingApi.TextMessage => ({ type: 'text', text: value, ...extra });

const welcome: messagingApi.Message = text('Welcome!', {
  quickReply: {
    items: [
      { type: 'action', action: { type: 'message', label: 'Say hi', text: 'hi' } },
      { type: 'action', action: { type: 'postback', label: 'Book', data: 'action=book', displayText: 'I want to book' } },
      {
        type: 'action',
        action: { type: 'datetimepicker', label: 'Pick a date', data: 'action=date', mode: 'date', min: '2025-01-01', max: '2025-12-31' },
      },
      { type: 'action', action: { type: 'uri', label: 'Website', uri: 'https://example.com/' } },
    ],
  },
});

const slotBubble = (title: string, slot: string, withButton: boolean): messagingApi.FlexBubble => ({
  type: 'bubble',
  body: withButton
    ? { type: 'box', layout: 'vertical', contents: [{ type: 'text', text: title }] }
    : // A tappable box without a label: the user reads its text.
      { type: 'box', layout: 'vertical', action: { type: 'postback', data: `slot=${slot}` }, contents: [{ type: 'text', text: title }] },
  ...(withButton && {
    footer: { type: 'box', layout: 'vertical', contents: [{ type: 'button', action: { type: 'postback', label: 'Choose', data: `slot=${slot}` } }] },
  }),
});

const slots: messagingApi.Message[] = [
  {
    type: 'flex',
    altText: 'Pick a slot',
    contents: { type: 'carousel', contents: [slotBubble('Morning', 'am', true), slotBubble('Afternoon', 'pm', false)] },
  },
  {
    type: 'template',
    altText: 'Confirm?',
    template: {
      type: 'confirm',
      text: 'Remind me?',
      actions: [
        { type: 'message', label: 'Yes', text: 'yes' },
        { type: 'postback', label: 'No', data: 'remind=no' },
      ],
    },
  },
];

/** What the bot answers; replies go through the real SDK client to the emulator. */
function answer(event: webhook.Event): messagingApi.Message[] | undefined {
  if (event.type === 'follow') return [welcome];
  if (event.type === 'message' && event.message.type === 'text') {
    const replies: Record<string, string> = { hi: 'Hello!', yes: 'Confirmed' };
    return [text(replies[event.message.text] ?? `You said ${event.message.text}`)];
  }
  if (event.type === 'message' && event.message.type === 'location') {
    return [text(`Location ${event.message.latitude},${event.message.longitude}`)];
  }
  if (event.type === 'postback') {
    const { data, params } = event.postback;
    if (params?.newRichMenuAliasId) return [text(`Switched to ${params.newRichMenuAliasId} (${params.status})`)];
    if (params?.date) return [text(`Date: ${params.date}`)];
    if (data === 'action=book') return slots;
    if (data.startsWith('slot=')) return [text(`Booked ${data.slice(5)}`)];
    return [text(`Postback ${data}`)];
  }
  return undefined;
}

async function startFakeBot(emulatorUrl: string) {
  const api = new messagingApi.MessagingApiClient({ channelAccessToken: CHANNEL.channelAccessToken, baseURL: emulatorUrl });
  const received: webhook.Event[] = [];
  const app = express();
  app.post('/webhook', middleware({ channelSecret: CHANNEL.channelSecret }), async (req, res) => {
    for (const event of (req.body as webhook.CallbackRequest).events) {
      received.push(event);
      if (event.type === 'message' && event.message.type === 'text' && event.message.text === 'later') {
        // Answer the webhook first and push afterwards, as a bot with a job queue does.
        setTimeout(() => void api.pushMessage({ to: event.source!.userId!, messages: [text('Later!')] }), 30);
        continue;
      }
      const messages = answer(event);
      if (messages && 'replyToken' in event && event.replyToken) await api.replyMessage({ replyToken: event.replyToken, messages });
    }
    res.sendStatus(200);
  });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`, received, api, server };
}

describe('virtual user against a bot', () => {
  let emulator: LineEmulator;
  let bot: Awaited<ReturnType<typeof startFakeBot>>;
  const texts = (messages: messagingApi.Message[]) => messages.map((m) => (m.type === 'text' ? m.text : m.type));

  beforeAll(async () => {
    emulator = await startLineEmulator(CHANNEL);
    bot = await startFakeBot(emulator.url);
    emulator.setWebhookUrl(bot.url);
  });
  afterAll(async () => {
    await new Promise((resolve) => bot.server.close(resolve));
    await emulator.stop();
  });
  beforeEach(() => {
    emulator.reset();
    bot.received.length = 0;
  });

  it('follows, reads the welcome and taps a quick reply that sends text', async () => {
    const user = emulator.user();
    await user.follow();
    expect(texts(await user.nextMessages())).toEqual(['Welcome!']);

    await user.tap('Say hi');

    expect(texts(await user.nextMessages())).toEqual(['Hello!']);
    expect(bot.received.map((e) => e.type)).toEqual(['follow', 'message']);
  });

  it('taps a postback quick reply, then a Flex button, a labelless Flex box and a template button', async () => {
    const booking = async () => {
      const user = emulator.user();
      await user.follow();
      await user.nextMessages();
      await user.tap('Book');
      expect(texts(await user.nextMessages())).toEqual(['flex', 'template']);
      return user;
    };

    const first = await booking();
    await first.tap('Choose');
    expect(texts(await first.nextMessages())).toEqual(['Booked am']);
    expect(first.transcript).toContainEqual({ from: 'user', text: 'I want to book' }); // displayText is shown, not sent
    expect(bot.received.filter((e) => e.type === 'message')).toEqual([]);

    const second = await booking();
    await second.tap('Afternoon');
    expect(texts(await second.nextMessages())).toEqual(['Booked pm']);

    const third = await booking();
    await third.tap('Yes');
    expect(texts(await third.nextMessages())).toEqual(['Confirmed']);
  });

  it('picks a date within the picker’s range and sends it as postback params', async () => {
    const user = emulator.user();
    await user.follow();
    await user.nextMessages();

    await expect(user.pickDate('Pick a date', '2026-01-01')).rejects.toThrow(/outside 2025-01-01–2025-12-31/);
    await expect(user.pickDate('Say hi', '2025-01-01')).rejects.toThrow(/not a date picker/);
    await user.pickDate('Pick a date', '2025-03-15');

    expect(texts(await user.nextMessages())).toEqual(['Date: 2025-03-15']);
    expect(bot.received.at(-1)).toMatchObject({ type: 'postback', postback: { data: 'action=date', params: { date: '2025-03-15' } } });
  });

  it('opens a URI without sending anything, and lists what is tappable for an unknown label', async () => {
    const user = emulator.user();
    await user.follow();
    await user.nextMessages();

    const opened = await user.tap('Website');

    expect(opened.uri).toBe('https://example.com/');
    expect(bot.received).toHaveLength(1); // only the follow
    await expect(user.tap('Cancel')).rejects.toThrow(/Nothing labelled Cancel[\s\S]*"Say hi"[\s\S]*"Book"[\s\S]*"Website"/);
  });

  it('taps rich menu areas by label and by index, including a tab switch', async () => {
    const { api } = bot;
    const blob = new messagingApi.MessagingApiBlobClient({ channelAccessToken: CHANNEL.channelAccessToken, baseURL: emulator.url });
    const menu = async (name: string, areas: messagingApi.RichMenuArea[]) => {
      const { richMenuId } = await api.createRichMenu({ size: { width: 2500, height: 843 }, selected: true, name, chatBarText: name, areas });
      await blob.setRichMenuImage(richMenuId, new Blob([new Uint8Array(createSolidPng(2500, 843))], { type: 'image/png' }));
      return richMenuId;
    };
    const half = (x: number) => ({ x, y: 0, width: 1250, height: 843 });
    const tabA = await menu('A', [
      { bounds: half(0), action: { type: 'postback', label: 'Help', data: 'help' } },
      { bounds: half(1250), action: { type: 'richmenuswitch', richMenuAliasId: 'tab-b', data: 'to-b' } },
    ]);
    const tabB = await menu('B', [{ bounds: half(0), action: { type: 'message', label: 'Say hi from B', text: 'hi' } }]);
    await api.createRichMenuAlias({ richMenuAliasId: 'tab-b', richMenuId: tabB });
    await api.setDefaultRichMenu(tabA);

    const user = emulator.user();
    await user.follow();
    await user.nextMessages();
    await user.tap('Help');
    expect(texts(await user.nextMessages())).toEqual(['Postback help']);

    await user.tap(1);
    expect(texts(await user.nextMessages())).toEqual(['Switched to tab-b (SUCCESS)']);
    expect(user.richMenu?.richMenuId).toBe(tabB);

    await user.tap('Say hi from B');
    expect(texts(await user.nextMessages())).toEqual(['Hello!']);
  });

  it('waits for messages a bot pushes after answering the webhook', async () => {
    const user = emulator.user();
    await user.say('later');

    expect(texts(await user.nextMessages({ timeoutMs: 1000 }))).toEqual(['Later!']);
    expect(emulator.store.messagesFor(user.userId)).toMatchObject([{ via: 'push' }]);
  });

  it('shares a location', async () => {
    const user = emulator.user();
    await user.sendLocation({ title: 'Clinic', address: 'Bangkok', latitude: 13.7563, longitude: 100.5018 });

    expect(texts(await user.nextMessages())).toEqual(['Location 13.7563,100.5018']);
  });

  it('does not show pushes to a user who blocked the account', async () => {
    const user = emulator.user();
    await user.follow();
    await user.nextMessages();
    await user.unfollow();

    await bot.api.pushMessage({ to: user.userId, messages: [text('Come back?')] });

    await expect(user.nextMessages({ timeoutMs: 100 })).rejects.toThrow(/Timed out/);
    expect(emulator.store.messagesFor(user.userId).at(-1)).toMatchObject({ via: 'push', delivered: false });
  });
});
