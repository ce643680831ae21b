// A closed slot through the admin API, end to end: the booked person moves to NEEDS_REBOOKING
// and the LINE user is pushed an offer of the nearest alternatives (through the dispatcher and
// the notifications queue, with the test clock), whose buttons reopen booking for that
// appointment. Nobody loses a booking silently.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startStack, type TestStack } from '../support/stack.js';
import { bookAppointment } from '../support/reminder-fixtures.js';
import { postbacksIn } from '../support/engine-harness.js';
import { validateMessages } from '../../src/line/validation/index.js';

const TOKEN = 'admin-token-for-rebooking-test';
let stack: TestStack;
let clock = new Date('2030-03-01T03:00:00Z'); // 10:00 in Bangkok

beforeAll(async () => {
  stack = await startStack({ env: { ADMIN_TOKEN: TOKEN, NOTIFICATION_DISPATCH_EVERY_MS: '60000' }, now: () => clock });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

it('closing a booked slot pushes the person an offer of alternatives with a rebook button', async () => {
  const appointment = await bookAppointment(stack.db, { date: '2030-03-05', now: clock });
  const booked = await stack.db.appointment.findUniqueOrThrow({ where: { id: appointment.id }, include: { slot: true } });
  await stack.db.slot.update({ where: { id: booked.slotId }, data: { booked: 1 } });
  // An alternative: the same product at another hospital, with room.
  const other = await stack.db.hospital.findFirstOrThrow({ where: { code: { not: booked.slot.hospitalCode } }, orderBy: { code: 'asc' } });
  await stack.db.slot.create({
    data: { hospitalCode: other.code, productCode: booked.slot.productCode, date: new Date('2030-03-06T00:00:00Z'), startTime: '13:00', endTime: '14:30', capacity: 30 },
  });

  const response = await fetch(`${stack.service.url}/admin/slots/close`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ slotIds: [booked.slotId], reason: 'vaccine delivery delayed' }),
  });
  expect(response.status).toBe(200);
  const moved = await stack.db.appointment.findUniqueOrThrow({ where: { id: appointment.id }, include: { events: true } });
  expect(moved).toMatchObject({ status: 'NEEDS_REBOOKING', version: 2 });
  expect(moved.events.map((e) => e.type)).toContain('needs-rebooking');
  // The reminders of the old slot are withdrawn; the offer is planned, due now.
  const rows = await stack.db.notification.findMany({ where: { appointmentId: appointment.id } });
  expect(rows.filter((r) => r.kind.startsWith('appointment-reminder')).every((r) => r.status === 'CANCELLED')).toBe(true);
  expect(rows.filter((r) => r.kind === 'rebooking-offer').map((r) => r.status)).toEqual(['SCHEDULED']);

  await stack.service.dispatchNotifications();
  const until = Date.now() + 8_000;
  while (stack.emulator.store.messagesFor(appointment.lineUserId).length === 0 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const pushes = stack.emulator.store.messagesFor(appointment.lineUserId).filter((d) => d.via === 'push');
  expect(pushes).toHaveLength(1);
  const messages = pushes[0]!.messages;
  expect(validateMessages([...messages])).toEqual([]);
  const postbacks = postbacksIn(messages);
  expect(postbacks).toContainEqual({ a: 'menu', f: 'book', p: `rebook:${appointment.code}` });
  expect(postbacks).toContainEqual({ a: 'menu', f: 'appointments', p: `cancel:${appointment.code}` });
  expect(JSON.stringify(messages)).toContain(other.nameTh);
  // The outcome is written once LINE accepted the push.
  const offerStatus = async () => (await stack.db.notification.findFirstOrThrow({ where: { appointmentId: appointment.id, kind: 'rebooking-offer' } })).status;
  while ((await offerStatus()) === 'QUEUED' && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 25));
  expect(await offerStatus()).toBe('SENT');
});
