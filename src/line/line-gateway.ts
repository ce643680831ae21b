/**
 * The only place that calls LINE's Messaging API. Every call logs LINE's
 * `x-line-request-id` and turns failures into LineApiError, so callers decide on status
 * codes, never on SDK internals. The SDK client and the message transport (reply and push,
 * see message-transport.ts) are pointed at the real platform or the emulator by a base URL.
 */
import { HTTPFetchError, messagingApi } from '@line/bot-sdk';
import type { Logger } from '../shared/logger.js';
import type { MessageTransport } from './message-transport.js';

export type LineMessage = messagingApi.Message;

export class LineApiError extends Error {
  constructor(
    readonly operation: string,
    /** HTTP status, or 0 when the request never got an answer (network, timeout). */
    readonly status: number,
    readonly requestId: string | undefined,
    readonly body: string,
    options?: { cause?: unknown },
  ) {
    super(`LINE ${operation} failed: ${status || 'no response'} ${body.slice(0, 300)}`, options);
    this.name = 'LineApiError';
  }

  /** 429, 5xx and network failures may succeed later; other 4xx never will. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

export interface LineGateway {
  reply(replyToken: string, messages: LineMessage[]): Promise<{ requestId?: string }>;
  /**
   * Push with an idempotency key (UUID). LINE answers 409 to a repeat within 24 h: that
   * means it was already accepted, which we report as `alreadyAccepted`, not as an error.
   */
  push(to: string, messages: LineMessage[], retryKey: string): Promise<{ requestId?: string; alreadyAccepted: boolean }>;
  linkRichMenu(userId: string, richMenuId: string): Promise<void>;
  /** Resolves a rich-menu alias to its id; null when the alias does not exist. */
  richMenuIdForAlias(aliasId: string): Promise<string | null>;
}

export function createLineGateway(deps: { client: messagingApi.MessagingApiClient; messages: MessageTransport; log: Logger }): LineGateway {
  const { client, messages: transport, log } = deps;

  async function call<T>(operation: string, fn: () => Promise<{ httpResponse: Response; body: T }>) {
    try {
      const res = await fn();
      const requestId = res.httpResponse.headers.get('x-line-request-id') ?? undefined;
      log.debug({ operation, requestId }, 'LINE call ok');
      return { body: res.body, requestId };
    } catch (err) {
      const mapped = toLineApiError(operation, err);
      log.warn({ operation, status: mapped.status, requestId: mapped.requestId, body: mapped.body.slice(0, 500) }, 'LINE call failed');
      throw mapped;
    }
  }

  /** Reply and push: a non-2xx answer or no answer becomes a LineApiError. */
  async function send(operation: string, path: string, body: messagingApi.ReplyMessageRequest | messagingApi.PushMessageRequest, headers?: Record<string, string>) {
    let res;
    try {
      res = await transport.post(path, body, headers);
    } catch (err) {
      const mapped = new LineApiError(operation, 0, undefined, err instanceof Error ? err.message : String(err), { cause: err });
      log.warn({ operation, status: 0, body: mapped.body.slice(0, 500) }, 'LINE call failed');
      throw mapped;
    }
    if (res.status >= 200 && res.status < 300) {
      log.debug({ operation, requestId: res.requestId }, 'LINE call ok');
      return { requestId: res.requestId };
    }
    log.warn({ operation, status: res.status, requestId: res.requestId, body: res.body.slice(0, 500) }, 'LINE call failed');
    throw new LineApiError(operation, res.status, res.requestId, res.body);
  }

  return {
    async reply(replyToken, messages) {
      return send('reply', '/v2/bot/message/reply', { replyToken, messages });
    },
    async push(to, messages, retryKey) {
      try {
        const { requestId } = await send('push', '/v2/bot/message/push', { to, messages }, { 'X-Line-Retry-Key': retryKey });
        return { requestId, alreadyAccepted: false };
      } catch (err) {
        if (err instanceof LineApiError && err.status === 409) return { requestId: err.requestId, alreadyAccepted: true };
        throw err;
      }
    },
    async linkRichMenu(userId, richMenuId) {
      await call('linkRichMenu', () => client.linkRichMenuIdToUserWithHttpInfo(userId, richMenuId));
    },
    async richMenuIdForAlias(aliasId) {
      try {
        const { body } = await call('getRichMenuAlias', () => client.getRichMenuAliasWithHttpInfo(aliasId));
        return body.richMenuId;
      } catch (err) {
        if (err instanceof LineApiError && (err.status === 404 || err.status === 400)) return null;
        throw err;
      }
    },
  };
}

function toLineApiError(operation: string, err: unknown): LineApiError {
  if (err instanceof HTTPFetchError) {
    return new LineApiError(operation, err.status, err.headers.get('x-line-request-id') ?? undefined, err.body ?? '', { cause: err });
  }
  return new LineApiError(operation, 0, undefined, err instanceof Error ? err.message : String(err), { cause: err });
}
