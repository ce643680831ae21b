/**
 * QR content of a SMART Health Card: 'shc:/' then each JWS character as two digits
 * (char code − 45). The QR holds two segments, byte mode 'shc:/' and numeric mode for the
 * digits (numeric mode is what makes a ~1,200-character JWS fit one version-22 code), with
 * error correction L as the framework requires.
 */
import QRCode, { type QRCodeSegment } from 'qrcode';

const PREFIX = 'shc:/';

export class MalformedShcError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedShcError';
  }
}

export function jwsToShcNumeric(jws: string): string {
  let digits = '';
  for (let i = 0; i < jws.length; i++) {
    const value = jws.charCodeAt(i) - 45;
    if (value < 0 || value > 77) throw new MalformedShcError(`character '${jws[i]}' cannot be encoded in an SHC QR`);
    digits += value < 10 ? `0${value}` : String(value);
  }
  return digits;
}

export function toShcQrContent(jws: string): string {
  return PREFIX + jwsToShcNumeric(jws);
}

/** 'shc:/5676…' → JWS. Rejects chunked ('shc:/1/2/…') content, odd lengths and pairs out of range. */
export function fromShcQrContent(content: string): string {
  const text = content.trim();
  if (text.slice(0, PREFIX.length).toLowerCase() !== PREFIX) throw new MalformedShcError('not SMART Health Card content (no shc:/ prefix)');
  const length = text.length - PREFIX.length;
  if (text.includes('/', PREFIX.length)) throw new MalformedShcError('chunked SMART Health Card QR codes are not supported');
  if (length === 0 || length % 2 !== 0) throw new MalformedShcError('SHC numeric content must be an even number of digits');
  // Byte arithmetic instead of string slicing: this runs on every verification.
  const out = Buffer.allocUnsafe(length / 2);
  for (let i = PREFIX.length, o = 0; i < text.length; i += 2, o++) {
    const tens = text.charCodeAt(i) - 48;
    const units = text.charCodeAt(i + 1) - 48;
    if (tens < 0 || tens > 9 || units < 0 || units > 9) throw new MalformedShcError('SHC numeric content must be an even number of digits');
    const value = tens * 10 + units;
    if (value > 77) throw new MalformedShcError(`SHC numeric pair ${text.slice(i, i + 2)} is out of range`);
    out[o] = value + 45;
  }
  return out.toString('latin1');
}

export interface ShcQrImageOptions {
  /** Pixels per module (default 4: a version-22 code of 105 modules + margin ≈ 450 px). */
  scale?: number;
  margin?: number;
}

/** A PNG of the card's QR code (two segments, error correction L). */
export async function renderShcQrPng(jws: string, options: ShcQrImageOptions = {}): Promise<Buffer> {
  const segments: QRCodeSegment[] = [
    { data: Buffer.from(PREFIX, 'ascii'), mode: 'byte' },
    { data: jwsToShcNumeric(jws), mode: 'numeric' },
  ];
  return QRCode.toBuffer(segments,
    { errorCorrectionLevel: 'L', type: 'png', scale: options.scale ?? 4, margin: options.margin ?? 4 },
  );
}
