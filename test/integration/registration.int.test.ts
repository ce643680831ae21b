// Registration through the real webhook: signed events from the emulator's virtual users,
// the real service on real PostgreSQL and Redis, and what the bot sent as the emulator saw it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VirtualUser } from '../../src/emulator/index.js';
import { DEMO_PERSON, DEMO_PERSON_UNDER_60 } from '../../prisma/data/demo-people.js';
import { say, startStack, tap, textsOf, type TestStack } from '../support/stack.js';

let stack: TestStack;

beforeAll(async () => {
  stack = await startStack();
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

/** Walks a user from the consent card to the summary with the given person's details. */
async function fillRegistration(user: VirtualUser, person: { nationalId: string; firstName: string; lastName: string; birthDate: string }) {
  expect((await tap(user, 'ยินยอม')).join('\n')).toContain('ประเภทเอกสาร');
  expect((await tap(user, 'บัตรประชาชน')).join('\n')).toContain('13 หลัก');
  expect((await say(user, person.nationalId)).join('\n')).toContain('ชื่อ');
  expect((await say(user, person.firstName)).join('\n')).toContain('นามสกุล');
  expect((await say(user, person.lastName)).join('\n')).toContain('วันเกิด');
  await user.pickDate('เลือกวันเกิด', person.birthDate);
  expect(textsOf(await user.nextMessages()).join('\n')).toContain('เพศ');
  expect((await tap(user, 'ชาย')).join('\n')).toContain('มือถือ');
  expect((await say(user, '081-234-5678')).join('\n')).toContain('จังหวัด');
  return say(user, 'กรุงเทพมหานคร');
}

describe('registration', () => {
  it('follow → consent → details → summary → confirm registers a verified person and links the member menu', async () => {
    const user = stack.emulator.user();
    await user.follow();
    const welcome = textsOf(await user.nextMessages());
    expect(welcome.join('\n')).toContain('ยินดีต้อนรับ');
    expect(welcome.join('\n')).toContain('พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล');

    const summary = await fillRegistration(user, DEMO_PERSON);
    expect(summary).toContain('ตรวจสอบข้อมูล');
    expect(summary.join('\n')).toContain('x-xxxx-xxxxx-03-0');
    expect(summary.join('\n')).not.toContain(DEMO_PERSON.nationalId);
    expect(summary).toContain('12 เม.ย. 2498');

    const done = await tap(user, 'ยืนยัน');
    expect(done.join('\n')).toContain('ลงทะเบียนสำเร็จ');

    const person = await stack.db.person.findFirstOrThrow({ where: { ownerId: user.userId } });
    expect(person).toMatchObject({ isSelf: true, verificationStatus: 'VERIFIED', firstName: DEMO_PERSON.firstName, phone: '+66812345678', provinceCode: '10' });
    expect(person.idHash).toBe(stack.cipher.hashIdentity('THAI_ID', DEMO_PERSON.nationalId));
    expect(stack.cipher.decrypt(person.idCiphertext)).toBe(DEMO_PERSON.nationalId);
    const consent = await stack.db.consentRecord.findFirstOrThrow({ where: { lineUserId: user.userId } });
    expect(consent).toMatchObject({ decision: 'ACCEPTED', version: stack.env.CONSENT_VERSION, personId: person.id, onBehalf: false });
    expect(stack.emulator.store.linkedRichMenuId(user.userId)).toBe(stack.richMenuIds.member);
  });

  it('never stores the national ID in clear anywhere in the database', async () => {
    const tables = await stack.db.$queryRaw<Array<{ table_name: string }>>`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`;
    for (const { table_name } of tables) {
      const rows = await stack.db.$queryRawUnsafe<Array<{ n: bigint }>>(`SELECT count(*) AS n FROM "${table_name}" t WHERE t::text LIKE '%${DEMO_PERSON.nationalId}%'`);
      expect(Number(rows[0]!.n), table_name).toBe(0);
    }
  });

  it('declining consent stores only the refusal and offers to register later', async () => {
    const user = stack.emulator.user();
    await user.follow();
    await user.nextMessages();
    const answer = await tap(user, 'ไม่ยินยอม');
    expect(answer.join('\n')).toContain('ไม่มีการเก็บข้อมูล');
    expect(user.availableActions().map((a) => a.label)).toContain('ลงทะเบียน');
    expect(await stack.db.person.count({ where: { ownerId: user.userId } })).toBe(0);
    expect(await stack.db.consentRecord.findMany({ where: { lineUserId: user.userId }, select: { decision: true, personId: true } })).toEqual([{ decision: 'DECLINED', personId: null }]);
  });

  it('re-prompts with a reason on a bad ID, a future birth date and a bad phone, losing nothing', async () => {
    const user = stack.emulator.user();
    await user.follow();
    await user.nextMessages();
    await tap(user, 'ยินยอม');
    await tap(user, 'บัตรประชาชน');
    expect((await say(user, '1101700207031')).join('\n')).toContain('เลขประจำตัวประชาชนไม่ถูกต้อง');
    await say(user, DEMO_PERSON_UNDER_60.nationalId);
    await say(user, 'Pim');
    await say(user, 'Saengthong');
    expect((await say(user, '01/01/2600')).join('\n')).toContain('ต้องไม่เป็นวันในอนาคต');
    expect((await say(user, '15/03/2539')).join('\n')).toContain('เพศ');
    await tap(user, 'หญิง');
    expect((await say(user, '12345')).join('\n')).toContain('เบอร์มือถือไม่ถูกต้อง');
    expect((await say(user, '0898765432')).join('\n')).toContain('จังหวัด');
    const summary = await say(user, 'Chiang Mai');
    expect(summary).toContain('15 มี.ค. 2539');
    expect(summary).toContain('เชียงใหม่');
    await tap(user, 'ยกเลิก');
    expect(await stack.db.person.count({ where: { ownerId: user.userId } })).toBe(0);
  });

  it('refuses a birth date that does not match the population register', async () => {
    const user = stack.emulator.user();
    await user.follow();
    await user.nextMessages();
    await fillRegistration(user, { ...DEMO_PERSON_UNDER_60, birthDate: '1990-01-01' });
    const answer = await tap(user, 'ยืนยัน');
    expect(answer.join('\n')).toContain('วันเกิดไม่ตรงกับข้อมูลทะเบียนราษฎร์');
    expect(await stack.db.person.count({ where: { ownerId: user.userId } })).toBe(0);
  });

  it('a second LINE account cannot register an ID that is already registered', async () => {
    const user = stack.emulator.user();
    await user.follow();
    await user.nextMessages();
    await fillRegistration(user, DEMO_PERSON);
    const answer = await tap(user, 'ยืนยัน');
    expect(answer.join('\n')).toContain('ลงทะเบียนไว้แล้ว');
    expect(await stack.db.person.count({ where: { idHash: stack.cipher.hashIdentity('THAI_ID', DEMO_PERSON.nationalId) } })).toBe(1);
  });

  it('registers an ID the register does not know as unverified, and a passport holder', async () => {
    const user = stack.emulator.user();
    await user.follow();
    await user.nextMessages();
    await tap(user, 'ยินยอม');
    await tap(user, 'หนังสือเดินทาง');
    expect((await say(user, 'MA 123456')).join('\n')).toContain('สัญชาติ');
    expect((await say(user, 'Atlantis')).join('\n')).toContain('ไม่พบประเทศ');
    await say(user, 'Myanmar');
    await say(user, 'Aung');
    await say(user, 'Kyaw');
    await say(user, '1985-06-01');
    await tap(user, 'ไม่ระบุ');
    await say(user, '0611111111');
    const summary = await say(user, 'Tak');
    expect(summary.join('\n')).toMatch(/หนังสือเดินทาง xxxxx456/);
    const done = await tap(user, 'ยืนยัน');
    expect(done.join('\n')).toContain('รอยืนยันตัวตน');
    const person = await stack.db.person.findFirstOrThrow({ where: { ownerId: user.userId } });
    expect(person).toMatchObject({ identityType: 'PASSPORT', nationality: 'MMR', verificationStatus: 'UNVERIFIED' });
  });
});
