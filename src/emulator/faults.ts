/**
 * Scripted failures for the emulated API, so tests can exercise retries, timeouts and
 * idempotency without a flaky network.
 */
import { STATUS_CODES } from 'node:http';

/** Which requests a fault applies to. Omitted fields match everything. */
export interface FaultMatch {
  /** HTTP method, case-insensitive. */
  method?: string;
  /** Exact path (`/v2/bot/message/push`) or a pattern tested against the path. */
  path?: string | RegExp;
}

/** Options for {@link FaultInjector.failNext} and {@link FaultInjector.dropNext}. */
export interface FaultOptions extends FaultMatch {
  /**
   * Process the request first, then fail or drop the response. This is the case LINE warns
   * about: a 5xx or timeout although the message was sent. Retry keys exist for it.
   */
  afterProcessing?: boolean;
}

/** What the HTTP layer must do to the response of a request. */
export type Fault =
  | { kind: 'fail'; status: number; body: { message: string } }
  | { kind: 'drop' };

interface Armed<T> {
  fault: T;
  remaining: number;
  match: FaultMatch;
  afterProcessing: boolean;
}

interface RequestLike {
  method: string;
  path: string;
}

/** Scripted failures; each `*Next(n)` call affects the next `n` matching requests. */
export class FaultInjector {
  private outcomes: Armed<Fault>[] = [];
  private delays: Armed<number>[] = [];

  /** The next `n` matching requests answer `status` with a LINE-style error body. */
  failNext(n: number, status = 500, options: FaultOptions = {}): void {
    const message = status === 500 ? 'Internal server error' : (STATUS_CODES[status] ?? 'Error');
    this.arm(this.outcomes, { kind: 'fail', status, body: { message } }, n, options);
  }

  /** The next `n` matching requests get their connection destroyed without an answer. */
  dropNext(n: number, options: FaultOptions = {}): void {
    this.arm(this.outcomes, { kind: 'drop' }, n, options);
  }

  /** The next `n` matching requests are held `ms` milliseconds before processing. */
  delayNext(n: number, ms: number, options: FaultMatch = {}): void {
    this.arm(this.delays, ms, n, { ...options, afterProcessing: false });
  }

  /** Disarms every pending fault. */
  clear(): void {
    this.outcomes = [];
    this.delays = [];
  }

  /** How many requests still have a fault or delay waiting for them. */
  get pending(): number {
    const sum = (list: Armed<unknown>[]): number => list.reduce((total, armed) => total + armed.remaining, 0);
    return sum(this.outcomes) + sum(this.delays);
  }

  /** @internal Delay (ms) for this request, or 0. Consumes one armed delay. */
  takeDelay(request: RequestLike): number {
    return this.take(this.delays, request, false) ?? 0;
  }

  /** @internal The fault for this request at this phase, if any. Consumes it. */
  takeFault(request: RequestLike, afterProcessing: boolean): Fault | undefined {
    return this.take(this.outcomes, request, afterProcessing);
  }

  private arm<T>(list: Armed<T>[], fault: T, n: number, options: FaultOptions): void {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`fault count must be a positive integer, got ${n}`);
    const { afterProcessing = false, ...match } = options;
    list.push({ fault, remaining: n, match, afterProcessing });
  }

  private take<T>(list: Armed<T>[], request: RequestLike, afterProcessing: boolean): T | undefined {
    const index = list.findIndex((armed) => armed.afterProcessing === afterProcessing && matches(armed.match, request));
    if (index < 0) return undefined;
    const armed = list[index]!;
    if (--armed.remaining === 0) list.splice(index, 1);
    return armed.fault;
  }
}

function matches(match: FaultMatch, request: RequestLike): boolean {
  if (match.method && match.method.toUpperCase() !== request.method.toUpperCase()) return false;
  if (match.path === undefined) return true;
  return typeof match.path === 'string' ? match.path === request.path : match.path.test(request.path);
}
