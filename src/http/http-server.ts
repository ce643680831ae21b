/**
 * Every HTTP server of the project is made here, so none keeps a slow client's connection
 * open: a client that trickles its headers or body is cut after `requestTimeoutMs` (Node's
 * default is 300 s, which lets a few hundred slow connections hold a web process), and an
 * idle keep-alive connection after a few seconds (LINE reuses its connections; a short
 * keep-alive also lets shutdown finish promptly).
 */
import { createServer, type RequestListener, type Server } from 'node:http';

export interface ClientTimeouts {
  /** Time allowed to receive the request line and headers. */
  headersTimeoutMs: number;
  /** Time allowed to receive the whole request, headers and body. */
  requestTimeoutMs: number;
}

export const DEFAULT_CLIENT_TIMEOUTS: ClientTimeouts = { headersTimeoutMs: 10_000, requestTimeoutMs: 15_000 };

export function createHttpServer(handler: RequestListener, timeouts: ClientTimeouts = DEFAULT_CLIENT_TIMEOUTS): Server {
  const server = createServer(
    {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      // How often Node looks for connections past those limits (default 30 s): a tenth of the
      // shortest, so a slow client is cut close to its deadline.
      connectionsCheckingInterval: Math.max(100, Math.min(timeouts.headersTimeoutMs, timeouts.requestTimeoutMs) / 10),
    },
    handler,
  );
  server.keepAliveTimeout = 5_000;
  return server;
}
