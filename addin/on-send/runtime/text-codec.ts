/**
 * TextDecoder and TextEncoder in pure JS, for classic Outlook's JS-only runtime, which is not a browser and is not
 * documented to have either. The extractors and the MIME parser decode every attachment through `TextDecoder`, so
 * without this the send handler could read nothing at all.
 *
 * Decoded: UTF-8, UTF-16LE/BE, windows-1252 (what `latin1`, `ascii` and `iso-8859-1` mean to a WHATWG decoder) and
 * Big5 (lead bytes 0xA1–0xF9, the standard and ETEN range, from an index generated at build time). Every other WHATWG
 * label constructs but throws on `decode`: a GB18030 or Shift_JIS part must become unreadable (and so unscannable),
 * never silently mis-decoded as windows-1252, which is what the MIME parser would fall back to if the label were
 * refused outright.
 */

import { utf8Bytes } from '../../../src/core';

type Codec = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252' | 'big5';

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
};

/** WHATWG encodings this decoder knows by name but cannot decode. */
const UNDECODED =
  /^(gbk|gb18030|gb2312|gb_2312(-80)?|chinese|csgb2312|csiso58gb231280|iso-ir-58|x-gbk|shift_jis|sjis|ms932|ms_kanji|csshiftjis|windows-31j|x-sjis|euc-jp|cseucpkdfmtjapanese|x-euc-jp|iso-2022-jp|csiso2022jp|euc-kr|cseuckr|csksc56011987|iso-ir-149|korean|ks_c_5601-(1987|1989)|ksc5601|ksc_5601|windows-949|koi8-[ru]|koi8|koi|cskoi8r|koi8_r|koi8-ru|windows-125[013-8]|cp125[013-8]|x-cp125[013-8]|iso-8859-([2-9]|1[0-6])(-[ei])?|iso8859-?([2-9]|1[0-6])|iso_8859-([2-9]|1[0-6])(:\d+)?|latin[2-6]|l[2-6]|windows-874|dos-874|tis-620|iso-8859-11|ibm866|866|cp866|csibm866|macintosh|mac|x-mac-roman|csmacintosh|x-mac-cyrillic|x-mac-ukrainian|x-user-defined|replacement|hz-gb-2312|iso-2022-(cn|cn-ext|kr)|utf-16le-bom)$/;

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

function decodeUtf8(bytes: Uint8Array, error: () => number): string {
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
    for (let k = 0; k < need; k++, j++) {
      const d = j < n ? (bytes[j] as number) : -1;
      if (d < lower || d > upper) {
        valid = false;
        break;
      }
      lower = 0x80;
      upper = 0xbf;
      cp = (cp << 6) | (d & 0x3f);
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
  return out.toString();
}

function decodeUtf16(bytes: Uint8Array, bigEndian: boolean, error: () => number): string {
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
  if (pendingLead !== -1 || bytes.length % 2 === 1) {
    out.push(error());
  }
  return out.toString();
}

function decodeWindows1252(bytes: Uint8Array): string {
  const out = new UnitBuffer(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    out.push(b >= 0x80 && b < 0xa0 ? (WINDOWS_1252_HIGH[b - 0x80] as number) : b);
  }
  return out.toString();
}

function decodeBig5(bytes: Uint8Array, error: () => number): string {
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
  return out.toString();
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

/** A WHATWG-shaped `TextDecoder` (no streaming: nothing in the send path decodes in pieces). */
export class PureTextDecoder {
  readonly encoding: string;
  readonly fatal: boolean;
  readonly ignoreBOM: boolean;
  private readonly codec: Codec | null;

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

  decode(input?: ArrayBuffer | ArrayBufferView, _options?: { stream?: boolean }): string {
    let bytes = bytesOf(input);
    const error = (): number => {
      if (this.fatal) {
        throw new TypeError(`The encoded data was not valid for encoding ${this.encoding}`);
      }
      return 0xfffd;
    };
    switch (this.codec) {
      case 'utf-8':
        if (!this.ignoreBOM && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
          bytes = bytes.subarray(3);
        }
        return decodeUtf8(bytes, error);
      case 'utf-16le':
      case 'utf-16be': {
        const bigEndian = this.codec === 'utf-16be';
        const bom = bigEndian ? [0xfe, 0xff] : [0xff, 0xfe];
        if (!this.ignoreBOM && bytes[0] === bom[0] && bytes[1] === bom[1]) {
          bytes = bytes.subarray(2);
        }
        return decodeUtf16(bytes, bigEndian, error);
      }
      case 'windows-1252':
        return decodeWindows1252(bytes);
      case 'big5':
        return decodeBig5(bytes, error);
      default:
        throw new TypeError(`The ${this.encoding} encoding cannot be decoded in this runtime`);
    }
  }
}

/** A `TextEncoder`: UTF-8, lone surrogates as U+FFFD. */
export class PureTextEncoder {
  readonly encoding = 'utf-8';
  encode(input = ''): Uint8Array {
    return utf8Bytes(String(input));
  }
}
