/**
 * Reads the format and pixel size of PNG and JPEG images from their headers, so the
 * emulator can enforce LINE's rich menu image requirements without an image library.
 */
import { crc32, deflateSync } from 'node:zlib';

/** Format and dimensions found in an image header. */
export interface ImageInfo {
  format: 'png' | 'jpeg';
  width: number;
  height: number;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Format and size of a PNG or JPEG, or undefined for anything else or a truncated header. */
export function readImageInfo(bytes: Buffer): ImageInfo | undefined {
  if (bytes.length >= 24 && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) {
    // The IHDR chunk always comes first: width and height are its first two fields.
    return { format: 'png', width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  }
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) return readJpegSize(bytes);
  return undefined;
}

/** Walks JPEG segments up to the first start-of-frame marker, which holds the size. */
function readJpegSize(bytes: Buffer): ImageInfo | undefined {
  let offset = 2;
  while (offset + 9 < bytes.length) {
    if (bytes[offset] !== 0xff) return undefined;
    const marker = bytes[offset + 1]!;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2; // markers without a length field
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return undefined; // scan data or end before any frame
    const isStartOfFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isStartOfFrame) {
      return { format: 'jpeg', height: bytes.readUInt16BE(offset + 5), width: bytes.readUInt16BE(offset + 7) };
    }
    offset += 2 + bytes.readUInt16BE(offset + 2);
  }
  return undefined;
}

/**
 * LINE's rich menu image requirements: 800–2500 px wide, at least 250 px high and a
 * width/height ratio of at least 1.45.
 */
export function isAllowedRichMenuImageSize({ width, height }: ImageInfo): boolean {
  return width >= 800 && width <= 2500 && height >= 250 && width / height >= 1.45;
}

/**
 * A valid single-colour greyscale PNG of the given size: a rich menu image for tests that
 * need LINE to accept an upload but do not care what it shows.
 */
export function createSolidPng(width: number, height: number, grey = 0xee): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typeAndData));
    return Buffer.concat([length, typeAndData, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth; colour type 0 (greyscale), default compression, filter, interlace
  // Each row: filter byte 0, then one byte per pixel.
  const row = Buffer.alloc(width + 1, grey);
  row[0] = 0;
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
}
