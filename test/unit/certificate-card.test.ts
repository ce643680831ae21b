// The certificate cards through LINE's schema and limits (30 KB a bubble, 50 KB and 12 bubbles
// a carousel), the certificate settings (a malformed key stops start-up naming the setting)
// and the certificate links (unguessable, expiring, one certificate per token).
import { actionsIn } from '../support/engine-harness.js';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { validateMessages } from '../../src/line/validation/index.js';
import { decodePostback } from '../../src/bot/postback.js';
import { certificateCards, internationalPassCard, CERTIFICATE_CAROUSEL_MAX, type CertificateCardView } from '../../flex-templates/certificate-card.js';
import { createCertificateLinkSigner, deriveCertificateLinkKey, CERTIFICATE_LINK_DAYS } from '../../src/domain/certificates/certificate-links.js';
import { createAppointmentLinkSigner, deriveAppointmentLinkKey } from '../../src/domain/booking/appointment-links.js';
import { ConfigError, parseEnv } from '../../src/config/env.js';
import { locales } from '../../src/i18n/index.js';
import { th } from '../../src/i18n/th.js';
import { en } from '../../src/i18n/en.js';

const TOKEN = 'A'.repeat(50);
const view = (over: Partial<CertificateCardView> = {}): CertificateCardView => ({
  personId: '3f2b8c1e-9a4d-4e5f-8b7a-1c2d3e4f5a6b',
  fullName: 'สมชาย ใจดี',
  birthDate: '1955-04-12',
  maskedId: 'x-xxxx-xxxxx-03-0',
  doses: [
    { doseNumber: 1, date: '2021-06-07', productName: 'แอสตร้าเซนเนก้า', lotNumber: 'A1234', hospitalName: 'โรงพยาบาลสาธิตพระนคร' },
    { doseNumber: 2, date: '2021-08-30', productName: 'แอสตร้าเซนเนก้า', lotNumber: null, hospitalName: 'โรงพยาบาลสาธิตพระนคร' },
  ],
  complete: true,
  seriesDoses: 2,
  qrImageUrl: `https://morprom.example/certificates/${TOKEN}/qr.png`,
  fileUrl: `https://morprom.example/certificates/${TOKEN}/card.smart-health-card`,
  ...over,
});

const actionsOf = actionsIn;

describe.each(locales)('certificate card in %s', (locale) => {
  const catalogue = locale === 'th' ? th : en;

  it('one person: a valid bubble with the badge, doses, QR and the three buttons', () => {
    const { message, shown } = certificateCards([view()], locale);
    expect(shown).toBe(1);
    expect(validateMessages([message])).toEqual([]);
    const json = JSON.stringify(message);
    expect(json).toContain(catalogue['certificate.complete']);
    expect(json).toContain('x-xxxx-xxxxx-03-0');
    expect(json).toContain('A1234');
    expect(json).toContain(view().qrImageUrl);
    expect(json).toContain(locale === 'th' ? '2498' : '1955'); // Buddhist era in Thai
    const actions = actionsOf(message);
    expect(actions.map((a) => a.type)).toEqual(['uri', 'postback', 'postback']);
    expect(actions[0]!.uri).toBe(view().fileUrl);
    expect(decodePostback(actions[1]!.data as string)).toEqual({ a: 'menu', f: 'certificate', p: `dcc:${view().personId}` });
    expect(decodePostback(actions[2]!.data as string)).toEqual({ a: 'menu', f: 'certificate', p: `report:${view().personId}` });
  });

  it('a first dose only: "1 of 2 doses"', () => {
    const { message } = certificateCards([view({ complete: false, doses: view().doses.slice(0, 1) })], locale);
    expect(validateMessages([message])).toEqual([]);
    expect(JSON.stringify(message)).toContain(catalogue['certificate.partial'].replace('{count}', '1').replace('{total}', '2'));
  });

  it('a family: a carousel of at most 12 cards within 50 KB, each within 30 KB, even with extreme data', () => {
    const long = (i: number) =>
      view({
        personId: randomUUID(),
        fullName: 'ก'.repeat(200),
        doses: Array.from({ length: 10 }, (_, d) => ({ doseNumber: d + 1, date: '2021-06-07', productName: 'ค'.repeat(300), lotNumber: 'L'.repeat(100), hospitalName: 'ง'.repeat(300 + i) })),
      });
    const extreme = certificateCards(Array.from({ length: 15 }, (_, i) => long(i)), locale);
    expect(validateMessages([extreme.message])).toEqual([]);
    expect(Buffer.byteLength(JSON.stringify(extreme.message.contents))).toBeLessThanOrEqual(50 * 1024);
    expect(extreme.shown).toBeLessThanOrEqual(CERTIFICATE_CAROUSEL_MAX);
    for (const bubble of (extreme.message.contents as { contents: unknown[] }).contents) expect(Buffer.byteLength(JSON.stringify(bubble))).toBeLessThanOrEqual(30 * 1024);
    const typical = certificateCards(Array.from({ length: 12 }, () => view({ personId: randomUUID() })), locale);
    expect(typical.shown).toBe(12);
    expect(validateMessages([typical.message])).toEqual([]);
  });
});

describe('international pass card', () => {
  it('is valid and in English', () => {
    const message = internationalPassCard({
      familyName: 'JAIDI', givenName: 'SOMCHAI', birthDate: '1955-04-12', doseNumber: 2, seriesDoses: 2, date: '2021-08-30',
      productName: 'AstraZeneca', certificateId: 'URN:UVCI:01:TH:ABCDEFGHIJKLMNOPQRSTUVWXYZ#5', validUntil: '2022-08-30', qrImageUrl: `https://morprom.example/certificates/${TOKEN}/qr.png`,
    });
    expect(validateMessages([message])).toEqual([]);
    const json = JSON.stringify(message);
    expect(json).toContain('International COVID-19 vaccination pass');
    expect(json).toContain('2 / 2');
    expect(json).not.toMatch(/[\u0E00-\u0E7F]/); // no Thai script
  });
});

describe('certificate links', () => {
  const key = deriveCertificateLinkKey(randomBytes(32));
  const links = createCertificateLinkSigner(key);
  const now = new Date('2021-08-01T03:00:00Z');

  it('round-trips, expires after the link lifetime, and refuses a changed id or MAC', () => {
    const id = randomUUID();
    const token = links.sign(id, now, 'th');
    expect(links.verify(token, now)?.certificateId).toBe(id);
    expect(links.verify(token, new Date(now.getTime() + CERTIFICATE_LINK_DAYS * 86_400_000))).toBeNull();
    // Another certificate's id with this token's MAC: refused.
    const raw = Buffer.from(token, 'base64url');
    Buffer.from(randomUUID().replace(/-/g, ''), 'hex').copy(raw, 0);
    expect(links.verify(raw.toString('base64url'), now)).toBeNull();
    // One changed byte of the MAC (not the last base64url character, whose low bits may be padding).
    const forgedMac = Buffer.from(token, 'base64url');
    forgedMac[forgedMac.length - 2]! ^= 0x01;
    expect(links.verify(forgedMac.toString('base64url'), now)).toBeNull();
  });

  it('an appointment link never opens a certificate (separate keys from one ID_HASH_KEY)', () => {
    const hashKey = randomBytes(32);
    const appointmentToken = createAppointmentLinkSigner(deriveAppointmentLinkKey(hashKey)).sign({ appointmentId: randomUUID(), expiresAt: new Date(now.getTime() + 86_400_000), locale: 'th' });
    expect(createCertificateLinkSigner(deriveCertificateLinkKey(hashKey)).verify(appointmentToken, now)).toBeNull();
  });
});

describe('certificate settings', () => {
  const base = { DATABASE_URL: 'postgresql://x@127.0.0.1/x', REDIS_URL: 'redis://127.0.0.1', ID_HASH_KEY: randomBytes(32).toString('hex'), ID_ENCRYPTION_KEY: randomBytes(32).toString('hex') };
  const problems = (env: Record<string, string>): string[] => {
    try {
      parseEnv({ ...base, ...env });
      return [];
    } catch (err) {
      return err instanceof ConfigError ? err.problems : [String(err)];
    }
  };
  const ec = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });

  it('accepts PEM blocks one after the other and a JSON array of JWKs; the order is kept', () => {
    const [a, b] = [ec(), ec()];
    const pems = [a, b].map((k) => k.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
    expect(parseEnv({ ...base, SHC_SIGNING_KEYS: pems.join('') }).SHC_SIGNING_KEYS).toHaveLength(2);
    const jwks = JSON.stringify([a, b].map((k) => k.privateKey.export({ format: 'jwk' })));
    expect(parseEnv({ ...base, SHC_SIGNING_KEYS: jwks }).SHC_SIGNING_KEYS).toHaveLength(2);
    // One-line .env value: literal \n.
    expect(parseEnv({ ...base, SHC_SIGNING_KEYS: pems[0]!.replace(/\n/g, '\\n') }).SHC_SIGNING_KEYS).toHaveLength(1);
  });

  it('a malformed or unsuitable key stops start-up naming the setting', () => {
    expect(problems({ SHC_SIGNING_KEYS: 'not a key' })[0]).toMatch(/^SHC_SIGNING_KEYS: /);
    expect(problems({ SHC_SIGNING_KEYS: '[1,' })[0]).toMatch(/^SHC_SIGNING_KEYS: /);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(problems({ SHC_SIGNING_KEYS: rsa })[0]).toMatch(/^SHC_SIGNING_KEYS: .*P-256/);
    const publicOnly = ec().publicKey.export({ format: 'pem', type: 'spki' }).toString();
    expect(problems({ SHC_SIGNING_KEYS: publicOnly })[0]).toMatch(/^SHC_SIGNING_KEYS: .*private/);
    expect(problems({ SHC_RETIRED_PUBLIC_KEYS: publicOnly })).toEqual([]);
    expect(problems({ DCC_SIGNER_CERT: 'nope', DCC_SIGNER_KEY: 'nope' }).join('\n')).toMatch(/DCC_SIGNER_CERT: must be a PEM certificate/);
    expect(problems({ DCC_VALIDITY_DAYS: '0' })[0]).toMatch(/^DCC_VALIDITY_DAYS/);
  });

  it('production needs the certificate keys; development does not', () => {
    const line = { LINE_CHANNEL_SECRET: 's', LINE_CHANNEL_ACCESS_TOKEN: 't' };
    const found = problems({ ...base, ...line, NODE_ENV: 'production' }).join('\n');
    expect(found).toMatch(/SHC_SIGNING_KEYS: production needs/);
    expect(found).toMatch(/DCC_SIGNER_CERT: production needs/);
    expect(problems({})).toEqual([]);
  });
});
