/**
 * The emulated Messaging API, driven by the real @line/bot-sdk clients pointed at it.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { HTTPFetchError, messagingApi } from '@line/bot-sdk';
import express from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createLinePlatform,
  createSolidPng,
  startLineEmulator,
  type LineEmulator,
  type LineEmulatorOptions,
} from '../../src/emulator/index.js';

const CHANNEL = { channelAccessToken: 'test-token', channelSecret: 'test-secret' };
const USER_A = `U${'a'.repeat(32)}`;
const USER_B = `U${'b'.repeat(32)}`;
const text = (value: string): messagingApi.TextMessage => ({ type: 'text', text: value });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The status, parsed body and headers of a rejected SDK call. */
async function failure(call: Promise<unknown>): Promise<{ status: number; body: any; headers: Headers }> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'the call should have failed').toBeInstanceOf(HTTPFetchError);
  const { status, body, headers } = error as HTTPFetchError;
  return { status, body: body ? JSON.parse(body) : undefined, headers };
}

function clients(emulator: LineEmulator, channelAccessToken = CHANNEL.channelAccessToken) {
  return {
    api: new messagingApi.MessagingApiClient({ channelAccessToken, baseURL: emulator.url }),
    blob: new messagingApi.MessagingApiBlobClient({ channelAccessToken, baseURL: emulator.url }),
  };
}

/** An emulator with a hand-driven clock, for expiry and rate-limit tests. */
async function emulatorWithClock(options: Partial<LineEmulatorOptions> = {}) {
  const clock = { now: 1_700_000_000_000 };
  const emulator = await startLineEmulator({ ...CHANNEL, now: () => clock.now, ...options });
  return { emulator, clock, ...clients(emulator) };
}

describe('LINE emulator API', () => {
  let emulator: LineEmulator;
  let api: messagingApi.MessagingApiClient;
  let blob: messagingApi.MessagingApiBlobClient;

  beforeAll(async () => {
    emulator = await startLineEmulator(CHANNEL);
    ({ api, blob } = clients(emulator));
  });
  afterAll(() => emulator.stop());
  beforeEach(() => emulator.reset());

  describe('push and multicast', () => {
    it('accepts a push, answers sentMessages and records it for the user', async () => {
      const { httpResponse, body } = await api.pushMessageWithHttpInfo({ to: USER_A, messages: [text('hello'), text('again')] });

      expect(httpResponse.status).toBe(200);
      expect(body.sentMessages).toHaveLength(2);
      expect(body.sentMessages[0]!.id).toMatch(/^\d{18}$/);
      expect(body.sentMessages[0]!.quoteToken).toEqual(expect.any(String));
      const [delivery] = emulator.store.messagesFor(USER_A);
      expect(delivery).toMatchObject({ via: 'push', delivered: true, messages: [text('hello'), text('again')] });
      expect(delivery!.requestId).toBe(httpResponse.headers.get('x-line-request-id'));
      expect(emulator.store.messagesFor(USER_B)).toEqual([]);
    });

    it('multicasts to every recipient and answers {}', async () => {
      const response = await api.multicast({ to: [USER_A, USER_B], messages: [text('news')] });

      expect(response).toEqual({});
      for (const user of [USER_A, USER_B]) {
        expect(emulator.store.messagesFor(user)).toMatchObject([{ via: 'multicast', messages: [text('news')] }]);
      }
    });

    it('answers 200 for a user who blocked the account but marks the push undelivered', async () => {
      emulator.store.block(USER_A);

      await api.pushMessage({ to: USER_A, messages: [text('anyone there?')] });

      expect(emulator.store.messagesFor(USER_A)).toMatchObject([{ delivered: false }]);
      await expect(emulator.store.inbox(USER_A, { fromStart: true }).next({ timeoutMs: 50 })).rejects.toThrow(/Timed out/);
    });

    it('rejects malformed requests with LINE error details and sends nothing', async () => {
      const tooMany = Array.from({ length: 6 }, (_, i) => text(`m${i}`));
      const badTarget = await failure(api.pushMessage({ to: 'not-a-user', messages: [text('x')] }));
      const badCount = await failure(api.pushMessage({ to: USER_A, messages: tooMany }));

      expect(badTarget).toMatchObject({ status: 400, body: { message: 'The request body has 1 error(s)', details: [{ property: 'to' }] } });
      expect(badCount.body.details).toEqual([{ property: 'messages', message: 'size must be between 1 and 5' }]);
      expect(emulator.store.messagesFor(USER_A)).toEqual([]);
    });
  });

  describe('reply tokens', () => {
    it('replies once with a token from a webhook event; a reused token is invalid', async () => {
      const event = emulator.sender.events.text(USER_A, 'hi');

      const first = await api.replyMessage({ replyToken: event.replyToken!, messages: [text('hello')] });
      const reused = await failure(api.replyMessage({ replyToken: event.replyToken!, messages: [text('again')] }));

      expect(first.sentMessages).toHaveLength(1);
      expect(reused).toMatchObject({ status: 400, body: { message: 'Invalid reply token' } });
      expect(emulator.store.messagesFor(USER_A)).toMatchObject([{ via: 'reply', messages: [text('hello')] }]);
    });

    it('rejects a token nobody issued', async () => {
      const result = await failure(api.replyMessage({ replyToken: 'f'.repeat(32), messages: [text('x')] }));
      expect(result).toMatchObject({ status: 400, body: { message: 'Invalid reply token' } });
    });

    it('expires tokens after replyTokenTtlMs', async () => {
      const { emulator: timed, clock, api: timedApi } = await emulatorWithClock({ replyTokenTtlMs: 1000 });
      try {
        const fresh = timed.sender.events.text(USER_A, 'one');
        const stale = timed.sender.events.text(USER_A, 'two');
        clock.now += 999;
        await timedApi.replyMessage({ replyToken: fresh.replyToken!, messages: [text('in time')] });
        clock.now += 1;
        const late = await failure(timedApi.replyMessage({ replyToken: stale.replyToken!, messages: [text('too late')] }));
        expect(late).toMatchObject({ status: 400, body: { message: 'Invalid reply token' } });
      } finally {
        await timed.stop();
      }
    });
  });

  describe('retry keys', () => {
    it('answers a repeated key with 409, the accepted request id and the original sentMessages', async () => {
      const key = randomUUID();
      const first = await api.pushMessageWithHttpInfo({ to: USER_A, messages: [text('once')] }, key);
      const repeat = await failure(api.pushMessage({ to: USER_A, messages: [text('once')] }, key));

      expect(repeat.status).toBe(409);
      expect(repeat.headers.get('x-line-accepted-request-id')).toBe(first.httpResponse.headers.get('x-line-request-id'));
      expect(repeat.body).toEqual({ message: 'The retry key is already accepted', sentMessages: first.body.sentMessages });
      expect(emulator.store.messagesFor(USER_A)).toHaveLength(1);
      expect(emulator.store.messagesFor(USER_A)[0]!.retryKey).toBe(key);
    });

    it('applies to multicast too, without sentMessages', async () => {
      const key = randomUUID();
      await api.multicast({ to: [USER_A], messages: [text('once')] }, key);
      const repeat = await failure(api.multicast({ to: [USER_A], messages: [text('once')] }, key));
      expect(repeat).toMatchObject({ status: 409, body: { message: 'The retry key is already accepted' } });
      expect(repeat.body.sentMessages).toBeUndefined();
    });

    it('rejects keys that are not UUIDs, and keys on endpoints that do not support them', async () => {
      const notUuid = await failure(api.pushMessage({ to: USER_A, messages: [text('x')] }, 'retry-1'));
      const onReply = await fetch(`${emulator.url}/v2/bot/message/reply`, {
        method: 'POST',
        headers: { authorization: 'Bearer test-token', 'content-type': 'application/json', 'x-line-retry-key': randomUUID() },
        body: JSON.stringify({ replyToken: emulator.sender.events.text(USER_A, 'hi').replyToken, messages: [text('x')] }),
      });

      expect(notUuid.status).toBe(400);
      expect(onReply.status).toBe(400);
      expect(emulator.store.messagesFor(USER_A)).toEqual([]);
    });

    it('forgets keys after 24 hours', async () => {
      const { emulator: timed, clock, api: timedApi } = await emulatorWithClock();
      try {
        const key = randomUUID();
        await timedApi.pushMessage({ to: USER_A, messages: [text('day 1')] }, key);
        clock.now += 24 * 60 * 60 * 1000 - 1;
        expect((await failure(timedApi.pushMessage({ to: USER_A, messages: [text('still day 1')] }, key))).status).toBe(409);
        clock.now += 1;
        await timedApi.pushMessage({ to: USER_A, messages: [text('day 2')] }, key);
        expect(timed.store.messagesFor(USER_A).map((d) => d.messages[0])).toEqual([text('day 1'), text('day 2')]);
      } finally {
        await timed.stop();
      }
    });
  });

  describe('authentication, unknown paths and request ids', () => {
    it('answers 401 with LINE’s message for a wrong or missing token', async () => {
      const wrong = await failure(clients(emulator, 'wrong').api.pushMessage({ to: USER_A, messages: [text('x')] }));
      const missing = await fetch(`${emulator.url}/v2/bot/profile/${USER_A}`);

      expect(wrong).toMatchObject({
        status: 401,
        body: { message: 'Authentication failed. Confirm that the access token in the authorization header is valid.' },
      });
      expect(missing.status).toBe(401);
      expect(emulator.store.messagesFor(USER_A)).toEqual([]);
    });

    it('answers 404 {"message":"Not found"} for unknown paths, with a request id like every answer', async () => {
      const response = await fetch(`${emulator.url}/v2/bot/no/such/thing`, { headers: { authorization: 'Bearer test-token' } });

      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ message: 'Not found' });
      expect(response.headers.get('x-line-request-id')).toMatch(UUID);
    });

    it('records every call, rejected ones included, with its status', async () => {
      await api.pushMessage({ to: USER_A, messages: [text('ok')] });
      await failure(api.replyMessage({ replyToken: 'nope', messages: [text('x')] }));
      await failure(clients(emulator, 'wrong').api.getProfile(USER_A));

      expect(emulator.store.calls.map((c) => [c.method, c.path, c.status])).toEqual([
        ['POST', '/v2/bot/message/push', 200],
        ['POST', '/v2/bot/message/reply', 400],
        ['GET', `/v2/bot/profile/${USER_A}`, 401],
      ]);
      expect(emulator.store.calls[1]!.error).toEqual({ message: 'Invalid reply token' });
    });
  });

  describe('validation hook', () => {
    /** A stand-in validator: text messages longer than 10 characters are invalid. */
    const validate = (kind: string, body: unknown) => {
      const messages = (body as { messages?: { type: string; text?: string }[] }).messages ?? [];
      return messages.flatMap((m, i) =>
        m.type === 'text' && (m.text ?? '').length > 10 ? [{ path: `messages[${i}].text`, message: `too long for ${kind}` }] : [],
      );
    };

    it('rejects what the validator rejects, where LINE validates, and records nothing', async () => {
      const validated = await startLineEmulator({ ...CHANNEL, validate });
      const { api: validatedApi } = clients(validated);
      try {
        const push = await failure(validatedApi.pushMessage({ to: USER_A, messages: [text('far too long a message')] }));
        const check = await failure(validatedApi.validatePush({ messages: [text('far too long a message')] }));
        await validatedApi.validatePush({ messages: [text('short')] });

        expect(push).toEqual(
          expect.objectContaining({
            status: 400,
            body: { message: 'The request body has 1 error(s)', details: [{ message: 'too long for push', property: 'messages[0].text' }] },
          }),
        );
        expect(check.body.details).toEqual([{ message: 'too long for messages', property: 'messages[0].text' }]);
        expect(validated.store.messagesFor(USER_A)).toEqual([]);
      } finally {
        await validated.stop();
      }
    });

    it('formats errors with toErrorBody when given', async () => {
      const validated = await startLineEmulator({ ...CHANNEL, validate, toErrorBody: (issues) => ({ message: 'custom', count: issues.length }) });
      try {
        const push = await failure(clients(validated).api.pushMessage({ to: USER_A, messages: [text('far too long a message')] }));
        expect(push.body).toEqual({ message: 'custom', count: 1 });
      } finally {
        await validated.stop();
      }
    });
  });

  describe('profiles and the loading animation', () => {
    it('gives friends a profile, and nobody else', async () => {
      const unknown = await failure(api.getProfile(USER_A));
      emulator.sender.events.follow(USER_A);
      emulator.store.setProfile(USER_A, { displayName: 'Somchai' });
      const friend = await api.getProfile(USER_A);
      emulator.sender.events.unfollow(USER_A);
      const blocked = await failure(api.getProfile(USER_A));

      expect(unknown).toMatchObject({ status: 404, body: { message: 'Not found' } });
      expect(friend).toMatchObject({ userId: USER_A, displayName: 'Somchai' });
      expect(blocked.status).toBe(404);
    });

    it('accepts a loading animation with 202 and checks loadingSeconds', async () => {
      const { httpResponse } = await api.showLoadingAnimationWithHttpInfo({ chatId: USER_A, loadingSeconds: 10 });
      const invalid = await failure(api.showLoadingAnimation({ chatId: USER_A, loadingSeconds: 7 }));

      expect(httpResponse.status).toBe(202);
      expect(emulator.store.loadingAnimations).toMatchObject([{ chatId: USER_A, loadingSeconds: 10 }]);
      expect(invalid.status).toBe(400);
    });
  });

  describe('rich menus', () => {
    const menuRequest = (name: string): messagingApi.RichMenuRequest => ({
      size: { width: 2500, height: 843 },
      selected: false,
      name,
      chatBarText: 'Menu',
      areas: [{ bounds: { x: 0, y: 0, width: 1250, height: 843 }, action: { type: 'postback', label: 'Help', data: 'help' } }],
    });
    const png = createSolidPng(2500, 843);
    const upload = (richMenuId: string, bytes = png, type = 'image/png') =>
      blob.setRichMenuImage(richMenuId, new Blob([new Uint8Array(bytes)], { type }));

    it('creates, uploads, downloads, aliases, links and deletes through the SDK', async () => {
      emulator.sender.events.follow(USER_A);
      emulator.sender.events.follow(USER_B);
      await api.validateRichMenuObject(menuRequest('guest'));
      const { richMenuId: guest } = await api.createRichMenu(menuRequest('guest'));
      const { richMenuId: member } = await api.createRichMenu(menuRequest('member'));
      await upload(guest);
      await upload(member);

      const image = Buffer.concat(await (await blob.getRichMenuImage(guest)).toArray());
      expect(image.equals(png)).toBe(true);
      expect(guest).toMatch(/^richmenu-[0-9a-f]{32}$/);
      expect((await api.getRichMenu(guest)).name).toBe('guest');
      expect((await api.getRichMenuList()).richmenus.map((m) => m.richMenuId)).toEqual([guest, member]);

      await api.createRichMenuAlias({ richMenuAliasId: 'guest-menu', richMenuId: guest });
      await api.updateRichMenuAlias('guest-menu', { richMenuId: member });
      expect(await api.getRichMenuAlias('guest-menu')).toEqual({ richMenuAliasId: 'guest-menu', richMenuId: member });
      expect((await api.getRichMenuAliasList()).aliases).toHaveLength(1);

      await api.setDefaultRichMenu(guest);
      await api.linkRichMenuIdToUser(USER_A, member);
      expect(await api.getDefaultRichMenuId()).toEqual({ richMenuId: guest });
      expect(await api.getRichMenuIdOfUser(USER_A)).toEqual({ richMenuId: member });
      expect(emulator.store.richMenuShownTo(USER_A)?.richMenuId).toBe(member);
      expect(emulator.store.richMenuShownTo(USER_B)?.richMenuId).toBe(guest);
      expect(await failure(api.getRichMenuIdOfUser(USER_B))).toMatchObject({ status: 404, body: { message: 'the user has no richmenu' } });

      await api.linkRichMenuIdToUsers({ richMenuId: member, userIds: [USER_B] });
      expect(emulator.store.linkedRichMenuId(USER_B)).toBe(member);
      await api.unlinkRichMenuIdFromUsers({ userIds: [USER_A, USER_B] });
      expect(emulator.store.richMenuShownTo(USER_A)?.richMenuId).toBe(guest);

      await api.deleteRichMenu(member);
      expect(await failure(api.getRichMenu(member))).toMatchObject({ status: 404, body: { message: 'Not found' } });
      expect((await api.getRichMenuAliasList()).aliases).toEqual([]);
    });

    it('enforces LINE’s image rules: one image per menu, PNG/JPEG only, allowed sizes', async () => {
      const { richMenuId } = await api.createRichMenu(menuRequest('m'));

      expect((await failure(upload(richMenuId, png, 'image/gif'))).status).toBe(415);
      expect(await failure(upload(richMenuId, createSolidPng(600, 300)))).toMatchObject({
        status: 400,
        body: { message: 'The image size is not allowed for richmenu' },
      });
      await upload(richMenuId);
      expect(await failure(upload(richMenuId))).toMatchObject({
        status: 400,
        body: { message: 'An image has already been uploaded to the richmenu' },
      });
    });

    it('refuses to show a menu without an image', async () => {
      const { richMenuId } = await api.createRichMenu(menuRequest('bare'));
      const expected = { status: 400, body: { message: 'must upload richmenu image before applying it to user' } };

      expect(await failure(api.setDefaultRichMenu(richMenuId))).toMatchObject(expected);
      expect(await failure(api.linkRichMenuIdToUser(USER_A, richMenuId))).toMatchObject(expected);
      expect(await failure(api.createRichMenuAlias({ richMenuAliasId: 'bare', richMenuId }))).toMatchObject({
        status: 400,
        body: { message: 'richmenu not found' },
      });
    });

    it('moves linked users with a batch and reports it succeeded', async () => {
      emulator.sender.events.follow(USER_A);
      const { richMenuId: oldMenu } = await api.createRichMenu(menuRequest('old'));
      const { richMenuId: newMenu } = await api.createRichMenu(menuRequest('new'));
      await upload(oldMenu);
      await upload(newMenu);
      await api.linkRichMenuIdToUser(USER_A, oldMenu);

      const { httpResponse } = await api.richMenuBatchWithHttpInfo({ operations: [{ type: 'link', from: oldMenu, to: newMenu }] });
      const progress = await api.getRichMenuBatchProgress(httpResponse.headers.get('x-line-request-id')!);

      expect(httpResponse.status).toBe(202);
      expect(progress.phase).toBe('succeeded');
      expect(emulator.store.linkedRichMenuId(USER_A)).toBe(newMenu);
    });
  });

  describe('fault injection', () => {
    it('fails the next request with the given status, then recovers', async () => {
      emulator.faults.failNext(1);
      emulator.faults.failNext(1, 503);

      expect((await failure(api.pushMessage({ to: USER_A, messages: [text('1')] }))).status).toBe(500);
      expect((await failure(api.pushMessage({ to: USER_A, messages: [text('2')] }))).status).toBe(503);
      await api.pushMessage({ to: USER_A, messages: [text('3')] });

      expect(emulator.store.messagesFor(USER_A).map((d) => d.messages[0])).toEqual([text('3')]);
      expect(emulator.store.calls.map((c) => c.status)).toEqual([500, 503, 200]);
    });

    it('drops the connection without an answer', async () => {
      emulator.faults.dropNext(1);

      const error = await api.pushMessage({ to: USER_A, messages: [text('lost')] }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(TypeError); // fetch failed: the socket closed
      expect(emulator.store.messagesFor(USER_A)).toEqual([]);
      expect(emulator.store.calls).toMatchObject([{ path: '/v2/bot/message/push', status: 0 }]);
    });

    it('can drop after processing: the message went out, and the retry gets 409', async () => {
      const key = randomUUID();
      emulator.faults.dropNext(1, { path: '/v2/bot/message/push', afterProcessing: true });

      await expect(api.pushMessage({ to: USER_A, messages: [text('sent?')] }, key)).rejects.toThrow();
      const retry = await failure(api.pushMessage({ to: USER_A, messages: [text('sent?')] }, key));

      expect(retry.status).toBe(409);
      expect(emulator.store.messagesFor(USER_A)).toHaveLength(1);
    });

    it('delays only the matching requests', async () => {
      emulator.faults.delayNext(1, 150, { path: /\/push$/ });

      const started = performance.now();
      await api.getRichMenuList();
      const unaffected = performance.now() - started;
      await api.pushMessage({ to: USER_A, messages: [text('slow')] });
      const delayed = performance.now() - started - unaffected;

      expect(unaffected).toBeLessThan(150);
      expect(delayed).toBeGreaterThanOrEqual(145);
      expect(emulator.faults.pending).toBe(0);
    });
  });

  describe('rate limit', () => {
    it('answers 429 over N requests per second per endpoint', async () => {
      const { emulator: limited, clock, api: limitedApi } = await emulatorWithClock({ rateLimitPerSecond: 3 });
      try {
        const push = () => limitedApi.pushMessage({ to: USER_A, messages: [text('x')] });
        for (let i = 0; i < 3; i++) await push();
        const over = await failure(push());
        await limitedApi.getRichMenuList(); // another endpoint has its own budget
        clock.now += 1000;
        await push();

        expect(over).toMatchObject({ status: 429, body: { message: 'The API rate limit has been exceeded. Try again later.' } });
        expect(limited.store.messagesFor(USER_A)).toHaveLength(4);
      } finally {
        await limited.stop();
      }
    });
  });

  describe('Express app', () => {
    it('serves the same API when mounted behind a parent app that already parsed JSON', async () => {
      const platform = createLinePlatform(CHANNEL);
      const parent = express();
      parent.use(express.json());
      parent.use(platform.app);
      const server = parent.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      try {
        const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        const mountedApi = new messagingApi.MessagingApiClient({ channelAccessToken: CHANNEL.channelAccessToken, baseURL });
        await mountedApi.pushMessage({ to: USER_A, messages: [text('via express')] });
        expect(platform.store.messagesFor(USER_A)).toMatchObject([{ messages: [text('via express')] }]);
        expect(platform.store.calls[0]!.body).toEqual({ to: USER_A, messages: [text('via express')] });
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });

  describe('waiting for messages', () => {
    it('inbox.next resolves with the next call’s messages as they arrive', async () => {
      const inbox = emulator.store.inbox(USER_A);
      const next = inbox.next({ timeoutMs: 1000 });
      await api.pushMessage({ to: USER_A, messages: [text('first')] });

      expect((await next).messages).toEqual([text('first')]);
      expect(inbox.take()).toEqual([]);
    });

    it('waitForMessages counts messages, not calls, from a cursor', async () => {
      await api.pushMessage({ to: USER_A, messages: [text('old')] });
      const since = emulator.store.cursor(USER_A);
      const waiting = emulator.store.waitForMessages(USER_A, { count: 3, since, timeoutMs: 1000 });
      await api.pushMessage({ to: USER_A, messages: [text('a'), text('b')] });
      await api.pushMessage({ to: USER_A, messages: [text('c')] });

      expect(await waiting).toEqual([text('a'), text('b'), text('c')]);
    });

    it('keeps virtual users reading correctly across a reset', async () => {
      const user = emulator.user(USER_A);
      await api.pushMessage({ to: USER_A, messages: [text('before'), text('reset')] });
      expect(await user.nextMessages()).toEqual([text('before'), text('reset')]);

      emulator.reset();
      await api.pushMessage({ to: USER_A, messages: [text('after')] });

      expect(await user.nextMessages()).toEqual([text('after')]);
    });

    it('times out with what did arrive', async () => {
      await api.pushMessage({ to: USER_A, messages: [text('only one')] });
      await expect(emulator.store.waitForMessages(USER_A, { count: 2, timeoutMs: 50 })).rejects.toThrow(
        /waiting for 2 message\(s\).*text "only one"/,
      );
    });
  });
});
