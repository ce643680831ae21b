/**
 * The emulator's webhook sender: event shapes, batching, signatures (checked with the real
 * SDK's validateSignature) and redelivery.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { messagingApi, validateSignature, type webhook } from '@line/bot-sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLineEmulator, type LineEmulator } from '../../src/emulator/index.js';

const CHANNEL = { channelAccessToken: 'test-token', channelSecret: 'webhook-secret' };
const USER = `U${'c'.repeat(32)}`;
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

interface Received {
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  body: webhook.CallbackRequest;
}

/** A stand-in bot that records what it receives and answers with `status`. */
async function startRecordingWebhook(): Promise<{ url: string; received: Received[]; status: { code: number }; server: Server }> {
  const received: Received[] = [];
  const status = { code: 200 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: req.headers, rawBody, body: JSON.parse(rawBody) as webhook.CallbackRequest });
      res.writeHead(status.code).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`, received, status, server };
}

describe('webhook sender', () => {
  let bot: Awaited<ReturnType<typeof startRecordingWebhook>>;
  let emulator: LineEmulator;
  const clock = { now: 1_700_000_000_000 };

  beforeAll(async () => {
    bot = await startRecordingWebhook();
    emulator = await startLineEmulator({ ...CHANNEL, webhookUrl: bot.url, now: () => clock.now });
  });
  afterAll(async () => {
    await emulator.stop();
    await new Promise((resolve) => bot.server.close(resolve));
  });
  beforeEach(() => {
    emulator.reset();
    bot.received.length = 0;
    bot.status.code = 200;
  });

  it('signs the raw body so the SDK’s validateSignature accepts it', async () => {
    const delivery = await emulator.sender.send(emulator.sender.events.text(USER, 'สวัสดี'));
    const [request] = bot.received;

    expect(delivery).toMatchObject({ status: 200, ok: true });
    expect(request!.headers['content-type']).toContain('application/json');
    expect(request!.rawBody).toBe(delivery.rawBody);
    expect(validateSignature(request!.rawBody, CHANNEL.channelSecret, request!.headers['x-line-signature'] as string)).toBe(true);
    expect(validateSignature(request!.rawBody, 'another-secret', request!.headers['x-line-signature'] as string)).toBe(false);
  });

  it('builds events the way LINE does', async () => {
    await emulator.sender.send(emulator.sender.events.text(USER, 'hello'));
    const { body } = bot.received[0]!;
    const event = body.events[0] as webhook.MessageEvent;

    expect(body.destination).toMatch(/^U[0-9a-f]{32}$/);
    expect(event).toMatchObject({
      type: 'message',
      mode: 'active',
      timestamp: clock.now,
      source: { type: 'user', userId: USER },
      deliveryContext: { isRedelivery: false },
      message: { type: 'text', text: 'hello', quoteToken: expect.any(String) },
    });
    expect(event.webhookEventId).toMatch(ULID);
    expect(event.replyToken).toMatch(/^[0-9a-f]{32}$/);
    expect(event.message.id).toMatch(/^\d{18}$/);
  });

  it('sends several events in one body, each kind with its own fields', async () => {
    const { events } = emulator.sender;
    emulator.store.block(USER);
    const batch = [
      events.follow(USER),
      events.postback(USER, 'action=book', { date: '2025-01-31' }),
      events.location(USER, { title: 'Clinic', address: 'Bangkok', latitude: 13.75, longitude: 100.5 }),
      events.sticker(USER, '446', '1988'),
      events.image(USER),
      events.unfollow(USER),
    ];

    await emulator.sender.send(batch);
    const sent = bot.received[0]!.body.events;

    expect(sent.map((e) => e.type)).toEqual(['follow', 'postback', 'message', 'message', 'message', 'unfollow']);
    expect(sent[0]).toMatchObject({ follow: { isUnblocked: true }, replyToken: expect.any(String) });
    expect(sent[1]).toMatchObject({ postback: { data: 'action=book', params: { date: '2025-01-31' } } });
    expect(sent[2]).toMatchObject({ message: { type: 'location', title: 'Clinic', latitude: 13.75, longitude: 100.5 } });
    expect(sent[3]).toMatchObject({ message: { type: 'sticker', packageId: '446', stickerId: '1988', stickerResourceType: 'STATIC' } });
    expect(sent[4]).toMatchObject({ message: { type: 'image', contentProvider: { type: 'line' } } });
    expect(sent[5]).not.toHaveProperty('replyToken');
    expect(new Set(sent.map((e) => e.webhookEventId)).size).toBe(6);
    expect(emulator.store.isBlocked(USER)).toBe(true);
  });

  it('serves the content of an image the user sent on the data host', async () => {
    const bytes = Buffer.from('not really a jpeg');
    const event = emulator.sender.events.image(USER, { bytes, contentType: 'image/jpeg' }) as webhook.MessageEvent;
    const blob = new messagingApi.MessagingApiBlobClient({ channelAccessToken: CHANNEL.channelAccessToken, baseURL: emulator.url });

    const content = Buffer.concat(await (await blob.getMessageContent(event.message.id)).toArray());

    expect(content.equals(bytes)).toBe(true);
  });

  it('redelivers the same events, flagged, re-signed, with unused reply tokens usable again', async () => {
    const api = new messagingApi.MessagingApiClient({ channelAccessToken: CHANNEL.channelAccessToken, baseURL: emulator.url });
    bot.status.code = 500;
    const first = await emulator.sender.send([emulator.sender.events.text(USER, 'one'), emulator.sender.events.text(USER, 'two')]);
    bot.status.code = 200;
    clock.now += 50_000;
    const used = first.body.events[1] as webhook.MessageEvent;
    await api.replyMessage({ replyToken: used.replyToken!, messages: [{ type: 'text', text: 'answered' }] });

    const again = await emulator.sender.redeliver(first.body);
    clock.now += 50_000; // 100 s after the event: only the redelivery keeps the first token alive

    expect(first).toMatchObject({ status: 500, ok: false });
    expect(again.status).toBe(200);
    const redelivered = bot.received[1]!;
    expect(redelivered.body.events.map((e) => e.webhookEventId)).toEqual(first.body.events.map((e) => e.webhookEventId));
    expect(redelivered.body.events.every((e) => e.deliveryContext.isRedelivery)).toBe(true);
    expect(validateSignature(redelivered.rawBody, CHANNEL.channelSecret, redelivered.headers['x-line-signature'] as string)).toBe(true);
    const unused = redelivered.body.events[0] as webhook.MessageEvent;
    await api.replyMessage({ replyToken: unused.replyToken!, messages: [{ type: 'text', text: 'late but fine' }] });
    await expect(api.replyMessage({ replyToken: used.replyToken!, messages: [{ type: 'text', text: 'x' }] })).rejects.toMatchObject({
      status: 400,
    });
  });

  it('reports status 0 with the error when the bot cannot be reached', async () => {
    emulator.sender.setWebhookUrl('http://127.0.0.1:1/webhook');
    try {
      const delivery = await emulator.sender.send(emulator.sender.events.text(USER, 'hello?'));
      expect(delivery).toMatchObject({ status: 0, ok: false, error: expect.any(Error) });
    } finally {
      emulator.sender.setWebhookUrl(bot.url);
    }
  });
});
