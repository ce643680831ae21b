import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  addShcIssuer,
  buildFhirBundle,
  buildShcPayload,
  deriveRevocationId,
  emptyShcTrust,
  fromShcQrContent,
  generateDevelopmentShcKey,
  jwsToShcNumeric,
  loadShcKeyStore,
  parseShcKey,
  parseShcTrustList,
  publishJwks,
  renderShcQrPng,
  SHC_MAX_SINGLE_QR_JWS,
  ShcTooLargeError,
  signShc,
  toShcQrContent,
  toSmartHealthCardFile,
  trustOwnShcKeys,
  verifyCertificate,
  verifyShc,
  emptyDccTrust,
  type CertificateDose,
  type CertificatePerson,
  type ShcKeyStore,
  type ShcTrust,
} from '../../src/certificates/index.js';

const ISS = 'https://morprom.example.go.th';
const SECRET = Buffer.alloc(32, 7);
const NOW = new Date('2021-09-01T03:00:00Z');
const nowSeconds = NOW.getTime() / 1000;

const person: CertificatePerson = { givenName: 'สมชาย', familyName: 'ใจดี', birthDate: '1980-04-15' };
const doses: CertificateDose[] = [
  { doseNumber: 1, productCode: 'SINOVAC', date: '2021-06-07', lotNumber: 'J202105018', hospitalName: 'โรงพยาบาลราชวิถี' },
  { doseNumber: 2, productCode: 'AZ', date: '2021-07-05', lotNumber: 'A1079', hospitalName: 'โรงพยาบาลราชวิถี' },
];

async function keyStore(count = 1): Promise<ShcKeyStore> {
  const keys = [];
  for (let i = 0; i < count; i++) keys.push(JSON.stringify((await generateDevelopmentShcKey()).privateJwk));
  return loadShcKeyStore(keys);
}

function trustFor(store: ShcKeyStore, crls: Parameters<typeof trustOwnShcKeys>[3] = []): ShcTrust {
  const trust = emptyShcTrust();
  trustOwnShcKeys(trust, ISS, store, crls);
  return trust;
}

async function issue(store: ShcKeyStore, options: { issuedAt?: number; subjectId?: string; exp?: number } = {}): Promise<string> {
  const payload = buildShcPayload({
    issuer: ISS,
    person,
    doses,
    issuedAt: options.issuedAt ?? nowSeconds - 3600,
    rid: deriveRevocationId(SECRET, options.subjectId ?? 'person-1'),
  });
  if (options.exp !== undefined) payload.exp = options.exp;
  return signShc(payload, store);
}

/** Replaces the character at `index` with another character of the base64url alphabet. */
function changeCharAt(text: string, index: number): string {
  const replacement = text[index] === 'A' ? 'B' : 'A';
  return text.slice(0, index) + replacement + text.slice(index + 1);
}

describe('SMART Health Card: FHIR bundle and credential', () => {
  it('follows the SHC rules for bundles in QR codes', () => {
    const bundle = buildFhirBundle(person, [...doses].reverse());
    expect(bundle.entry.map((entry) => entry.fullUrl)).toEqual(['resource:0', 'resource:1', 'resource:2']);
    expect(bundle.entry[0]!.resource).toEqual({ resourceType: 'Patient', name: [{ family: 'ใจดี', given: ['สมชาย'] }], birthDate: '1980-04-15' });
    // Doses in order, with CVX codes: Sinovac 511, then AstraZeneca 210.
    expect(bundle.entry[1]!.resource).toEqual({
      resourceType: 'Immunization',
      status: 'completed',
      vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '511' }] },
      patient: { reference: 'resource:0' },
      occurrenceDateTime: '2021-06-07',
      performer: [{ actor: { display: 'โรงพยาบาลราชวิถี' } }],
      lotNumber: 'J202105018',
    });
    expect((bundle.entry[2]!.resource.vaccineCode as { coding: Array<{ code: string }> }).coding[0]!.code).toBe('210');
    const json = JSON.stringify(bundle);
    for (const forbidden of ['"id"', '"meta"', '"text"', '"display":"C', '"reference":"Patient']) expect(json).not.toContain(forbidden);
  });

  it('maps every product to its CVX code', () => {
    const codes = ['SINOVAC', 'AZ', 'PFIZER', 'MODERNA', 'SINOPHARM'].map((productCode) => {
      const bundle = buildFhirBundle(person, [{ doseNumber: 1, productCode, date: '2021-06-01', hospitalName: 'X' }]);
      return (bundle.entry[1]!.resource.vaccineCode as { coding: Array<{ code: string }> }).coding[0]!.code;
    });
    expect(codes).toEqual(['511', '210', '208', '207', '510']);
    expect(() => buildFhirBundle(person, [{ doseNumber: 1, productCode: 'NOPE', date: '2021-06-01', hospitalName: 'X' }])).toThrow(/NOPE/);
  });

  it('derives an 11-character rid that does not reveal the subject and differs per secret', () => {
    const rid = deriveRevocationId(SECRET, 'person-1');
    expect(rid).toMatch(/^[A-Za-z0-9_-]{11}$/);
    expect(deriveRevocationId(SECRET, 'person-1')).toBe(rid);
    expect(deriveRevocationId(SECRET, 'person-2')).not.toBe(rid);
    expect(deriveRevocationId(Buffer.alloc(32, 8), 'person-1')).not.toBe(rid);
    expect(() => deriveRevocationId(Buffer.alloc(16), 'person-1')).toThrow(/256 bits/);
  });

  it('carries iss, whole-second nbf, the vc types and the rid', () => {
    const payload = buildShcPayload({ issuer: ISS, person, doses, issuedAt: 1630465200.75, rid: 'abc' });
    expect(payload.iss).toBe(ISS);
    expect(payload.nbf).toBe(1630465200);
    expect(payload.vc.type).toEqual(['https://smarthealth.cards#health-card', 'https://smarthealth.cards#immunization', 'https://smarthealth.cards#covid19']);
    expect(payload.vc.rid).toBe('abc');
    expect(payload.vc.credentialSubject.fhirVersion).toBe('4.0.1');
  });
});

describe('SMART Health Card: signing and QR', () => {
  it('signs a compact ES256 JWS with zip DEF and the thumbprint kid, and round-trips', async () => {
    const store = await keyStore();
    const jws = await issue(store);
    const [header, payload] = jws.split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({ alg: 'ES256', zip: 'DEF', kid: store.signing.kid });
    const inflated = JSON.parse(inflateRawSync(Buffer.from(payload!, 'base64url')).toString());
    expect(inflated.iss).toBe(ISS);

    const result = verifyShc(toShcQrContent(jws), trustFor(store), { now: NOW });
    expect(result).toEqual({
      format: 'shc',
      signature: 'valid',
      status: 'valid',
      issuer: ISS,
      subject: {
        name: 'สมชาย ใจดี',
        birthDate: '1980-04-15',
        doses: [
          { date: '2021-06-07', product: 'CoronaVac (Sinovac)', lot: 'J202105018' },
          { date: '2021-07-05', product: 'Vaxzevria (AstraZeneca)', lot: 'A1079' },
        ],
      },
    });
    // The bare JWS and the dispatcher give the same answer.
    expect(verifyShc(jws, trustFor(store), { now: NOW }).status).toBe('valid');
    expect(verifyCertificate(toShcQrContent(jws), { shc: trustFor(store), dcc: emptyDccTrust() }, { now: NOW })?.status).toBe('valid');
    expect(JSON.parse(toSmartHealthCardFile([jws]))).toEqual({ verifiableCredential: [jws] });
  });

  it('keeps a 3-dose card with long Thai hospital names within one QR (≤ 1195 characters)', async () => {
    const store = await keyStore();
    const longHospital = 'โรงพยาบาลสมเด็จพระยุพราชสว่างแดนดิน จังหวัดสกลนคร (ศูนย์ฉีดวัคซีนเซ็นทรัลพลาซา)';
    const threeDoses: CertificateDose[] = [
      { doseNumber: 1, productCode: 'SINOVAC', date: '2021-05-03', lotNumber: 'J202104009', hospitalName: longHospital },
      { doseNumber: 2, productCode: 'AZ', date: '2021-07-26', lotNumber: 'A1079-TH-2021', hospitalName: `${longHospital} ๒` },
      { doseNumber: 3, productCode: 'PFIZER', date: '2021-10-11', lotNumber: 'FF2593', hospitalName: 'ศูนย์ฉีดวัคซีนกลางบางซื่อ สถานีกลางบางซื่อ กรุงเทพมหานคร' },
    ];
    const longPerson: CertificatePerson = { givenName: 'ประเสริฐศักดิ์', familyName: 'ศรีสุวรรณวงศ์ไพบูลย์', birthDate: '1951-12-31' };
    const payload = buildShcPayload({ issuer: ISS, person: longPerson, doses: threeDoses, issuedAt: nowSeconds, rid: deriveRevocationId(SECRET, 'p') });
    const jws = await signShc(payload, store);
    expect(jws.length).toBeLessThanOrEqual(SHC_MAX_SINGLE_QR_JWS);
    expect(verifyShc(jws, trustFor(store), { now: NOW }).subject?.doses).toHaveLength(3);
  });

  it('refuses a card that does not fit one QR code', async () => {
    const store = await keyStore();
    // Random lot numbers do not compress: 30 doses cannot fit.
    const many = Array.from({ length: 30 }, (_, i) => ({
      doseNumber: i + 1,
      productCode: 'PFIZER',
      date: '2021-06-01',
      lotNumber: Buffer.from(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'der', type: 'spki' })).toString('base64').slice(30, 60),
      hospitalName: `Hospital ${i}`,
    }));
    const payload = buildShcPayload({ issuer: ISS, person, doses: many, issuedAt: nowSeconds });
    await expect(signShc(payload, store)).rejects.toBeInstanceOf(ShcTooLargeError);
  });

  it('encodes the QR content as shc:/ plus two digits per character, and decodes it back', () => {
    expect(jwsToShcNumeric('-.Az_')).toBe('0001207750');
    expect(fromShcQrContent('shc:/0001207750')).toBe('-.Az_');
    expect(() => fromShcQrContent('shc:/000')).toThrow(/even number/);
    expect(() => fromShcQrContent('shc:/0099')).toThrow(/out of range/);
    expect(() => fromShcQrContent('shc:/1/2/0001')).toThrow(/chunked/);
    expect(() => fromShcQrContent('HC1:0001')).toThrow(/shc:\//);
  });

  it('renders the QR as a PNG (byte + numeric segments, error correction L)', async () => {
    const store = await keyStore();
    const png = await renderShcQrPng(await issue(store));
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    // Width in the IHDR: a version ≤ 22 code (≤ 105 modules + 2×4 margin) at scale 4.
    expect(png.readUInt32BE(16)).toBeLessThanOrEqual((105 + 8) * 4);
  });
});

describe('SMART Health Card: verification verdicts', () => {
  it('one changed character in the payload or signature part: signature invalid', async () => {
    const store = await keyStore();
    const jws = await issue(store);
    const [header, payload] = jws.split('.') as [string, string, string];
    const inPayload = changeCharAt(jws, header.length + 1 + Math.floor(payload.length / 2));
    const inSignature = changeCharAt(jws, jws.length - 20);
    for (const tampered of [inPayload, inSignature]) {
      const result = verifyShc(toShcQrContent(tampered), trustFor(store), { now: NOW });
      expect(result).toMatchObject({ format: 'shc', signature: 'invalid', status: 'invalid', issuer: ISS });
      expect(result.subject).toBeUndefined();
    }
  });

  it('one changed character in the header: malformed (the header is no longer JSON)', async () => {
    const store = await keyStore();
    const jws = await issue(store);
    const result = verifyShc(changeCharAt(jws, 2), trustFor(store), { now: NOW });
    expect(result).toMatchObject({ signature: 'invalid', status: 'malformed' });
  });

  it('garbage is malformed, never a crash', () => {
    const trust = emptyShcTrust();
    for (const content of ['shc:/', 'shc:/12', 'shc:/5676', 'a.b', 'x.y.z', 'shc:/' + '9'.repeat(10)]) {
      expect(verifyShc(content, trust).status).toBe('malformed');
    }
  });

  it('an unknown kid: unknown-key (and the claimed issuer is reported)', async () => {
    const signer = await keyStore();
    const other = await keyStore();
    const result = verifyShc(await issue(signer), trustFor(other), { now: NOW });
    expect(result).toMatchObject({ signature: 'unknown-key', status: 'invalid', issuer: ISS });
    expect(result.subject).toBeUndefined();
  });

  it('a trusted key used for another issuer\'s iss is invalid', async () => {
    const store = await keyStore();
    const trust = emptyShcTrust();
    addShcIssuer(trust, 'https://someone-else.example', publishJwks(store));
    expect(verifyShc(await issue(store), trust, { now: NOW })).toMatchObject({ signature: 'valid', status: 'invalid' });
  });

  it('when two trusted issuers list the same key, the card\'s iss picks the issuer', async () => {
    const store = await keyStore();
    const trust = emptyShcTrust();
    addShcIssuer(trust, 'https://first.example', publishJwks(store));
    addShcIssuer(trust, ISS, publishJwks(store));
    expect(verifyShc(await issue(store), trust, { now: NOW })).toMatchObject({ status: 'valid', issuer: ISS });
  });

  it('a signed credential that is not a health card is malformed', async () => {
    const store = await keyStore();
    const payload = buildShcPayload({ issuer: ISS, person, doses, issuedAt: nowSeconds });
    payload.vc.type = ['VerifiableCredential'];
    expect(verifyShc(await signShc(payload, store), trustFor(store), { now: NOW })).toMatchObject({ signature: 'valid', status: 'malformed' });
  });

  it('key rotation: the newest key signs, and cards of the old key verify while it is published', async () => {
    const oldKey = await generateDevelopmentShcKey();
    const newKey = await generateDevelopmentShcKey();
    const before = await loadShcKeyStore([JSON.stringify(oldKey.privateJwk)]);
    const oldCard = await issue(before);
    // Rotation: the old key stays (here as its public JWK only), the new one is appended.
    const { d: _d, ...oldPublic } = oldKey.privateJwk;
    const after = await loadShcKeyStore([JSON.stringify(oldPublic), newKey.privatePem]);
    expect(after.signing.kid).toBe(newKey.kid);
    expect(publishJwks(after).keys.map((key) => key.kid)).toEqual([oldKey.kid, newKey.kid]);
    const newCard = await issue(after);
    expect(JSON.parse(Buffer.from(newCard.split('.')[0]!, 'base64url').toString()).kid).toBe(newKey.kid);
    expect(verifyShc(oldCard, trustFor(after), { now: NOW }).status).toBe('valid');
    expect(verifyShc(newCard, trustFor(after), { now: NOW }).status).toBe('valid');
    // Once the old key is withdrawn from the JWKS, its cards are from an unknown key.
    const withdrawn = await loadShcKeyStore([newKey.privatePem]);
    expect(verifyShc(oldCard, trustFor(withdrawn), { now: NOW }).signature).toBe('unknown-key');
  });

  it('revocation: a bare rid revokes every card; rid.timestamp only the cards issued before', async () => {
    const store = await keyStore();
    const rid = deriveRevocationId(SECRET, 'person-1');
    const oldCard = await issue(store, { issuedAt: nowSeconds - 7200 });
    const reissued = await issue(store, { issuedAt: nowSeconds - 60 });
    const otherPerson = await issue(store, { subjectId: 'person-2' });
    const cutoff = Math.floor(nowSeconds - 3600);
    const byTime = trustFor(store, [{ kid: store.signing.kid, method: 'rid', ctr: 1, rids: [`${rid}.${cutoff}`] }]);
    expect(verifyShc(oldCard, byTime, { now: NOW })).toMatchObject({ signature: 'valid', status: 'revoked' });
    expect(verifyShc(reissued, byTime, { now: NOW }).status).toBe('valid');
    expect(verifyShc(otherPerson, byTime, { now: NOW }).status).toBe('valid');
    const all = trustFor(store, [{ kid: store.signing.kid, method: 'rid', ctr: 2, rids: [rid] }]);
    expect(verifyShc(reissued, all, { now: NOW }).status).toBe('revoked');
    expect(publishJwks(store, { [store.signing.kid]: 2 }).keys[0]).toMatchObject({ kid: store.signing.kid, use: 'sig', alg: 'ES256', crlVersion: 2 });
  });

  it('expired and not-yet-valid cards', async () => {
    const store = await keyStore();
    const expired = await issue(store, { exp: nowSeconds - 1 });
    expect(verifyShc(expired, trustFor(store), { now: NOW })).toMatchObject({ signature: 'valid', status: 'expired' });
    const future = await issue(store, { issuedAt: nowSeconds + 3600 });
    expect(verifyShc(future, trustFor(store), { now: NOW })).toMatchObject({ signature: 'valid', status: 'not-yet-valid' });
    // Within the clock skew (5 minutes) it is valid.
    const soon = await issue(store, { issuedAt: nowSeconds + 120 });
    expect(verifyShc(soon, trustFor(store), { now: NOW }).status).toBe('valid');
  });
});

describe('SHC key store and trust list', () => {
  it('reads PEM and JWK keys, recomputes the kid and rejects non-P-256 keys', async () => {
    const generated = await generateDevelopmentShcKey();
    const fromPem = await parseShcKey(generated.privatePem);
    const fromJwk = await parseShcKey(JSON.stringify({ ...generated.privateJwk, kid: 'ignored' }));
    expect(fromPem.kid).toBe(generated.kid);
    expect(fromJwk.kid).toBe(generated.kid);
    expect(fromPem.privateKey).toBeDefined();
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    await expect(parseShcKey(rsa)).rejects.toThrow(/P-256/);
    await expect(parseShcKey('not a key')).rejects.toThrow(/PEM or a JWK/);
    await expect(loadShcKeyStore([JSON.stringify({ kty: 'EC', crv: 'P-256', x: generated.privateJwk.x, y: generated.privateJwk.y })])).rejects.toThrow(/no private/);
  });

  it('loads both trust list formats', async () => {
    const store = await keyStore();
    const jwks = publishJwks(store);
    const card = await issue(store);
    const rid = deriveRevocationId(SECRET, 'person-1');
    const full = parseShcTrustList(JSON.stringify({ issuers: [{ iss: ISS, keys: jwks, crls: [{ kid: store.signing.kid, method: 'rid', ctr: 1, rids: [rid] }] }] }));
    expect(verifyShc(card, full, { now: NOW }).status).toBe('revoked');
    const plain = parseShcTrustList(JSON.stringify({ [ISS]: jwks }));
    expect(verifyShc(card, plain, { now: NOW }).status).toBe('valid');
    expect(() => parseShcTrustList(JSON.stringify({ issuers: [{ keys: jwks }] }))).toThrow(/iss/);
    expect(() => parseShcTrustList(JSON.stringify({ [ISS]: 'x' }))).toThrow(/JWKS/);
  });
});

// ---------------------------------------------------------------------------------------
// The SMART Health Cards specification's examples (../shared/vectors/shc/)

const vectorsDir = fileURLToPath(new URL('../../../shared/vectors/shc/', import.meta.url));
const hasVectors = existsSync(vectorsDir);
if (!hasVectors) console.warn(`SHC vectors not found at ${vectorsDir}: the example tests are skipped`);

describe.skipIf(!hasVectors)('SMART Health Card specification examples', () => {
  const read = (name: string) => readFileSync(`${vectorsDir}${name}`, 'utf8').trim();
  const trust = () => {
    const jwks = JSON.parse(read('issuer/.well-known/jwks.json')) as { keys: unknown[] };
    const crl = JSON.parse(read('issuer/.well-known/crl/3Kfdg-XwP-7gXyywtUfUADwBumDOPKMQx-iELL11W9s.json'));
    const result = emptyShcTrust();
    addShcIssuer(result, 'https://spec.smarthealth.cards/examples/issuer', jwks, [crl]);
    return result;
  };

  it.each(['00', '01', '03'])('example %s: numeric QR content decodes to the JWS and the file holds it', (n) => {
    const jws = read(`example-${n}-d-jws.txt`);
    expect(fromShcQrContent(read(`example-${n}-f-qr-code-numeric-value-0.txt`))).toBe(jws);
    expect(toShcQrContent(jws)).toBe(read(`example-${n}-f-qr-code-numeric-value-0.txt`));
    expect(JSON.parse(read(`example-${n}-e-file.smart-health-card`)).verifiableCredential).toEqual([jws]);
  });

  it.each([
    ['00', 'valid'],
    ['01', 'valid'],
    ['03', 'revoked'],
  ])('example %s verifies as %s', (n, status) => {
    const result = verifyShc(read(`example-${n}-f-qr-code-numeric-value-0.txt`), trust());
    expect(result).toMatchObject({ format: 'shc', signature: 'valid', status, issuer: 'https://spec.smarthealth.cards/examples/issuer' });
    expect(result.subject?.doses.length).toBeGreaterThan(0);
  });

  it('example 03 is revoked also while it has not expired (its rid.timestamp entry covers its nbf)', () => {
    const result = verifyShc(read('example-03-d-jws.txt'), trust(), { now: new Date('2024-01-01T00:00:00Z') });
    expect(result.status).toBe('revoked');
    // Past its exp (2024-06-21) it is reported revoked still, not merely expired.
    expect(verifyShc(read('example-03-d-jws.txt'), trust(), { now: new Date('2025-01-01T00:00:00Z') }).status).toBe('revoked');
    // And without the revocation list, it is simply expired then.
    const noCrl = emptyShcTrust();
    addShcIssuer(noCrl, 'https://spec.smarthealth.cards/examples/issuer', JSON.parse(read('issuer/.well-known/jwks.json')));
    expect(verifyShc(read('example-03-d-jws.txt'), noCrl, { now: new Date('2025-01-01T00:00:00Z') }).status).toBe('expired');
  });

  it('example 00 reads as the checker needs it', () => {
    const result = verifyShc(read('example-00-d-jws.txt'), trust());
    expect(result.subject).toMatchObject({ name: 'John B. Anyperson', birthDate: '1951-01-20' });
    expect(result.subject?.doses[0]).toEqual({ date: '2021-01-01', product: 'Spikevax (Moderna)', lot: '0000001' });
  });

  it('without the issuer in the trust list, the examples are from an unknown key', () => {
    expect(verifyShc(read('example-00-d-jws.txt'), emptyShcTrust()).signature).toBe('unknown-key');
  });
});
