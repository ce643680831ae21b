/**
 * Keys and trust lists for both certificate formats.
 *
 * SHC key store: our signing keys (ES256, P-256) come from configuration as PEM or JWK strings,
 * several at once so keys can rotate: the LAST private key in the list signs (append a new
 * key to rotate; keep the old ones, even as public-only JWKs, so cards they signed still
 * verify). Every key is published in the JWKS. kid = RFC 7638 thumbprint, always recomputed.
 *
 * Trust lists (what a national verifier loads):
 * - TRUSTED_SHC_JWKS, a JSON file, either
 *     { "issuers": [ { "iss": "https://issuer.example", "keys": { "keys": [JWK, ...] },
 *                      "crls": [ { "kid": "...", "method": "rid", "ctr": 1, "rids": ["rid", "rid.1687450765"] } ] } ] }
 *   or a plain map { "https://issuer.example": { "keys": [JWK, ...] } } (no revocation lists).
 *   (`crl` with a single list is accepted too.) A rid "X.T" revokes the cards with rid X whose
 *   nbf is before T (seconds); a bare rid revokes them all.
 * - TRUSTED_DCC_CERTS, EU DCC document signer certificates: a file of PEM certificates, or a
 *   JSON array of base64 DER strings, or { "certificates": [...], "revokedCi": [...],
 *   "revokedUvciHashes": [...] } (hashes: base64 of the first 128 bits of SHA-256 of the
 *   UVCI, as the EU DCC revocation lists carry them).
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { calculateJwkThumbprint, type JWK } from 'jose';

// ---------------------------------------------------------------------------------------
// SHC key store

export interface PublicEcJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

export interface ShcKey {
  kid: string;
  publicJwk: PublicEcJwk;
  publicKey: KeyObject;
  /** Absent for retired keys given as public JWKs only. */
  privateKey?: KeyObject;
}

export interface ShcKeyStore {
  /** The key that signs new cards (the last private key configured). */
  signing: ShcKey & { privateKey: KeyObject };
  /** All keys, in configuration order (published and trusted for our own cards). */
  keys: ShcKey[];
}

export interface PublishedJwk extends PublicEcJwk {
  kid: string;
  use: 'sig';
  alg: 'ES256';
  crlVersion?: number;
}

/** Reads one key from a PEM (private or public) or a JWK JSON string (private if it has `d`). */
export async function parseShcKey(source: string): Promise<ShcKey> {
  const text = source.trim();
  let privateKey: KeyObject | undefined;
  let publicKey: KeyObject;
  if (text.startsWith('-----BEGIN')) {
    if (/PRIVATE KEY-----/.test(text)) {
      privateKey = createPrivateKey(text);
      publicKey = createPublicKey(privateKey);
    } else {
      publicKey = createPublicKey(text);
    }
  } else {
    let jwk: JWK;
    try {
      jwk = JSON.parse(text) as JWK;
    } catch {
      throw new Error('an SHC key must be a PEM or a JWK (JSON)');
    }
    if (jwk.d) {
      privateKey = createPrivateKey({ key: jwk as never, format: 'jwk' });
      publicKey = createPublicKey(privateKey);
    } else {
      publicKey = createPublicKey({ key: jwk as never, format: 'jwk' });
    }
  }
  const exported = publicKey.export({ format: 'jwk' });
  if (exported.kty !== 'EC' || exported.crv !== 'P-256' || !exported.x || !exported.y) {
    throw new Error('SMART Health Card keys must be EC P-256 (ES256)');
  }
  const publicJwk: PublicEcJwk = { kty: 'EC', crv: 'P-256', x: exported.x, y: exported.y };
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  return { kid, publicJwk, publicKey, ...(privateKey ? { privateKey } : {}) };
}

export async function loadShcKeyStore(sources: ReadonlyArray<string>): Promise<ShcKeyStore> {
  const keys: ShcKey[] = [];
  for (const source of sources) {
    const key = await parseShcKey(source);
    if (!keys.some((known) => known.kid === key.kid)) keys.push(key);
    else if (key.privateKey) keys[keys.findIndex((known) => known.kid === key.kid)] = key;
  }
  const signing = [...keys].reverse().find((key): key is ShcKey & { privateKey: KeyObject } => Boolean(key.privateKey));
  if (!signing) throw new Error('no private SHC signing key configured');
  return { signing, keys };
}

/** The JWKS served at <iss>/.well-known/jwks.json; `crlVersions` maps kid → its CRL counter. */
export function publishJwks(store: ShcKeyStore, crlVersions: Readonly<Record<string, number>> = {}): { keys: PublishedJwk[] } {
  return {
    keys: store.keys.map((key) => ({
      ...key.publicJwk,
      kid: key.kid,
      use: 'sig',
      alg: 'ES256',
      ...(crlVersions[key.kid] !== undefined ? { crlVersion: crlVersions[key.kid] } : {}),
    })),
  };
}

/**
 * Development only: a fresh ES256 key. Returns the private JWK (with its kid) so the caller can
 * persist it and say so in the log; production keys come from configuration.
 */
export async function generateDevelopmentShcKey(): Promise<{ kid: string; privateJwk: JWK; privatePem: string }> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint({ kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! }, 'sha256');
  return { kid, privateJwk: { ...jwk, kid, use: 'sig', alg: 'ES256' }, privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() };
}

// ---------------------------------------------------------------------------------------
// SHC trust list

export interface ShcCrl {
  kid: string;
  method: string;
  ctr: number;
  rids: string[];
}

export interface ShcTrustedIssuer {
  iss: string;
  keys: Map<string, KeyObject>;
  /** kid → rid → revoked-before timestamp in seconds (null: every card with that rid). */
  revoked: Map<string, Map<string, number | null>>;
}

export interface ShcTrust {
  issuers: Map<string, ShcTrustedIssuer>;
}

export function emptyShcTrust(): ShcTrust {
  return { issuers: new Map() };
}

/** Adds (or extends) an issuer: its JWKS and its revocation lists. */
export function addShcIssuer(trust: ShcTrust, iss: string, jwks: { keys: ReadonlyArray<unknown> }, crls: ReadonlyArray<ShcCrl> = []): void {
  const issuer = trust.issuers.get(iss) ?? { iss, keys: new Map(), revoked: new Map() };
  for (const raw of jwks.keys) {
    const jwk = raw as JWK;
    if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.kid !== 'string') continue; // SHC is ES256 only
    issuer.keys.set(jwk.kid, createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y } as never, format: 'jwk' }));
  }
  for (const crl of crls) {
    if (crl.method !== 'rid') continue; // the only method the framework defines
    const entries = new Map<string, number | null>();
    for (const entry of crl.rids) {
      const [rid, timestamp] = entry.split('.');
      if (!rid) continue;
      entries.set(rid, timestamp === undefined ? null : Number(timestamp));
    }
    issuer.revoked.set(crl.kid, entries);
  }
  trust.issuers.set(iss, issuer);
}

/** Our own issuer, always trusted: every configured key, plus our revocation lists. */
export function trustOwnShcKeys(trust: ShcTrust, iss: string, store: ShcKeyStore, crls: ReadonlyArray<ShcCrl> = []): void {
  addShcIssuer(trust, iss, publishJwks(store), crls);
}

/** Parses the TRUSTED_SHC_JWKS file content (see the formats at the top of this file). */
export function parseShcTrustList(text: string, into: ShcTrust = emptyShcTrust()): ShcTrust {
  const data = JSON.parse(text) as unknown;
  if (!data || typeof data !== 'object') throw new Error('TRUSTED_SHC_JWKS: expected a JSON object');
  if (Array.isArray((data as { issuers?: unknown }).issuers)) {
    for (const entry of (data as { issuers: Array<Record<string, unknown>> }).issuers) {
      const iss = entry.iss;
      const keys = entry.keys as { keys?: unknown[] } | unknown[] | undefined;
      const jwkList = Array.isArray(keys) ? keys : keys?.keys;
      if (typeof iss !== 'string' || !Array.isArray(jwkList)) throw new Error('TRUSTED_SHC_JWKS: each issuer needs "iss" and "keys": {"keys": [...]}');
      const crls = [...((entry.crls as ShcCrl[] | undefined) ?? []), ...(entry.crl ? [entry.crl as ShcCrl] : [])];
      addShcIssuer(into, iss, { keys: jwkList }, crls);
    }
    return into;
  }
  for (const [iss, jwks] of Object.entries(data as Record<string, { keys?: unknown[] }>)) {
    if (!Array.isArray(jwks?.keys)) throw new Error(`TRUSTED_SHC_JWKS: "${iss}" is not a JWKS`);
    addShcIssuer(into, iss, { keys: jwks.keys });
  }
  return into;
}

export function loadShcTrustFile(path: string, into?: ShcTrust): ShcTrust {
  return parseShcTrustList(readFileSync(path, 'utf8'), into);
}

// ---------------------------------------------------------------------------------------
// EU DCC trust list (document signer certificates)

/** Extended key usage OIDs restricting what a DSC may sign (both the spec's and the older "0" arc). */
const DCC_KEY_USAGE: Record<string, 't' | 'v' | 'r'> = {
  '1.3.6.1.4.1.1847.2021.1.1': 't',
  '1.3.6.1.4.1.1847.2021.1.2': 'v',
  '1.3.6.1.4.1.1847.2021.1.3': 'r',
  '1.3.6.1.4.1.0.1847.2021.1.1': 't',
  '1.3.6.1.4.1.0.1847.2021.1.2': 'v',
  '1.3.6.1.4.1.0.1847.2021.1.3': 'r',
};

export interface DccTrustedSigner {
  /** base64 of the first 8 bytes of SHA-256 of the certificate DER. */
  kid: string;
  publicKey: KeyObject;
  certificate: X509Certificate;
  /** Which DCC types the certificate may sign; null when it carries no DCC key usage (any). */
  allowedTypes: Set<'t' | 'v' | 'r'> | null;
}

export interface DccTrust {
  signers: Map<string, DccTrustedSigner[]>;
  revokedCi: Set<string>;
  /** base64(first 16 bytes of SHA-256(UVCI)). */
  revokedUvciHashes: Set<string>;
}

export function emptyDccTrust(): DccTrust {
  return { signers: new Map(), revokedCi: new Set(), revokedUvciHashes: new Set() };
}

export function dccKidOf(der: Uint8Array): Buffer {
  return createHash('sha256').update(der).digest().subarray(0, 8);
}

export function addDccCertificate(trust: DccTrust, der: Uint8Array): DccTrustedSigner {
  const certificate = new X509Certificate(der);
  const usages = (certificate.keyUsage ?? []).map((oid) => DCC_KEY_USAGE[oid]).filter((type) => type !== undefined);
  const signer: DccTrustedSigner = {
    kid: dccKidOf(der).toString('base64'),
    publicKey: certificate.publicKey,
    certificate,
    allowedTypes: usages.length > 0 ? new Set(usages) : null,
  };
  const sameKid = trust.signers.get(signer.kid) ?? [];
  sameKid.push(signer);
  trust.signers.set(signer.kid, sameKid);
  return signer;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;

/** Parses the TRUSTED_DCC_CERTS file content (see the formats at the top of this file). */
export function parseDccTrustList(text: string, into: DccTrust = emptyDccTrust()): DccTrust {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) {
    for (const match of trimmed.matchAll(PEM_CERTIFICATE)) addDccCertificate(into, Buffer.from(match[1]!.replace(/\s+/g, ''), 'base64'));
    return into;
  }
  const data = JSON.parse(trimmed) as unknown;
  const object = Array.isArray(data) ? { certificates: data } : (data as Record<string, unknown>);
  const certificates = object.certificates;
  if (!Array.isArray(certificates)) throw new Error('TRUSTED_DCC_CERTS: expected PEM certificates or a JSON list of base64 DER');
  for (const certificate of certificates) addDccCertificate(into, Buffer.from(String(certificate), 'base64'));
  for (const ci of (object.revokedCi as string[] | undefined) ?? []) into.revokedCi.add(ci);
  for (const hash of (object.revokedUvciHashes as string[] | undefined) ?? []) into.revokedUvciHashes.add(hash);
  return into;
}

export function loadDccTrustFile(path: string, into?: DccTrust): DccTrust {
  return parseDccTrustList(readFileSync(path, 'utf8'), into);
}

/** The hash the EU DCC revocation lists use for a UVCI. */
export function uvciHash(ci: string): string {
  return createHash('sha256').update(ci, 'utf8').digest().subarray(0, 16).toString('base64');
}
