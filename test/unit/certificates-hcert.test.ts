import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  addDccCertificate,
  buildDccVaccination,
  createDevelopmentDccSigner,
  dccKidOf,
  dccSchemaProblem,
  decodeBase45,
  decodeCoseSign1,
  decodeCwt,
  emptyDccTrust,
  emptyShcTrust,
  encodeBase45,
  encodeCbor,
  hasValidUvciChecksum,
  icaoTransliterate,
  loadDccSigner,
  luhnModN,
  newUvci,
  parseDccTrustList,
  renderHcertQrPng,
  romanizeThai,
  signHcert,
  standardisedName,
  uvciHash,
  verifyCertificate,
  verifyHcert,
  withUvciChecksum,
  type CertificatePerson,
  type DccSigner,
  type DccTrust,
} from '../../src/certificates/index.js';

const NOW = new Date('2021-12-21T03:00:00Z');
const YEAR_MS = 365 * 86_400_000;

const person: CertificatePerson = {
  givenName: 'สมชาย',
  familyName: 'ใจดี',
  givenNameLatin: 'Somchai',
  familyNameLatin: 'Jaidee',
  birthDate: '1980-04-15',
};

function trustOf(...signers: DccSigner[]): DccTrust {
  const trust = emptyDccTrust();
  for (const signer of signers) addDccCertificate(trust, signer.certificateDer);
  return trust;
}

function issue(signer: DccSigner, options: { ci?: string; issuedAt?: Date; expiresAt?: Date } = {}): string {
  const dcc = buildDccVaccination({
    person,
    dose: { doseNumber: 2, productCode: 'AZ', date: '2021-08-30', lotNumber: 'A1079', hospitalName: 'Rajavithi Hospital' },
    seriesDoses: 2,
    ci: options.ci ?? withUvciChecksum('URN:UVCI:01:TH:0123456789ABCDEFGHJKMNPQRS'),
    issuer: 'Department of Disease Control, Ministry of Public Health, Thailand',
  });
  return signHcert({
    dcc,
    signer,
    issuedAt: options.issuedAt ?? new Date(NOW.getTime() - 3_600_000),
    expiresAt: options.expiresAt ?? new Date(NOW.getTime() + YEAR_MS),
  });
}

describe('EU DCC payload', () => {
  it('maps a dose to a schema 1.3.0 vaccination entry with passport names', () => {
    const dcc = buildDccVaccination({
      person,
      dose: { doseNumber: 2, productCode: 'PFIZER', date: '2021-10-01', hospitalName: 'X' },
      seriesDoses: 2,
      ci: 'URN:UVCI:01:TH:ABC#X',
      issuer: 'DDC Thailand',
    });
    expect(dcc).toEqual({
      ver: '1.3.0',
      nam: { fn: 'Jaidee', fnt: 'JAIDEE', gn: 'Somchai', gnt: 'SOMCHAI' },
      dob: '1980-04-15',
      v: [
        {
          tg: '840539006',
          vp: '1119349007',
          mp: 'EU/1/20/1528',
          ma: 'ORG-100030215',
          dn: 2,
          sd: 2,
          dt: '2021-10-01',
          co: 'TH',
          is: 'DDC Thailand',
          ci: 'URN:UVCI:01:TH:ABC#X',
        },
      ],
    });
    expect(dccSchemaProblem(dcc)).toBeNull();
  });

  it('romanises Thai names when no passport name is known, and marks boosters n/n', () => {
    const dcc = buildDccVaccination({
      person: { givenName: 'สมชาย', familyName: 'ใจดี', birthDate: '1980-04-15' },
      dose: { doseNumber: 3, productCode: 'SINOVAC', date: '2021-11-01', hospitalName: 'X' },
      seriesDoses: 2,
      ci: 'URN:UVCI:01:TH:ABC',
      issuer: 'DDC',
    });
    expect(dcc.nam).toEqual({ fn: 'ใจดี', fnt: 'CHAIDI', gn: 'สมชาย', gnt: 'SOMCHAI' });
    expect(dcc.v![0]).toMatchObject({ vp: 'J07BX03', mp: 'CoronaVac', ma: 'Sinovac-Biotech', dn: 3, sd: 3 });
  });

  it('transliterates names per ICAO 9303', () => {
    expect(icaoTransliterate('Musterfrau-Gößinger')).toBe('MUSTERFRAU<GOESSINGER');
    expect(icaoTransliterate('Lövström')).toBe('LOEVSTROEM');
    expect(icaoTransliterate("O'Neil  Anne-Marie")).toBe('ONEIL<ANNE<MARIE');
    expect(icaoTransliterate('Çelik Ñúñez Åsa')).toBe('CELIK<NUNEZ<AASA');
    expect(icaoTransliterate('A'.repeat(100))).toHaveLength(80);
  });

  it('romanises common Thai names close to RTGS', () => {
    expect(['สมชาย', 'ประยุทธ์', 'สมศักดิ์', 'ทองดี', 'วิชัย', 'สุดา', 'แก้วมณี', 'เชียงใหม่', 'บุญมี'].map(romanizeThai)).toEqual([
      'somchai', 'prayut', 'somsak', 'thongdi', 'wichai', 'suda', 'kaeomani', 'chiangmai', 'bunmi',
    ]);
    expect(standardisedName('ณัฐวุฒิ ศรีสุข')).toMatch(/^[A-Z<]+$/);
  });

  it('rejects DCCs that break the schema rules a verifier relies on', () => {
    const good = buildDccVaccination({ person, dose: { doseNumber: 1, productCode: 'AZ', date: '2021-06-01', hospitalName: 'X' }, seriesDoses: 2, ci: 'URN:UVCI:01:TH:A', issuer: 'DDC' });
    expect(dccSchemaProblem({ ver: '1.0.0', nam: {} })).toMatch(/fnt/);
    expect(dccSchemaProblem({ ...good, nam: { fnt: 'jaidee' } })).toMatch(/fnt/);
    expect(dccSchemaProblem({ ...good, v: [good.v![0], good.v![0]] })).toMatch(/exactly one entry/);
    expect(dccSchemaProblem({ ...good, r: [{}] })).toMatch(/exactly one of/);
    expect(dccSchemaProblem({ ...good, v: [{ ...good.v![0], dt: '01/06/2021' }] })).toMatch(/dt/);
  });
});

describe('UVCI', () => {
  it('computes the Luhn mod N check character the Austrian vectors carry', () => {
    expect(luhnModN('URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD813')).toBe('B');
    expect(luhnModN('URN:UVCI:01:AT:B5921A35D6A0D696421B3E2462178297')).toBe('I');
    expect(luhnModN('URN:UVCI:01:AT:858CC18CFCF5965EF82F60E493349AA5')).toBe('K');
  });

  it('issues unique Thai identifiers with a valid check character', () => {
    const a = newUvci();
    const b = newUvci();
    expect(a).toMatch(/^URN:UVCI:01:TH:[0-9A-Z]{26}#[A-Z0-9/:]$/);
    expect(a).not.toBe(b);
    expect(hasValidUvciChecksum(a)).toBe(true);
    const wrong = a.slice(0, -1) + (a.endsWith('A') ? 'B' : 'A');
    expect(hasValidUvciChecksum(wrong)).toBe(false);
  });
});

describe('Base45', () => {
  it('round-trips and matches RFC 9285 examples', () => {
    expect(encodeBase45(Buffer.from('AB'))).toBe('BB8');
    expect(encodeBase45(Buffer.from('Hello!!'))).toBe('%69 VD92EX0');
    expect(encodeBase45(Buffer.from('ietf!'))).toBe('QED8WEX0');
    expect(decodeBase45('QED8WEX0').toString()).toBe('ietf!');
    const random = Buffer.from(Array.from({ length: 301 }, (_, i) => (i * 37) % 256));
    expect(decodeBase45(encodeBase45(random))).toEqual(random);
  });

  it('rejects invalid input (RFC 9285 §6)', () => {
    expect(() => decodeBase45('GGW')).toThrow(/triplet/); // 65536 + ...
    expect(() => decodeBase45('ABCD')).toThrow(/length/);
    expect(() => decodeBase45('ab')).toThrow(/character/);
  });
});

describe('EU DCC signing and verification', () => {
  const signer = createDevelopmentDccSigner({ now: new Date('2021-01-01T00:00:00Z') });

  it('creates a development DSC that parses and may sign vaccination certificates only', () => {
    const certificate = new X509Certificate(signer.certificateDer);
    expect(certificate.subject).toContain('DEVELOPMENT');
    expect(certificate.issuer).toBe(certificate.subject);
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(certificate.keyUsage).toEqual(['1.3.6.1.4.1.1847.2021.1.2']);
    expect(signer.kid).toEqual(dccKidOf(signer.certificateDer));
    expect(signer.kid).toHaveLength(8);
  });

  it('round-trips: HC1:, Base45, zlib, COSE_Sign1 tag 18 with ES256 and kid, CWT claims', () => {
    const content = issue(signer);
    expect(content.startsWith('HC1:')).toBe(true);
    const cose = decodeCoseSign1(inflateSync(decodeBase45(content.slice(4))));
    expect(cose.alg).toBe(-7);
    expect(cose.kid).toEqual(signer.kid);
    expect(cose.signature).toHaveLength(64);
    const claims = decodeCwt(cose.payload);
    expect(claims).toMatchObject({ iss: 'TH', iat: Math.floor(NOW.getTime() / 1000) - 3600 });
    const result = verifyHcert(content, trustOf(signer), { now: NOW });
    expect(result).toEqual({
      format: 'hcert',
      signature: 'valid',
      status: 'valid',
      issuer: 'TH',
      subject: {
        name: 'Somchai Jaidee',
        birthDate: '1980-04-15',
        doses: [{ date: '2021-08-30', product: 'Vaxzevria (AstraZeneca)', doseNumber: 2, totalDoses: 2 }],
      },
    });
    expect(verifyCertificate(content, { shc: emptyShcTrust(), dcc: trustOf(signer) }, { now: NOW })?.status).toBe('valid');
    expect(verifyCertificate('hello', { shc: emptyShcTrust(), dcc: trustOf(signer) })).toBeNull();
  });

  it('one changed character in the Base45 text: malformed (the zlib checksum fails)', () => {
    const content = issue(signer);
    for (const index of [10, Math.floor(content.length / 2), content.length - 5]) {
      const char = content[index] === 'A' ? 'B' : 'A';
      const tampered = content.slice(0, index) + char + content.slice(index + 1);
      expect(verifyHcert(tampered, trustOf(signer), { now: NOW })).toMatchObject({ format: 'hcert', signature: 'invalid', status: 'malformed' });
    }
  });

  it('a changed byte inside the signed payload (re-compressed): signature invalid', () => {
    const content = issue(signer);
    const cose = inflateSync(decodeBase45(content.slice(4)));
    const at = cose.indexOf(Buffer.from('Jaidee'));
    expect(at).toBeGreaterThan(0);
    const forged = Buffer.from(cose);
    forged[at] = 'X'.charCodeAt(0); // "Xaidee"
    const result = verifyHcert(`HC1:${encodeBase45(deflateSync(forged))}`, trustOf(signer), { now: NOW });
    expect(result).toMatchObject({ signature: 'invalid', status: 'invalid' });
    expect(result.subject).toBeUndefined();
  });

  it('an unknown kid: unknown-key', () => {
    const other = createDevelopmentDccSigner();
    expect(verifyHcert(issue(signer), trustOf(other), { now: NOW })).toMatchObject({ signature: 'unknown-key', status: 'invalid' });
  });

  it('signer rotation: passes of the old DSC verify while it stays in the trust list', () => {
    const next = createDevelopmentDccSigner();
    const old = issue(signer);
    const trust = trustOf(signer, next);
    expect(verifyHcert(old, trust, { now: NOW }).status).toBe('valid');
    expect(verifyHcert(issue(next), trust, { now: NOW }).status).toBe('valid');
  });

  it('revocation by certificate identifier or by UVCI hash', () => {
    const ci = newUvci();
    const content = issue(signer, { ci });
    const byCi = trustOf(signer);
    byCi.revokedCi.add(ci);
    expect(verifyHcert(content, byCi, { now: NOW })).toMatchObject({ signature: 'valid', status: 'revoked' });
    const byHash = trustOf(signer);
    byHash.revokedUvciHashes.add(uvciHash(ci));
    expect(verifyHcert(content, byHash, { now: NOW }).status).toBe('revoked');
    expect(verifyHcert(issue(signer), byHash, { now: NOW }).status).toBe('valid');
  });

  it('expired and not-yet-valid passes', () => {
    const expired = issue(signer, { issuedAt: new Date(NOW.getTime() - 2 * YEAR_MS), expiresAt: new Date(NOW.getTime() - 1000) });
    expect(verifyHcert(expired, trustOf(signer), { now: NOW })).toMatchObject({ signature: 'valid', status: 'expired' });
    const future = issue(signer, { issuedAt: new Date(NOW.getTime() + 3_600_000) });
    expect(verifyHcert(future, trustOf(signer), { now: NOW })).toMatchObject({ signature: 'valid', status: 'not-yet-valid' });
  });

  it('a DSC limited to test certificates may not sign a vaccination', () => {
    // A certificate whose key usage allows test certificates only: signature valid, status invalid.
    const testOnly = createDevelopmentDccSigner();
    const content = issue(testOnly);
    const trust = emptyDccTrust();
    addDccCertificate(trust, testOnly.certificateDer);
    trust.signers.get(testOnly.kid.toString('base64'))![0]!.allowedTypes = new Set(['t']);
    expect(verifyHcert(content, trust, { now: NOW })).toMatchObject({ signature: 'valid', status: 'invalid', reason: expect.stringMatching(/may not sign/) });
  });

  it('garbage is malformed, never a crash', () => {
    const trust = trustOf(signer);
    for (const content of ['HC1:', 'HC1:%%%', 'HC1:ABC', `HC1:${encodeBase45(deflateSync(Buffer.from([1, 2, 3])))}`, `HC1:${encodeBase45(deflateSync(encodeCbor([1, 2])))}`]) {
      expect(verifyHcert(content, trust, { now: NOW }).status).toBe('malformed');
    }
  });

  it('loads the signer from PEM and refuses a key that does not match the certificate', () => {
    const loaded = loadDccSigner(signer.certificatePem, signer.privateKeyPem);
    expect(loaded.kid).toEqual(signer.kid);
    const other = createDevelopmentDccSigner();
    expect(() => loadDccSigner(signer.certificatePem, other.privateKeyPem)).toThrow(/does not match/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => loadDccSigner(signer.certificatePem, rsa)).toThrow(/P-256/);
  });

  it('loads the trust list from PEM, a JSON list of base64 DER, or an object with revocations', () => {
    const other = createDevelopmentDccSigner();
    const content = issue(other, { ci: 'URN:UVCI:01:TH:REVOKED' });
    const pem = parseDccTrustList(`${signer.certificatePem}\n${other.certificatePem}`);
    expect(pem.signers.size).toBe(2);
    expect(verifyHcert(content, pem, { now: NOW }).status).toBe('valid');
    const list = parseDccTrustList(JSON.stringify([other.certificateDer.toString('base64')]));
    expect(verifyHcert(content, list, { now: NOW }).status).toBe('valid');
    const withRevocations = parseDccTrustList(JSON.stringify({ certificates: [other.certificateDer.toString('base64')], revokedCi: ['URN:UVCI:01:TH:REVOKED'] }));
    expect(verifyHcert(content, withRevocations, { now: NOW }).status).toBe('revoked');
    expect(() => parseDccTrustList('{"nope": 1}')).toThrow(/TRUSTED_DCC_CERTS/);
  });

  it('renders the pass as a PNG', async () => {
    const png = await renderHcertQrPng(issue(signer));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });
});
