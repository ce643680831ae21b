/**
 * The shape of a conversation flow. A flow is a set of named steps; each step knows how
 * to ask (prompt) and how to take the answer (handle). Handling returns a small union:
 * go to a step with new data, re-prompt with a reason, done, or cancelled. The engine
 * (engine.ts) persists the state and sends what the step decided.
 */
import type { z } from 'zod';
import type { LineMessage } from '../line/line-gateway.js';
import type { MessageKey } from '../i18n/index.js';
import type { Postback, FeatureId } from './postback.js';
import type { BotContext } from './context.js';

export type UserInput =
  | { kind: 'text'; text: string }
  | { kind: 'postback'; payload: Postback; params?: { date?: string; time?: string; datetime?: string } }
  | { kind: 'location'; latitude: number; longitude: number; title?: string; address?: string }
  | { kind: 'unsupported'; type: string };

export type RichMenuKey = 'guest' | 'member';

export type StepOutcome<D> =
  /** Move to `step` (its prompt is sent after `messages`). */
  | { type: 'next'; step: string; data: D; messages?: LineMessage[] }
  /** Stay on the step: send the reason, then ask again. */
  | { type: 'reprompt'; reason: MessageKey | LineMessage[] }
  /** The flow finished; optionally switch the user's rich menu. */
  | { type: 'done'; messages: LineMessage[]; richMenu?: RichMenuKey }
  /** The user left the flow. */
  | { type: 'cancelled'; messages?: LineMessage[] }
  /** Hand over to another flow (e.g. profile → add family member). */
  | { type: 'switch'; feature: FeatureId; param?: string };

export interface FlowStep<D> {
  prompt(ctx: BotContext, data: D): LineMessage[] | Promise<LineMessage[]>;
  handle(ctx: BotContext, input: UserInput, data: D): Promise<StepOutcome<D>>;
}

export interface Flow<D> {
  id: string;
  /** Bump when steps or data change shape: stored states of older versions restart politely. */
  version: number;
  /** Validates stored data when a state is loaded; a mismatch restarts the flow. */
  dataSchema: z.ZodType<D>;
  /** `param`: where to begin, from the button that opened the feature (see postback.ts `p`). */
  start(ctx: BotContext, param?: string): Promise<StepOutcome<D>>;
  steps: Record<string, FlowStep<D>>;
  /**
   * Optional: answers a tap on an old button of one of these steps, when the flow has ended or
   * waits on another step (a confirm tapped again after it booked). Only the button's data is
   * known, not the flow's state. Returns what to send instead of "this button has expired", or
   * null for that answer. Step names repeat across flows: check that `value` is one of yours.
   */
  onStaleAnswer?(ctx: BotContext, step: string, value: string): Promise<LineMessage[] | null>;
}

// Flows are stored in one registry keyed by id; their data types differ, so the registry
// holds them as Flow<any> and each flow validates its own data with dataSchema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFlow = Flow<any>;
