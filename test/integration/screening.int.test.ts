// Risk self-screening through the real webhook: the emulator's virtual user registers, types
// the feature's name, answers by tapping quick replies and typing, and gets the result card;
// the row is stored for her, and a redo from the card's button adds a second row that counts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VirtualUser } from '../../src/emulator/index.js';
import { DEMO_PERSON_UNDER_60, type DemoPerson } from '../../prisma/data/demo-people.js';
import { th } from '../../src/i18n/th.js';
import { getBookingEligibility } from '../../src/domain/screening/get-booking-eligibility.js';
import { bangkokToday } from '../../src/shared/clock.js';
import { ageInYears } from '../../src/domain/screening/priority-group.js';
import { postbacksIn } from '../support/engine-harness.js';
import { say, startStack, tap, textsOf, type TestStack, registerThroughChat } from '../support/stack.js';

let stack: TestStack;
const register = (user: VirtualUser, person: DemoPerson) => registerThroughChat(stack, user, person);

beforeAll(async () => {
  stack = await startStack();
}, 60_000);

afterAll(async () => {
  await stack?.close();
});


/** Taps "no" (ไม่มี) on each of the 6 disease questions, or "yes" (มี) on those listed. */
async function answerDiseases(user: VirtualUser, yesOn: number[] = []): Promise<string[]> {
  let last: string[] = [];
  for (let i = 0; i < 6; i++) last = await tap(user, yesOn.includes(i) ? 'มี' : 'ไม่มี');
  return last;
}

describe('screening through the webhook', () => {
  const person = DEMO_PERSON_UNDER_60;
  let user: VirtualUser;
  let personId: string;

  beforeAll(async () => {
    user = stack.emulator.user();
    await register(user, person);
    personId = (await stack.db.person.findFirstOrThrow({ where: { ownerId: user.userId } })).id;
  }, 30_000);

  it('a registered user screens herself and gets the result card; the row is stored', async () => {
    const first = await say(user, 'ประเมินความเสี่ยง');
    expect(first.join('\n')).toContain(`คุณ${person.firstName}ทำงานในกลุ่มใดคะ?`);
    await tap(user, 'อาชีพอื่น ๆ');
    expect((await answerDiseases(user)).join('\n')).toContain(lead(th['screening.askWeight']));
    expect(await say(user, 'หนักมาก')).toContain(th['screening.badWeight']);
    await say(user, '58.5');
    const pregnancyQuestion = await say(user, '160');
    expect(pregnancyQuestion.join('\n')).toContain(`คุณ${person.firstName}ตั้งครรภ์`);
    const card = await tap(user, 'ใช่ ตั้งครรภ์');

    expect(card).toContain(th['screening.result.title']);
    expect(card).toContain(th['screening.group.pregnant']);
    expect(card).toContain(th['screening.result.canBook']);
    expect(card).toContain('22.9 (น้ำหนัก 58.5 กก. ส่วนสูง 160 ซม.)');
    expect(user.lastMessages[0]).toMatchObject({ type: 'flex' });
    expect(postbacksIn(user.lastMessages)).toEqual([{ a: 'menu', f: 'book' }, { a: 'menu', f: 'screening' }]);

    const rows = await stack.db.riskScreening.findMany({ where: { personId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      answeredBy: user.userId,
      ageYears: ageInYears(person.birthDate, bangkokToday(new Date())),
      chronicDiseases: [],
      pregnant: true,
      occupation: 'other',
      priorityGroup: 'pregnant',
    });
    expect(rows[0]!.bmi!.toNumber()).toBe(22.9);
  });

  it('"screen again" from the card adds a row; the latest counts for booking', async () => {
    const again = await tap(user, th['screening.result.redo']);
    expect(again.join('\n')).toContain(lead(th['screening.intro']));
    await tap(user, 'บุคลากรการแพทย์');
    await answerDiseases(user, [5]);
    await say(user, '๕๘');
    await say(user, '160 ซม.');
    const card = await tap(user, 'ไม่ใช่');
    expect(card).toContain(th['screening.group.health_worker']);
    expect(card).toContain(th['screening.disease.diabetes']);

    const rows = await stack.db.riskScreening.findMany({ where: { personId }, orderBy: { screenedAt: 'asc' } });
    expect(rows.map((r) => r.priorityGroup)).toEqual(['pregnant', 'health_worker']);
    expect(rows[1]).toMatchObject({ occupation: 'health_worker', chronicDiseases: ['diabetes'], pregnant: false });
    const eligibility = await getBookingEligibility({ db: stack.db, personId, onDate: bangkokToday(new Date()) });
    expect(eligibility).toMatchObject({ status: 'eligible', priorityGroup: 'health_worker' });
    expect(textsOf(user.lastMessages).join('\n')).not.toContain(person.nationalId);
  });
});

function lead(text: string): string {
  return text.split('{')[0]!.trim();
}
