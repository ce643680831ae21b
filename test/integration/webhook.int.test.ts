// The webhook edge and the per-user pipeline behind it, through the real service on real
// PostgreSQL and Redis, with the LINE emulator as the other side: signatures and body limits,
// deduplication of redeliveries, per-user ordering under batching and concurrency, the
// reply → push fallback, LINE failures, dependencies down, and restarts of the workers.
import type { webhook } from '@line/bot-sdk';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Delivery } from '../../src/emulator/index.js';
import { startService, type RunningService, type ServiceEnv } from '../../src/service.js';
import { queueNames, queuePrefix } from '../../src/jobs/queues.js';
import { createLogger } from '../../src/shared/logger.js';
import { DEMO_PERSON, DEMO_PERSON_UNDER_60 } from '../../prisma/data/demo-people.js';
import { deleteRedisKeys, startStack, textsOf, TEST_REDIS_URL, type TestStack } from '../support/stack.js';
import { sleep, waitFor, waitUntilSettled } from '../support/settle.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REPLY = '/v2/bot/message/reply';
const PUSH = '/v2/bot/message/push';

/** POSTs a raw body to a webhook URL, signed with `signature` (or unsigned when null). */
function postWebhook(url: string, rawBody: string | Buffer, signature: string | null): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature === null ? {} : { 'x-line-signature': signature }) },
    body: rawBody,
  });
}

async function expectProblem(res: Response, status: number): Promise<Record<string, unknown>> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ status, title: expect.any(String) });
  return body;
}

/**
 * The reply token of the event each delivery answers: read from the reply call itself, or for
 * a push from the outbox row (the retry key is the row id, and the row keeps the token).
 */
async function answeredTokens(stack: TestStack, deliveries: readonly Delivery[]): Promise<Array<string | undefined>> {
  return Promise.all(
    deliveries.map(async (delivery) => {
      if (delivery.via === 'reply') {
        const call = stack.emulator.store.calls.find((c) => c.requestId === delivery.requestId);
        return (call?.body as { replyToken?: string } | undefined)?.replyToken;
      }
      const row = delivery.retryKey ? await stack.db.outboundMessage.findUnique({ where: { id: delivery.retryKey } }) : null;
      return row?.replyToken ?? undefined;
    }),
  );
}

const tokenOf = (event: webhook.Event): string => (event as { replyToken: string }).replyToken;

function startExtraService(stack: TestStack, overrides: Partial<ServiceEnv>, options: { now?: () => Date; sweepEveryMs?: number } = {}): Promise<RunningService> {
  return startService({ ...stack.env, PORT: 0, ...overrides }, { log: createLogger({ level: stack.env.LOG_LEVEL }), ...options });
}

/** A new user who has followed, consented and chosen the Thai ID card: the bot waits for the ID. */
async function userAtThaiIdStep(stack: TestStack) {
  const user = stack.emulator.user();
  await user.follow();
  await user.nextMessages();
  await user.tap('ยินยอม');
  expect(textsOf(await user.nextMessages()).join('\n')).toContain('ประเภทเอกสาร');
  await user.tap('บัตรประชาชน');
  expect(textsOf(await user.nextMessages()).join('\n')).toContain('13 หลัก');
  return user;
}

describe('webhook and event pipeline', () => {
  let stack: TestStack;
  let webhookUrl: string;

  beforeAll(async () => {
    stack = await startStack();
    webhookUrl = `${stack.service.url}/webhook`;
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('answers 401 with a problem and stores nothing when x-line-signature is missing or wrong', async () => {
    const user = stack.emulator.user();
    const event = stack.emulator.sender.events.text(user.userId, 'สวัสดี');
    const raw = JSON.stringify({ destination: stack.emulator.sender.destination, events: [event] });
    const before = await stack.db.inboundEvent.count();

    await expectProblem(await postWebhook(webhookUrl, raw, null), 401);
    // Signed with another secret, and a valid signature of a different body.
    await expectProblem(await postWebhook(webhookUrl, raw, Buffer.alloc(32, 7).toString('base64')), 401);
    await expectProblem(await postWebhook(webhookUrl, raw.replace('สวัสดี', 'hello'), stack.emulator.sender.sign(raw)), 401);

    expect(await stack.db.inboundEvent.count()).toBe(before);
    expect(await stack.db.inboundEvent.findUnique({ where: { webhookEventId: event.webhookEventId } })).toBeNull();
    await sleep(200);
    expect(stack.emulator.store.messagesFor(user.userId)).toHaveLength(0);
  });

  it('answers 413 over 1 MB, 400 on malformed JSON or a body without events, and 200 to an empty verification body', async () => {
    const { sender } = stack.emulator;
    const user = stack.emulator.user();
    const event = sender.events.text(user.userId, 'สวัสดี');
    const before = await stack.db.inboundEvent.count();

    const huge = JSON.stringify({ destination: sender.destination, events: [event], padding: 'x'.repeat(1_100_000) });
    expect(Buffer.byteLength(huge)).toBeGreaterThan(1024 * 1024);
    await expectProblem(await postWebhook(webhookUrl, huge, sender.sign(huge)), 413);
    // The same body chunked, without Content-Length: refused while it is read.
    const chunked = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-line-signature': sender.sign(huge) },
      body: new Blob([huge]).stream(),
      duplex: 'half',
    } as RequestInit);
    await expectProblem(chunked, 413);

    const malformed = `{"destination":"${sender.destination}","events":[${JSON.stringify(event)}`;
    await expectProblem(await postWebhook(webhookUrl, malformed, sender.sign(malformed)), 400);

    const noEvents = JSON.stringify({ destination: sender.destination });
    await expectProblem(await postWebhook(webhookUrl, noEvents, sender.sign(noEvents)), 400);

    const noEventId = JSON.stringify({ destination: sender.destination, events: [{ ...event, webhookEventId: undefined }] });
    await expectProblem(await postWebhook(webhookUrl, noEventId, sender.sign(noEventId)), 400);

    expect(await stack.db.inboundEvent.count()).toBe(before);

    // What the console's "Verify" button sends.
    const verify = JSON.stringify({ destination: sender.destination, events: [] });
    const ok = await postWebhook(webhookUrl, verify, sender.sign(verify));
    expect(ok.status).toBe(200);
    expect(await stack.db.inboundEvent.count()).toBe(before);
  });

  it('processes an event once however often it is delivered: a redelivery and a plain repeat are answered 200 and ignored', async () => {
    const { sender } = stack.emulator;
    const user = stack.emulator.user();
    const first = await sender.send(sender.events.follow(user.userId));
    expect(first.status).toBe(200);
    const eventId = first.body.events[0]!.webhookEventId;
    await waitUntilSettled(stack, [user.userId]);

    const redelivered = await sender.redeliver(first.body);
    expect(redelivered.status).toBe(200);
    expect((redelivered.body.events[0] as webhook.Event).deliveryContext.isRedelivery).toBe(true);
    expect(redelivered.body.events[0]!.webhookEventId).toBe(eventId);
    const repeated = await postWebhook(webhookUrl, first.rawBody, first.signature);
    expect(repeated.status).toBe(200);
    // Both at once, as LINE may do when it retries while the first attempt is still open.
    const [again1, again2] = await Promise.all([sender.redeliver(first.body), postWebhook(webhookUrl, first.rawBody, first.signature)]);
    expect([again1.status, again2.status]).toEqual([200, 200]);

    await waitUntilSettled(stack, [user.userId]);
    await sleep(300);
    const deliveries = stack.emulator.store.messagesFor(user.userId);
    expect(deliveries).toHaveLength(1);
    expect(textsOf(deliveries[0]!.messages).join('\n')).toContain('ยินดีต้อนรับ');
    const rows = await stack.db.inboundEvent.findMany({ where: { sourceKey: user.userId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ webhookEventId: eventId, error: null, payload: null });
    expect(rows[0]!.processedAt).not.toBeNull();
    expect(await stack.db.outboundMessage.count({ where: { lineUserId: user.userId } })).toBe(1);
  });

  it('keeps one user’s answers in order: a batched body and back-to-back requests, nothing lost or duplicated', async () => {
    const { sender, store } = stack.emulator;
    const user = await userAtThaiIdStep(stack);
    const start = store.cursor(user.userId);

    const batch = [
      sender.events.text(user.userId, DEMO_PERSON.nationalId),
      sender.events.text(user.userId, DEMO_PERSON.firstName),
      sender.events.text(user.userId, DEMO_PERSON.lastName),
    ];
    expect((await sender.send(batch)).status).toBe(200);
    // Each answer sent as soon as the previous POST was acknowledged, without waiting for the bot.
    const singles: webhook.Event[] = [];
    for (const text of ['12/04/2498', 'ชาย', '081-234-5678', 'กรุงเทพมหานคร']) {
      const event = sender.events.text(user.userId, text);
      singles.push(event);
      expect((await sender.send(event)).status).toBe(200);
    }
    const sent = [...batch, ...singles];

    await waitUntilSettled(stack, [user.userId]);
    await sleep(200);
    const answers = store.messagesFor(user.userId).slice(start);
    expect(answers).toHaveLength(7);
    const expected = ['กรุณาพิมพ์ชื่อ', 'นามสกุล', 'วันเกิด', 'เพศ', 'มือถือ', 'จังหวัด', 'ตรวจสอบข้อมูล'];
    answers.forEach((delivery, i) => expect(textsOf(delivery.messages).join('\n'), `answer ${i + 1}`).toContain(expected[i]));
    // Each delivery answers the event at the same position: in order, each event exactly once.
    expect(await answeredTokens(stack, answers)).toEqual(sent.map(tokenOf));

    const rows = await stack.db.inboundEvent.findMany({ where: { webhookEventId: { in: sent.map((e) => e.webhookEventId) } }, orderBy: { seq: 'asc' } });
    expect(rows.map((r) => r.webhookEventId)).toEqual(sent.map((e) => e.webhookEventId));
    expect(rows.every((r) => r.processedAt !== null && r.error === null)).toBe(true);

    const session = await stack.db.conversationSession.findUniqueOrThrow({ where: { lineUserId: user.userId } });
    expect(session).toMatchObject({ flowId: 'registration', step: 'summary' });
    expect(session.data).toMatchObject({
      forFamily: false,
      identityType: 'THAI_ID',
      idHash: stack.cipher.hashIdentity('THAI_ID', DEMO_PERSON.nationalId),
      maskedId: 'x-xxxx-xxxxx-03-0',
      nationality: 'THA',
      firstName: DEMO_PERSON.firstName,
      lastName: DEMO_PERSON.lastName,
      birthDate: DEMO_PERSON.birthDate,
      sex: 'male',
      phone: '+66812345678',
      provinceCode: '10',
    });
  });

  // The user's lock covers handling AND delivery (src/jobs/drain-users.ts): a second job of
  // the same user waits until the slow first reply is done, so it cannot overtake it.
  it('keeps answers in order when LINE is slow to accept the first of two replies', async () => {
    const { sender, store, faults } = stack.emulator;
    const user = stack.emulator.user();
    await user.follow();
    await user.nextMessages();
    const start = store.cursor(user.userId);
    faults.delayNext(1, 700, { path: REPLY });
    const first = sender.events.text(user.userId, 'หนึ่ง');
    const second = sender.events.text(user.userId, 'สอง');
    expect((await sender.send(first)).status).toBe(200);
    expect((await sender.send(second)).status).toBe(200);
    await waitUntilSettled(stack, [user.userId]);
    const answers = store.messagesFor(user.userId).slice(start);
    expect(answers).toHaveLength(2);
    expect(await answeredTokens(stack, answers)).toEqual([tokenOf(first), tokenOf(second)]);
  });

  it('greets each of 10 users who follow at the same moment exactly once', async () => {
    const users = Array.from({ length: 10 }, () => stack.emulator.user());
    const deliveries = await Promise.all(users.map((u) => u.follow()));
    expect(deliveries.map((d) => d.status)).toEqual(Array(10).fill(200));
    const ids = users.map((u) => u.userId);

    await waitUntilSettled(stack, ids);
    await sleep(200);
    for (const user of users) {
      const received = stack.emulator.store.messagesFor(user.userId);
      expect(received, user.userId).toHaveLength(1);
      expect(textsOf(received[0]!.messages).join('\n')).toContain('ยินดีต้อนรับ');
    }
    expect(await stack.db.inboundEvent.count({ where: { sourceKey: { in: ids }, error: null, processedAt: { not: null } } })).toBe(10);
    expect(await stack.db.lineUser.count({ where: { id: { in: ids }, following: true } })).toBe(10);
    const sessions = await stack.db.conversationSession.findMany({ where: { lineUserId: { in: ids } } });
    expect(sessions.map((s) => `${s.flowId}/${s.step}`)).toEqual(Array(10).fill('registration/consent'));
  });

  it('one body with several users’ events (one queued job for the batch, fanned out per user): each user answered once, in order', async () => {
    const { sender, store } = stack.emulator;
    const users = Array.from({ length: 3 }, () => stack.emulator.user());
    const events = users.flatMap((u) => [sender.events.follow(u.userId), sender.events.text(u.userId, 'สวัสดี')]);
    expect((await sender.send(events)).status).toBe(200);
    const ids = users.map((u) => u.userId);
    await waitUntilSettled(stack, ids);
    await sleep(200);
    for (const user of users) {
      const answers = store.messagesFor(user.userId);
      expect(answers, user.userId).toHaveLength(2);
      expect(textsOf(answers[0]!.messages).join('\n')).toContain('ยินดีต้อนรับ');
      expect(await answeredTokens(stack, answers)).toEqual(events.filter((e) => e.source?.type === 'user' && e.source.userId === user.userId).map(tokenOf));
    }
    expect(await stack.db.inboundEvent.count({ where: { sourceKey: { in: ids }, error: null, processedAt: { not: null } } })).toBe(6);
  });

  it('handles five parallel requests of one user in arrival (seq) order without corrupting the session', async () => {
    const { sender, store } = stack.emulator;
    const user = await userAtThaiIdStep(stack);
    await user.say(DEMO_PERSON_UNDER_60.nationalId);
    expect(textsOf(await user.nextMessages()).join('\n')).toContain('กรุณาพิมพ์ชื่อ');
    const start = store.cursor(user.userId);

    // At the first-name step: the first name to arrive becomes the first name, the second the
    // last name, and the other three are refused as birth dates. Which is which depends on
    // arrival order, and nothing else.
    const names = ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo'];
    const events = names.map((name) => sender.events.text(user.userId, name));
    const posted = await Promise.all(events.map((event) => sender.send(event)));
    expect(posted.map((p) => p.status)).toEqual([200, 200, 200, 200, 200]);

    await waitUntilSettled(stack, [user.userId]);
    await sleep(200);
    const rows = await stack.db.inboundEvent.findMany({ where: { webhookEventId: { in: events.map((e) => e.webhookEventId) } }, orderBy: { seq: 'asc' } });
    expect(rows).toHaveLength(5);
    expect(rows.every((r) => r.processedAt !== null && r.error === null)).toBe(true);
    const inArrivalOrder = rows.map((r) => events.find((e) => e.webhookEventId === r.webhookEventId)!);
    const nameOf = (event: webhook.Event) => names[events.indexOf(event as (typeof events)[number])]!;

    const session = await stack.db.conversationSession.findUniqueOrThrow({ where: { lineUserId: user.userId } });
    expect(session).toMatchObject({ flowId: 'registration', step: 'birthDate' });
    expect(session.data).toMatchObject({ firstName: nameOf(inArrivalOrder[0]!), lastName: nameOf(inArrivalOrder[1]!) });

    const answers = store.messagesFor(user.userId).slice(start);
    expect(answers).toHaveLength(5);
    const tokens = await answeredTokens(stack, answers);
    // Every event answered exactly once, with the answer its position in seq order calls for.
    expect([...tokens].sort()).toEqual(events.map(tokenOf).sort());
    for (const [position, event] of inArrivalOrder.entries()) {
      const text = textsOf(answers[tokens.indexOf(tokenOf(event))]!.messages).join('\n');
      if (position === 0) expect(text, `answer to ${nameOf(event)}`).toContain('นามสกุล');
      else if (position === 1) expect(text, `answer to ${nameOf(event)}`).toMatch(/^กรุณาเลือกวันเกิด/);
      else expect(text, `answer to ${nameOf(event)}`).toContain('วันเกิดไม่ถูกต้อง');
    }
    // And they reached the user in that order.
    expect(tokens).toEqual(inArrivalOrder.map(tokenOf));
  });

  it('pushes instead of replying when the event is older than the reply-token lifetime', async () => {
    const { sender, store } = stack.emulator;
    const user = stack.emulator.user();
    // LINE delivering an event late (e.g. a redelivery after an outage): its token is stale.
    const event = { ...sender.events.follow(user.userId), timestamp: Date.now() - (stack.env.REPLY_TOKEN_TTL_SECONDS + 5) * 1000 };
    expect((await sender.send(event)).status).toBe(200);
    await waitUntilSettled(stack, [user.userId]);

    const received = store.messagesFor(user.userId);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ via: 'push', retryKey: expect.stringMatching(UUID) });
    expect(store.calls.some((c) => c.path === REPLY && (c.body as { replyToken?: string } | undefined)?.replyToken === event.replyToken)).toBe(false);
    const row = await stack.db.outboundMessage.findUniqueOrThrow({ where: { id: received[0]!.retryKey! } });
    expect(row).toMatchObject({ lineUserId: user.userId, status: 'SENT', via: 'push', attempts: 1 });
  });

  /** A followed user says hello with `setFaults` armed; returns what LINE saw after the greeting. */
  async function helloWithFaults(setFaults: (faults: typeof stack.emulator.faults) => void) {
    const { store, faults } = stack.emulator;
    const user = stack.emulator.user();
    await user.follow();
    await user.nextMessages();
    const start = store.cursor(user.userId);
    const callsBefore = store.calls.length;
    setFaults(faults);
    const sent = await user.say('สวัสดี');
    await waitUntilSettled(stack, [user.userId]);
    await sleep(200);
    const calls = store.calls.slice(callsBefore);
    return {
      user,
      sent,
      answers: store.messagesFor(user.userId).slice(start),
      replyStatuses: calls.filter((c) => c.path === REPLY).map((c) => c.status),
      pushCalls: calls.filter((c) => c.path === PUSH),
    };
  }

  it('retries the reply with the same token when LINE answers 500 before using it: one answer, no push', async () => {
    const { user, sent, answers, replyStatuses, pushCalls } = await helloWithFaults((f) => f.failNext(1, 500, { path: REPLY }));
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ via: 'reply' });
    expect(replyStatuses).toEqual([500, 200]);
    expect(pushCalls).toEqual([]);
    const row = await stack.db.outboundMessage.findFirstOrThrow({ where: { lineUserId: user.userId, replyToken: tokenOf(sent.body.events[0]!) } });
    expect(row).toMatchObject({ status: 'SENT', via: 'reply' });
  });

  it('a reply LINE delivered but answered 500 is not pushed again (the retried token is spent)', async () => {
    const { answers, replyStatuses, pushCalls } = await helloWithFaults((f) => f.failNext(1, 500, { path: REPLY, afterProcessing: true }));
    expect(answers.map((a) => a.via)).toEqual(['reply']);
    expect(replyStatuses).toEqual([500, 400]);
    expect(pushCalls).toEqual([]);
  });

  it('never pushes after two unanswered replies: the same token is tried again later, and LINE’s 200 delivers it once', async () => {
    const { user, answers, replyStatuses, pushCalls } = await helloWithFaults((f) => f.failNext(2, 500, { path: REPLY }));
    expect(answers.map((a) => a.via)).toEqual(['reply']);
    expect(replyStatuses).toEqual([500, 500, 200]);
    expect(pushCalls).toEqual([]);
    const row = await stack.db.outboundMessage.findFirstOrThrow({ where: { lineUserId: user.userId }, orderBy: { seq: 'desc' } });
    expect(row).toMatchObject({ status: 'SENT', via: 'reply', replyUncertain: true, attempts: 2 });
  });

  it('a reply LINE delivered but answered 500, then 500 again: the later 400 proves it landed, so no push and one answer', async () => {
    const { answers, replyStatuses, pushCalls } = await helloWithFaults((f) => {
      f.failNext(1, 500, { path: REPLY, afterProcessing: true });
      f.failNext(1, 500, { path: REPLY });
    });
    expect(answers.map((a) => a.via)).toEqual(['reply']);
    expect(replyStatuses).toEqual([500, 500, 400]);
    expect(pushCalls).toEqual([]);
  });

  it('retries a push LINE accepted but answered 500 with the same retry key, so the user sees it once', async () => {
    const { store, faults } = stack.emulator;
    const user = stack.emulator.user();
    await user.follow();
    await user.nextMessages();
    const start = store.cursor(user.userId);

    // The reply token refused outright (nothing delivered): a push follows.
    faults.failNext(1, 400, { path: REPLY });
    faults.failNext(1, 500, { path: PUSH, afterProcessing: true });
    await user.say('สวัสดี');
    await waitUntilSettled(stack, [user.userId]);
    await sleep(300);

    const answers = store.messagesFor(user.userId).slice(start);
    expect(answers).toHaveLength(1);
    const retryKey = answers[0]!.retryKey!;
    expect(retryKey).toMatch(UUID);
    // The first push went through but looked failed; the retry is recognised by LINE (409).
    expect(store.calls.filter((c) => c.path === PUSH && c.retryKey === retryKey).map((c) => c.status)).toEqual([500, 409]);
    const row = await stack.db.outboundMessage.findUniqueOrThrow({ where: { id: retryKey } });
    expect(row).toMatchObject({ status: 'SENT', via: 'push', attempts: 2 });
  });

  it('a reply that may have landed is recorded as reply-unconfirmed and never pushed once its token expires: a deliverer died mid-reply and the token is now stale', async () => {
    const { store } = stack.emulator;
    const user = stack.emulator.user();
    await user.follow();
    await user.nextMessages();
    await waitUntilSettled(stack, [user.userId]);
    const callsBefore = store.calls.length;
    // What a deliverer killed after sending the reply leaves: the row still claimed (SENDING),
    // and by the time anyone looks again the token's deadline has passed.
    const row = await stack.db.outboundMessage.create({
      data: { lineUserId: user.userId, messages: [{ type: 'text', text: 'คำตอบ' }], replyToken: 'f'.repeat(32), replyBefore: new Date(Date.now() - 1_000), status: 'SENDING', claimedAt: new Date(Date.now() - 60_000), attempts: 1 },
    });
    const outbound = new Queue(queueNames.outbound, { connection: { url: TEST_REDIS_URL }, prefix: queuePrefix(stack.redisPrefix) });
    try {
      await outbound.add('deliver', { lineUserId: user.userId });
    } finally {
      await outbound.close();
    }
    await waitUntilSettled(stack, [user.userId]);
    await sleep(200);

    expect(store.calls.slice(callsBefore).filter((c) => c.path === PUSH || c.path === REPLY)).toEqual([]);
    expect(await stack.db.outboundMessage.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: 'SENT', via: 'reply-unconfirmed', replyUncertain: true, attempts: 2 });
  });

  it('marks a message LINE rejects with a 400 as FAILED, does not retry it, and keeps serving the user', async () => {
    const { store, faults } = stack.emulator;
    const user = stack.emulator.user();
    await user.follow();
    await user.nextMessages();
    const start = store.cursor(user.userId);

    // No bot message is invalid and LINE accepts pushes to users who blocked the account, so
    // the rejection is injected: the reply and the push fallback both answered 400.
    faults.failNext(1, 400, { path: REPLY });
    faults.failNext(1, 400, { path: PUSH });
    await user.say('สวัสดี');
    await waitUntilSettled(stack, [user.userId]);
    await sleep(1_200); // longer than the first delivery-retry backoff

    expect(store.messagesFor(user.userId).slice(start)).toHaveLength(0);
    const failed = await stack.db.outboundMessage.findMany({ where: { lineUserId: user.userId, status: 'FAILED' } });
    expect(failed).toHaveLength(1);
    expect(failed[0]!.error).toContain('400');
    expect(store.calls.filter((c) => c.path === PUSH && c.retryKey === failed[0]!.id)).toHaveLength(1);

    await user.say('สวัสดี');
    expect(textsOf(await user.nextMessages()).join('\n')).toContain('พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล');
  });

  it('answers 503 with Retry-After within 4 s when Redis is down; /readyz 503, /healthz 200; LINE’s redelivery is then processed once', async () => {
    const { sender, store } = stack.emulator;
    const service = await startExtraService(stack, { ROLE: 'web', REDIS_URL: 'redis://127.0.0.1:1' });
    const user = stack.emulator.user();
    let body: webhook.CallbackRequest;
    try {
      const event = sender.events.text(user.userId, 'สวัสดี');
      body = { destination: sender.destination, events: [event] };
      const raw = JSON.stringify(body);
      const started = Date.now();
      const res = await postWebhook(`${service.url}/webhook`, raw, sender.sign(raw));
      expect(Date.now() - started).toBeLessThan(4_000);
      await expectProblem(res, 503);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);

      const ready = await fetch(`${service.url}/readyz`);
      const readiness = await expectProblem(ready, 503);
      expect(readiness.checks).toMatchObject({ postgres: 'ok' });
      expect((readiness.checks as Record<string, string>).redis).not.toBe('ok');
      const health = await fetch(`${service.url}/healthz`);
      expect(health.status).toBe(200);
    } finally {
      await service.close();
    }
    await sleep(200);
    expect(store.messagesFor(user.userId)).toHaveLength(0);

    // LINE redelivers to a healthy instance: the event is handled once.
    expect((await sender.redeliver(body)).status).toBe(200);
    await waitUntilSettled(stack, [user.userId]);
    await sleep(200);
    expect(store.messagesFor(user.userId)).toHaveLength(1);
    expect(await stack.db.inboundEvent.count({ where: { sourceKey: user.userId } })).toBe(1);
  });

  it('answers 503 when PostgreSQL is down, and enqueues nothing', async () => {
    const { sender } = stack.emulator;
    const prefix = `${stack.redisPrefix}-pgdown`;
    const service = await startExtraService(stack, { ROLE: 'web', DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/none', REDIS_PREFIX: prefix });
    const queue = new Queue(queueNames.lineEvents, { connection: { url: TEST_REDIS_URL }, prefix: queuePrefix(prefix) });
    try {
      const event = sender.events.text(stack.emulator.user().userId, 'สวัสดี');
      const raw = JSON.stringify({ destination: sender.destination, events: [event] });
      const started = Date.now();
      const res = await postWebhook(`${service.url}/webhook`, raw, sender.sign(raw));
      expect(Date.now() - started).toBeLessThan(4_000);
      await expectProblem(res, 503);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);

      // The producer's Redis connection comes up just after start (no offline queue, so a ping
      // before that fails): wait for it, so the check below is about PostgreSQL only.
      const readiness = await waitFor('Redis to be reported ready', async () => {
        const body = await expectProblem(await fetch(`${service.url}/readyz`), 503);
        return (body.checks as Record<string, string>).redis === 'ok' ? body : undefined;
      }, 3_000);
      expect((readiness.checks as Record<string, string>).postgres).not.toBe('ok');
      expect((await fetch(`${service.url}/healthz`)).status).toBe(200);

      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed');
      expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0);
      expect(await stack.db.inboundEvent.findUnique({ where: { webhookEventId: event.webhookEventId } })).toBeNull();
    } finally {
      await queue.close();
      await service.close();
      await deleteRedisKeys(prefix);
    }
  });
});

describe('reply tokens that expire before the bot answers', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack({ replyTokenTtlMs: 1 });
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('falls back to a push with the outbox id as retry key when LINE refuses the reply token', async () => {
    const { store } = stack.emulator;
    const user = stack.emulator.user();
    const sent = await user.follow();
    const welcome = textsOf(await user.nextMessages()).join('\n');
    expect(welcome).toContain('ยินดีต้อนรับ');
    await waitUntilSettled(stack, [user.userId]);

    const received = store.messagesFor(user.userId);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ via: 'push', retryKey: expect.stringMatching(UUID) });
    const token = tokenOf(sent.body.events[0]!);
    expect(store.calls.filter((c) => c.path === REPLY && (c.body as { replyToken?: string } | undefined)?.replyToken === token).map((c) => c.status)).toEqual([400]);
    const row = await stack.db.outboundMessage.findUniqueOrThrow({ where: { id: received[0]!.retryKey! } });
    expect(row).toMatchObject({ lineUserId: user.userId, replyToken: token, status: 'SENT', via: 'push', attempts: 1 });
  });
});

describe('restarts', () => {
  let stack: TestStack;
  const extra: RunningService[] = [];
  let web: RunningService;

  beforeAll(async () => {
    stack = await startStack();
    // Only a web process: events are acknowledged and queued, but nobody handles them.
    await stack.service.close();
    web = await startExtraService(stack, { ROLE: 'web' });
    extra.push(web);
    stack.emulator.setWebhookUrl(`${web.url}/webhook`);
  }, 60_000);

  afterAll(async () => {
    for (const service of extra) await service.close();
    await stack?.close();
  });

  /** Three users, each a follow, a batch of two texts and a redelivery of that batch. */
  async function postWhileNoWorker() {
    const { sender } = stack.emulator;
    const users = Array.from({ length: 3 }, () => stack.emulator.user());
    const sent = new Map<string, webhook.Event[]>();
    for (const user of users) {
      const follow = sender.events.follow(user.userId);
      expect((await sender.send(follow)).status).toBe(200);
      const batch = await sender.send([sender.events.text(user.userId, 'หนึ่ง'), sender.events.text(user.userId, 'สอง')]);
      expect(batch.status).toBe(200);
      expect((await sender.redeliver(batch.body)).status).toBe(200);
      sent.set(user.userId, [follow, ...batch.body.events]);
    }
    return { users, sent };
  }

  async function expectEachProcessedOnce(users: { userId: string }[], sent: Map<string, webhook.Event[]>) {
    const ids = users.map((u) => u.userId);
    await waitUntilSettled(stack, ids);
    await sleep(300);
    for (const { userId } of users) {
      const events = sent.get(userId)!;
      const received = stack.emulator.store.messagesFor(userId);
      expect(received, userId).toHaveLength(events.length);
      expect(await answeredTokens(stack, received)).toEqual(events.map(tokenOf));
      const rows = await stack.db.inboundEvent.findMany({ where: { sourceKey: userId }, orderBy: { seq: 'asc' } });
      expect(rows.map((r) => r.webhookEventId)).toEqual(events.map((e) => e.webhookEventId));
      expect(rows.every((r) => r.processedAt !== null && r.error === null)).toBe(true);
    }
    return ids;
  }

  it('loses no event acknowledged while the workers were down: a worker started later handles each once', async () => {
    const { users, sent } = await postWhileNoWorker();
    await sleep(400);
    const ids = users.map((u) => u.userId);
    for (const id of ids) expect(stack.emulator.store.messagesFor(id)).toHaveLength(0);
    expect(await stack.db.inboundEvent.count({ where: { sourceKey: { in: ids }, processedAt: null } })).toBe(9);

    extra.push(await startExtraService(stack, { ROLE: 'worker' }));
    await expectEachProcessedOnce(users, sent);
    for (const id of ids) expect(stack.emulator.store.messagesFor(id).every((d) => d.via === 'reply')).toBe(true);
  });

  it('finishes the drain in flight on close(): the user still gets the answer', async () => {
    const worker = extra.at(-1)!;
    const { sender, store, faults } = stack.emulator;
    const user = stack.emulator.user();
    faults.delayNext(1, 1_500, { path: REPLY });
    expect((await sender.send(sender.events.follow(user.userId))).status).toBe(200);
    // The event is handled and its reply is on its way to (slow) LINE.
    await waitFor('the reply to be claimed for delivery', () => stack.db.outboundMessage.findFirst({ where: { lineUserId: user.userId, status: 'SENDING' } }));
    expect(store.messagesFor(user.userId)).toHaveLength(0);

    const closing = Date.now();
    await worker.close();
    expect(Date.now() - closing).toBeGreaterThan(500);
    expect(store.messagesFor(user.userId)).toHaveLength(1);
    expect(await stack.db.outboundMessage.findFirst({ where: { lineUserId: user.userId } })).toMatchObject({ status: 'SENT', via: 'reply' });
    expect(await stack.db.inboundEvent.count({ where: { sourceKey: user.userId, processedAt: null } })).toBe(0);
  });

  it('re-drives events whose queued jobs were lost (Redis emptied) through the maintenance sweep', async () => {
    const { users, sent } = await postWhileNoWorker();
    // Redis restarted without persistence: every queued drain job is gone.
    await deleteRedisKeys(stack.redisPrefix);
    // The sweep leaves events younger than 30 s alone; a clock 60 s ahead makes these stale.
    extra.push(await startExtraService(stack, { ROLE: 'worker' }, { now: () => new Date(Date.now() + 60_000), sweepEveryMs: 200 }));
    const ids = await expectEachProcessedOnce(users, sent);
    // Seen 60 s late by the worker's clock: past the reply deadline, so pushed.
    for (const id of ids) expect(stack.emulator.store.messagesFor(id).every((d) => d.via === 'push')).toBe(true);
  });
});
