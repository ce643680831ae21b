/**
 * The contract between route handlers and the HTTP layer: a {@link Route} gets a plain
 * {@link RouteContext} and returns a plain {@link ApiResult}; platform.ts does the HTTP
 * (and can still swap the result for an injected fault). Also the structural body checks
 * the emulator itself relies on.
 */
import type { LinePlatformStore, StoredContent } from './store.js';

/** One problem found in a request body; `path` uses LINE's notation (`messages[0].text`). */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** Which request body a validator is asked about. */
export type ValidationKind = 'reply' | 'push' | 'multicast' | 'richmenu' | 'messages';

/** A pluggable validator, e.g. the project's own `validateLineRequest`. */
export type Validate = (kind: ValidationKind, body: unknown) => ValidationIssue[];

/** What a route handler answers: a JSON body, or binary content. */
export interface ApiResult {
  status: number;
  body: unknown;
  /** Present for binary answers (image downloads). */
  content?: StoredContent;
  headers?: Record<string, string>;
}

/** A 2xx answer. LINE answers `{}` where there is nothing to say. */
export function ok(body: object = {}, status = 200): ApiResult {
  return { status, body };
}

/** An error in LINE's shape: `{ "message": "..." }` plus optional extra fields. */
export function lineError(status: number, message: string, extra: object = {}): ApiResult {
  return { status, body: { message, ...extra } };
}

/** LINE's body for a request that failed validation. */
export function defaultValidationErrorBody(issues: readonly ValidationIssue[]): unknown {
  return {
    message: `The request body has ${issues.length} error(s)`,
    details: issues.map((issue) => ({ message: issue.message, property: issue.path })),
  };
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Collects issues while checking a body. Only the structure the emulator relies on is
 * checked here; full message validation is the injected validator's job.
 */
export class IssueList {
  readonly issues: ValidationIssue[] = [];

  add(path: string, message: string): this {
    this.issues.push({ path, message });
    return this;
  }

  /** `prefix` locates a nested object in reported paths, e.g. `operations[0]`. */
  requireString(
    body: Record<string, unknown>,
    key: string,
    rule: { pattern?: RegExp; maxLength?: number; prefix?: string } = {},
  ): this {
    const path = rule.prefix ? `${rule.prefix}.${key}` : key;
    const value = body[key];
    if (typeof value !== 'string' || value === '') return this.add(path, 'must be specified');
    if (rule.pattern && !rule.pattern.test(value)) return this.add(path, 'invalid');
    if (rule.maxLength !== undefined && value.length > rule.maxLength) {
      return this.add(path, `length must be at most ${rule.maxLength}`);
    }
    return this;
  }

  requireArray(body: Record<string, unknown>, key: string, min: number, max: number): unknown[] | undefined {
    const value = body[key];
    if (!Array.isArray(value)) {
      this.add(key, 'must be specified');
      return undefined;
    }
    if (value.length < min || value.length > max) {
      this.add(key, `size must be between ${min} and ${max}`);
      return undefined;
    }
    return value;
  }

  requireIntegers(body: unknown, path: string, keys: readonly string[]): this {
    if (!isRecord(body)) return this.add(path, 'must be specified');
    for (const key of keys) if (!Number.isInteger(body[key])) this.add(`${path}.${key}`, 'must be an integer');
    return this;
  }
}

/** Starts checking a body that must be a JSON object; `undefined` (with an issue) otherwise. */
export function checkObject(body: unknown, issues: IssueList): Record<string, unknown> | undefined {
  if (isRecord(body)) return body;
  issues.add('', 'The request body must be a JSON object');
  return undefined;
}

/** The shared part of reply, push and multicast bodies: 1–5 message objects with a type. */
export function checkMessages(body: Record<string, unknown>, issues: IssueList): void {
  const messages = issues.requireArray(body, 'messages', 1, 5);
  messages?.forEach((message, index) => {
    if (!isRecord(message) || typeof message.type !== 'string') issues.add(`messages[${index}].type`, 'must be specified');
  });
}

/** What a handler gets to see of a request: no HTTP objects, so handlers stay thin. */
export interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON, a Buffer for binary routes, or undefined when there is no body. */
  body: unknown;
  contentType: string | undefined;
  requestId: string;
  /** The `X-Line-Retry-Key` header, on routes that accept one. */
  retryKey?: string;
}

/** One endpoint of the emulated API. */
export interface Route {
  method: 'get' | 'post' | 'delete';
  /** Path with `:name` parameters, e.g. `/v2/bot/richmenu/:richMenuId`. */
  path: string;
  /** How to read the request body; omitted for endpoints without one. */
  body?: 'json' | 'binary';
  /** Only push and multicast accept `X-Line-Retry-Key` (LINE answers 400 elsewhere). */
  acceptsRetryKey?: boolean;
  handle(context: RouteContext): ApiResult;
}

/** Everything route handlers depend on. */
export interface RouteDependencies {
  store: LinePlatformStore;
  /** Runs the injected validator (if any) and the built-in structural checks. */
  check(kind: ValidationKind, body: unknown, structural: (body: unknown) => ValidationIssue[]): ApiResult | undefined;
  /** LINE's 400 answer for these issues. */
  invalid(issues: readonly ValidationIssue[]): ApiResult;
}
