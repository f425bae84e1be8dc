/**
 * Reads a PNG the way a consumer would, independently of our encoder: signature, chunk CRCs, IHDR, and the pixels of
 * 8-bit RGBA images (inflate, then undo all five scanline filters).
 */
import { inflateSync } from 'node:zlib';

export interface PngHeader {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  readonly colorType: number;
  readonly interlace: number;
}

export interface PngImage extends PngHeader {
  /** RGBA, row-major; only for colour type 6 at 8 bits. */
  readonly pixels: Uint8Array;
  readonly chunkTypes: readonly string[];
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) {
      c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    }
  }
  return ~c >>> 0;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

export function readPng(bytes: Uint8Array): PngImage {
  const buf = Buffer.from(bytes);
  if (!SIGNATURE.every((b, i) => buf[i] === b)) {
    throw new Error('not a PNG: bad signature');
  }
  let offset = 8;
  let header: PngHeader | null = null;
  const idat: Buffer[] = [];
  const chunkTypes: string[] = [];
  while (offset < buf.length) {
    const length = buf.readUInt32BE(offset);
    const type = buf.toString('latin1', offset + 4, offset + 8);
    const data = buf.subarray(offset + 8, offset + 8 + length);
    if (buf.readUInt32BE(offset + 8 + length) !== crc32(buf.subarray(offset + 4, offset + 8 + length))) {
      throw new Error(`bad CRC in ${type}`);
    }
    chunkTypes.push(type);
    if (type === 'IHDR') {
      header = {
        width: data.readUInt32BE(0),
        height: data.readUInt32BE(4),
        bitDepth: data[8] as number,
        colorType: data[9] as number,
        interlace: data[12] as number,
      };
    } else if (type === 'IDAT') {
      idat.push(data);
    }
    offset += 12 + length;
    if (type === 'IEND') {
      break;
    }
  }
  if (!header || chunkTypes[0] !== 'IHDR' || chunkTypes[chunkTypes.length - 1] !== 'IEND') {
    throw new Error(`bad chunk order: ${chunkTypes.join(',')}`);
  }
  if (header.colorType !== 6 || header.bitDepth !== 8 || header.interlace !== 0) {
    return { ...header, pixels: new Uint8Array(0), chunkTypes };
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = header.width * 4;
  if (raw.length !== (stride + 1) * header.height) {
    throw new Error(`IDAT holds ${raw.length} bytes, expected ${(stride + 1) * header.height}`);
  }
  const pixels = new Uint8Array(stride * header.height);
  for (let y = 0; y < header.height; y++) {
    const filter = raw[y * (stride + 1)] as number;
    for (let x = 0; x < stride; x++) {
      const value = raw[y * (stride + 1) + 1 + x] as number;
      const a = x >= 4 ? (pixels[y * stride + x - 4] as number) : 0;
      const b = y > 0 ? (pixels[(y - 1) * stride + x] as number) : 0;
      const c = x >= 4 && y > 0 ? (pixels[(y - 1) * stride + x - 4] as number) : 0;
      const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter];
      if (predictor === undefined) {
        throw new Error(`unknown filter ${filter} on row ${y}`);
      }
      pixels[y * stride + x] = (value + predictor) & 0xff;
    }
  }
  return { ...header, pixels, chunkTypes };
}
