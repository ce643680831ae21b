/**
 * The emulated LINE Messaging API. It serves the paths of both LINE hosts (api.line.me and
 * api-data.line.me) so one base URL works for `MessagingApiClient` and
 * `MessagingApiBlobClient`.
 *
 * Every request goes through one pipeline, in LINE's order where it is observable:
 *   request id → injected delay/fault → bearer auth → route → rate limit → body
 *   → retry key → handler → (fault after processing) → response, recorded in the store.
 * It runs on plain node:http (see router.ts for why); `app` wraps it for Express users.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import express from 'express';
import {
  defaultValidationErrorBody,
  isRecord,
  lineError,
  type ApiResult,
  type Route,
  type RouteDependencies,
  type Validate,
  type ValidationIssue,
} from './route-contract.js';
import { FaultInjector, type Fault } from './faults.js';
import { UUID_PATTERN } from './ids.js';
import { messagingRoutes } from './messaging-routes.js';
import { richMenuRoutes } from './richmenu-routes.js';
import { Router, parseJson, readBody } from './router.js';
import { LinePlatformStore } from './store.js';

/** Options for {@link createLinePlatform}. */
export interface LinePlatformOptions {
  /** The only bearer token the API accepts. */
  channelAccessToken: string;
  /** Kept for the webhook sender, which signs with it. */
  channelSecret: string;
  /** Reply token lifetime in ms (default 60 000, LINE's documented minute). */
  replyTokenTtlMs?: number;
  /**
   * Message and rich menu validator, applied where LINE validates: reply, push, multicast,
   * rich menu create/validate and the message validation endpoints.
   */
  validate?: Validate;
  /** Error body for failed validation; defaults to LINE's "The request body has N error(s)". */
  toErrorBody?: (issues: ValidationIssue[]) => unknown;
  /** Per-endpoint limit (LINE limits each method + path separately); unlimited if omitted. */
  rateLimitPerSecond?: number;
  /** Clock for reply tokens, retry keys, timestamps and the rate limit. */
  now?: () => number;
  /** false: keep no request bodies or delivered messages (load runs; see LinePlatformStoreOptions). */
  keepMessages?: boolean;
}

/** The emulated platform, ready to be served. */
export interface LinePlatform {
  /** A node:http request listener serving every endpoint of both hosts. */
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** The same API as an Express app, to mount in an existing Express server. */
  app: express.Express;
  store: LinePlatformStore;
  faults: FaultInjector;
  channelSecret: string;
  /** Clears the store, pending faults and rate-limit windows. */
  reset(): void;
}

const AUTH_REQUIRED = lineError(401, "Authorization header required. Must follow the scheme, 'Authorization: Bearer <ACCESS TOKEN>'");
const AUTH_FAILED = lineError(401, 'Authentication failed. Confirm that the access token in the authorization header is valid.');
const NOT_FOUND = lineError(404, 'Not found');
const RATE_LIMITED = lineError(429, 'The API rate limit has been exceeded. Try again later.');
const RETRY_KEY_UNSUPPORTED = lineError(400, 'The X-Line-Retry-Key header is not supported by this endpoint');
const RETRY_KEY_INVALID = lineError(400, "The value for the 'X-Line-Retry-Key' header is invalid");
const INVALID_JSON = lineError(400, 'The request body could not be parsed as JSON');
const TOO_LARGE = lineError(413, 'Request Entity Too Large');
/** LINE accepts request bodies up to 2 MB, and rich menu images up to 1 MB. */
const BODY_LIMITS = { json: 2 * 1024 * 1024, binary: 1024 * 1024 } as const;

/** Creates the emulated API. Serve `handler` (or `app`), or use `startLineEmulator`. */
export function createLinePlatform(options: LinePlatformOptions): LinePlatform {
  const now = options.now ?? Date.now;
  const store = new LinePlatformStore({ replyTokenTtlMs: options.replyTokenTtlMs, now, keepMessages: options.keepMessages });
  const faults = new FaultInjector();
  const rateLimiter = options.rateLimitPerSecond ? new RateLimiter(options.rateLimitPerSecond, now) : undefined;
  const dependencies = routeDependencies(store, options);
  const pipeline = new RequestPipeline({
    store,
    faults,
    rateLimiter,
    router: new Router([...messagingRoutes(dependencies), ...richMenuRoutes(dependencies)]),
    expectedAuthorization: `Bearer ${options.channelAccessToken}`,
    now,
  });
  const handler = (req: IncomingMessage, res: ServerResponse): void => void pipeline.serve(req, res);

  const app = express();
  app.disable('x-powered-by');
  app.use((req, res) => handler(req, res));

  return {
    handler,
    app,
    store,
    faults,
    channelSecret: options.channelSecret,
    reset() {
      store.reset();
      faults.clear();
      rateLimiter?.reset();
    },
  };
}

/** Binds the validator and error format once, so handlers only say what to check. */
function routeDependencies(store: LinePlatformStore, options: LinePlatformOptions): RouteDependencies {
  const toErrorBody = options.toErrorBody ?? defaultValidationErrorBody;
  const invalid = (issues: readonly ValidationIssue[]): ApiResult => ({ status: 400, body: toErrorBody([...issues]) });
  return {
    store,
    invalid,
    check(kind, body, structural) {
      // The injected validator reports everything LINE would; the structural checks only
      // guard the emulator itself, so they run second and never duplicate its issues.
      const issues = options.validate?.(kind, body) ?? [];
      if (issues.length > 0) return invalid(issues);
      const structuralIssues = structural(body);
      return structuralIssues.length > 0 ? invalid(structuralIssues) : undefined;
    },
  };
}

/** Per-request facts the pipeline and the call log need. */
class ApiCall {
  readonly requestId = randomUUID();
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly retryKey: string | undefined;
  /** The parsed JSON body, once read (binary bodies are not kept in the call log). */
  json: unknown;

  constructor(
    req: IncomingMessage,
    readonly receivedAt: number,
  ) {
    const url = req.url ?? '/';
    const queryStart = url.indexOf('?');
    this.method = req.method ?? 'GET';
    this.path = queryStart < 0 ? url : url.slice(0, queryStart);
    this.query = queryStart < 0 ? '' : url.slice(queryStart + 1);
    const retryKey = req.headers['x-line-retry-key'];
    this.retryKey = Array.isArray(retryKey) ? retryKey[0] : retryKey;
  }
}

interface PipelineDependencies {
  store: LinePlatformStore;
  faults: FaultInjector;
  rateLimiter: RateLimiter | undefined;
  router: Router;
  expectedAuthorization: string;
  now: () => number;
}

/** Runs each request through LINE's checks, the route handler and the fault injector. */
class RequestPipeline {
  constructor(private readonly deps: PipelineDependencies) {}

  async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const call = new ApiCall(req, this.deps.now());
    res.setHeader('x-line-request-id', call.requestId);
    let outcome: ApiResult | Fault;
    let cause: unknown;
    try {
      outcome = await this.process(req, call);
    } catch (error) {
      cause = error;
      outcome = lineError(500, 'Internal server error');
    }
    if ('kind' in outcome) {
      if (outcome.kind === 'drop') return this.drop(req, call);
      outcome = { status: outcome.status, body: outcome.body };
    }
    this.respond(res, call, outcome, cause);
  }

  private async process(req: IncomingMessage, call: ApiCall): Promise<ApiResult | Fault> {
    const { faults, router, rateLimiter, store } = this.deps;
    const delayMs = faults.takeDelay(call);
    if (delayMs > 0) await sleep(delayMs);
    const earlyFault = faults.takeFault(call, false);
    if (earlyFault) return earlyFault;

    const authorization = req.headers.authorization;
    if (!authorization || !/^Bearer /i.test(authorization)) return AUTH_REQUIRED;
    if (authorization !== this.deps.expectedAuthorization) return AUTH_FAILED;

    const match = router.match(call.method, call.path);
    if (!match) return NOT_FOUND;
    const { route, params } = match;
    if (rateLimiter?.exceeded(`${route.method} ${route.path}`)) return RATE_LIMITED;

    const body = await this.readBody(req, route);
    if (body instanceof RejectedBody) return body.result;
    if (route.body === 'json') call.json = body;

    // From here to the end nothing awaits: checking the retry key, handling and
    // remembering the key cannot interleave with a concurrent retry of the same key.
    const retryKeyRejection = this.checkRetryKey(route, call.retryKey);
    if (retryKeyRejection) return retryKeyRejection;
    const result = route.handle({
      params,
      query: new URLSearchParams(call.query),
      body,
      contentType: req.headers['content-type'],
      requestId: call.requestId,
      ...(call.retryKey !== undefined && { retryKey: call.retryKey }),
    });
    if (call.retryKey !== undefined && result.status < 300) {
      const sentMessages = isRecord(result.body) && Array.isArray(result.body.sentMessages) ? result.body.sentMessages : undefined;
      store.acceptRetryKey(call.retryKey, { requestId: call.requestId, ...(sentMessages && { sentMessages }) });
    }
    return faults.takeFault(call, true) ?? result;
  }

  private async readBody(req: IncomingMessage, route: Route): Promise<unknown> {
    if (!route.body) return undefined;
    // Mounted behind another body parser (Express `app`), the stream is already consumed.
    if (req.readableEnded) return (req as { body?: unknown }).body;
    const bytes = await readBody(req, BODY_LIMITS[route.body]);
    if (bytes === 'too-large') return new RejectedBody(TOO_LARGE);
    if (route.body === 'binary') return bytes;
    try {
      return parseJson(bytes);
    } catch {
      return new RejectedBody(INVALID_JSON);
    }
  }

  private checkRetryKey(route: Route, retryKey: string | undefined): ApiResult | undefined {
    if (retryKey === undefined) return undefined;
    if (!route.acceptsRetryKey) return RETRY_KEY_UNSUPPORTED;
    if (!UUID_PATTERN.test(retryKey)) return RETRY_KEY_INVALID;
    const accepted = this.deps.store.acceptedRetryKey(retryKey);
    if (!accepted) return undefined;
    return {
      status: 409,
      body: { message: 'The retry key is already accepted', ...(accepted.sentMessages && { sentMessages: accepted.sentMessages }) },
      headers: { 'x-line-accepted-request-id': accepted.requestId },
    };
  }

  private respond(res: ServerResponse, call: ApiCall, result: ApiResult, cause?: unknown): void {
    this.record(call, result.status, result.status >= 300 ? result.body : undefined, cause);
    // The client may have given up during an injected delay; LINE would still have
    // processed the request, which is why the call is recorded above regardless.
    if (res.headersSent || res.destroyed) return;
    const payload = result.content ? result.content.bytes : Buffer.from(JSON.stringify(result.body ?? {}));
    res.writeHead(result.status, {
      ...result.headers,
      'content-type': result.content ? result.content.contentType : 'application/json; charset=utf-8',
      'content-length': payload.length,
    });
    res.end(payload);
  }

  private drop(req: IncomingMessage, call: ApiCall): void {
    this.record(call, 0);
    req.socket.destroy();
  }

  private record(call: ApiCall, status: number, error?: unknown, cause?: unknown): void {
    this.deps.store.recordCall({
      at: call.receivedAt,
      method: call.method,
      path: call.path,
      status,
      requestId: call.requestId,
      ...(call.retryKey !== undefined && { retryKey: call.retryKey }),
      ...(call.json !== undefined && { body: call.json }),
      ...(error !== undefined && { error }),
      ...(cause !== undefined && { cause: cause instanceof Error ? (cause.stack ?? cause.message) : String(cause) }),
    });
  }
}

/** A body that could not be read; carries LINE's answer for it. */
class RejectedBody {
  constructor(readonly result: ApiResult) {}
}

/**
 * Sliding one-second window per endpoint: a ring of the last N accepted request times.
 * A request is over the limit when the Nth-previous one is less than a second old.
 */
class RateLimiter {
  private readonly windows = new Map<string, { times: number[]; head: number }>();

  constructor(
    private readonly limit: number,
    private readonly now: () => number,
  ) {}

  exceeded(key: string): boolean {
    let window = this.windows.get(key);
    if (!window) this.windows.set(key, (window = { times: new Array<number>(this.limit).fill(-Infinity), head: 0 }));
    const now = this.now();
    if (now - window.times[window.head]! < 1000) return true;
    window.times[window.head] = now;
    window.head = (window.head + 1) % this.limit;
    return false;
  }

  reset(): void {
    this.windows.clear();
  }
}
