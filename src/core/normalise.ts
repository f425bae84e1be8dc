/**
 * Normalisation for matching. The output is never shown or sent anywhere: it exists so that one grammar can match a
 * mark however it was typed, and every match can be mapped back to the original text through `origin`.
 */

/** Text prepared for matching, with a map back to the original. */
export interface NormalisedText {
  readonly text: string;
  /**
   * `origin[i]` is the offset in the original string of the character that produced `text[i]`;
   * `origin[text.length]` is the end of the normalised range in the original.
   */
  readonly origin: Int32Array;
  /**
   * `gap[i]` is 1 when whitespace between CJK characters was removed just before `text[i]`. Such a gap still separates
   * words ("機密　第3份" is a label followed by a copy number, not the word 機密第).
   */
  readonly gap: Uint8Array;
}

/** Canonical brackets: every bracket style folds to these so one grammar covers 「」【】（）〔〕［］ and ASCII. */
export const OPEN = '【';
export const CLOSE = '】';

/**
 * Invisible characters that can hide inside a mark: zero-width, soft hyphen, bidi controls, word joiner, BOM,
 * variation selectors (standard, Mongolian and the ideographic ones of the supplementary plane).
 */
function isIgnorable(cp: number): boolean {
  return (
    cp === 0x00ad ||
    cp === 0x034f ||
    cp === 0x061c ||
    (cp >= 0x180b && cp <= 0x180f) ||
    (cp >= 0xe0100 && cp <= 0xe01ef) ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2060 && cp <= 0x2064) ||
    (cp >= 0x2066 && cp <= 0x206f) ||
    cp === 0xfeff ||
    (cp >= 0xfe00 && cp <= 0xfe0f)
  );
}

function isLineBreak(cp: number): boolean {
  return cp === 0x0a || cp === 0x0d || cp === 0x0b || cp === 0x0c || cp === 0x85 || cp === 0x2028 || cp === 0x2029;
}

function isSpace(cp: number): boolean {
  return (
    cp === 0x20 ||
    cp === 0x09 ||
    cp === 0xa0 ||
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000 ||
    cp === 0x3164 ||
    cp === 0xffa0
  );
}

/** Han ideographs (the ranges a 密等 can be written in), including compatibility ideographs. */
export function isHan(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x20000 && cp <= 0x3134f) ||
    cp === 0x3007
  );
}

/** Characters between which spacing is typographic padding, not a word break (「機　密」, 「速　　別」). */
function isWide(cp: number): boolean {
  return isHan(cp) || (cp >= 0x3000 && cp <= 0x303f) || cp === 0x3010 || cp === 0x3011;
}

/**
 * Every bracket style a mark is written in, as they stand after NFKC (full-width forms are already ASCII or their
 * CJK equivalents). One list, so the grammar, the triggers and the paragraph rules cannot disagree on a bracket.
 */
export const OPENING_BRACKETS = '([{「『【〔〈《〖〘〚⦅｢';
export const CLOSING_BRACKETS = ')]}」』】〕〉》〗〙〛⦆｣';
const OPENERS = new Set(OPENING_BRACKETS.split(''));
const CLOSERS = new Set(CLOSING_BRACKETS.split(''));
/**
 * Full-width and small angle brackets (＜機＞). NFKC turns them into ASCII < >, which stay as they are (a < b), so
 * they fold by their original code point.
 */
const WIDE_ANGLE_OPEN = new Set([0xff1c, 0xfe64]);
const WIDE_ANGLE_CLOSE = new Set([0xff1e, 0xfe65]);

/**
 * Variant and simplified forms of the marking words. Only these characters are folded: a whole-document
 * simplified-to-traditional conversion would invent marks, and the folded text is used for matching only.
 */
const VARIANTS: Readonly<Record<string, string>> = {
  机: '機',
  绝: '絕',
  极: '極',
  对: '對',
  秘: '祕',
  资: '資',
  阅: '閱',
  // Japanese shinjitai (絶対機密) and the Unihan z-/semantic variants of the marking characters: 絶 kZVariant 絕,
  // 宻 kZVariant 密. 対 is the shinjitai of 對, which Unihan does not list.
  絶: '絕',
  対: '對',
  宻: '密',
};

/** Code units of the BMP ideographs that {@link VARIANTS} folds: the fast path must not pass them through. */
const VARIANT_UNITS = new Uint8Array(0xa000 - 0x4e00);
for (const ch of Object.keys(VARIANTS)) {
  VARIANT_UNITS[ch.charCodeAt(0) - 0x4e00] = 1;
}

const mapCache = new Map<number, string>();

/** The normalised form of one code point: NFKC, then bracket and variant folding. */
function mapCodePoint(cp: number): string {
  if (cp < 0x80) {
    const ch = String.fromCharCode(cp);
    if (OPENERS.has(ch)) {
      return OPEN;
    }
    if (CLOSERS.has(ch)) {
      return CLOSE;
    }
    return ch;
  }
  if (cp >= 0x4e00 && cp <= 0x9fff) {
    const ch = String.fromCharCode(cp);
    return VARIANTS[ch] ?? ch;
  }
  if (WIDE_ANGLE_OPEN.has(cp)) {
    return OPEN;
  }
  if (WIDE_ANGLE_CLOSE.has(cp)) {
    return CLOSE;
  }
  const cached = mapCache.get(cp);
  if (cached !== undefined) {
    return cached;
  }
  const nfkc = String.fromCodePoint(cp).normalize('NFKC');
  let out = '';
  for (const ch of nfkc) {
    if (OPENERS.has(ch)) {
      out += OPEN;
    } else if (CLOSERS.has(ch)) {
      out += CLOSE;
    } else {
      out += VARIANTS[ch] ?? ch;
    }
  }
  if (mapCache.size < 4096) {
    mapCache.set(cp, out);
  }
  return out;
}

/** Growable output buffers: normalisation runs over megabytes on the send path, so no per-character allocation. */
class Out {
  units: Uint16Array;
  origin: Int32Array;
  gap: Uint8Array;
  length = 0;
  constructor(capacity: number) {
    this.units = new Uint16Array(capacity);
    this.origin = new Int32Array(capacity + 1);
    this.gap = new Uint8Array(capacity);
  }
  push(unit: number, origin: number, gap: number): void {
    if (this.length === this.units.length) {
      this.grow();
    }
    this.units[this.length] = unit;
    this.origin[this.length] = origin;
    this.gap[this.length] = gap;
    this.length++;
  }
  /** Room for `n` more units, so a run of them can be written without a check each. */
  reserve(n: number): void {
    while (this.length + n > this.units.length) {
      this.grow();
    }
  }
  private grow(): void {
    const cap = this.units.length * 2 + 16;
    const units = new Uint16Array(cap);
    units.set(this.units);
    const origin = new Int32Array(cap + 1);
    origin.set(this.origin);
    const gap = new Uint8Array(cap);
    gap.set(this.gap);
    this.units = units;
    this.origin = origin;
    this.gap = gap;
  }
  /**
   * The units as a string, built flat by one join: a chain of `+=` over the chunks left a rope that the first regular
   * expression run over it had to flatten, the largest single step of matching a large body's windows.
   */
  text(): string {
    const chunks: string[] = [];
    for (let i = 0; i < this.length; i += 8192) {
      chunks.push(
        String.fromCharCode.apply(null, this.units.subarray(i, Math.min(this.length, i + 8192)) as unknown as number[]),
      );
    }
    return chunks.join('');
  }
}

/** Characters that normalise to themselves and need no checks beyond the whitespace ones. */
function isPlain(c: number): boolean {
  return (
    (c > 0x20 && c < 0x7f && c !== 0x28 && c !== 0x29 && c !== 0x5b && c !== 0x5d && c !== 0x7b && c !== 0x7d) ||
    (c >= 0x4e00 && c <= 0x9fff && VARIANT_UNITS[c - 0x4e00] === 0)
  );
}

/**
 * Normalises `input[from, to)` for matching:
 * NFKC (full-width to half-width), removal of zero-width, soft-hyphen and bidi characters, removal of spacing between
 * CJK characters, folding of every bracket style to 【】, folding of variant forms of the marking words, and line
 * breaks collapsed to a single `\n` (the grammar allows one inside a mark).
 */
export function normalise(input: string, from = 0, to = input.length): NormalisedText {
  const out = new Out(Math.max(16, to - from + 8));
  normaliseInto(out, input, from, to);
  out.origin[out.length] = to;
  return { text: out.text(), origin: out.origin.subarray(0, out.length + 1), gap: out.gap.subarray(0, out.length) };
}

/** Marks a cut: a window edge that is not a line edge. It behaves as a Han character, so nothing reads it as a boundary. */
export const GLUE = '\uFDD0';

/**
 * Normalises several ranges of one text into one string, so the grammar runs once over all of them. Ranges are
 * separated by a blank line, which no mark crosses; an edge that cuts a line gets {@link GLUE}, so `^`, `$` and the
 * "not written against a Han character" checks cannot mistake a cut for a boundary. Offsets stay those of `input`.
 */
export function normaliseRanges(input: string, ranges: readonly { start: number; end: number }[]): NormalisedText {
  const total = ranges.reduce((n, r) => n + r.end - r.start + 4, 16);
  const out = new Out(total);
  ranges.forEach((r, k) => {
    const headCut = r.start > 0 && input.charCodeAt(r.start - 1) !== 0x0a;
    if (k > 0) {
      out.push(0x0a, r.start, 0);
      out.push(0x0a, r.start, 0);
    }
    if (headCut) {
      out.push(0xfdd0, r.start, 0);
    }
    normaliseInto(out, input, r.start, r.end);
    const tailCut = r.end < input.length && input.charCodeAt(r.end) !== 0x0a && input.charCodeAt(r.end) !== 0x0d;
    if (tailCut) {
      out.push(0xfdd0, r.end, 0);
    }
  });
  out.origin[out.length] = ranges.length ? (ranges[ranges.length - 1] as { end: number }).end : 0;
  return { text: out.text(), origin: out.origin.subarray(0, out.length + 1), gap: out.gap.subarray(0, out.length) };
}

/**
 * What a BMP code unit is to {@link normaliseInto}, found once per code unit and kept: most text is Han, ASCII and
 * CJK punctuation (，。：「」), which map to one code unit each, and spacing; only the rest takes the general path.
 */
const UNIT_UNKNOWN = 0;
/** Maps to the one code unit in {@link UNIT_MAP} (itself for a plain character). */
const UNIT_SINGLE = 1;
const UNIT_SPACE = 2;
const UNIT_BREAK = 3;
const UNIT_IGNORABLE = 4;
/** Surrogates, the right-to-left override, and characters NFKC expands: the general path. */
const UNIT_OTHER = 5;
/** The two tables, per code unit (192 KB): made on the first normalise, not at load (the on-send runtime loads this). */
let unitTables: { readonly kind: Uint8Array; readonly map: Uint16Array } | null = null;

function unitKind(c: number, UNIT_KIND: Uint8Array, UNIT_MAP: Uint16Array): number {
  let kind = UNIT_OTHER;
  if (c >= 0xd800 && c <= 0xdfff) {
    kind = UNIT_OTHER;
  } else if (c === RLO) {
    kind = UNIT_OTHER;
  } else if (isIgnorable(c)) {
    kind = UNIT_IGNORABLE;
  } else if (isLineBreak(c)) {
    kind = UNIT_BREAK;
  } else if (isSpace(c)) {
    kind = UNIT_SPACE;
  } else {
    const mapped = isPlain(c) ? String.fromCharCode(c) : mapCodePoint(c);
    const m = mapped.charCodeAt(0);
    if (mapped.length === 1 && !(m >= 0xd800 && m <= 0xdfff)) {
      kind = UNIT_SINGLE;
      UNIT_MAP[c] = m;
    }
  }
  UNIT_KIND[c] = kind;
  return kind;
}

function normaliseInto(out: Out, input: string, from: number, to: number): void {
  if (unitTables === null) {
    unitTables = { kind: new Uint8Array(0x10000), map: new Uint16Array(0x10000) };
  }
  const { kind: UNIT_KIND, map: UNIT_MAP } = unitTables;
  let lastCp = -1; // last emitted code point, for the CJK-spacing rule
  let wsStart = -1; // start of a pending whitespace run
  let wsHasBreak = false;
  let i = from;
  while (i < to) {
    let c = input.charCodeAt(i);
    let kind = UNIT_KIND[c] as number;
    if (kind === UNIT_UNKNOWN) {
      kind = unitKind(c, UNIT_KIND, UNIT_MAP);
    }
    if (kind === UNIT_SINGLE && wsStart < 0) {
      // A run of characters that map to one unit each, with no spacing pending: most of any text, written straight
      // into the buffers (at most one unit per character, so the room is known before the run).
      out.reserve(to - i);
      const { units, origin, gap } = out;
      let n = out.length;
      let m = 0;
      do {
        m = UNIT_MAP[c] as number;
        units[n] = m;
        origin[n] = i;
        gap[n] = 0;
        n++;
        i++;
        c = input.charCodeAt(i);
      } while (i < to && UNIT_KIND[c] === UNIT_SINGLE);
      out.length = n;
      lastCp = m;
      continue;
    }
    if (kind === UNIT_SINGLE) {
      const m = UNIT_MAP[c] as number;
      let gap = 0;
      if (wsStart >= 0) {
        if (wsHasBreak) {
          out.push(0x0a, wsStart, 0);
        } else if (lastCp >= 0 && isWide(lastCp) && isWide(m)) {
          gap = 1;
        } else if (lastCp >= 0) {
          out.push(0x20, wsStart, 0);
        }
        wsStart = -1;
      }
      out.push(m, i, gap);
      lastCp = m;
      i++;
      continue;
    }
    if (kind === UNIT_SPACE || kind === UNIT_BREAK) {
      if (wsStart < 0) {
        wsStart = i;
        wsHasBreak = false;
      }
      if (kind === UNIT_BREAK) {
        wsHasBreak = true;
      }
      i++;
      continue;
    }
    if (kind === UNIT_IGNORABLE) {
      i++;
      continue;
    }
    const cp = c >= 0xd800 && c <= 0xdbff ? (input.codePointAt(i) as number) : c;
    const width = cp > 0xffff ? 2 : 1;
    if (cp === RLO) {
      let gapBefore = 0;
      if (wsStart >= 0) {
        if (wsHasBreak) {
          out.push(0x0a, wsStart, 0);
        } else if (lastCp >= 0 && isWide(lastCp)) {
          gapBefore = 1;
        } else if (lastCp >= 0) {
          out.push(0x20, wsStart, 0);
        }
        wsStart = -1;
      }
      const first = out.length;
      i = normaliseOverride(out, input, i + 1, to);
      if (out.length > first) {
        out.gap[first] = gapBefore;
        lastCp = out.units[out.length - 1] as number;
      }
      continue;
    }
    if (isIgnorable(cp)) {
      i += width;
      continue;
    }
    if (isSpace(cp) || isLineBreak(cp)) {
      if (wsStart < 0) {
        wsStart = i;
        wsHasBreak = false;
      }
      if (isLineBreak(cp)) {
        wsHasBreak = true;
      }
      i += width;
      continue;
    }
    const mapped = isPlain(c) ? String.fromCharCode(c) : mapCodePoint(cp);
    let pendingGap = 0;
    if (wsStart >= 0) {
      const nextCp = mapped.codePointAt(0) ?? cp;
      if (wsHasBreak) {
        out.push(0x0a, wsStart, 0);
      } else if (lastCp >= 0 && isWide(lastCp) && isWide(nextCp)) {
        pendingGap = 1;
      } else if (lastCp >= 0) {
        out.push(0x20, wsStart, 0);
      }
      wsStart = -1;
    }
    for (let k = 0; k < mapped.length; k++) {
      out.push(mapped.charCodeAt(k), i, k === 0 ? pendingGap : 0);
    }
    if (mapped.length > 0) {
      lastCp = mapped.codePointAt(mapped.length - 1) ?? cp;
      if (lastCp >= 0xdc00 && lastCp <= 0xdfff) {
        lastCp = mapped.codePointAt(mapped.length - 2) ?? cp;
      }
    }
    i += width;
  }
  if (wsStart >= 0 && wsHasBreak) {
    out.push(0x0a, wsStart, 0);
  }
}

const RLO = 0x202e;

function isBidiControl(cp: number): boolean {
  return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/**
 * A right-to-left override (RLO … PDF, or RLO to the end of the line) displays its characters in reverse order, with
 * brackets mirrored: stored 「密機」 shows as 機密. The run is normalised in the order a reader sees it, each character
 * keeping its own origin (so origins run backwards inside it). Nested bidi controls are dropped, not interpreted; the
 * detector also reads the stored order (see detect.ts), so a mark in either order is found. Returns where to go on.
 */
function normaliseOverride(out: Out, input: string, from: number, to: number): number {
  let depth = 1;
  let end = to;
  let next = to;
  for (let j = from; j < to; j++) {
    const c = input.charCodeAt(j);
    if (isLineBreak(c)) {
      end = next = j;
      break;
    }
    if (c === 0x202a || c === 0x202b || c === 0x202d || c === RLO) {
      depth++;
    } else if (c === 0x202c && --depth === 0) {
      end = j;
      next = j + 1;
      break;
    }
  }
  const points: number[] = [];
  for (let j = from; j < end;) {
    const cp = input.codePointAt(j) as number;
    if (!isBidiControl(cp)) {
      points.push(cp, j);
    }
    j += cp > 0xffff ? 2 : 1;
  }
  let visual = '';
  const sourceOf: number[] = [];
  for (let k = points.length - 2; k >= 0; k -= 2) {
    const cp = points[k] as number;
    visual += String.fromCodePoint(cp);
    sourceOf.push(points[k + 1] as number);
    if (cp > 0xffff) {
      sourceOf.push(points[k + 1] as number);
    }
  }
  sourceOf.push(end);
  const first = out.length;
  normaliseInto(out, visual, 0, visual.length);
  const open = OPEN.charCodeAt(0);
  const close = CLOSE.charCodeAt(0);
  for (let k = first; k < out.length; k++) {
    out.origin[k] = sourceOf[out.origin[k] as number] as number;
    const u = out.units[k];
    out.units[k] = u === open ? close : u === close ? open : (u as number);
  }
  return next;
}

/** Normalises a keyword or custom-rule term the same way text is normalised, so both sides meet. */
export function normaliseTerm(term: string): string {
  return normalise(term).text.trim();
}
