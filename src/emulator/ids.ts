/**
 * Identifier formats the emulated LINE platform hands out. They imitate LINE's shapes
 * closely enough that code validating them (regexes, column sizes) behaves as in production.
 */
import { randomBytes, randomFillSync, randomUUID } from 'node:crypto';

/** LINE user, group and room IDs: a type letter followed by 32 lowercase hex digits. */
export const USER_ID_PATTERN = /^U[0-9a-f]{32}$/;
/** Any chat a push message may target: a user, group chat or multi-person chat. */
export const CHAT_ID_PATTERN = /^[UCR][0-9a-f]{32}$/;
/** `X-Line-Retry-Key` must be a UUID in hexadecimal form. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const hex32 = (): string => randomUUID().replaceAll('-', '');

/** A random user ID such as LINE assigns (`U` + 32 hex digits). */
export function newUserId(): string {
  return `U${hex32()}`;
}

/** Reply tokens are opaque 32-hex-digit strings on LINE. */
export function newReplyToken(): string {
  return hex32();
}

/** Rich menu IDs look like `richmenu-88c05ef6921ae53f8b58a25f3a65faf7`. */
export function newRichMenuId(): string {
  return `richmenu-${hex32()}`;
}

/** Quote tokens are opaque base64url strings. */
export function newQuoteToken(): string {
  // One call to the CSPRNG per 256 tokens: a call per token cost more than the rest of a push.
  if (quoteTokenOffset === quoteTokenPool.length) {
    randomFillSync(quoteTokenPool);
    quoteTokenOffset = 0;
  }
  const token = quoteTokenPool.toString('base64url', quoteTokenOffset, quoteTokenOffset + QUOTE_TOKEN_BYTES);
  quoteTokenOffset += QUOTE_TOKEN_BYTES;
  return token;
}

const QUOTE_TOKEN_BYTES = 24;
const quoteTokenPool = Buffer.alloc(QUOTE_TOKEN_BYTES * 256);
let quoteTokenOffset = quoteTokenPool.length;

/**
 * Message IDs are 18-digit decimal strings on LINE. A counter from a random start keeps
 * them unique within a process without any per-message randomness.
 */
export function createMessageIdSequence(): () => string {
  let next = 400_000_000_000_000_000n + BigInt(randomBytes(6).readUIntBE(0, 6)) * 1000n;
  return () => (next++).toString();
}
