/**
 * Charset labels to text, failing closed. A part's label is a claim, not a fact: mail clients mislabel Big5 as
 * utf-8 or iso-8859-1, invent labels (`big5_tw`, `x-unknown`) or leave the label out. A part that is read as the
 * wrong encoding is scanned as mojibake, finds nothing, and goes out: the one outcome a DLP must not have. So the
 * label is checked against the bytes, the bytes are sniffed when the label is missing, unknown or contradicted,
 * and a part that still cannot be read with confidence is `unreadable-charset` (which the policy warns or blocks).
 *
 * Decoding goes through the global `TextDecoder`: Node's and the browser's decode every WHATWG encoding; classic
 * Outlook's JS-only runtime gets the pure-JS one (addin/on-send/runtime/text-codec.ts), which decodes fewer and
 * throws for the rest, and a part in an encoding the runtime cannot decode is then unreadable, never guessed.
 */

export type CharsetResult =
  | {
      readonly ok: true;
      readonly text: string;
      /** The WHATWG name of the encoding the text was read in. */
      readonly encoding: string;
      /** True when the bytes, not the label, decided the encoding. */
      readonly sniffed: boolean;
    }
  | { readonly ok: false; readonly reason: 'unreadable-charset'; readonly detail: string };

/** Every label of the WHATWG Encoding Standard (https://encoding.spec.whatwg.org/encodings.json), by encoding. */
const WHATWG: readonly (readonly [string, string])[] = [
  ['utf-8', 'unicode-1-1-utf-8 unicode11utf8 unicode20utf8 utf-8 utf8 x-unicode20utf8'],
  ['ibm866', '866 cp866 csibm866 ibm866'],
  ['iso-8859-2', 'csisolatin2 iso-8859-2 iso-ir-101 iso8859-2 iso88592 iso_8859-2 iso_8859-2:1987 l2 latin2'],
  ['iso-8859-3', 'csisolatin3 iso-8859-3 iso-ir-109 iso8859-3 iso88593 iso_8859-3 iso_8859-3:1988 l3 latin3'],
  ['iso-8859-4', 'csisolatin4 iso-8859-4 iso-ir-110 iso8859-4 iso88594 iso_8859-4 iso_8859-4:1988 l4 latin4'],
  ['iso-8859-5', 'csisolatincyrillic cyrillic iso-8859-5 iso-ir-144 iso8859-5 iso88595 iso_8859-5 iso_8859-5:1988'],
  [
    'iso-8859-6',
    'arabic asmo-708 csiso88596e csiso88596i csisolatinarabic ecma-114 iso-8859-6 iso-8859-6-e iso-8859-6-i ' +
      'iso-ir-127 iso8859-6 iso88596 iso_8859-6 iso_8859-6:1987',
  ],
  [
    'iso-8859-7',
    'csisolatingreek ecma-118 elot_928 greek greek8 iso-8859-7 iso-ir-126 iso8859-7 iso88597 iso_8859-7 ' +
      'iso_8859-7:1987 sun_eu_greek',
  ],
  [
    'iso-8859-8',
    'csiso88598e csisolatinhebrew hebrew iso-8859-8 iso-8859-8-e iso-ir-138 iso8859-8 iso88598 iso_8859-8 ' +
      'iso_8859-8:1988 visual',
  ],
  ['iso-8859-8-i', 'csiso88598i iso-8859-8-i logical'],
  ['iso-8859-10', 'csisolatin6 iso-8859-10 iso-ir-157 iso8859-10 iso885910 l6 latin6'],
  ['iso-8859-13', 'iso-8859-13 iso8859-13 iso885913'],
  ['iso-8859-14', 'iso-8859-14 iso8859-14 iso885914'],
  ['iso-8859-15', 'csisolatin9 iso-8859-15 iso8859-15 iso885915 iso_8859-15 l9'],
  ['iso-8859-16', 'iso-8859-16'],
  ['koi8-r', 'cskoi8r koi koi8 koi8-r koi8_r'],
  ['koi8-u', 'koi8-ru koi8-u'],
  ['macintosh', 'csmacintosh mac macintosh x-mac-roman'],
  ['windows-874', 'dos-874 iso-8859-11 iso8859-11 iso885911 tis-620 windows-874'],
  ['windows-1250', 'cp1250 windows-1250 x-cp1250'],
  ['windows-1251', 'cp1251 windows-1251 x-cp1251'],
  [
    'windows-1252',
    'ansi_x3.4-1968 ascii cp1252 cp819 csisolatin1 ibm819 iso-8859-1 iso-ir-100 iso8859-1 iso88591 iso_8859-1 ' +
      'iso_8859-1:1987 l1 latin1 us-ascii windows-1252 x-cp1252',
  ],
  ['windows-1253', 'cp1253 windows-1253 x-cp1253'],
  [
    'windows-1254',
    'cp1254 csisolatin5 iso-8859-9 iso-ir-148 iso8859-9 iso88599 iso_8859-9 iso_8859-9:1989 l5 latin5 ' +
      'windows-1254 x-cp1254',
  ],
  ['windows-1255', 'cp1255 windows-1255 x-cp1255'],
  ['windows-1256', 'cp1256 windows-1256 x-cp1256'],
  ['windows-1257', 'cp1257 windows-1257 x-cp1257'],
  ['windows-1258', 'cp1258 windows-1258 x-cp1258'],
  ['x-mac-cyrillic', 'x-mac-cyrillic x-mac-ukrainian'],
  ['gbk', 'chinese csgb2312 csiso58gb231280 gb2312 gb_2312 gb_2312-80 gbk iso-ir-58 x-gbk'],
  ['gb18030', 'gb18030'],
  ['big5', 'big5 big5-hkscs cn-big5 csbig5 x-x-big5'],
  ['euc-jp', 'cseucpkdfmtjapanese euc-jp x-euc-jp'],
  ['iso-2022-jp', 'csiso2022jp iso-2022-jp'],
  ['shift_jis', 'csshiftjis ms932 ms_kanji shift_jis sjis windows-31j x-sjis'],
  [
    'euc-kr',
    'cseuckr csksc56011987 euc-kr iso-ir-149 korean ks_c_5601-1987 ks_c_5601-1989 ksc5601 ksc_5601 windows-949',
  ],
  ['replacement', 'csiso2022kr hz-gb-2312 iso-2022-cn iso-2022-cn-ext iso-2022-kr replacement'],
  ['utf-16be', 'unicodefffe utf-16be'],
  ['utf-16le', 'csunicode iso-10646-ucs-2 ucs-2 unicode unicodefeff utf-16 utf-16le'],
  ['x-user-defined', 'x-user-defined'],
];

/**
 * Labels mail and Windows use that the standard does not list. `euc-tw` (CNS 11643, a Taiwanese encoding that is
 * not Big5) and `utf-7` are known so that they are not mistaken for something else: EUC-TW has no decoder, so such
 * a part is unreadable unless its bytes are plain ASCII; UTF-7 is decoded here.
 */
const ALIASES: readonly (readonly [string, string])[] = [
  ['utf-8', 'utf_8 x-utf-8 utf-8n utf8mb3 utf8mb4 cp65001 windows-65001'],
  [
    'big5',
    'big5_tw big5-tw big5tw x-big5 cp950 ms950 windows-950 x-windows-950 x-ms-cp950 big5-hkscs:2004 big5-hkscs:2008 ' +
      'big5hkscs big5_hkscs hkscs big-5 big-five bigfive cn_big5 big5-eten big5_eten cp951',
  ],
  ['gbk', 'cp936 ms936 windows-936 x-euc-cn euc-cn euccn x-gb2312 gb2312-80 gb_2312_80 x-cp936 x-mac-chinesesimp'],
  ['gb18030', 'gb-18030 x-gb18030 gb18030-2000 gb18030-2005 gb18030-2022 cp54936 windows-54936'],
  ['shift_jis', 'shift-jis shiftjis x-shift_jis x-shift-jis cp932 windows-932 x-ms-cp932 mskanji'],
  ['euc-jp', 'eucjp euc_jp x-eucjp cp51932 cp20932'],
  ['iso-2022-jp', 'iso2022jp iso-2022-jp-1 iso-2022-jp-2 junet cp50220 cp50221 cp50222'],
  ['euc-kr', 'euckr euc_kr ks_c_5601 ks_c_5601-1992 cp949 ms949 uhc x-windows-949 x-uhc cp51949'],
  ['windows-874', 'cp874 ms874 x-cp874 tis620'],
  [
    'windows-1252',
    'latin-1 iso_8859_1 iso8859_1 iso-latin-1 8859-1 8859_1 cp-1252 windows1252 ms1252 us_ascii us ascii7 ' +
      'iso646-us cp367 ibm367 cp20127 cp28591',
  ],
  ['iso-8859-15', 'latin-9 latin9 iso_8859_15 cp28605'],
  ['koi8-r', 'cp20866'],
  ['koi8-u', 'cp21866'],
  ['utf-16le', 'utf_16 utf-16-le utf_16le ucs-2le cp1200'],
  ['utf-16be', 'utf-16-be utf_16be ucs-2be cp1201'],
  ['euc-tw', 'euc-tw x-euc-tw euctw cns11643 x-cns11643 cp20000'],
  ['utf-7', 'utf-7 utf7 unicode-1-1-utf-7 csunicode11utf7 x-utf-7 cp65000'],
];

const BY_LABEL = new Map<string, string>();
const BY_LOOSE_LABEL = new Map<string, string>();

/** A label stripped of the decorations clients add: an `x-`/`cs` prefix, separators, case. */
function loose(label: string): string {
  return label.replace(/^(?:x-ms-|x-|cs)/, '').replace(/[\s._:-]+/g, '');
}

for (const [encoding, labels] of WHATWG.concat(ALIASES)) {
  for (const label of labels.split(' ')) {
    BY_LABEL.set(label, encoding);
    if (!BY_LOOSE_LABEL.has(loose(label))) {
      BY_LOOSE_LABEL.set(loose(label), encoding);
    }
  }
}

/** The encoding a charset label names (WHATWG name, or `euc-tw`/`utf-7`), or null when nobody knows the label. */
export function encodingForLabel(label: string | null | undefined): string | null {
  if (!label) {
    return null;
  }
  const key = label
    .trim()
    .replace(/^["']+|["']+$/g, '')
    .trim()
    .toLowerCase();
  return BY_LABEL.get(key) ?? BY_LOOSE_LABEL.get(loose(key)) ?? null;
}

/** Encodings whose bytes below 0x80 are ASCII, so 7-bit text reads the same in all of them. */
function asciiCompatible(encoding: string | null): boolean {
  return encoding === null || !/^(utf-16le|utf-16be|replacement|iso-2022-jp|utf-7)$/.test(encoding);
}

const MULTIBYTE_CJK = /^(big5|gbk|gb18030|shift_jis|euc-jp|euc-kr|euc-tw)$/;

/** Per TextDecoder implementation (the host's, or the pure-JS one), which encodings it can actually decode. */
const workingDecoders = new WeakMap<object, Map<string, boolean>>();

function decoderWorks(encoding: string): boolean {
  let known = workingDecoders.get(TextDecoder);
  if (!known) {
    known = new Map();
    workingDecoders.set(TextDecoder, known);
  }
  const cached = known.get(encoding);
  if (cached !== undefined) {
    return cached;
  }
  let works = false;
  try {
    new TextDecoder(encoding).decode(new Uint8Array([0x41]));
    works = true;
  } catch {
    works = false;
  }
  known.set(encoding, works);
  return works;
}

/** WHATWG decodes GBK with the GB18030 decoder; Node's ICU has a GBK table of its own that differs from it. */
function decoderName(encoding: string): string {
  return encoding === 'gbk' ? 'gb18030' : encoding;
}

/** The text, or null when the bytes are not valid in the encoding (or this runtime cannot decode it). */
function decodeStrict(bytes: Uint8Array, encoding: string): string | null {
  if (encoding === 'utf-7') {
    return decodeUtf7(bytes);
  }
  if (encoding === 'euc-tw' || encoding === 'replacement' || !decoderWorks(encoding)) {
    return null;
  }
  try {
    return new TextDecoder(decoderName(encoding), { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

function decodeLossy(bytes: Uint8Array, encoding: string): string | null {
  if (!decoderWorks(encoding)) {
    return null;
  }
  try {
    return new TextDecoder(decoderName(encoding), { ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

function ascii(bytes: Uint8Array): string {
  // 7-bit bytes read the same in UTF-8, whose decoder is native and fast where there is one.
  const utf8 = decodeStrict(bytes, 'utf-8');
  if (utf8 !== null) {
    return utf8;
  }
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode.apply(null, Array.prototype.slice.call(bytes.subarray(i, i + 8192)) as number[]);
  }
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** RFC 2152 UTF-7: `+` opens modified base64 of UTF-16BE, `-` or any non-base64 character closes it. */
function decodeUtf7(bytes: Uint8Array): string | null {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b >= 0x80) {
      return null;
    }
    if (b !== 0x2b) {
      out += String.fromCharCode(b);
      i++;
      continue;
    }
    i++;
    if (bytes[i] === 0x2d) {
      out += '+';
      i++;
      continue;
    }
    let bits = 0;
    let value = 0;
    while (i < bytes.length && B64.indexOf(String.fromCharCode(bytes[i] as number)) >= 0) {
      value = ((value << 6) | B64.indexOf(String.fromCharCode(bytes[i] as number))) & 0xffffff;
      bits += 6;
      if (bits >= 16) {
        bits -= 16;
        out += String.fromCharCode((value >> bits) & 0xffff);
      }
      i++;
    }
    if (bytes[i] === 0x2d) {
      i++;
    }
  }
  return out;
}

/** Characters that occur in real text: letters of any script, CJK, punctuation, whitespace; not controls or PUA. */
function textLike(text: string): number {
  let good = 0;
  let total = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    total++;
    if (
      (c >= 0x20 && c < 0x7f) ||
      c === 0x09 ||
      c === 0x0a ||
      c === 0x0d ||
      c === 0x0c ||
      (c >= 0xa0 && c < 0x2000 && c !== 0xfffd) ||
      (c >= 0x2000 && c < 0x2c00) ||
      (c >= 0x2e80 && c < 0xa000) ||
      (c >= 0xac00 && c < 0xd7a4) ||
      (c >= 0xd800 && c < 0xe000) ||
      (c >= 0xf900 && c < 0xfb00) ||
      (c >= 0xfe30 && c < 0xfff0)
    ) {
      good++;
    }
  }
  return total === 0 ? 1 : good / total;
}

/**
 * UTF-16 without a BOM, by its NUL pattern: the ASCII in it (line breaks, digits, spaces) puts a NUL in every other
 * byte, always the same parity. Binary has NULs too, so the reading must also look like text.
 */
function utf16ByNuls(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  const n = Math.min(bytes.length, 8192) & ~1;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i++) {
    if (bytes[i] === 0) {
      if (i % 2 === 0) {
        even++;
      } else {
        odd++;
      }
    }
  }
  // Ideographs at U+xx00 (一, 紀) put a NUL on the other parity now and then: a majority decides, the text check
  // after it catches binary.
  if (odd >= 2 && odd > 2 * even) {
    return 'utf-16le';
  }
  if (even >= 2 && even > 2 * odd) {
    return 'utf-16be';
  }
  return null;
}

/** The byte statistics the sniffers weigh. */
interface HighByteStats {
  /** Bytes >= 0x80. */
  readonly high: number;
  /** High bytes next to another high byte: double-byte text has them everywhere, Latin text rarely. */
  readonly adjacent: number;
  /** High bytes that read in windows-1252 as letters or as the punctuation of Latin prose. */
  readonly latin: number;
}

/** windows-1252 high bytes that Latin-script prose uses outside letters: quotes, dashes, ellipsis, °, «», nbsp… */
const LATIN_PUNCTUATION = new Set([
  0x80, 0x85, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x99, 0xa0, 0xa9, 0xab, 0xae, 0xb0, 0xb7, 0xbb,
]);
/** windows-1252 letters above 0x80 (Š Œ Ž š œ ž Ÿ, ª µ º, À–ÿ but × and ÷). */
function latinLetter(b: number): boolean {
  return (
    (b >= 0xc0 && b !== 0xd7 && b !== 0xf7) ||
    b === 0x8a ||
    b === 0x8c ||
    b === 0x8e ||
    b === 0x9a ||
    b === 0x9c ||
    b === 0x9e ||
    b === 0x9f
  );
}

function highByteStats(bytes: Uint8Array): HighByteStats {
  let high = 0;
  let adjacent = 0;
  let latin = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      continue;
    }
    high++;
    if ((bytes[i - 1] ?? 0) >= 0x80 || (bytes[i + 1] ?? 0) >= 0x80) {
      adjacent++;
    }
    if (latinLetter(b) || LATIN_PUNCTUATION.has(b)) {
      latin++;
    }
  }
  return { high, adjacent, latin };
}

/**
 * How much of a double-byte reading falls where real text of that encoding lives. Big5 orders characters by use:
 * its symbols (lead 0xA1–0xA3) and the 5,401 common characters (0xA4–0xC6) carry nearly all Taiwanese text. GB2312
 * puts its symbols at 0xA1–0xA3 and its 3,755 level-1 characters at 0xB0–0xD7, always with a trail byte >= 0xA1. A
 * Big5 text read as GB (or the reverse) lands outside those zones about half the time.
 */
function commonShare(bytes: Uint8Array, encoding: 'big5' | 'gb18030'): number {
  let pairs = 0;
  let common = 0;
  for (let i = 0; i < bytes.length; i++) {
    const lead = bytes[i] as number;
    if (lead < 0x80) {
      continue;
    }
    const trail = (bytes[i + 1] ?? 0) as number;
    if (encoding === 'gb18030' && trail >= 0x30 && trail <= 0x39) {
      // A four-byte GB18030 sequence: rare characters, never the common zone.
      pairs++;
      i += 3;
      continue;
    }
    pairs++;
    if (
      encoding === 'big5'
        ? lead >= 0xa1 && lead <= 0xc6
        : ((lead >= 0xa1 && lead <= 0xa3) || (lead >= 0xb0 && lead <= 0xd7)) && trail >= 0xa1
    ) {
      common++;
    }
    i++;
  }
  return pairs === 0 ? 0 : common / pairs;
}

/**
 * The text when the bytes decode with at most one bad sequence in 200 characters. Taiwanese mail carries the odd
 * user-defined character (造字, a name outside Big5) that a decoder, classic Outlook's in particular, cannot map; one
 * such character is one lost character, not an unreadable part.
 */
function decodeNearlyClean(bytes: Uint8Array, encoding: string): string | null {
  const strict = decodeStrict(bytes, encoding);
  if (strict !== null) {
    return strict;
  }
  const lossy = decodeLossy(bytes, encoding);
  if (lossy === null) {
    return null;
  }
  let errors = 0;
  for (let i = lossy.indexOf('\ufffd'); i >= 0; i = lossy.indexOf('\ufffd', i + 1)) {
    errors++;
  }
  return errors <= Math.max(1, Math.floor(lossy.length / 200)) ? lossy : null;
}

interface CjkReading {
  readonly text: string;
  readonly encoding: 'big5' | 'gb18030';
}

/** Big5 or GB18030, whichever decodes the bytes cleanly and lands in its common zone; null when neither does. */
function cjkReading(bytes: Uint8Array): CjkReading | null {
  let best: (CjkReading & { share: number }) | null = null;
  for (const encoding of ['big5', 'gb18030'] as const) {
    const text = decodeNearlyClean(bytes, encoding);
    if (text === null || textLike(text) < 0.98) {
      continue;
    }
    const share = commonShare(bytes, encoding);
    // Ties go to Big5: this is Taiwan.
    if (share >= 0.7 && (!best || share > best.share)) {
      best = { text, encoding, share };
    }
  }
  return best ? { text: best.text, encoding: best.encoding } : null;
}

/** The UTF-8 validity of the bytes: multi-byte sequences that are valid, and invalid bytes, isolated or not. */
function utf8Shape(bytes: Uint8Array): { valid: number; invalid: number; invalidRuns: number } {
  let valid = 0;
  let invalid = 0;
  let invalidRuns = 0;
  let lastInvalid = -2;
  let i = 0;
  while (i < bytes.length) {
    const c = bytes[i] as number;
    if (c < 0x80) {
      i++;
      continue;
    }
    const need = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    let ok = need > 0;
    for (let k = 1; ok && k <= need; k++) {
      const d = bytes[i + k];
      ok = d !== undefined && d >= 0x80 && d <= 0xbf;
    }
    if (ok) {
      valid++;
      i += need + 1;
    } else {
      invalid++;
      if (lastInvalid === i - 1 || (bytes[i + 1] ?? 0) >= 0x80) {
        invalidRuns++;
      }
      lastInvalid = i;
      i++;
    }
  }
  return { valid, invalid, invalidRuns };
}

/** Characters that every 密等 mark and the watermark word 機敏資料 carry at least one of. */
const MARK_CHARACTERS = /[密機極絕敏]/;

/** A Big5 lead byte followed by a Big5 trail byte (0x40–0x7E or 0xA1–0xFE). */
function big5PairAt(bytes: Uint8Array, i: number): boolean {
  const lead = bytes[i] as number;
  const trail = bytes[i + 1];
  return lead >= 0x81 && lead <= 0xfe && trail !== undefined && ((trail >= 0x40 && trail <= 0x7e) || trail >= 0xa1);
}

/** The Big5 reading of the bytes when it carries a mark character; `clean` when the bytes are valid Big5. */
function hiddenBig5(bytes: Uint8Array): { text: string; clean: boolean } | null {
  let pairs = false;
  for (let i = 0; i < bytes.length && !pairs; i++) {
    pairs = big5PairAt(bytes, i);
  }
  if (!pairs) {
    return null;
  }
  const strict = decodeStrict(bytes, 'big5');
  const text = strict ?? decodeLossy(bytes, 'big5');
  return text !== null && MARK_CHARACTERS.test(text) ? { text, clean: strict !== null } : null;
}

/**
 * UTF-8 with its invalid bytes read as Big5 where they start a Big5 pair (one decoded with `fatal`, so a pair this
 * runtime cannot map stays a U+FFFD of its own). Null when a pair is there and no Big5 decoder is.
 */
function utf8WithBig5Pairs(bytes: Uint8Array): string | null {
  const out: number[] = [];
  const encoder = new TextEncoder();
  let pairs = 0;
  let i = 0;
  while (i < bytes.length) {
    const c = bytes[i] as number;
    const need =
      c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    let valid = need >= 0;
    for (let k = 1; valid && k <= need; k++) {
      const d = bytes[i + k];
      valid = d !== undefined && d >= 0x80 && d <= 0xbf;
    }
    if (valid) {
      for (let k = 0; k <= need; k++) {
        out.push(bytes[i + k] as number);
      }
      i += need + 1;
      continue;
    }
    if (big5PairAt(bytes, i)) {
      pairs++;
      const ch = decodeStrict(bytes.subarray(i, i + 2), 'big5');
      if (ch === null && !decoderWorks('big5')) {
        return null;
      }
      out.push(...Array.from(encoder.encode(ch ?? '\ufffd')));
      i += 2;
      continue;
    }
    out.push(c);
    i++;
  }
  const text = decodeLossy(Uint8Array.from(out), 'utf-8');
  return pairs === 0 ? decodeLossy(bytes, 'utf-8') : text;
}

const ok = (text: string, encoding: string, sniffed: boolean): CharsetResult => ({ ok: true, text, encoding, sniffed });
const unreadable = (detail: string): CharsetResult => ({
  ok: false,
  reason: 'unreadable-charset',
  detail: detail.slice(0, 200),
});

/**
 * The bytes of a Latin-script or unlabelled part with high bytes that are not UTF-8: Latin prose in the label's
 * single-byte encoding (windows-1252 when there is no usable label), Big5 or GB18030 when the bytes are clearly
 * double-byte Chinese, and unreadable when they look double-byte but read cleanly as neither.
 */
function latinOrCjk(bytes: Uint8Array, base: string | null, labelled: string): CharsetResult {
  const stats = highByteStats(bytes);
  const latin = stats.latin >= 0.8 * stats.high;
  const readBase = (): CharsetResult | null => {
    const encoding = base ?? 'windows-1252';
    const text = decodeLossy(bytes, encoding);
    if (text === null) {
      return null;
    }
    // Isolated high bytes are not always single-byte symbols: a Big5 pair can have an ASCII trail byte (密 is
    // B1 4B, 【】 A1 69/6A), which no count of adjacent high bytes sees. A Big5 reading that carries a mark
    // character is scanned: alone when the bytes are valid Big5 throughout, else beside the Latin reading.
    const hidden = hiddenBig5(bytes);
    if (hidden !== null) {
      return hidden.clean ? ok(hidden.text, 'big5', true) : ok(`${text}\n${hidden.text}`, encoding, true);
    }
    return ok(text, encoding, base === null);
  };
  if (latin) {
    const r = readBase();
    if (r) {
      return r;
    }
  }
  // Under a Latin label, isolated high bytes (a ± before a digit, a § before a letter) are that label's symbols:
  // only bytes in pairs contradict it.
  const cjk = base !== null && stats.adjacent === 0 ? null : cjkReading(bytes);
  if (cjk) {
    return ok(cjk.text, cjk.encoding, true);
  }
  if (stats.adjacent === 0) {
    // Isolated high bytes (a °, an accented name): not double-byte text, whatever the label is.
    const r = readBase();
    if (r) {
      return r;
    }
  }
  return unreadable(`${labelled}: ${stats.high} high bytes, neither ${base ?? 'Latin'} text nor clean Big5/GB18030`);
}

/**
 * Decodes a part's bytes under its charset label (`null` when it has none), checking the label against the bytes.
 * A BOM wins; UTF-16 without one is found by its NULs; 7-bit text is ASCII under any ASCII-compatible label;
 * valid UTF-8 is UTF-8; Big5/GB18030 under a Latin label or none are found by their byte shape. What remains
 * doubtful is `unreadable-charset`. Bytes with NULs that are not UTF-16 are not text: the caller decides.
 */
export function decodeCharset(bytes: Uint8Array, label: string | null | undefined): CharsetResult {
  const declared = encodingForLabel(label);
  const labelled = label ? `label ${JSON.stringify(label.slice(0, 40))}` : 'no label';
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    const text = decodeStrict(bytes.subarray(3), 'utf-8');
    // Invalid after its BOM: read as UTF-8 with stray bytes, which tolerates lone ones and nothing more.
    return text === null ? decodeCharset(bytes.subarray(3), 'utf-8') : ok(text, 'utf-8', declared !== 'utf-8');
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    const encoding = bytes[0] === 0xff ? 'utf-16le' : 'utf-16be';
    const text = decodeStrict(bytes.subarray(2), encoding);
    return text === null
      ? unreadable(`${encoding} BOM, invalid ${encoding}`)
      : ok(text, encoding, declared !== encoding);
  }
  if (declared === 'utf-16le' || declared === 'utf-16be') {
    const text = decodeStrict(bytes, declared);
    if (text !== null && textLike(text) >= 0.95) {
      return ok(text, declared, false);
    }
  }
  const nulPattern = utf16ByNuls(bytes);
  if (nulPattern) {
    const text = decodeStrict(bytes, nulPattern);
    if (text !== null && textLike(text) >= 0.95) {
      return ok(text, nulPattern, declared !== nulPattern);
    }
  }
  let high = false;
  for (let i = 0; i < bytes.length; i++) {
    if ((bytes[i] as number) >= 0x80) {
      high = true;
      break;
    }
  }
  if (!high) {
    return sevenBit(bytes, declared, labelled);
  }
  if (declared === 'utf-8' || declared === null || declared === 'replacement' || !MULTIBYTE_CJK.test(declared)) {
    const shape = utf8Shape(bytes);
    if (shape.invalid === 0) {
      return ok(decodeStrict(bytes, 'utf-8') ?? '', 'utf-8', declared !== 'utf-8');
    }
    if (shape.valid > shape.invalid && shape.invalidRuns === 0) {
      // UTF-8 with a few stray single bytes (a Latin-1 signature pasted in): each is one lost character. But a
      // stray byte before an ASCII one may be a Big5 pair (密 is B1 4B, （） A1 5D/5E): those are read as Big5.
      const mixed = utf8WithBig5Pairs(bytes);
      if (mixed === null) {
        return unreadable(`${labelled}: UTF-8 mixed with Big5 pairs that cannot be decoded here`);
      }
      return ok(mixed, 'utf-8', declared !== 'utf-8');
    }
    if (shape.valid > shape.invalid) {
      return unreadable(`${labelled}: UTF-8 mixed with ${shape.invalid} bytes in another encoding`);
    }
  }
  if (declared !== null && MULTIBYTE_CJK.test(declared)) {
    const text = decodeStrict(bytes, declared);
    if (text !== null) {
      // Big5 and GBK share their byte ranges, so one decodes the other cleanly into nonsense; where the bytes
      // sit says which they are.
      if (
        (declared === 'big5' || declared === 'gbk' || declared === 'gb18030') &&
        commonShare(bytes, declared === 'big5' ? 'big5' : 'gb18030') < 0.5
      ) {
        const cjk = cjkReading(bytes);
        if (cjk && cjk.encoding !== (declared === 'big5' ? 'big5' : 'gb18030')) {
          return ok(cjk.text, cjk.encoding, true);
        }
      }
      return ok(text, declared, false);
    }
    const utf8 = decodeStrict(bytes, 'utf-8');
    if (utf8 !== null) {
      return ok(utf8, 'utf-8', true);
    }
    const cjk = cjkReading(bytes);
    if (cjk) {
      return ok(cjk.text, cjk.encoding, true);
    }
    return unreadable(
      decoderWorks(declared) || declared === 'euc-tw'
        ? `${labelled}: not valid ${declared}, nor UTF-8, Big5 or GB18030`
        : `${labelled}: ${declared} cannot be decoded here`,
    );
  }
  // A Latin or other single-byte label, a label nobody knows, or none.
  const singleByte = declared !== null && declared !== 'utf-8' && declared !== 'replacement' ? declared : null;
  if (singleByte !== null && !decoderWorks(singleByte)) {
    const cjk = cjkReading(bytes);
    return cjk ? ok(cjk.text, cjk.encoding, true) : unreadable(`${labelled}: ${singleByte} cannot be decoded here`);
  }
  return latinOrCjk(bytes, singleByte, labelled);
}

/** 7-bit bytes: ASCII, unless the label (or an escape sequence) says ISO-2022 or UTF-7. */
function sevenBit(bytes: Uint8Array, declared: string | null, labelled: string): CharsetResult {
  let shifts = false;
  let escapes = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b === 0x0e || b === 0x0f || (b === 0x7e && bytes[i + 1] === 0x7b)) {
      shifts = true;
    } else if (b === 0x1b && (bytes[i + 1] === 0x24 || bytes[i + 1] === 0x28)) {
      escapes = true;
    }
  }
  if (declared === 'utf-7' || (escapes && (declared === 'iso-2022-jp' || asciiCompatible(declared)))) {
    const encoding = declared === 'utf-7' ? 'utf-7' : 'iso-2022-jp';
    const text = decodeStrict(bytes, encoding);
    return text === null
      ? unreadable(`${labelled}: ${encoding} that cannot be decoded here`)
      : ok(text, encoding, declared !== encoding);
  }
  if (declared === 'replacement' && shifts) {
    // ISO-2022-KR/CN or HZ: shift sequences switch to double-byte text that no decoder here reads.
    return unreadable(`${labelled}: a 7-bit encoding with shift sequences`);
  }
  if (declared === 'utf-16le' || declared === 'utf-16be') {
    // No NULs and no BOM: ASCII that was mislabelled.
    return ok(ascii(bytes), 'windows-1252', true);
  }
  return ok(ascii(bytes), declared !== null && asciiCompatible(declared) ? declared : 'us-ascii', declared === null);
}
