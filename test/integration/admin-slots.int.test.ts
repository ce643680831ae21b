/**
 * The admin supply API through the real service (HTTP → use cases → PostgreSQL): bearer
 * authentication, the disabled API, body validation as RFC 9457 problems, and the happy path
 * of setting stock, opening slots, and closing a booked slot (which plans a rebooking offer).
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../support/stack.js';
import { insertPeople } from '../support/booking-fixtures.js';
import { createApp } from '../../src/http/app.js';
import { createAdminRouter } from '../../src/http/admin.route.js';
import { createLogger } from '../../src/shared/logger.js';
import type { PrismaClient } from '../../src/db/client.js';

const TOKEN = 'admin-token-for-tests-0123456789';
/** 10:00 in Bangkok, 25 November 2026. */
const NOW = new Date('2026-11-25T03:00:00Z');
const TOMORROW = '2026-11-26';

let stack: TestStack;

beforeAll(async () => {
  stack = await startStack({ env: { ADMIN_TOKEN: TOKEN }, now: () => NOW, notifications: false });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${stack.service.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe('authentication', () => {
  it('answers 401 with WWW-Authenticate for a missing or wrong token', async () => {
    for (const authorization of ['', 'Bearer wrong-token-wrong-token', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
      const res = await call('PUT', '/admin/allocations', { rows: [] }, { authorization });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="admin"');
      expect(res.body).toMatchObject({ type: 'about:blank', title: 'Unauthorized', status: 401 });
    }
    expect(await stack.db.vaccineAllocation.count()).toBe(0);
  });

  it('is off (404 problem) when ADMIN_TOKEN is not set', async () => {
    const app = createApp({
      log: createLogger({ level: 'silent' }),
      isShuttingDown: () => false,
      readiness: {},
      routers: [createAdminRouter({ db: {} as PrismaClient, adminToken: undefined, log: createLogger({ level: 'silent' }) })],
    });
    const server: Server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/admin/slots`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ status: 404, detail: 'The admin API is disabled: ADMIN_TOKEN is not set.' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('validation', () => {
  it('answers problems for bad bodies', async () => {
    const notJson = await call('POST', '/admin/slots', 'rows=1', { 'content-type': 'text/plain' });
    expect(notJson).toMatchObject({ status: 415, body: { title: 'Unsupported media type' } });

    const malformed = await call('POST', '/admin/slots', '{"rows": [');
    expect(malformed).toMatchObject({ status: 400, body: { title: 'Malformed JSON' } });

    const noRows = await call('POST', '/admin/slots', { rows: [] });
    expect(noRows).toMatchObject({ status: 400, body: { title: 'Invalid request', detail: 'rows: rows must not be empty' } });

    const wrongShape = await call('PUT', '/admin/allocations', { items: [] });
    expect(wrongShape.status).toBe(400);
    expect(wrongShape.body.errors).toEqual([{ path: 'rows', message: expect.any(String) }]);

    const closeNothing = await call('POST', '/admin/slots/close', {});
    expect(closeNothing).toMatchObject({ status: 400, body: { detail: 'give slotIds or slots to close' } });
    const closeBadId = await call('POST', '/admin/slots/close', { slotIds: ['42'] });
    expect(closeBadId).toMatchObject({ status: 400, body: { detail: 'slotIds.0: slotIds must be UUIDs' } });

    const huge = await call('POST', '/admin/slots', { rows: [{ pad: 'x'.repeat(6 * 1024 * 1024) }] });
    expect(huge).toMatchObject({ status: 413, body: { title: 'Payload too large' } });

    const unknown = await call('GET', '/admin/nothing-here');
    expect(unknown.status).toBe(404);
  });

  it('answers 422 with every reason when no row is valid, and changes nothing', async () => {
    const res = await call('POST', '/admin/slots', { rows: [{ hospitalCode: '99999', productCode: 'AZ', date: TOMORROW, startTime: '09:00', endTime: '10:00', capacity: 10 }, { date: 'soon' }] });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ title: 'Every row is invalid', invalid: [{ row: 1, reason: 'unknown hospital 99999' }, { row: 2 }] });
    expect(await stack.db.slot.count()).toBe(0);
  });
});

describe('happy path', () => {
  it('sets stock, opens slots (idempotently), and closing a booked slot plans a rebooking offer', async () => {
    const allocations = await call('PUT', '/admin/allocations', {
      rows: [
        { hospitalCode: '10001', productCode: 'AZ', doses: 100 },
        { hospitalCode: '10001', productCode: 'NOPE', doses: 100 },
      ],
    });
    expect(allocations).toMatchObject({ status: 200, body: { applied: 1, unchanged: 0, invalid: [{ row: 2, reason: 'unknown product NOPE' }] } });

    const rows = [
      { hospitalCode: '10001', productCode: 'AZ', date: TOMORROW, startTime: '09:00', endTime: '10:30', capacity: 40 },
      { hospitalCode: '10001', productCode: 'AZ', date: TOMORROW, startTime: '10:30', endTime: '12:00', capacity: 40 },
      { hospitalCode: '10001', productCode: 'AZ', date: TOMORROW, startTime: '13:00', endTime: '14:30', capacity: 40 },
    ];
    const opened = await call('POST', '/admin/slots', { rows });
    expect(opened).toMatchObject({
      status: 200,
      body: { applied: 2, unchanged: 0, movedToRebooking: 0, invalid: [{ row: 3, reason: expect.stringMatching(/would put 120 doses of AZ .* allocation is 100/) }] },
    });
    const again = await call('POST', '/admin/slots', { rows: rows.slice(0, 2) });
    expect(again.body).toMatchObject({ applied: 0, unchanged: 2, invalid: [] });

    // Someone is booked at 09:00; closing it moves them to rebooking, audited as the admin API.
    const slot = await stack.db.slot.findFirstOrThrow({ where: { hospitalCode: '10001', startTime: '09:00' } });
    const [person] = await insertPeople(stack.db, { count: 1 });
    const appointment = await stack.db.appointment.create({
      data: { code: 'ADM1N7ES', personId: person!.personId, doseNumber: 1, activeDose: 1, slotId: slot.id, idempotencyKey: randomUUID(), bookedBy: `line:${person!.lineUserId}` },
    });
    await stack.db.slot.update({ where: { id: slot.id }, data: { booked: 1 } });

    const closed = await call('POST', '/admin/slots/close', { slots: [{ hospitalCode: '10001', productCode: 'az', date: TOMORROW, startTime: '09:00' }], reason: 'cold chain failure' });
    expect(closed).toMatchObject({ status: 200, body: { closed: [slot.id], alreadyClosed: [], notFound: [], movedToRebooking: 1 } });
    expect(await stack.db.appointment.findUniqueOrThrow({ where: { id: appointment.id } })).toMatchObject({ status: 'NEEDS_REBOOKING', activeDose: 1, version: 2 });
    expect(await stack.db.appointmentEvent.findMany({ where: { appointmentId: appointment.id } })).toMatchObject([
      { type: 'needs-rebooking', actor: 'admin:api', reason: 'cold chain failure', fromSlotId: slot.id },
    ]);
    expect(await stack.db.notification.findMany({ where: { appointmentId: appointment.id, kind: 'rebooking-offer' } })).toMatchObject([
      { lineUserId: person!.lineUserId, status: 'SCHEDULED', appointmentVersion: 2, dueAt: NOW },
    ]);

    // Stock is freed by the close: lowering to the remaining 40 is allowed, to 39 is not.
    const lower = await call('PUT', '/admin/allocations', { rows: [{ hospitalCode: '10001', productCode: 'AZ', doses: 39 }] });
    expect(lower).toMatchObject({ status: 422, body: { invalid: [{ row: 1, reason: expect.stringMatching(/open slots from 2026-11-25 hold 40 doses/) }] } });
    const fits = await call('PUT', '/admin/allocations', { rows: [{ hospitalCode: '10001', productCode: 'AZ', doses: 40 }] });
    expect(fits.body).toMatchObject({ applied: 1, invalid: [] });
  });
});
