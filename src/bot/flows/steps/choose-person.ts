/**
 * The reusable "for whom?" step: screening, booking and symptom reports act for the user or
 * one of the family members they registered. With one person there is nothing to ask; with
 * several, quick replies name them. Buttons carry short refs ("1", "2"), never person ids,
 * and an answer is read only from the refs this conversation handed out.
 */
import type { BotContext } from '../../context.js';
import type { MessageKey } from '../../../i18n/index.js';
import type { LineMessage } from '../../../line/line-gateway.js';
import { postbackAction, textMessage } from '../../../line/message-builders.js';
import { listPeopleToChooseFrom } from '../../../db/repositories/person.repository.js';
import { answerValue } from '../../input.js';
import type { UserInput } from '../../flow.js';

/** Short ref ("1", "2", ...) → person id, kept in the flow's data. */
export type PersonRefs = Record<string, string>;

export interface ChoosablePerson {
  ref: string;
  personId: string;
  isSelf: boolean;
  firstName: string;
  lastName: string;
  /** YYYY-MM-DD */
  birthDate: string;
  provinceCode: string;
}

/** Everyone the LINE user manages, self first, each with a ref. Empty: not registered. */
export async function listChoosablePeople(ctx: BotContext): Promise<ChoosablePerson[]> {
  const rows = await listPeopleToChooseFrom(ctx.db, ctx.lineUserId);
  return rows.map((row, i) => ({
    ref: String(i + 1),
    personId: row.id,
    isSelf: row.isSelf,
    firstName: row.firstName,
    lastName: row.lastName,
    birthDate: row.birthDate.toISOString().slice(0, 10),
    provinceCode: row.provinceCode,
  }));
}

export function refsOf(people: readonly ChoosablePerson[]): PersonRefs {
  return Object.fromEntries(people.map((p) => [p.ref, p.personId]));
}

/** The question with one quick reply per person (LINE allows 13; a family has at most 6). */
export function choosePersonPrompt(ctx: BotContext, step: string, people: readonly ChoosablePerson[], question: MessageKey): LineMessage[] {
  return [
    textMessage(
      ctx.t(question),
      people.map((p) => {
        const label = p.isSelf ? ctx.t('choosePerson.self', { name: p.firstName }) : p.firstName;
        return postbackAction(label, { a: 'ans', s: step, v: p.ref }, label);
      }),
    ),
  ];
}

/** The person id the user tapped, or undefined (typed text, a stale or forged button). */
export function readChosenPerson(input: UserInput, step: string, refs: PersonRefs): string | undefined {
  const ref = answerValue(input, step);
  // Own keys only: a forged ref like 'constructor' must not reach Object.prototype.
  return ref !== undefined && Object.hasOwn(refs, ref) ? refs[ref] : undefined;
}
