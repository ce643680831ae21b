/**
 * COSE_Sign1 (RFC 9052) and CWT (RFC 8392) as the EU DCC uses them, on cbor2 (pure
 * JavaScript: cbor-x's optional native accelerator is not on this registry, which broke
 * `npm ci` on a fresh clone).
 *
 * COSE_Sign1 = tag 18 [protected: bstr(map), unprotected: map, payload: bstr, signature: bstr]
 * The signature covers Sig_structure ["Signature1", protected, external_aad (empty), payload].
 * ES256 signatures are raw r||s (64 bytes, IEEE P1363), not DER.
 */
import { constants, sign as signData, verify as verifyData, type KeyObject } from 'node:crypto';
import { Tag, decode, encode } from 'cbor2';

export const encodeCbor = (value: unknown): Buffer => Buffer.from(encode(asCborValue(value)));

/**
 * Node Buffers as plain Uint8Arrays: cbor2 encodes a Uint8Array as a byte string but a Buffer
 * through its toJSON ({type:'Buffer', data}), which is not what COSE means.
 */
function asCborValue(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof Uint8Array) return value;
  if (value instanceof Tag) return new Tag(value.tag, asCborValue(value.contents));
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [asCborValue(k), asCborValue(v)]));
  if (Array.isArray(value)) return value.map(asCborValue);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asCborValue(v)]));
  }
  return value;
}

export const COSE_ALG_ES256 = -7;
export const COSE_ALG_PS256 = -37;
const HEADER_ALG = 1;
const HEADER_KID = 4;
const TAG_COSE_SIGN1 = 18;
const TAG_CWT = 61;

export class MalformedCoseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedCoseError';
  }
}

export interface CoseSign1 {
  protectedBytes: Buffer;
  alg: number | undefined;
  /** The kid the verifier must use: the protected one when present, else the unprotected one. */
  kid: Buffer | undefined;
  payload: Buffer;
  signature: Buffer;
}

export interface CwtClaims {
  iss?: string;
  iat?: number;
  exp?: number;
  /** Claim -260 (hcert), key 1 (eu_dgc_v1). */
  dcc: unknown;
}

const isBytes = (value: unknown): value is Uint8Array => value instanceof Uint8Array;

function header(map: unknown, label: number): unknown {
  if (map instanceof Map) return map.get(label);
  if (map && typeof map === 'object') return (map as Record<string, unknown>)[String(label)];
  return undefined;
}

export function decodeCoseSign1(bytes: Uint8Array): CoseSign1 {
  let value: unknown;
  try {
    value = decode(bytes);
  } catch (error) {
    throw new MalformedCoseError(`not CBOR: ${(error as Error).message}`);
  }
  // Accept the CWT tag around the COSE tag (test CO28) and an untagged array.
  if (value instanceof Tag && value.tag === TAG_CWT) value = value.contents;
  if (value instanceof Tag) {
    if (value.tag !== TAG_COSE_SIGN1) throw new MalformedCoseError(`unexpected CBOR tag ${String(value.tag)}`);
    value = value.contents;
  }
  if (!Array.isArray(value) || value.length !== 4) throw new MalformedCoseError('not a COSE_Sign1 structure');
  const [protectedBytes, unprotected, payload, signature] = value as [unknown, unknown, unknown, unknown];
  if (!isBytes(protectedBytes) || !isBytes(payload) || !isBytes(signature)) throw new MalformedCoseError('not a COSE_Sign1 structure');
  if (unprotected !== undefined && unprotected !== null && typeof unprotected !== 'object') throw new MalformedCoseError('bad unprotected header');
  let protectedHeader: unknown = {};
  if (protectedBytes.length > 0) {
    try {
      protectedHeader = decode(protectedBytes);
    } catch {
      throw new MalformedCoseError('the protected header is not CBOR');
    }
  }
  const protectedKid = header(protectedHeader, HEADER_KID);
  const unprotectedKid = header(unprotected, HEADER_KID);
  const kid = isBytes(protectedKid) ? protectedKid : isBytes(unprotectedKid) ? unprotectedKid : undefined;
  const alg = header(protectedHeader, HEADER_ALG) ?? header(unprotected, HEADER_ALG);
  return {
    protectedBytes: Buffer.from(protectedBytes),
    alg: typeof alg === 'number' ? alg : undefined,
    kid: kid ? Buffer.from(kid) : undefined,
    payload: Buffer.from(payload),
    signature: Buffer.from(signature),
  };
}

export function decodeCwt(payload: Uint8Array): CwtClaims {
  let claims: unknown;
  try {
    claims = decode(payload);
  } catch (error) {
    throw new MalformedCoseError(`the CWT payload is not CBOR: ${(error as Error).message}`);
  }
  if (!claims || typeof claims !== 'object') throw new MalformedCoseError('the CWT payload is not a map');
  const hcert = header(claims, -260);
  const dcc = header(hcert, 1);
  if (dcc === undefined) throw new MalformedCoseError('the CWT has no health certificate (claim -260)');
  const iss = header(claims, 1);
  const exp = header(claims, 4);
  const iat = header(claims, 6);
  return {
    dcc: toPlainJson(dcc),
    ...(typeof iss === 'string' ? { iss } : {}),
    ...(typeof exp === 'number' ? { exp } : {}),
    ...(typeof iat === 'number' ? { iat } : {}),
  };
}

/** CBOR gives Maps (non-string keys) and byte arrays; the DCC itself is plain JSON. */
function toPlainJson(value: unknown): unknown {
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toPlainJson(v)]));
  if (Array.isArray(value)) return value.map(toPlainJson);
  if (value instanceof Date) return value.toISOString().replace('.000Z', 'Z');
  if (value && typeof value === 'object' && !isBytes(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlainJson(v)]));
  }
  return value;
}

function sigStructure(protectedBytes: Uint8Array, payload: Uint8Array): Buffer {
  return encodeCbor(['Signature1', Buffer.from(protectedBytes), Buffer.alloc(0), Buffer.from(payload)]);
}

/** Checks the signature with a given key; false for any mismatch of algorithm and key. */
export function verifyCoseSignature(cose: CoseSign1, publicKey: KeyObject): boolean {
  const data = sigStructure(cose.protectedBytes, cose.payload);
  try {
    if (cose.alg === COSE_ALG_ES256) {
      if (publicKey.asymmetricKeyType !== 'ec' || cose.signature.length !== 64) return false;
      return verifyData('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, cose.signature);
    }
    if (cose.alg === COSE_ALG_PS256) {
      if (publicKey.asymmetricKeyType !== 'rsa' && publicKey.asymmetricKeyType !== 'rsa-pss') return false;
      return verifyData('sha256', data, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, cose.signature);
    }
  } catch {
    return false;
  }
  return false;
}

export interface SignCoseInput {
  claims: { iss: string; iat: number; exp: number; dcc: unknown };
  kid: Uint8Array;
  privateKey: KeyObject;
}

/** COSE_Sign1 with ES256, kid in the protected header, CWT claims as the payload. */
export function signCoseSign1(input: SignCoseInput): Buffer {
  const protectedBytes = encodeCbor(new Map<number, unknown>([[HEADER_ALG, COSE_ALG_ES256], [HEADER_KID, Buffer.from(input.kid)]]));
  const payload = encodeCbor(
    new Map<number, unknown>([
      [1, input.claims.iss],
      [4, input.claims.exp],
      [6, input.claims.iat],
      [-260, new Map([[1, input.claims.dcc]])],
    ]),
  );
  const signature = signData('sha256', sigStructure(protectedBytes, payload), { key: input.privateKey, dsaEncoding: 'ieee-p1363' });
  return encodeCbor(new Tag(TAG_COSE_SIGN1, [protectedBytes, new Map(), payload, signature]));
}
