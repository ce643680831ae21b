// The certificate QR images behind signed links, on the router alone (no chat): rendered once
// per certificate row whatever the token, a new row after a new dose, 410 once superseded.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDatabaseClient, type PrismaClient } from '../../src/db/client.js';
import { seed } from '../../prisma/seed.js';
import { recordDose } from '../../src/domain/vaccination/record-dose.js';
import { issueCertificates } from '../../src/domain/certificates/issue-certificates.js';
import { createCertificatesRouter } from '../../src/http/certificates.route.js';
import type { CertificateServices } from '../../src/domain/certificates/certificate-services.js';
import { createLogger } from '../../src/shared/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTestCertificateServices } from '../support/certificates.js';

let database: TestDatabase;
let db: PrismaClient;
let server: Server;
let url: string;
let certificates: CertificateServices;
const rendered: string[] = [];
const now = new Date('2021-08-01T03:00:00Z');

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDatabaseClient({ url: database.url, poolSize: 4 });
  const hashKey = randomBytes(32);
  await seed({ db, hashKey, encryptionKey: randomBytes(32) });
  certificates = await createTestCertificateServices(hashKey);
  const app = express().use(createCertificatesRouter({ db, certificates, log: createLogger({ level: 'silent' }), now: () => now, onQrRendered: (id) => rendered.push(id) }));
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await db?.$disconnect();
  await database?.drop();
});

async function addDose(personId: string, doseNumber: number) {
  const result = await db.$transaction((tx) =>
    recordDose({
      db: tx,
      report: { personId, doseNumber, productCode: 'AZ', lotNumber: `L${doseNumber}`, administeredAt: new Date(now.getTime() - doseNumber * 86_400_000), hospitalCode: '10001', source: 'seed', sourceRecordId: randomBytes(6).toString('hex'), recordedBy: 'test' },
      now,
    }),
  );
  expect(result.ok).toBe(true);
}

it('renders a QR once per certificate row, for any number of tokens and requests', async () => {
  const owner = `U${randomBytes(16).toString('hex')}`;
  await db.lineUser.create({ data: { id: owner } });
  const person = await db.person.create({
    data: {
      ownerId: owner, isSelf: true, identityType: 'THAI_ID', idHash: randomBytes(32).toString('hex'), idCiphertext: 'x', nationality: 'THA',
      firstName: 'สมหญิง', lastName: 'รักดี', birthDate: new Date('1960-02-03'), sex: 'female', phone: '+66812345678', provinceCode: '10', verificationStatus: 'VERIFIED',
    },
  });
  await addDose(person.id, 1);
  const issue = () => db.$transaction((tx) => issueCertificates({ db: tx, keys: certificates.keys, personId: person.id, requester: { admin: true }, now }));
  const first = await issue();
  if (!first.ok) throw new Error(first.refusal);
  expect(first.shc.signedNow).toBe(true);
  const tokens = [certificates.links.sign(first.shc.id, now, 'th'), certificates.links.sign(first.shc.id, now, 'en')];
  for (const token of [...tokens, ...tokens]) expect((await fetch(`${url}/certificates/${token}/qr.png`)).status).toBe(200);
  expect(rendered).toEqual([first.shc.id]);

  // Unchanged doses: the same row comes back, not re-signed.
  const again = await issue();
  expect(again.ok && again.shc.id === first.shc.id && !again.shc.signedNow).toBe(true);

  // A new dose: a new row (rendered once more), and the first row's links answer 410.
  await addDose(person.id, 2);
  const second = await issue();
  if (!second.ok) throw new Error(second.refusal);
  expect(second.shc.id).not.toBe(first.shc.id);
  expect(second.complete).toBe(true);
  const gone = await fetch(`${url}/certificates/${tokens[0]}/qr.png`);
  expect(gone.status).toBe(410);
  expect(gone.headers.get('content-type')).toMatch(/problem\+json/);
  expect((await fetch(`${url}/certificates/${certificates.links.sign(second.shc.id, now, 'th')}/qr.png`)).status).toBe(200);
  expect(rendered).toEqual([first.shc.id, second.shc.id]);
}, 30_000);
