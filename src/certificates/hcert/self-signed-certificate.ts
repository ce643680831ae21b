/**
 * A minimal self-signed X.509 v3 certificate (ES256), DER-encoded by hand with node:crypto.
 *
 * Why not @peculiar/x509: it needs a global Reflect metadata polyfill (tsyringe), which is not
 * a dependency of this project, and this is development-only code. The certificate holds what
 * a DCC document signer needs: subject = issuer, validity, the P-256 public key, key usage
 * digitalSignature (critical) and the EU DCC extended key usage "vaccination" OID.
 * node:crypto's X509Certificate parses it back (checked in the tests).
 */
import { randomBytes, sign, type KeyObject } from 'node:crypto';

const tlv = (tag: number, content: Uint8Array): Buffer => {
  const length = content.length;
  const header =
    length < 0x80 ? [length] : length < 0x100 ? [0x81, length] : length < 0x10000 ? [0x82, length >> 8, length & 0xff] : [0x83, length >> 16, (length >> 8) & 0xff, length & 0xff];
  return Buffer.concat([Buffer.from([tag, ...header]), content]);
};
const sequence = (...items: Uint8Array[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Uint8Array[]) => tlv(0x31, Buffer.concat(items));
const explicit = (n: number, item: Uint8Array) => tlv(0xa0 + n, item);
const octetString = (content: Uint8Array) => tlv(0x04, content);
const bitString = (content: Uint8Array) => tlv(0x03, Buffer.concat([Buffer.from([0]), content]));
const utf8 = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'));
const printable = (text: string) => tlv(0x13, Buffer.from(text, 'ascii'));
const boolTrue = () => tlv(0x01, Buffer.from([0xff]));

function integer(bytes: Uint8Array): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0 && bytes[start + 1]! < 0x80) start++;
  const trimmed = Buffer.from(bytes.subarray(start));
  return tlv(0x02, trimmed[0]! >= 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const bytes = [40 * arcs[0]! + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const chunk = [arc & 0x7f];
    for (let rest = Math.floor(arc / 128); rest > 0; rest = Math.floor(rest / 128)) chunk.unshift((rest & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14); // YYYYMMDDHHMMSS
  // RFC 5280: UTCTime through 2049, GeneralizedTime from 2050.
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${iso}Z`));
}

export interface SelfSignedOptions {
  commonName: string;
  organization?: string;
  country: string;
  notBefore: Date;
  notAfter: Date;
  extendedKeyUsage?: string[];
}

export function createSelfSignedEcCertificate(keys: { privateKey: KeyObject; publicKey: KeyObject }, options: SelfSignedOptions): Buffer {
  const ecdsaWithSha256 = sequence(oid('1.2.840.10045.4.3.2'));
  const name = sequence(
    set(sequence(oid('2.5.4.6'), printable(options.country))),
    ...(options.organization ? [set(sequence(oid('2.5.4.10'), utf8(options.organization)))] : []),
    set(sequence(oid('2.5.4.3'), utf8(options.commonName))),
  );
  const extensions = [
    sequence(oid('2.5.29.15'), boolTrue(), octetString(tlv(0x03, Buffer.from([0x07, 0x80])))), // keyUsage: digitalSignature
    ...(options.extendedKeyUsage?.length ? [sequence(oid('2.5.29.37'), octetString(sequence(...options.extendedKeyUsage.map(oid))))] : []),
  ];
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    ecdsaWithSha256,
    name,
    sequence(time(options.notBefore), time(options.notAfter)),
    name,
    keys.publicKey.export({ format: 'der', type: 'spki' }),
    explicit(3, sequence(...extensions)),
  );
  const signature = sign('sha256', tbs, keys.privateKey); // DER-encoded ECDSA, as X.509 wants
  return sequence(tbs, ecdsaWithSha256, bitString(signature));
}
