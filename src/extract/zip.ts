/**
 * ZIP reading with the limits a mail scanner needs: entry count, declared and actual uncompressed size (a zip bomb is
 * stopped while it inflates, not after), and encrypted entries reported rather than guessed at. Pure JS over fflate's
 * inflater, so it runs in the add-in runtimes too. ODF and OOXML documents are ZIPs and come through here.
 */
import { Inflate } from 'fflate';

export interface ZipEntry {
  readonly name: string;
  readonly compressedSize: number;
  /** The size the archive declares; the real size is enforced while inflating. */
  readonly size: number;
  readonly method: number;
  readonly encrypted: boolean;
  readonly directory: boolean;
  readonly localHeaderOffset: number;
}

export class ZipError extends Error {
  constructor(
    message: string,
    readonly reason: 'malformed' | 'encrypted' | 'too-large' | 'unsupported-format',
  ) {
    super(message);
    this.name = 'ZipError';
  }
}

export interface ZipLimits {
  readonly maxEntries: number;
  /** Largest single inflated entry. */
  readonly maxEntryBytes: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function u16(b: Uint8Array, o: number): number {
  return (b[o] as number) | ((b[o + 1] as number) << 8);
}
function u32(b: Uint8Array, o: number): number {
  return (
    ((b[o] as number) | ((b[o + 1] as number) << 8) | ((b[o + 2] as number) << 16) | ((b[o + 3] as number) << 24)) >>> 0
  );
}
function u64(b: Uint8Array, o: number): number {
  return u32(b, o) + u32(b, o + 4) * 0x100000000;
}

/** True when the bytes start like a ZIP (local file header or an empty archive). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5);
}

function decodeName(raw: Uint8Array, utf8Flag: boolean): string {
  if (!utf8Flag) {
    let ascii = true;
    for (const c of raw) {
      if (c >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      return String.fromCharCode.apply(null, Array.from(raw));
    }
  }
  // Windows in Taiwan writes Big5 names without the UTF-8 flag; try UTF-8 first, then Big5.
  for (const enc of utf8Flag ? ['utf-8'] : ['utf-8', 'big5']) {
    try {
      return new TextDecoder(enc, { fatal: true }).decode(raw);
    } catch {
      // next encoding
    }
  }
  return String.fromCharCode.apply(null, Array.from(raw));
}

/** Reads the central directory. @throws {ZipError} for an archive that cannot be read. */
export function readZipDirectory(bytes: Uint8Array, limits: ZipLimits): ZipEntry[] {
  let eocd = -1;
  for (let o = bytes.length - 22; o >= Math.max(0, bytes.length - 22 - 0xffff); o--) {
    if (u32(bytes, o) === EOCD) {
      eocd = o;
      break;
    }
  }
  if (eocd < 0) {
    throw new ZipError('找不到 ZIP 目錄（檔案可能被截斷） / ZIP central directory not found (truncated?)', 'malformed');
  }
  let count = u16(bytes, eocd + 10);
  let cdOffset = u32(bytes, eocd + 16);
  if ((count === 0xffff || cdOffset === 0xffffffff) && eocd >= 20 && u32(bytes, eocd - 20) === ZIP64_LOCATOR) {
    const z = u64(bytes, eocd - 12);
    if (z + 56 > bytes.length || u32(bytes, z) !== ZIP64_EOCD) {
      throw new ZipError('ZIP64 目錄損毀 / Broken ZIP64 directory', 'malformed');
    }
    count = u64(bytes, z + 32);
    cdOffset = u64(bytes, z + 48);
  }
  if (count > limits.maxEntries) {
    throw new ZipError(`ZIP 項目過多（${count} > ${limits.maxEntries}） / Too many ZIP entries`, 'too-large');
  }
  const entries: ZipEntry[] = [];
  let o = cdOffset;
  for (let k = 0; k < count; k++) {
    if (o + 46 > bytes.length || u32(bytes, o) !== CENTRAL) {
      throw new ZipError('ZIP 目錄損毀 / Broken ZIP central directory', 'malformed');
    }
    const flags = u16(bytes, o + 8);
    const method = u16(bytes, o + 10);
    let compressedSize = u32(bytes, o + 20);
    let size = u32(bytes, o + 24);
    const nameLen = u16(bytes, o + 28);
    const extraLen = u16(bytes, o + 30);
    const commentLen = u16(bytes, o + 32);
    let localHeaderOffset = u32(bytes, o + 42);
    if (o + 46 + nameLen + extraLen > bytes.length) {
      throw new ZipError('ZIP 目錄損毀 / Broken ZIP central directory', 'malformed');
    }
    const name = decodeName(bytes.subarray(o + 46, o + 46 + nameLen), (flags & 0x800) !== 0);
    // ZIP64 sizes live in extra field 0x0001, in this order, only for the fields that overflowed.
    let e = o + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = u16(bytes, e);
      const len = u16(bytes, e + 2);
      if (id === 0x0001) {
        let p = e + 4;
        if (size === 0xffffffff) {
          size = u64(bytes, p);
          p += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = u64(bytes, p);
          p += 8;
        }
        if (localHeaderOffset === 0xffffffff) {
          localHeaderOffset = u64(bytes, p);
        }
      }
      e += 4 + len;
    }
    entries.push({
      name,
      compressedSize,
      size,
      method,
      encrypted: (flags & 1) !== 0 || method === 99,
      directory: name.endsWith('/'),
      localHeaderOffset,
    });
    o += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** How much compressed input is inflated at a time, so output can be checked against the limit as it grows. */
const INFLATE_SLICE = 4096;

/** Inflates one entry. @throws {ZipError} when it is encrypted, too large, or broken. */
export function readZipEntry(bytes: Uint8Array, entry: ZipEntry, limits: ZipLimits): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  streamZipEntry(bytes, entry, limits, (chunk) => {
    chunks.push(chunk);
    total += chunk.length;
  });
  if (chunks.length === 1) {
    return chunks[0] as Uint8Array;
  }
  const out = new Uint8Array(total);
  let p = 0;
  for (const c of chunks) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}

/**
 * Inflates one entry piece by piece into `onChunk`, so a large part can be read without holding it whole; the size
 * limit is enforced as the output grows (a zip bomb is stopped while it inflates). Pieces already passed on stay
 * valid. @throws {ZipError} when it is encrypted, too large, or broken.
 */
export function streamZipEntry(
  bytes: Uint8Array,
  entry: ZipEntry,
  limits: ZipLimits,
  onChunk: (chunk: Uint8Array) => void,
): void {
  if (entry.encrypted) {
    throw new ZipError(`已加密的項目 / Encrypted entry: ${entry.name}`, 'encrypted');
  }
  if (entry.size > limits.maxEntryBytes) {
    throw new ZipError(`項目過大 / Entry too large: ${entry.name} (${entry.size} bytes)`, 'too-large');
  }
  const o = entry.localHeaderOffset;
  if (o + 30 > bytes.length || u32(bytes, o) !== LOCAL) {
    throw new ZipError(`ZIP 項目標頭損毀 / Broken local header: ${entry.name}`, 'malformed');
  }
  const start = o + 30 + u16(bytes, o + 26) + u16(bytes, o + 28);
  const end = start + entry.compressedSize;
  if (end > bytes.length) {
    throw new ZipError(`ZIP 項目被截斷 / Truncated entry: ${entry.name}`, 'malformed');
  }
  const data = bytes.subarray(start, end);
  if (entry.method === 0) {
    if (data.length > 0) {
      onChunk(data);
    }
    return;
  }
  if (entry.method !== 8) {
    throw new ZipError(
      `不支援的壓縮方式 ${entry.method} / Unsupported compression: ${entry.name}`,
      'unsupported-format',
    );
  }
  let total = 0;
  /** What the consumer threw (it stopped reading), passed on as it is rather than as a corrupt entry. */
  let stopped: { error: unknown } | null = null;
  const inflater = new Inflate((chunk) => {
    total += chunk.length;
    if (total > limits.maxEntryBytes) {
      throw new ZipError(
        `解壓後過大（疑似壓縮炸彈） / Inflates past the limit (zip bomb?): ${entry.name}`,
        'too-large',
      );
    }
    if (chunk.length > 0) {
      try {
        onChunk(chunk);
      } catch (error) {
        stopped = { error };
        throw error;
      }
    }
  });
  try {
    for (let p = 0; p < data.length; p += INFLATE_SLICE) {
      inflater.push(data.subarray(p, Math.min(data.length, p + INFLATE_SLICE)), p + INFLATE_SLICE >= data.length);
    }
    if (data.length === 0) {
      inflater.push(new Uint8Array(0), true);
    }
  } catch (e) {
    if (e instanceof ZipError || (stopped && (stopped as { error: unknown }).error === e)) {
      throw e;
    }
    throw new ZipError(`ZIP 項目損毀 / Corrupt entry ${entry.name}: ${(e as Error).message}`, 'malformed');
  }
}
