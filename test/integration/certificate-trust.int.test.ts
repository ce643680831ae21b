// The verifier's trust as the service loads it from settings: our own keys always (with key
// rotation: a retired public key still verifies its cards), other issuers from the
// TRUSTED_SHC_JWKS / TRUSTED_DCC_CERTS files (the SHC specification's examples, an EU DCC test
// vector), and a trust file that cannot be read stops start-up naming the setting.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabaseClient, type PrismaClient } from '../../src/db/client.js';
import { ConfigError } from '../../src/config/env.js';
import { loadCertificateKeys } from '../../src/domain/certificates/certificate-keys.js';
import { publishedJwks, verifyContent } from '../../src/domain/certificates/revocation.js';
import { buildShcPayload, loadShcKeyStore, signShc, toShcQrContent } from '../../src/certificates/index.js';
import { createLogger } from '../../src/shared/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const shcDir = fileURLToPath(new URL('../../../shared/vectors/shc/', import.meta.url));
const dccVector = fileURLToPath(new URL('../../../shared/vectors/eu-dcc/AT/2DCode/raw/1.json', import.meta.url));
const hasVectors = existsSync(shcDir) && existsSync(dccVector);
const log = createLogger({ level: 'silent' });
const base = { NODE_ENV: 'test' as const, PUBLIC_BASE_URL: 'https://morprom.example/', ID_HASH_KEY: randomBytes(32), DCC_VALIDITY_DAYS: 365 };
const pem = (key: ReturnType<typeof generateKeyPairSync>['privateKey']) => key.export({ format: 'pem', type: 'pkcs8' }).toString();

let database: TestDatabase;
let db: PrismaClient;
beforeAll(async () => {
  database = await createTestDatabase();
  db = createDatabaseClient({ url: database.url, poolSize: 2 });
}, 60_000);
afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
});

describe('our own keys', () => {
  it('rotation: the new key signs, the retired public key is published and still verifies its cards', async () => {
    const old = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const next = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const oldStore = await loadShcKeyStore([pem(old.privateKey)]);
    const person = { givenName: 'Somchai', familyName: 'Jaidee', birthDate: '1955-04-12' };
    const doses = [{ doseNumber: 1, productCode: 'AZ', date: '2021-06-07', hospitalName: 'Phra Nakhon Demonstration Hospital' }];
    const oldCard = await signShc(buildShcPayload({ issuer: 'https://morprom.example', person, doses, issuedAt: Date.now() / 1000 - 60 }), oldStore);

    const keys = await loadCertificateKeys(
      { ...base, SHC_SIGNING_KEYS: [pem(next.privateKey)], SHC_RETIRED_PUBLIC_KEYS: [old.publicKey.export({ format: 'pem', type: 'spki' }).toString()] },
      log,
    );
    expect(keys.issuer).toBe('https://morprom.example'); // no trailing slash in iss
    expect(keys.shc.signing.kid).not.toBe(oldStore.signing.kid);
    expect((await publishedJwks(db, keys)).keys.map((k) => k.kid)).toEqual([oldStore.signing.kid, keys.shc.signing.kid]);
    expect(await verifyContent({ db, keys, content: toShcQrContent(oldCard), now: new Date() })).toMatchObject({ signature: 'valid', status: 'valid' });

    // Without the retired key, the old card's key is unknown.
    const forgetful = await loadCertificateKeys({ ...base, SHC_SIGNING_KEYS: [pem(next.privateKey)] }, log);
    expect(await verifyContent({ db, keys: forgetful, content: toShcQrContent(oldCard), now: new Date() })).toMatchObject({ signature: 'unknown-key' });
  });
});

describe.skipIf(!hasVectors)('trust files', () => {
  it('TRUSTED_SHC_JWKS: the specification examples verify (00 valid, 03 revoked by the issuer list)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trust-'));
    const read = (name: string) => readFileSync(join(shcDir, name), 'utf8').trim();
    const file = join(dir, 'shc.json');
    writeFileSync(file, JSON.stringify({
      issuers: [{
        iss: 'https://spec.smarthealth.cards/examples/issuer',
        keys: JSON.parse(read('issuer/.well-known/jwks.json')),
        crls: [JSON.parse(read('issuer/.well-known/crl/3Kfdg-XwP-7gXyywtUfUADwBumDOPKMQx-iELL11W9s.json'))],
      }],
    }));
    const keys = await loadCertificateKeys({ ...base, TRUSTED_SHC_JWKS: file }, log);
    const now = new Date();
    expect(await verifyContent({ db, keys, content: read('example-00-f-qr-code-numeric-value-0.txt'), now })).toMatchObject({ signature: 'valid', status: 'valid' });
    expect(await verifyContent({ db, keys, content: read('example-03-f-qr-code-numeric-value-0.txt'), now })).toMatchObject({ signature: 'valid', status: 'revoked' });
  });

  it('TRUSTED_DCC_CERTS: an EU DCC test vector verifies with its signer certificate listed, not without', async () => {
    const vector = JSON.parse(readFileSync(dccVector, 'utf8')) as { PREFIX: string; TESTCTX: { CERTIFICATE: string; VALIDATIONCLOCK: string } };
    const file = join(mkdtempSync(join(tmpdir(), 'trust-')), 'dcc.json');
    writeFileSync(file, JSON.stringify([vector.TESTCTX.CERTIFICATE]));
    const now = new Date(vector.TESTCTX.VALIDATIONCLOCK);
    const keys = await loadCertificateKeys({ ...base, TRUSTED_DCC_CERTS: file }, log);
    expect(await verifyContent({ db, keys, content: vector.PREFIX, now })).toMatchObject({ format: 'hcert', signature: 'valid', status: 'valid' });
    const without = await loadCertificateKeys(base, log);
    expect(await verifyContent({ db, keys: without, content: vector.PREFIX, now })).toMatchObject({ signature: 'unknown-key' });
  });

  it('a missing or unreadable trust file stops start-up naming the setting', async () => {
    await expect(loadCertificateKeys({ ...base, TRUSTED_SHC_JWKS: '/nonexistent/shc.json' }, log)).rejects.toThrow(ConfigError);
    await expect(loadCertificateKeys({ ...base, TRUSTED_SHC_JWKS: '/nonexistent/shc.json' }, log)).rejects.toThrow(/TRUSTED_SHC_JWKS/);
    const file = join(mkdtempSync(join(tmpdir(), 'trust-')), 'dcc.json');
    writeFileSync(file, '{"nope": 1}');
    await expect(loadCertificateKeys({ ...base, TRUSTED_DCC_CERTS: file }, log)).rejects.toThrow(/TRUSTED_DCC_CERTS/);
  });
});
