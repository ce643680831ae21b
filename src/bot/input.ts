/** Reading what the user sent, as flows need it. */
import type { UserInput } from './flow.js';

/** The trimmed text of a text message, else undefined. */
export function textOf(input: UserInput): string | undefined {
  return input.kind === 'text' ? input.text.trim() : undefined;
}

/** The value of a button answer meant for `step`; answers for other steps are ignored. */
export function answerValue(input: UserInput, step: string): string | undefined {
  return input.kind === 'postback' && input.payload.a === 'ans' && input.payload.s === step ? input.payload.v : undefined;
}
