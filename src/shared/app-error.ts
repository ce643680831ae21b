/**
 * One coded error type for failures a caller can act on. Each code maps, in one table, to
 * an HTTP status (API answers are RFC 9457 problem details) and to a chat reply key.
 * Infrastructure failures have their own classes (LineApiError, ...).
 */
export const appErrorCodes = {
  /** Input failed validation. */
  INVALID_INPUT: { status: 400, userMessageKey: 'error.invalidInput' },
  /** Caller not authenticated. */
  UNAUTHORIZED: { status: 401, userMessageKey: 'error.generic' },
  /** Authenticated, but this resource is not theirs. */
  FORBIDDEN: { status: 403, userMessageKey: 'error.generic' },
  NOT_FOUND: { status: 404, userMessageKey: 'error.notFound' },
  /** The identity document is already registered to another person or LINE account. */
  IDENTITY_TAKEN: { status: 409, userMessageKey: 'register.identityTaken' },
  /** The population register knows the ID and the date of birth does not match. */
  IDENTITY_MISMATCH: { status: 422, userMessageKey: 'register.identityMismatch' },
  /** Too many identity checks in the window. */
  RATE_LIMITED: { status: 429, userMessageKey: 'register.rateLimited' },
  /** The LINE account already manages the maximum number of family members. */
  FAMILY_LIMIT: { status: 409, userMessageKey: 'family.limitReached' },
  /** The action needs a registration first. */
  NOT_REGISTERED: { status: 409, userMessageKey: 'register.required' },
  /** A dependency (database, Redis, LINE) is unavailable. */
  UNAVAILABLE: { status: 503, userMessageKey: 'error.unavailable' },
} as const;

export type AppErrorCode = keyof typeof appErrorCodes;

export class AppError extends Error {
  readonly code: AppErrorCode;
  /** Optional catalogue key overriding the code's default chat message. */
  readonly userMessageKey: string;
  readonly details?: Record<string, unknown>;

  constructor(code: AppErrorCode, options: { message?: string; userMessageKey?: string; details?: Record<string, unknown> } = {}) {
    super(options.message ?? code);
    this.name = 'AppError';
    this.code = code;
    this.userMessageKey = options.userMessageKey ?? appErrorCodes[code].userMessageKey;
    this.details = options.details;
  }

  get status(): number {
    return appErrorCodes[this.code].status;
  }
}
