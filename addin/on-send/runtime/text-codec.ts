/**
 * TextDecoder and TextEncoder in pure JS, for classic Outlook's JS-only runtime, which is not a browser and is not
 * documented to have either. The extractors and the MIME parser decode every attachment through `TextDecoder`, so
 * without this the send handler could read nothing at all.
 *
 * Decoded: UTF-8, UTF-16LE/BE, windows-1252 (what `latin1`, `ascii` and `iso-8859-1` mean to a WHATWG decoder),
 * Big5 (lead bytes 0xA1–0xF9, the standard and ETEN range) and GBK/GB18030 (forwarded PRC material), both from
 * indexes generated at build time. Every other WHATWG label constructs but throws on `decode`: a Shift_JIS part must
 * become unreadable (and so unscannable), never silently mis-decoded as windows-1252, which is what the MIME parser
 * would fall back to if the label were refused outright.
 */

import { utf8Bytes } from '../../../src/core';

type Codec = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252' | 'big5' | 'gbk' | 'gb18030';

const CODEC_LABELS: Readonly<Record<string, Codec>> = {
  'unicode-1-1-utf-8': 'utf-8',
  unicode11utf8: 'utf-8',
  unicode20utf8: 'utf-8',
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'x-unicode20utf8': 'utf-8',
  csunicode: 'utf-16le',
  'iso-10646-ucs-2': 'utf-16le',
  'ucs-2': 'utf-16le',
  unicode: 'utf-16le',
  unicodefeff: 'utf-16le',
  'utf-16': 'utf-16le',
  'utf-16le': 'utf-16le',
  unicodefffe: 'utf-16be',
  'utf-16be': 'utf-16be',
  'ansi_x3.4-1968': 'windows-1252',
  ascii: 'windows-1252',
  cp1252: 'windows-1252',
  cp819: 'windows-1252',
  csisolatin1: 'windows-1252',
  ibm819: 'windows-1252',
  'iso-8859-1': 'windows-1252',
  'iso-ir-100': 'windows-1252',
  'iso8859-1': 'windows-1252',
  iso88591: 'windows-1252',
  'iso_8859-1': 'windows-1252',
  'iso_8859-1:1987': 'windows-1252',
  l1: 'windows-1252',
  latin1: 'windows-1252',
  'us-ascii': 'windows-1252',
  'windows-1252': 'windows-1252',
  'x-cp1252': 'windows-1252',
  big5: 'big5',
  'big5-hkscs': 'big5',
  'cn-big5': 'big5',
  csbig5: 'big5',
  'x-x-big5': 'big5',
  // GBK and GB18030 share one decoder (WHATWG); the name tells which label was used, as a native decoder's does.
  chinese: 'gbk',
  csgb2312: 'gbk',
  csiso58gb231280: 'gbk',
  gb2312: 'gbk',
  gb_2312: 'gbk',
  'gb_2312-80': 'gbk',
  gbk: 'gbk',
  'iso-ir-58': 'gbk',
  'x-gbk': 'gbk',
  gb18030: 'gb18030',
};

/** WHATWG encodings this decoder knows by name but cannot decode. */
const UNDECODED =
  /^(shift_jis|sjis|ms932|ms_kanji|csshiftjis|windows-31j|x-sjis|euc-jp|cseucpkdfmtjapanese|x-euc-jp|iso-2022-jp|csiso2022jp|euc-kr|cseuckr|csksc56011987|iso-ir-149|korean|ks_c_5601-(1987|1989)|ksc5601|ksc_5601|windows-949|koi8-[ru]|koi8|koi|cskoi8r|koi8_r|koi8-ru|windows-125[013-8]|cp125[013-8]|x-cp125[013-8]|iso-8859-([2-9]|1[0-6])(-[ei])?|iso8859-?([2-9]|1[0-6])|iso_8859-([2-9]|1[0-6])(:\d+)?|latin[2-6]|l[2-6]|windows-874|dos-874|tis-620|iso-8859-11|ibm866|866|cp866|csibm866|macintosh|mac|x-mac-roman|csmacintosh|x-mac-cyrillic|x-mac-ukrainian|x-user-defined|replacement|hz-gb-2312|iso-2022-(cn|cn-ext|kr)|utf-16le-bom)$/;

const WINDOWS_1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

/** The first pointer of the packed Big5 index (lead 0xA1) and how many it holds (through lead 0xF9). */
export const BIG5_FIRST_POINTER = (0xa1 - 0x81) * 157;
export const BIG5_POINTER_COUNT = (0xf9 - 0xa1 + 1) * 157;
const BASE64_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

let packedBig5 = '';
let big5Index: Uint16Array | null = null;

/**
 * Installs the Big5 index: three base-64 digits (18 bits, of which 16 are used) per pointer from
 * {@link BIG5_FIRST_POINTER}, 0 where a pointer is unmapped. The build generates it; it is unpacked on first use.
 */
export function setBig5Index(packed: string): void {
  packedBig5 = packed;
  big5Index = null;
}

function big5Table(): Uint16Array | null {
  if (big5Index === null && packedBig5.length === BIG5_POINTER_COUNT * 3) {
    const values = new Int16Array(128).fill(-1);
    for (let i = 0; i < 64; i++) {
      values[BASE64_DIGITS.charCodeAt(i)] = i;
    }
    const table = new Uint16Array(BIG5_POINTER_COUNT);
    for (let i = 0; i < BIG5_POINTER_COUNT; i++) {
      const a = values[packedBig5.charCodeAt(i * 3)] as number;
      const b = values[packedBig5.charCodeAt(i * 3 + 1)] as number;
      const c = values[packedBig5.charCodeAt(i * 3 + 2)] as number;
      table[i] = (a << 12) | (b << 6) | c;
    }
    big5Index = table;
  }
  return big5Index;
}

/** The GB18030 two-byte index covers pointers 0..23939; the four-byte ranges run to pointer 39419 (the BMP). */
export const GB18030_POINTER_COUNT = 126 * 190;
let packedGb18030 = '';
let gb18030Ranges: readonly number[] = [];
let gb18030Index: Uint16Array | null = null;

/**
 * Installs the GB18030 index: the two-byte pointers packed as the Big5 index is, and the four-byte ranges as pairs
 * [first pointer, its code point] (0 for an unmapped run). The build generates both (scripts/build/gb18030-index.cjs).
 */
export function setGb18030Index(packed: { index: string; ranges: readonly number[] }): void {
  packedGb18030 = packed.index;
  gb18030Ranges = packed.ranges;
  gb18030Index = null;
}

function unpack(packed: string, count: number): Uint16Array {
  const values = new Int16Array(128).fill(-1);
  for (let i = 0; i < 64; i++) {
    values[BASE64_DIGITS.charCodeAt(i)] = i;
  }
  const table = new Uint16Array(count);
  for (let i = 0; i < count; i++) {
    const a = values[packed.charCodeAt(i * 3)] as number;
    const b = values[packed.charCodeAt(i * 3 + 1)] as number;
    const c = values[packed.charCodeAt(i * 3 + 2)] as number;
    table[i] = (a << 12) | (b << 6) | c;
  }
  return table;
}

function gb18030Table(): Uint16Array | null {
  if (gb18030Index === null && packedGb18030.length === GB18030_POINTER_COUNT * 3) {
    gb18030Index = unpack(packedGb18030, GB18030_POINTER_COUNT);
  }
  return gb18030Index;
}

/** The code point of a four-byte GB18030 pointer, or 0 when none (WHATWG "index gb18030 ranges code point"). */
function gb18030RangesCodePoint(pointer: number): number {
  if (pointer >= 189000 && pointer <= 1237575) {
    return 0x10000 + pointer - 189000;
  }
  if (pointer > 39419) {
    return 0;
  }
  let lo = 0;
  let hi = gb18030Ranges.length / 2 - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((gb18030Ranges[mid * 2] as number) <= pointer) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  const start = gb18030Ranges[lo * 2] as number;
  const cp = gb18030Ranges[lo * 2 + 1] as number;
  return start <= pointer && cp !== 0 ? cp + pointer - start : 0;
}

/** Collects UTF-16 code units and turns them into a string in slices (apply() has an argument limit). */
class UnitBuffer {
  private readonly units: Uint16Array;
  private length = 0;
  constructor(capacity: number) {
    this.units = new Uint16Array(Math.max(capacity, 1));
  }
  push(unit: number): void {
    this.units[this.length++] = unit;
  }
  pushCodePoint(cp: number): void {
    if (cp > 0xffff) {
      const v = cp - 0x10000;
      this.units[this.length++] = 0xd800 | (v >> 10);
      this.units[this.length++] = 0xdc00 | (v & 0x3ff);
    } else {
      this.units[this.length++] = cp;
    }
  }
  toString(): string {
    let out = '';
    for (let i = 0; i < this.length; i += 8192) {
      out += String.fromCharCode.apply(
        null,
        this.units.subarray(i, Math.min(i + 8192, this.length)) as unknown as number[],
      );
    }
    return out;
  }
}

/**
 * What one call decoded, and how many bytes it used: in a stream, a character cut by the end of the piece is left
 * unused, to be read with the next piece.
 */
interface Decoded {
  text: string;
  used: number;
}

function decodeUtf8(bytes: Uint8Array, error: () => number, stream: boolean): Decoded {
  const out = new UnitBuffer(bytes.length);
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const c = bytes[i] as number;
    if (c < 0x80) {
      out.push(c);
      i++;
      continue;
    }
    let need: number;
    let cp: number;
    let lower = 0x80;
    let upper = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      need = 1;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      cp = c & 0x0f;
      lower = c === 0xe0 ? 0xa0 : 0x80;
      upper = c === 0xed ? 0x9f : 0xbf;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      cp = c & 0x07;
      lower = c === 0xf0 ? 0x90 : 0x80;
      upper = c === 0xf4 ? 0x8f : 0xbf;
    } else {
      out.push(error());
      i++;
      continue;
    }
    let j = i + 1;
    let valid = true;
    let cut = false;
    for (let k = 0; k < need; k++, j++) {
      if (j >= n && stream) {
        cut = true;
        break;
      }
      const d = j < n ? (bytes[j] as number) : -1;
      if (d < lower || d > upper) {
        valid = false;
        break;
      }
      lower = 0x80;
      upper = 0xbf;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cut) {
      break;
    }
    if (!valid) {
      // One replacement for the maximal valid prefix; the offending byte is read again (WHATWG "prepend").
      out.push(error());
      i = j;
      continue;
    }
    out.pushCodePoint(cp);
    i = j;
  }
  return { text: out.toString(), used: i };
}

function decodeUtf16(bytes: Uint8Array, bigEndian: boolean, error: () => number, stream: boolean): Decoded {
  const out = new UnitBuffer(bytes.length);
  const pairs = bytes.length >> 1;
  let pendingLead = -1;
  for (let p = 0; p < pairs; p++) {
    const a = bytes[p * 2] as number;
    const b = bytes[p * 2 + 1] as number;
    const unit = bigEndian ? (a << 8) | b : (b << 8) | a;
    if (pendingLead !== -1) {
      if (unit >= 0xdc00 && unit <= 0xdfff) {
        out.push(pendingLead);
        out.push(unit);
        pendingLead = -1;
        continue;
      }
      out.push(error());
      pendingLead = -1;
    }
    if (unit >= 0xd800 && unit <= 0xdbff) {
      pendingLead = unit;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      out.push(error());
    } else {
      out.push(unit);
    }
  }
  if (stream) {
    // A lead surrogate or an odd byte at the end of a piece waits for the rest of its character.
    return { text: out.toString(), used: pendingLead !== -1 ? pairs * 2 - 2 : pairs * 2 };
  }
  if (pendingLead !== -1 || bytes.length % 2 === 1) {
    out.push(error());
  }
  return { text: out.toString(), used: bytes.length };
}

function decodeWindows1252(bytes: Uint8Array): Decoded {
  const out = new UnitBuffer(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    out.push(b >= 0x80 && b < 0xa0 ? (WINDOWS_1252_HIGH[b - 0x80] as number) : b);
  }
  return { text: out.toString(), used: bytes.length };
}

function decodeBig5(bytes: Uint8Array, error: () => number, stream: boolean): Decoded {
  const table = big5Table();
  if (!table) {
    throw new TypeError('The Big5 index is not installed');
  }
  const out = new UnitBuffer(bytes.length);
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const lead = bytes[i] as number;
    if (lead < 0x80) {
      out.push(lead);
      i++;
      continue;
    }
    if (lead === 0x80 || lead === 0xff || i + 1 >= n) {
      if (stream && i + 1 >= n && lead !== 0x80 && lead !== 0xff) {
        break;
      }
      out.push(error());
      i++;
      continue;
    }
    const trail = bytes[i + 1] as number;
    const offset = trail < 0x7f ? 0x40 : 0x62;
    if ((trail >= 0x40 && trail <= 0x7e) || (trail >= 0xa1 && trail <= 0xfe)) {
      const slot = (lead - 0x81) * 157 + (trail - offset) - BIG5_FIRST_POINTER;
      const unit = slot >= 0 && slot < table.length ? (table[slot] as number) : 0;
      if (unit !== 0) {
        out.push(unit);
        i += 2;
        continue;
      }
    }
    out.push(error());
    // An ASCII trail byte is not part of the bad pair: it is read again on its own.
    i += trail < 0x80 ? 1 : 2;
  }
  return { text: out.toString(), used: i };
}

const isGbTrail = (b: number): boolean => (b >= 0x40 && b <= 0x7e) || (b >= 0x80 && b <= 0xfe);
const isGbDigit = (b: number): boolean => b >= 0x30 && b <= 0x39;
const isGbLead = (b: number): boolean => b >= 0x81 && b <= 0xfe;

/** WHATWG's gb18030 decoder (GBK labels use it too): one, two or four bytes a character. */
function decodeGb18030(bytes: Uint8Array, error: () => number, stream: boolean): Decoded {
  const table = gb18030Table();
  if (!table || gb18030Ranges.length === 0) {
    throw new TypeError('The GB18030 index is not installed');
  }
  const out = new UnitBuffer(bytes.length * 2);
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b1 = bytes[i] as number;
    if (b1 < 0x80) {
      out.push(b1);
      i++;
      continue;
    }
    if (b1 === 0x80) {
      out.push(0x20ac);
      i++;
      continue;
    }
    if (b1 === 0xff || i + 1 >= n) {
      if (stream && b1 !== 0xff) {
        break;
      }
      out.push(error());
      i++;
      continue;
    }
    const b2 = bytes[i + 1] as number;
    if (isGbDigit(b2)) {
      // A four-byte sequence. Cut by the end of the input it is one error; broken inside, the first byte is the
      // error and what follows is read again (WHATWG "prepend").
      if (i + 2 >= n || (isGbLead(bytes[i + 2] as number) && i + 3 >= n)) {
        if (stream) {
          break;
        }
        out.push(error());
        i = n;
        continue;
      }
      const b3 = bytes[i + 2] as number;
      const b4 = bytes[i + 3] as number;
      if (!isGbLead(b3) || !isGbDigit(b4)) {
        out.push(error());
        i++;
        continue;
      }
      const cp = gb18030RangesCodePoint((((b1 - 0x81) * 10 + b2 - 0x30) * 126 + b3 - 0x81) * 10 + b4 - 0x30);
      if (cp !== 0) {
        out.pushCodePoint(cp);
      } else {
        out.push(error());
      }
      i += 4;
      continue;
    }
    if (isGbTrail(b2)) {
      const pointer = (b1 - 0x81) * 190 + b2 - (b2 < 0x7f ? 0x40 : 0x41);
      const unit = table[pointer] as number;
      if (unit !== 0) {
        out.push(unit);
        i += 2;
        continue;
      }
    }
    out.push(error());
    // An ASCII trail byte is not part of the bad pair: it is read again on its own.
    i += b2 < 0x80 ? 1 : 2;
  }
  return { text: out.toString(), used: i };
}

function bytesOf(input: ArrayBuffer | ArrayBufferView | undefined): Uint8Array {
  if (input === undefined) {
    return new Uint8Array(0);
  }
  if (ArrayBuffer.isView(input)) {
    return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  }
  return new Uint8Array(input);
}

/**
 * A WHATWG-shaped `TextDecoder`. It honours `{ stream: true }`: the send path decodes a document's XML parts in the
 * pieces the inflater hands out, and a character cut by a piece boundary must be read whole with the next piece
 * (decoded alone, each half became U+FFFD and a mark across the boundary was lost). A call without `stream` ends the
 * stream: what is still held is decoded (an incomplete character as U+FFFD) and the next call starts a new stream.
 */
export class PureTextDecoder {
  readonly encoding: string;
  readonly fatal: boolean;
  readonly ignoreBOM: boolean;
  private readonly codec: Codec | null;
  /** The bytes of a character the last piece ended inside of. */
  private pending: Uint8Array = new Uint8Array(0);
  /** Whether the start of this stream was already looked at for a byte order mark. */
  private started = false;

  constructor(label = 'utf-8', options: { fatal?: boolean; ignoreBOM?: boolean } = {}) {
    const name = String(label).trim().toLowerCase();
    const codec = CODEC_LABELS[name];
    if (!codec && !UNDECODED.test(name)) {
      throw new RangeError(`The encoding label provided ('${label}') is invalid.`);
    }
    this.codec = codec ?? null;
    this.encoding = codec ?? name;
    this.fatal = options.fatal === true;
    this.ignoreBOM = options.ignoreBOM === true;
  }

  decode(input?: ArrayBuffer | ArrayBufferView, options?: { stream?: boolean }): string {
    const stream = options?.stream === true;
    let bytes = joined(this.pending, bytesOf(input));
    this.pending = new Uint8Array(0);
    const bom = this.bom();
    if (!this.started && bom) {
      if (stream && bytes.length < bom.length && bom.slice(0, bytes.length).every((b, k) => bytes[k] === b)) {
        // Too few bytes yet to tell a byte order mark from text.
        this.pending = bytes.slice();
        return '';
      }
      if (!this.ignoreBOM && bom.every((b, k) => bytes[k] === b)) {
        bytes = bytes.subarray(bom.length);
      }
    }
    this.started = stream;
    const decoded = this.decodeBytes(bytes, stream);
    if (stream) {
      this.pending = bytes.slice(decoded.used);
    }
    return decoded.text;
  }

  private bom(): readonly number[] | null {
    switch (this.codec) {
      case 'utf-8':
        return [0xef, 0xbb, 0xbf];
      case 'utf-16le':
        return [0xff, 0xfe];
      case 'utf-16be':
        return [0xfe, 0xff];
      default:
        return null;
    }
  }

  private decodeBytes(bytes: Uint8Array, stream: boolean): Decoded {
    const error = (): number => {
      if (this.fatal) {
        this.pending = new Uint8Array(0);
        this.started = false;
        throw new TypeError(`The encoded data was not valid for encoding ${this.encoding}`);
      }
      return 0xfffd;
    };
    switch (this.codec) {
      case 'utf-8':
        return decodeUtf8(bytes, error, stream);
      case 'utf-16le':
      case 'utf-16be':
        return decodeUtf16(bytes, this.codec === 'utf-16be', error, stream);
      case 'windows-1252':
        return decodeWindows1252(bytes);
      case 'big5':
        return decodeBig5(bytes, error, stream);
      case 'gbk':
      case 'gb18030':
        return decodeGb18030(bytes, error, stream);
      default:
        throw new TypeError(`The ${this.encoding} encoding cannot be decoded in this runtime`);
    }
  }
}

/** The held bytes of a cut character followed by the next piece (no copy when nothing is held). */
function joined(held: Uint8Array, bytes: Uint8Array): Uint8Array {
  if (held.length === 0) {
    return bytes;
  }
  const all = new Uint8Array(held.length + bytes.length);
  all.set(held);
  all.set(bytes, held.length);
  return all;
}

/** A `TextEncoder`: UTF-8, lone surrogates as U+FFFD. */
export class PureTextEncoder {
  readonly encoding = 'utf-8';
  encode(input = ''): Uint8Array {
    return utf8Bytes(String(input));
  }
}
