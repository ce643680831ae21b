/**
 * How the two calls the bot makes at volume, reply and push, travel to LINE: undici's
 * connection pool (keep-alive) instead of the SDK's `fetch`.
 *
 * Why: on Node 20, `fetch` (web streams, Request/Response objects) costs about 550–650 µs of CPU
 * per push request, against about 75 µs for undici's `Pool.request` on the same request
 * (measured 2026-11-25 on this 2-core machine, 20,000 pushes with a Flex card; see
 * docs/BENCHMARKS.md, bench:reminders). At LINE's 2,000 pushes/s that is more than a whole
 * core spent in the HTTP client. Everything else (rich menus, aliases, content) stays on the
 * SDK client, and the request bodies are the SDK's own types, so the wire format is the one the
 * SDK would send: JSON, Bearer token, `X-Line-Retry-Key` on push.
 */
import { Pool } from 'undici';

export interface MessageTransportResponse {
  status: number;
  requestId: string | undefined;
  body: string;
}

export interface MessageTransport {
  /** POSTs JSON to a Messaging API path; network failures reject (status unknown). */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<MessageTransportResponse>;
  close(): Promise<void>;
}

export function createMessageTransport(options: {
  baseUrl: string;
  channelAccessToken: string;
  /** Sockets kept open to LINE (pushes in flight at once). */
  connections?: number;
  /** How long to wait for LINE's answer before giving up (the push is then retried). */
  timeoutMs?: number;
}): MessageTransport {
  const base = new URL(options.baseUrl);
  // A base URL may carry a path prefix (a proxy, the emulator mounted under a path).
  const prefix = base.pathname.replace(/\/$/, '');
  const timeout = options.timeoutMs ?? 10_000;
  const pool = new Pool(base.origin, { connections: options.connections ?? 256, headersTimeout: timeout, bodyTimeout: timeout });
  const authorization = `Bearer ${options.channelAccessToken}`;
  return {
    async post(path, body, headers) {
      const res = await pool.request({
        path: `${prefix}${path}`,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization, ...headers },
        body: JSON.stringify(body),
      });
      const requestId = res.headers['x-line-request-id'];
      return { status: res.statusCode, requestId: typeof requestId === 'string' ? requestId : undefined, body: await res.body.text() };
    },
    close: () => pool.close(),
  };
}
