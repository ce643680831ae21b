/**
 * Messaging endpoints of the emulated API: reply, push, multicast, message validation,
 * profiles, the loading animation and the content of messages users sent.
 */
import type { messagingApi } from '@line/bot-sdk';
import {
  IssueList,
  checkMessages,
  checkObject,
  lineError,
  ok,
  type Route,
  type RouteDependencies,
  type ValidationIssue,
} from './route-contract.js';
import { CHAT_ID_PATTERN, USER_ID_PATTERN } from './ids.js';
import type { DeliveryVia } from './store.js';

/** Endpoints that validate message objects without sending them; all share one body shape. */
const VALIDATE_TARGETS = ['reply', 'push', 'multicast', 'narrowcast', 'broadcast'] as const;

/** Messaging API routes bound to a store. */
export function messagingRoutes({ store, check, invalid }: RouteDependencies): Route[] {
  /** Records an accepted send for its recipients; returns the `sentMessages` LINE answers with. */
  const send = (
    via: DeliveryVia,
    recipients: string[],
    request: { messages: messagingApi.Message[]; notificationDisabled?: boolean },
    context: { requestId: string; retryKey?: string },
  ) =>
    store.deliver(recipients, {
      via,
      messages: request.messages,
      requestId: context.requestId,
      ...(context.retryKey !== undefined && { retryKey: context.retryKey }),
      ...(request.notificationDisabled !== undefined && { notificationDisabled: request.notificationDisabled }),
    });

  return [
    {
      method: 'post',
      path: '/v2/bot/message/reply',
      body: 'json',
      handle: (context) => {
        const rejected = check('reply', context.body, replyStructure);
        if (rejected) return rejected;
        const request = context.body as messagingApi.ReplyMessageRequest;
        const userId = store.consumeReplyToken(request.replyToken);
        if (userId === undefined) return lineError(400, 'Invalid reply token');
        return ok({ sentMessages: send('reply', [userId], request, context) });
      },
    },
    {
      method: 'post',
      path: '/v2/bot/message/push',
      body: 'json',
      acceptsRetryKey: true,
      handle: (context) => {
        const rejected = check('push', context.body, pushStructure);
        if (rejected) return rejected;
        const request = context.body as messagingApi.PushMessageRequest;
        // LINE answers 200 even when the user blocked the account; the store marks it undelivered.
        return ok({ sentMessages: send('push', [request.to], request, context) });
      },
    },
    {
      method: 'post',
      path: '/v2/bot/message/multicast',
      body: 'json',
      acceptsRetryKey: true,
      handle: (context) => {
        const rejected = check('multicast', context.body, multicastStructure);
        if (rejected) return rejected;
        const request = context.body as messagingApi.MulticastRequest;
        send('multicast', [...new Set(request.to)], request, context);
        return ok({});
      },
    },
    ...VALIDATE_TARGETS.map(
      (target): Route => ({
        method: 'post',
        path: `/v2/bot/message/validate/${target}`,
        body: 'json',
        handle: ({ body }) => check('messages', body, messagesStructure) ?? ok({}),
      }),
    ),
    {
      method: 'get',
      path: '/v2/bot/profile/:userId',
      handle: ({ params }) => {
        const userId = params.userId!;
        if (!USER_ID_PATTERN.test(userId)) return lineError(400, "The value for the 'userId' parameter is invalid");
        const profile = store.profile(userId);
        return profile ? ok(profile) : lineError(404, 'Not found');
      },
    },
    {
      method: 'post',
      path: '/v2/bot/chat/loading/start',
      body: 'json',
      handle: ({ body }) => {
        const issues = loadingStructure(body);
        if (issues.length > 0) return invalid(issues);
        const request = body as messagingApi.ShowLoadingAnimationRequest;
        store.recordLoading(request.chatId, request.loadingSeconds ?? 20);
        return ok({}, 202);
      },
    },
    {
      method: 'get',
      path: '/v2/bot/message/:messageId/content',
      handle: ({ params }) => {
        const content = store.messageContent(params.messageId!);
        return content ? { status: 200, body: undefined, content } : lineError(404, 'Not found');
      },
    },
  ];
}

function messagesStructure(body: unknown): ValidationIssue[] {
  const issues = new IssueList();
  const request = checkObject(body, issues);
  if (request) checkMessages(request, issues);
  return issues.issues;
}

function replyStructure(body: unknown): ValidationIssue[] {
  const issues = new IssueList();
  const request = checkObject(body, issues);
  if (request) {
    issues.requireString(request, 'replyToken');
    checkMessages(request, issues);
  }
  return issues.issues;
}

function pushStructure(body: unknown): ValidationIssue[] {
  const issues = new IssueList();
  const request = checkObject(body, issues);
  if (request) {
    issues.requireString(request, 'to', { pattern: CHAT_ID_PATTERN });
    checkMessages(request, issues);
  }
  return issues.issues;
}

function multicastStructure(body: unknown): ValidationIssue[] {
  const issues = new IssueList();
  const request = checkObject(body, issues);
  if (!request) return issues.issues;
  issues.requireArray(request, 'to', 1, 500)?.forEach((to, index) => {
    if (typeof to !== 'string' || !USER_ID_PATTERN.test(to)) issues.add(`to[${index}]`, 'invalid');
  });
  checkMessages(request, issues);
  return issues.issues;
}

/** `loadingSeconds` is optional, a multiple of 5 from 5 to 60; only user chats are allowed. */
function loadingStructure(body: unknown): ValidationIssue[] {
  const issues = new IssueList();
  const request = checkObject(body, issues);
  if (!request) return issues.issues;
  issues.requireString(request, 'chatId', { pattern: USER_ID_PATTERN });
  const seconds = request.loadingSeconds;
  const validSeconds =
    seconds === undefined ||
    (typeof seconds === 'number' && Number.isInteger(seconds) && seconds >= 5 && seconds <= 60 && seconds % 5 === 0);
  if (!validSeconds) issues.add('loadingSeconds', 'must be a multiple of 5 between 5 and 60');
  return issues.issues;
}
