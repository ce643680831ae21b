/**
 * Typed postback payloads. Every button, quick reply and rich-menu area that sends a
 * postback carries one of these, encoded as compact JSON (LINE allows 300 characters).
 * Incoming data is parsed with zod and never compared as free text.
 */
import { z } from 'zod';

/** Features reachable from the rich menus and the help message. */
export const featureIds = [
  'register',
  'screening',
  'book',
  'appointments',
  'symptoms',
  'certificate',
  'profile',
  'help',
  'language',
  'family',
] as const;
export type FeatureId = (typeof featureIds)[number];

export const postbackSchema = z.discriminatedUnion('a', [
  /** Open a feature (rich menu, help quick replies). */
  /** Open a feature (rich menu, help quick replies). `p` tells the flow where to begin, e.g. a
   *  button under an appointment: { a: 'menu', f: 'appointments', p: 'reschedule:K7Q2M9XD' }. */
  z.object({ a: z.literal('menu'), f: z.enum(featureIds), p: z.string().max(80).optional() }),
  /** An answer to the step a flow is waiting on; `s` names the step so stale taps are detected. */
  z.object({ a: z.literal('ans'), s: z.string().max(40), v: z.string().max(200) }),
  /** Switch language. */
  z.object({ a: z.literal('lang'), l: z.enum(['th', 'en']) }),
  /** Leave the current flow. */
  z.object({ a: z.literal('cancel') }),
]);
export type Postback = z.infer<typeof postbackSchema>;

export const POSTBACK_MAX_LENGTH = 300;

export function encodePostback(payload: Postback): string {
  const data = JSON.stringify(postbackSchema.parse(payload));
  if (data.length > POSTBACK_MAX_LENGTH) {
    throw new RangeError(`postback data is ${data.length} characters; LINE allows ${POSTBACK_MAX_LENGTH}`);
  }
  return data;
}

/** Returns null for anything that is not one of our payloads (old buttons, tampering). */
export function decodePostback(data: string): Postback | null {
  if (data.length > POSTBACK_MAX_LENGTH) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return null;
  }
  const parsed = postbackSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}
