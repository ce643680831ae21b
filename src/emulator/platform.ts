/**
 * The emulated LINE Messaging API as an Express app. It serves the paths of both LINE hosts
 * (api.line.me and api-data.line.me) so one base URL works for `MessagingApiClient` and
 * `MessagingApiBlobClient`.
 *
 * Request pipeline, in LINE's order where it is observable:
 *   request id → injected delay/fault → bearer auth → rate limit → retry key → body checks
 *   → handler → (fault after processing) → response.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import {
  defaultValidationErrorBody,
  isRecord,
  lineError,
  type ApiResult,
  type Route,
  type RouteDependencies,
  type Validate,
  type ValidationIssue,
} from './api-result.js';
import { FaultInjector, type Fault } from './faults.js';
import { UUID_PATTERN } from './ids.js';
import { messagingRoutes } from './messaging-routes.js';
import { richMenuRoutes } from './richmenu-routes.js';
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
}

/** A running emulated platform, ready to be mounted or served. */
export interface LinePlatform {
  /** Serves every emulated endpoint of both LINE hosts. */
  app: express.Express;
  store: LinePlatformStore;
  faults: FaultInjector;
  channelSecret: string;
  /** Clears the store, pending faults and rate-limit windows. */
  reset(): void;
}

const AUTH_REQUIRED = lineError(401, "Authorization header required. Must follow the scheme, 'Authorization: Bearer <ACCESS TOKEN>'");
const AUTH_FAILED = lineError(401, 'Authentication failed. Confirm that the access token in the authorization header is valid.');
const RATE_LIMITED = lineError(429, 'The API rate limit has been exceeded. Try again later.');
const RETRY_KEY_UNSUPPORTED = lineError(400, 'The X-Line-Retry-Key header is not supported by this endpoint');
const RETRY_KEY_INVALID = lineError(400, "The value for the 'X-Line-Retry-Key' header is invalid");
const JSON_BODY_LIMIT = '2mb';
const IMAGE_BODY_LIMIT = '1mb';

/** Creates the emulated API. Serve `app` yourself, or use `startLineEmulator`. */
export function createLinePlatform(options: LinePlatformOptions): LinePlatform {
  const now = options.now ?? Date.now;
  const store = new LinePlatformStore({ replyTokenTtlMs: options.replyTokenTtlMs, now });
  const faults = new FaultInjector();
  const rateLimiter = options.rateLimitPerSecond ? new RateLimiter(options.rateLimitPerSecond, now) : undefined;
  const http = new ResponseWriter(store, now);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false); // hashing every body would cost throughput for nothing
  app.use(http.assignRequestId);
  app.use(injectFaultsBefore(faults, http));
  app.use(authenticate(options.channelAccessToken, http));

  const dependencies = routeDependencies(store, options);
  for (const route of [...messagingRoutes(dependencies), ...richMenuRoutes(dependencies)]) {
    app[route.method](route.path, ...bodyParser(route), endpoint(route, { store, faults, rateLimiter, http }));
  }
  app.use((req, res) => http.respond(req, res, lineError(404, 'Not found')));
  app.use(errorHandler(http));

  return {
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

function bodyParser(route: Route): RequestHandler[] {
  // Content types are not enforced for JSON: the SDK always sends application/json.
  if (route.body === 'json') return [express.json({ limit: JSON_BODY_LIMIT, type: () => true })];
  if (route.body === 'binary') return [express.raw({ limit: IMAGE_BODY_LIMIT, type: () => true })];
  return [];
}

interface EndpointDependencies {
  store: LinePlatformStore;
  faults: FaultInjector;
  rateLimiter: RateLimiter | undefined;
  http: ResponseWriter;
}

/** Wraps a route handler with the per-endpoint concerns: rate limit, retry key, late faults. */
function endpoint(route: Route, { store, faults, rateLimiter, http }: EndpointDependencies): RequestHandler {
  const endpointKey = `${route.method} ${route.path}`;
  return (req, res) => {
    if (rateLimiter?.exceeded(endpointKey)) return http.respond(req, res, RATE_LIMITED);
    const retryKey = req.get('x-line-retry-key');
    if (retryKey !== undefined) {
      if (!route.acceptsRetryKey) return http.respond(req, res, RETRY_KEY_UNSUPPORTED);
      if (!UUID_PATTERN.test(retryKey)) return http.respond(req, res, RETRY_KEY_INVALID);
      const accepted = store.acceptedRetryKey(retryKey);
      if (accepted) {
        return http.respond(req, res, {
          status: 409,
          body: { message: 'The retry key is already accepted', ...(accepted.sentMessages && { sentMessages: accepted.sentMessages }) },
          headers: { 'x-line-accepted-request-id': accepted.requestId },
        });
      }
    }

    const requestId = http.requestIdOf(res);
    const result = route.handle({
      params: req.params as Record<string, string>,
      query: req.query as Record<string, unknown>,
      body: req.body,
      contentType: req.get('content-type'),
      requestId,
      ...(retryKey !== undefined && { retryKey }),
    });
    // Handlers are synchronous, so checking and remembering the key cannot interleave
    // with a concurrent retry of the same key.
    if (retryKey !== undefined && result.status < 300) {
      const sentMessages = isRecord(result.body) && Array.isArray(result.body.sentMessages) ? result.body.sentMessages : undefined;
      store.acceptRetryKey(retryKey, { requestId, ...(sentMessages && { sentMessages }) });
    }
    const lateFault = faults.takeFault(req, true);
    if (lateFault) return http.applyFault(req, res, lateFault);
    http.respond(req, res, result);
  };
}

function injectFaultsBefore(faults: FaultInjector, http: ResponseWriter): RequestHandler {
  return async (req, res, next) => {
    const delayMs = faults.takeDelay(req);
    if (delayMs > 0) await sleep(delayMs);
    const fault = faults.takeFault(req, false);
    if (fault) return http.applyFault(req, res, fault);
    next();
  };
}

function authenticate(channelAccessToken: string, http: ResponseWriter): RequestHandler {
  const expected = `Bearer ${channelAccessToken}`;
  return (req, res, next) => {
    const header = req.get('authorization');
    if (!header || !/^Bearer /i.test(header)) return http.respond(req, res, AUTH_REQUIRED);
    if (header !== expected) return http.respond(req, res, AUTH_FAILED);
    next();
  };
}

function errorHandler(http: ResponseWriter): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const type = isRecord(error) ? error.type : undefined;
    if (type === 'entity.parse.failed') return http.respond(req, res, lineError(400, 'The request body could not be parsed as JSON'));
    if (type === 'entity.too.large') return http.respond(req, res, lineError(413, 'Request Entity Too Large'));
    http.respond(req, res, lineError(500, 'Internal server error'), error);
  };
}

/**
 * Writes responses and records every call in the store. All answers, including faults and
 * errors, go through here, so `store.calls` is complete and ordered.
 */
class ResponseWriter {
  constructor(
    private readonly store: LinePlatformStore,
    private readonly now: () => number,
  ) {}

  readonly assignRequestId: RequestHandler = (_req, res, next) => {
    const requestId = randomUUID();
    res.locals.requestId = requestId;
    res.locals.receivedAt = this.now();
    res.setHeader('x-line-request-id', requestId);
    next();
  };

  requestIdOf(res: Response): string {
    return res.locals.requestId as string;
  }

  respond(req: Request, res: Response, result: ApiResult, cause?: unknown): void {
    this.record(req, res, result.status, result.status >= 300 ? result.body : undefined, cause);
    // The client may have given up during an injected delay; LINE would still have
    // processed the request, which is why the call is recorded above regardless.
    if (res.headersSent || res.destroyed) return;
    res.status(result.status);
    if (result.headers) res.set(result.headers);
    if (result.content) res.type(result.content.contentType).send(result.content.bytes);
    else res.json(result.body);
  }

  applyFault(req: Request, res: Response, fault: Fault): void {
    if (fault.kind === 'fail') return this.respond(req, res, { status: fault.status, body: fault.body });
    this.record(req, res, 0);
    req.socket.destroy();
  }

  private record(req: Request, res: Response, status: number, error?: unknown, cause?: unknown): void {
    const retryKey = req.get('x-line-retry-key');
    this.store.recordCall({
      at: res.locals.receivedAt as number,
      method: req.method,
      path: req.path,
      status,
      requestId: this.requestIdOf(res),
      ...(retryKey !== undefined && { retryKey }),
      ...(req.body !== undefined && !Buffer.isBuffer(req.body) && { body: req.body as unknown }),
      ...(error !== undefined && { error }),
      ...(cause !== undefined && { cause: cause instanceof Error ? cause.stack ?? cause.message : String(cause) }),
    });
  }
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
