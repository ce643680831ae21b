// Vaccination certificates through the real service: a registered user with recorded doses
// opens "ใบรับรอง" in the emulator and gets the card; the QR image and file behind its signed
// link; BOLA on the link; the International pass; JWKS and CRL; POST /api/verify (valid,
// tampered, revoked after a new dose and after a correction); the citizen's correction report
// and its resolution through the admin API, which pushes the new card; the admin dose API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VirtualUser } from '../../src/emulator/index.js';
import { DEMO_PERSON } from '../../prisma/data/demo-people.js';
import { recordDose, type DoseReport } from '../../src/domain/vaccination/record-dose.js';
import { toShcQrContent } from '../../src/certificates/index.js';
import { th } from '../../src/i18n/th.js';
import { say, startStack, tap, textsOf, type TestStack, registerThroughChat } from '../support/stack.js';
import { freePort } from '../support/ports.js';

const ADMIN_TOKEN = 'test-admin-token-0123456789';
let stack: TestStack;
const register = (user: VirtualUser) => registerThroughChat(stack, user, DEMO_PERSON);
let publicBaseUrl: string;
let clock = new Date('2021-08-01T03:00:00Z');
const advance = (seconds: number) => (clock = new Date(clock.getTime() + seconds * 1000));


beforeAll(async () => {
  const port = await freePort();
  publicBaseUrl = `http://127.0.0.1:${port}`;
  stack = await startStack({ now: () => clock, env: { PORT: String(port), PUBLIC_BASE_URL: publicBaseUrl, ADMIN_TOKEN } });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});


let sourceRecord = 0;
async function dose(personId: string, over: Partial<DoseReport> = {}) {
  const result = await stack.db.$transaction((tx) =>
    recordDose({
      db: tx,
      report: {
        personId, doseNumber: 1, productCode: 'AZ', lotNumber: 'A1234', administeredAt: new Date(clock.getTime() - 3_600_000), hospitalCode: '10001',
        source: 'his:10001', sourceRecordId: `rec-${++sourceRecord}`, recordedBy: 'nurse-7', ...over,
      },
      now: clock,
    }),
  );
  expect(result.ok).toBe(true);
}

/** Opens "ใบรับรอง" from the rich menu; returns the raw messages. */
async function openCertificates(user: VirtualUser) {
  const result = await user.tap('ใบรับรอง');
  expect(result.tapped.place).toBe('rich menu');
  return user.nextMessages();
}

function urlsIn(messages: unknown): { qr: string[]; file: string[] } {
  const json = JSON.stringify(messages);
  const qr = [...json.matchAll(/"(https?:\/\/[^"]+\/certificates\/[A-Za-z0-9_-]+\/qr\.png)"/g)].map((m) => m[1]!);
  const file = [...json.matchAll(/"(https?:\/\/[^"]+\/card\.smart-health-card)"/g)].map((m) => m[1]!);
  return { qr, file };
}

const verify = async (content: string) => {
  const res = await fetch(`${publicBaseUrl}/api/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ content }) });
  expect(res.status).toBe(200);
  return (await res.json()) as { format: string | null; signature: string; status: string; issuer?: string; subject?: { name: string; birthDate: string; doses: unknown[] } };
};

const admin = (path: string, init: { method?: string; body?: unknown; token?: string | null } = {}) =>
  fetch(`${publicBaseUrl}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { ...(init.token === null ? {} : { authorization: `Bearer ${init.token ?? ADMIN_TOKEN}` }), ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });

let user: VirtualUser;

describe('certificates through the webhook', () => {
  let personId: string;
  let firstShc: string;
  let firstQrUrl: string;

  it('a registered person without doses gets a kind message', async () => {
    user = stack.emulator.user();
    personId = await register(user);
    expect(textsOf(await openCertificates(user))).toEqual([th['certificate.noDoses']]);
  }, 30_000);

  it('after the first dose: the card with "1 of 2", the masked ID, the dose, a working QR link and file', async () => {
    await dose(personId);
    const messages = await openCertificates(user);
    const texts = textsOf(messages).join('\n');
    expect(texts).toContain('ฉีดแล้ว 1 จาก 2 เข็ม');
    expect(texts).toContain('สมชาย ใจดี');
    expect(texts).toContain('x-xxxx-xxxxx-03-0');
    expect(texts).not.toContain(DEMO_PERSON.nationalId);
    expect(texts).toContain('12 เม.ย. 2498'); // date of birth, Buddhist era
    expect(texts).toContain('ล็อต A1234');
    const { qr, file } = urlsIn(messages);
    expect(qr).toHaveLength(1);
    firstQrUrl = qr[0]!;
    const png = await fetch(firstQrUrl);
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await png.arrayBuffer());
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    // Cached per certificate row: the same bytes again.
    expect(Buffer.from(await (await fetch(firstQrUrl)).arrayBuffer()).equals(bytes)).toBe(true);
    const card = await fetch(file[0]!);
    expect(card.headers.get('content-type')).toMatch(/application\/smart-health-card/);
    const { verifiableCredential } = (await card.json()) as { verifiableCredential: string[] };
    const row = await stack.db.certificate.findFirstOrThrow({ where: { personId, format: 'shc', revokedAt: null } });
    expect(verifiableCredential).toEqual([row.content]);
    firstShc = toShcQrContent(row.content);
    expect(await stack.db.personalDataAccess.count({ where: { lineUserId: user.userId, action: 'view-certificate' } })).toBe(1);

    // The same doses: the stored certificate is sent again, not re-signed.
    await openCertificates(user);
    expect(await stack.db.certificate.count({ where: { personId } })).toBe(1);
  }, 30_000);

  it('the International pass: the passport is linked first, then a second card in English with an HC1: QR that verifies', async () => {
    // A Thai-ID holder is asked for the passport they travel on: the pass carries its names.
    expect((await tap(user, 'International pass (EU DCC)')).join('\n')).toContain(th['certificate.askPassport']);
    expect(await say(user, 'AB-12')).toEqual([th['certificate.badPassport'], th['certificate.askPassport']]);
    expect(await say(user, 'aa 1234567')).toEqual([th['certificate.askGivenNameLatin']]);
    expect(await say(user, 'สมชาย')).toEqual([th['certificate.badLatinName'], th['certificate.askGivenNameLatin']]);
    expect(await say(user, 'Somchai')).toEqual([th['certificate.askFamilyNameLatin']]);
    await user.say('Jai-dee');
    const messages = await user.nextMessages();
    const texts = textsOf(messages).join('\n');
    expect(texts).toContain(th['certificate.passportLinked']);
    expect(texts).toContain('International COVID-19 vaccination pass');
    expect(texts).toContain('SOMCHAI');
    expect(texts).toContain('JAI-DEE');
    expect(texts).toContain('xxxxxx567');
    expect(texts).not.toContain('AA1234567');
    const document = await stack.db.travelDocument.findUniqueOrThrow({ where: { personId } });
    expect(document).toMatchObject({ nationality: 'THA', givenNameLatin: 'SOMCHAI', familyNameLatin: 'JAI-DEE' });
    expect(stack.cipher.decrypt(document.passportCiphertext)).toBe('AA1234567');
    expect(JSON.stringify(document)).not.toContain('AA1234567');
    expect(texts).toContain('1 / 2');
    const pass = await stack.db.certificate.findFirstOrThrow({ where: { personId, format: 'hcert' } });
    expect(pass.content.startsWith('HC1:')).toBe(true);
    expect(pass.revocationId).toMatch(/^URN:UVCI:01:TH:/);
    const { qr } = urlsIn(messages);
    expect((await fetch(qr[0]!)).status).toBe(200);
    // The .smart-health-card file exists for SHC rows only.
    expect((await fetch(qr[0]!.replace('qr.png', 'card.smart-health-card'))).status).toBe(404);
    expect(await verify(pass.content)).toMatchObject({ format: 'hcert', signature: 'valid', status: 'valid', subject: { birthDate: '1955-04-12' } });
    expect(JSON.stringify(await verify(pass.content))).toContain('JAI-DEE');
    expect(texts).toContain(th['certificate.internationalSentPassport'].replace('{name}', `${DEMO_PERSON.firstName} ${DEMO_PERSON.lastName}`));
    // Linking the passport re-issues the pass only: the SHC card is unchanged.
    expect(await stack.db.certificate.count({ where: { personId, format: 'shc' } })).toBe(1);

    // BOLA: this token with the other certificate's id (MAC kept) → 404, like any forged token.
    const token = /\/certificates\/([A-Za-z0-9_-]+)\/qr\.png/.exec(firstQrUrl)![1]!;
    const raw = Buffer.from(token, 'base64url');
    Buffer.from(pass.id.replace(/-/g, ''), 'hex').copy(raw, 0);
    const forged = await fetch(`${publicBaseUrl}/certificates/${raw.toString('base64url')}/qr.png`);
    expect(forged.status).toBe(404);
    expect(forged.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((await fetch(`${publicBaseUrl}/certificates/nope/card.smart-health-card`)).status).toBe(404);
  }, 30_000);

  it('JWKS, /api/verify valid and tampered, and a malformed body', async () => {
    const jwks = (await (await fetch(`${publicBaseUrl}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string; crlVersion?: number }> };
    const row = await stack.db.certificate.findFirstOrThrow({ where: { personId, format: 'shc' } });
    expect(jwks.keys.map((k) => k.kid)).toContain(row.kid);
    expect(jwks.keys[0]!.crlVersion).toBeUndefined();
    expect((await fetch(`${publicBaseUrl}/.well-known/crl/${row.kid}.json`)).status).toBe(404);

    expect(await verify(firstShc)).toMatchObject({ format: 'shc', signature: 'valid', status: 'valid', issuer: publicBaseUrl, subject: { name: 'สมชาย ใจดี', birthDate: '1955-04-12' } });
    const jws = row.content;
    const tampered = jws.slice(0, 60) + (jws[60] === 'A' ? 'B' : 'A') + jws.slice(61);
    expect((await verify(toShcQrContent(tampered))).status).not.toBe('valid');
    expect(await verify('hello')).toMatchObject({ format: null, status: 'malformed' });
    const bad = await fetch(`${publicBaseUrl}/api/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"content": 5}' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });

  it('a second dose: "complete", the first card is superseded, its link is gone and it verifies as revoked', async () => {
    advance(21 * 86_400);
    await dose(personId, { doseNumber: 2, lotNumber: 'B5678', administeredAt: new Date(clock.getTime() - 3_600_000) });
    const messages = await openCertificates(user);
    expect(textsOf(messages).join('\n')).toContain(th['certificate.complete']);
    const rows = await stack.db.certificate.findMany({ where: { personId, format: 'shc' }, orderBy: { issuedAt: 'asc' } });
    expect(rows.map((r) => r.revokedReason)).toEqual(['superseded', null]);
    expect((await fetch(firstQrUrl)).status).toBe(410);
    expect(await verify(firstShc)).toMatchObject({ signature: 'valid', status: 'revoked' });
    expect(await verify(toShcQrContent(rows[1]!.content))).toMatchObject({ status: 'valid' });

    const crl = (await (await fetch(`${publicBaseUrl}/.well-known/crl/${rows[0]!.kid}.json`)).json()) as { kid: string; method: string; ctr: number; rids: string[] };
    expect(crl).toMatchObject({ kid: rows[0]!.kid, method: 'rid' });
    expect(crl.rids).toEqual([`${rows[0]!.revocationId}.${Math.floor(rows[0]!.revokedAt!.getTime() / 1000)}`]);
    const jwks = (await (await fetch(`${publicBaseUrl}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string; crlVersion?: number }> };
    expect(jwks.keys.find((k) => k.kid === rows[0]!.kid)?.crlVersion).toBe(crl.ctr);
  }, 30_000);

  it('report wrong data → a request for the hospital; resolved by the admin API → the old card revoked, the new one pushed', async () => {
    const before = await stack.db.certificate.findFirstOrThrow({ where: { personId, format: 'shc', revokedAt: null } });
    expect((await tap(user, 'แจ้งข้อมูลไม่ถูกต้อง')).join('\n')).toContain(th['certificate.askField']);
    expect((await tap(user, 'เลขล็อต')).join('\n')).toContain(th['certificate.askDose']);
    expect((await tap(user, 'เข็มที่ 2')).join('\n')).toContain(th['certificate.askValue']);
    expect((await say(user, 'B5679')).join('\n')).toContain('ส่งเรื่องไปยัง');
    const request = await stack.db.correctionRequest.findFirstOrThrow({ where: { personId } });
    const dose2 = await stack.db.vaccination.findFirstOrThrow({ where: { personId, doseNumber: 2 } });
    expect(request).toMatchObject({ field: 'lot', correctValue: 'B5679', hospitalCode: '10001', vaccinationId: dose2.id, status: 'OPEN' });

    const listed = (await (await admin('/admin/corrections?hospitalCode=10001&status=OPEN')).json()) as { requests: Array<{ id: string }> };
    expect(listed.requests.map((r) => r.id)).toEqual([request.id]);
    expect((await admin('/admin/corrections?status=WHATEVER')).status).toBe(422);

    advance(60);
    const resolved = await admin(`/admin/corrections/${request.id}/resolve`, { body: { action: 'correct', correction: { lotNumber: 'B5679' }, reason: 'typo at the hospital' } });
    expect(resolved.status).toBe(200);
    expect(await resolved.json()).toMatchObject({ ok: true, status: 'CORRECTED', revoked: 2 }); // the card and the International pass
    expect((await admin(`/admin/corrections/${request.id}/resolve`, { body: { action: 'reject', reason: 'again' } })).status).toBe(409);

    expect(await verify(toShcQrContent(before.content))).toMatchObject({ status: 'revoked' });
    const after = await stack.db.certificate.findFirstOrThrow({ where: { personId, format: 'shc', revokedAt: null } });
    expect(await verify(toShcQrContent(after.content))).toMatchObject({ status: 'valid' });
    // The International pass issued before the correction is revoked too (by its ci).
    const pass = await stack.db.certificate.findFirstOrThrow({ where: { personId, format: 'hcert' } });
    expect(pass.revokedReason).toBe('corrected');
    expect(await verify(pass.content)).toMatchObject({ format: 'hcert', status: 'revoked' });

    await stack.service.dispatchNotifications();
    // Pushes planned earlier (the dose confirmations of issue 6) may arrive first: read on
    // until the reissued card, in order.
    let pushed = '';
    for (let reads = 0; reads < 5 && !pushed.includes('ได้รับการแก้ไขแล้ว'); reads++) pushed = textsOf(await user.nextMessages()).join('\n');
    expect(pushed).toContain('ได้รับการแก้ไขแล้ว');
    expect(pushed).toContain('ล็อต B5679');
  }, 30_000);
});

describe('BOLA in chat', () => {
  it("another LINE user's forged button with this person's id gets nothing", async () => {
    const personId = (await stack.db.person.findFirstOrThrow({ where: { ownerId: user.userId } })).id;
    const intruder = stack.emulator.user();
    await intruder.follow();
    await intruder.nextMessages();
    const before = await stack.db.certificate.count();
    for (const p of [`dcc:${personId}`, `report:${personId}`]) {
      await intruder.tapAction({ label: 'x', place: 'message', action: { type: 'postback', label: 'x', data: JSON.stringify({ a: 'menu', f: 'certificate', p }) } } as never);
      expect(textsOf(await intruder.nextMessages())).toContain(th['certificate.notFound']);
    }
    expect(await stack.db.certificate.count()).toBe(before);
    expect(await stack.db.correctionRequest.count({ where: { requestedBy: `line:${intruder.userId}` } })).toBe(0);
  }, 30_000);
});

describe('admin dose API', () => {
  let personId: string;
  const body = (over: Record<string, unknown> = {}) => ({
    identityType: 'THAI_ID', number: '1-1017-00207-03-0', doseNumber: 3, productCode: 'pfizer', lotNumber: 'PF1',
    administeredAt: new Date(clock.getTime() - 7_200_000).toISOString(), hospitalCode: '10001', sourceRecordId: 'api-1', ...over,
  });

  it('refuses without the token (401) and with a bad body (422)', async () => {
    personId = (await stack.db.person.findFirstOrThrow({ where: { firstName: DEMO_PERSON.firstName } })).id;
    expect((await admin('/admin/vaccinations', { body: body(), token: null })).status).toBe(401);
    expect((await admin('/admin/vaccinations', { body: body(), token: 'wrong-token-wrong-token' })).status).toBe(401);
    const invalid = await admin('/admin/vaccinations', { body: body({ hospitalCode: 'x', administeredAt: 'yesterday' }) });
    expect(invalid.status).toBe(422);
    expect(JSON.stringify(await invalid.json())).not.toContain('10170020703');
    // A document nobody registered: the dose is held for them (202), once per record id.
    const held = await admin('/admin/vaccinations', { body: body({ number: '3101700207030', sourceRecordId: 'held-1' }) });
    expect([held.status, await held.json()]).toEqual([202, { held: true, created: true }]);
    const heldAgain = await admin('/admin/vaccinations', { body: body({ number: '3101700207030', sourceRecordId: 'held-1' }) });
    expect([heldAgain.status, await heldAgain.json()]).toEqual([202, { held: true, created: false }]);
    expect((await admin('/admin/vaccinations', { body: body({ identityType: 'PASSPORT', number: 'AA1234567' }) })).status).toBe(422); // no nationality
  });

  it('records once by source record id (201, then 200), and refuses a conflicting report (409)', async () => {
    const first = await admin('/admin/vaccinations', { body: body() });
    expect(first.status).toBe(201);
    const again = await admin('/admin/vaccinations', { body: body() });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { created: boolean }).created).toBe(false);
    const conflict = await admin('/admin/vaccinations', { body: body({ lotNumber: 'OTHER' }) });
    expect(conflict.status).toBe(409);
    expect(await stack.db.vaccination.count({ where: { personId, doseNumber: 3 } })).toBe(1);
    expect((await admin('/admin/vaccinations', { body: body({ personId, identityType: undefined, number: undefined, sourceRecordId: 'api-2' }) })).status).toBe(409); // dose 3 already recorded
  });

  it('corrects with a reason (the current certificate is revoked) and voids', async () => {
    const dose3 = await stack.db.vaccination.findFirstOrThrow({ where: { personId, doseNumber: 3 } });
    // Issue a certificate holding dose 3, so the correction has something to revoke.
    await openCertificates(user);
    expect(await stack.db.certificate.count({ where: { personId, revokedAt: null, format: 'shc' } })).toBe(1);
    const noReason = await admin(`/admin/vaccinations/${dose3.id}`, { method: 'PATCH', body: { lotNumber: 'PF2' } });
    expect(noReason.status).toBe(422);
    const corrected = await admin(`/admin/vaccinations/${dose3.id}`, { method: 'PATCH', body: { lotNumber: 'PF2', reason: 'typo' } });
    expect(corrected.status).toBe(200);
    expect(await corrected.json()).toMatchObject({ changed: true, vaccination: { lotNumber: 'PF2' } });
    expect(await stack.db.certificate.count({ where: { personId, revokedAt: null, format: 'shc' } })).toBe(0);
    expect((await admin('/admin/vaccinations/00000000-0000-4000-8000-000000000000', { method: 'PATCH', body: { lotNumber: 'X', reason: 'r' } })).status).toBe(404);
    const voided = await admin(`/admin/vaccinations/${dose3.id}/void`, { body: { reason: 'wrong person' } });
    expect(voided.status).toBe(200);
    expect(await stack.db.vaccination.findUniqueOrThrow({ where: { id: dose3.id } })).toMatchObject({ status: 'VOIDED' });
    expect((await stack.db.vaccinationChange.findMany({ where: { vaccinationId: dose3.id } })).map((c) => c.type).sort()).toEqual(['corrected', 'recorded', 'voided']);
  }, 30_000);

  it('resolves a name correction: the person record changes, the old card is revoked, the new one carries the name', async () => {
    await openCertificates(user);
    const before = await stack.db.certificate.findFirstOrThrow({ where: { personId, format: 'shc', revokedAt: null } });
    const request = await stack.db.correctionRequest.create({
      data: { personId, requestedBy: `line:${user.userId}`, field: 'name', correctValue: 'นามสกุล ใจดีมาก', hospitalCode: '10001' },
    });
    const resolve = (body: unknown) => admin(`/admin/corrections/${request.id}/resolve`, { body });
    expect((await resolve({ action: 'correct', correction: {}, reason: 'checked ID card' })).status).toBe(422);
    expect((await resolve({ action: 'correct', correction: { person: { birthDate: '2999-01-01' } }, reason: 'x' })).status).toBe(422);
    expect((await stack.db.person.findUniqueOrThrow({ where: { id: personId } })).lastName).toBe(DEMO_PERSON.lastName);
    advance(60); // the CRL revokes cards issued before the revocation's second
    const resolved = await resolve({ action: 'correct', correction: { person: { lastName: 'ใจดีมาก' } }, reason: 'checked ID card' });
    expect(resolved.status).toBe(200);
    expect(await resolved.json()).toMatchObject({ ok: true, status: 'CORRECTED' });
    expect((await stack.db.person.findUniqueOrThrow({ where: { id: personId } })).lastName).toBe('ใจดีมาก');
    expect((await stack.db.certificate.findUniqueOrThrow({ where: { id: before.id } })).revokedAt).not.toBeNull();
    const after = await stack.db.certificate.findFirstOrThrow({ where: { personId, format: 'shc', revokedAt: null } });
    expect(await verify(toShcQrContent(before.content))).toMatchObject({ status: 'revoked' });
    expect(await verify(toShcQrContent(after.content))).toMatchObject({ status: 'valid', subject: { name: expect.stringContaining('ใจดีมาก') } });
    expect(await stack.db.personalDataAccess.count({ where: { personId, action: 'correct' } })).toBe(1);
  }, 30_000);
});

describe('the /verify page', () => {
  it('is served with its scripts (jsQR from node_modules)', async () => {
    const page = await fetch(`${publicBaseUrl}/verify`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('ตรวจสอบใบรับรอง');
    expect(html).toContain('Verify a vaccination certificate');
    expect(html).toContain('<script src="/verify/jsqr.js"></script>');
    const script = await fetch(`${publicBaseUrl}/verify/jsqr.js`);
    expect(script.status).toBe(200);
    expect(await script.text()).toContain('jsQR');
    expect(await (await fetch(`${publicBaseUrl}/verify/verify.js`)).text()).toContain('/api/verify');
  });
});
