/**
 * Marking detection: finds 密等 marks in one text segment and maps each back to its offset in the original text.
 *
 * Large texts are not normalised whole. Every mark contains one of a few trigger characters (密, 敏, 閱, a bracketed
 * 機/極/絕) or an English keyword, so only windows around triggers are normalised and matched. Invisible characters
 * and full-width letters are triggers too, because they are how a mark would be disguised.
 */
import {
  DECLARATION,
  DECLASS,
  DISCLAIMER_HINT,
  englishLevel,
  EXAMPLE_CHAIN,
  EXAMPLE_INTRO,
  FIELD_LABEL,
  FIELD_PLACEHOLDER,
  FIELD_UNCLASSIFIED,
  FORMAL_FIELD_LABEL,
  k,
  LEVEL_CONFUSABLES,
  LEVEL_WORDS,
  MARK_WORDS,
  markLevel,
  MEETING_SENTENCE,
  PORTION_LEVELS,
  POSITIONED_MARK_WORDS,
  PRC_LEVELS,
  PROSE_AFTER,
  PROSE_BEFORE,
  SEPARATED_LEVEL_WORDS,
  TRIAD_ATTRIBUTE,
  unbreak,
  WEAK_MARKS,
} from './grammar';
import type { Level } from './levels';
import { levelRank, maxLevel } from './levels';
import {
  CLOSING_BRACKETS,
  isHan,
  normalise,
  type NormalisedText,
  normaliseRanges,
  OPENING_BRACKETS,
} from './normalise';
import { findPersonalData } from './personal-data';
import { execAll } from './regex';
import { ConsumedSpans, ContainingSpans, dropCovered } from './spans';
import type { ExcerptSpan, Finding, SegmentPosition, TextSegment } from './types';

/** A custom rule from the policy, compiled once per policy. */
export interface CompiledCustomRule {
  readonly id: string;
  readonly level: Level;
  /** Normalised keywords. */
  readonly keywords: readonly string[];
  readonly pattern: RegExp | null;
}

export interface DetectOptions {
  readonly customRules?: readonly CompiledCustomRule[];
  /** The optional personal-data detector (national ID, resident certificate, 統一編號). */
  readonly personalData?: boolean;
  /** Extra regions the user marked in the task pane, in original-text offsets. */
  readonly markedRegions?: readonly { readonly start: number; readonly end: number; readonly level: Level }[];
}

/** Rules whose mark classifies the whole message or document: removing a paragraph cannot declassify it. */
export const WHOLE_MESSAGE_RULES: ReadonlySet<string> = new Set([
  'field.classification',
  'level.declassification',
  'declassification',
  'meeting.secrecy-notice',
]);

/** Positions where a short standalone run is a mark by its place alone (§5.7 of the reference). */
const MARKING_POSITIONS: ReadonlySet<SegmentPosition> = new Set(['header', 'footer', 'watermark', 'label']);

/**
 * Where a bounded mark word counts though it stands in no line of its own: the marking positions, and names, whose
 * words are few and chosen (「115年度預算_密.xlsx」). Its neighbours still decide: 密碼, 保密, 機密性 are words, not marks.
 */
const BOUNDED_WORD_POSITIONS: ReadonlySet<SegmentPosition> = new Set([...MARKING_POSITIONS, 'name']);

interface Hit {
  rule: string;
  level: Level;
  /** Original-text offsets. */
  start: number;
  end: number;
  kind: 'mark' | 'portion';
}

interface Tag {
  open: boolean;
  level: Level;
  start: number;
  end: number;
}

/** True when the character at `i` is a Han character written against its neighbour (no removed spacing). */
function hanAt(nt: NormalisedText, i: number): boolean {
  const ch = nt.text.charCodeAt(i);
  if (ch === 0xfdd0) {
    return true;
  }
  if (ch >= 0xd800 && ch <= 0xdbff) {
    return isHan(nt.text.codePointAt(i) as number);
  }
  if (ch >= 0xdc00 && ch <= 0xdfff) {
    return i > 0 && isHan(nt.text.codePointAt(i - 1) as number);
  }
  return isHan(ch);
}

function gluedBefore(nt: NormalisedText, start: number): boolean {
  return start > 0 && nt.gap[start] === 0 && hanAt(nt, start - 1);
}

function gluedAfter(nt: NormalisedText, end: number): boolean {
  return end < nt.text.length && nt.gap[end] === 0 && hanAt(nt, end);
}

/**
 * The text a mark is read against: up to `reach` characters either side, never past a line break. What stands on the
 * next or previous line is another paragraph or list item (「（三）」, 「與會人員」), not the mark's own prose.
 */
function lineContext(text: string, start: number, end: number, reach: number): { before: string; after: string } {
  let before = text.slice(Math.max(0, start - reach), start);
  let after = text.slice(end, end + reach);
  const nl = before.lastIndexOf('\n');
  if (nl !== -1) {
    before = before.slice(nl + 1);
  }
  const nr = after.indexOf('\n');
  if (nr !== -1) {
    after = after.slice(0, nr);
  }
  return { before, after };
}

function proseAround(text: string, start: number, end: number): boolean {
  const { before, after } = lineContext(text, start, end, 8);
  return PROSE_AFTER.test(after) || PROSE_BEFORE.test(before.slice(-4));
}

/** A mark word or portion level inside brackets: what a list of marks is made of. */
const BRACKETED_MARK_AFTER = new RegExp(`^ ?【 ?(${MARK_WORDS}|[無機極絕]) ?】`, 'u');
const BRACKETED_MARK_BEFORE = new RegExp(`【 ?(${MARK_WORDS}|[無機極絕]) ?】 ?$`, 'u');

function bracketedLevel(word: string): Level | null {
  return word in PORTION_LEVELS ? (PORTION_LEVELS[word] ?? null) : markLevel(word);
}

/**
 * A bracketed mark next to a bracketed mark of another level on the same line is a list of marks in prose, e.g.
 * 「【密】【機】【極】」. Brackets are folded to 【】, so a neighbour only counts when it holds a mark itself: a numbered
 * item 「（三）」 or a quotation 「「…」」 folds to 【…】 too, and the next line's opening bracket is no neighbour at all.
 * The same level twice (〔密〕〔密〕) is a doubled stamp, not a list.
 */
function adjacentToBracketedMark(text: string, start: number, end: number, level: Level | null): boolean {
  const { before, after } = lineContext(text, start, end, 12);
  const b = BRACKETED_MARK_BEFORE.exec(before);
  const a = BRACKETED_MARK_AFTER.exec(after);
  return (
    (b !== null && bracketedLevel(unbreak(b[1] as string)) !== level) ||
    (a !== null && bracketedLevel(unbreak(a[1] as string)) !== level)
  );
}

const RE = {
  fieldLabel: new RegExp(`(?:${FIELD_LABEL})`, 'gu'),
  levelDeclass: new RegExp(`(${SEPARATED_LEVEL_WORDS}|密)\\s?【?\\s?(?:${DECLASS})\\s?】?`, 'gu'),
  declass: new RegExp(DECLASS, 'gu'),
  portion: /【\s?([無密機極絕])\s?】/gu,
  tag: new RegExp(`【\\s?(\\/)?\\s?(${SEPARATED_LEVEL_WORDS}|${k('機敏')}|密)\\s?】`, 'gu'),
  bracketed: new RegExp(`【\\s?(${POSITIONED_MARK_WORDS})\\s?】`, 'gu'),
  lineStart: new RegExp(`^【? ?(${POSITIONED_MARK_WORDS})(?: ?】)?`, 'gmu'),
  inline: new RegExp(`${LEVEL_WORDS}|${k('密件')}`, 'gu'),
  declaration: new RegExp(
    `${DECLARATION}(${POSITIONED_MARK_WORDS})(?:\\s?】)?(?:${k('文件')}|件|${k('資料')}|${k('資訊')}|${k('會議')})?`,
    'gu',
  ),
  meeting: new RegExp(MEETING_SENTENCE, 'gu'),
  prc: new RegExp(`(${k('絕密')}|${k('機密')}|${k('祕密')})\\s?★`, 'gu'),
  englishBanner:
    /^[\s\-–—_*=#~.:|【】]*(TOP SECRET|SECRET|CONFIDENTIAL)(?:\/\/[A-Z0-9 ,/-]*)?[\s\-–—_*=#~.:|【】]*$/gmu,
  englishField: /\b(?:security )?classification ?: ?(top secret|secret|confidential)\b/giu,
  englishWord: /\b(top ?secret|secret|confidential)\b/giu,
  englishSubjectTag:
    /^\s?(?:(?:re|fw|fwd|aw|tr|回覆|回復|轉寄|答覆) ?: ?)*(?:【\s?(top secret|secret|confidential)\s?(?:\/\/[^】]*)?】|(top secret|secret|confidential)\s?(?::|-|–|—|\||\/\/|$))/iu,
  englishBracketed: /【\s?(top secret|secret|confidential)\s?(?:\/\/[^】]*)?】/giu,
  englishNameWord: /(?:^|[^A-Za-z0-9])(TOP ?SECRET|SECRET|CONFIDENTIAL)(?![A-Za-z0-9])/gu,
  markWord: new RegExp(POSITIONED_MARK_WORDS, 'gu'),
  copyNumber: /^\s?(?:$|\n|[:\-–—|/.,;!]|第\s?\d|編號|No\.?\s?\d|\d+\s?\/\s?\d+|份)/u,
} as const;

/**
 * A literal that every match of a pattern contains, found far faster than the pattern is tried: a text without it
 * skips the pattern. The case-insensitive /u English patterns cost V8 an attempt at every character of the windows,
 * most of which, on Chinese prose, hold no Latin letter at all.
 */
const NEEDED = {
  prc: /★/u,
  englishBanner: /SECRET|CONFIDENTIAL/u,
  englishField: /classification/iu,
  englishWord: /secret|confidential/iu,
} as const;

/**
 * Triggers: a window is normalised and matched around each. They are found by one pass over the code units with a
 * lookup table, not by regular expressions: the two patterns this replaced (a character class with an alternation,
 * and a case-insensitive word list) cost a quarter of a scan on mail, most of it building a match per trigger.
 *
 * What triggers, at the first code unit of:
 * - 密 宻 敏 閱 阅, an invisible character (soft hyphen, CGJ, ALM, Mongolian selectors, zero-width and bidi
 *   controls, invisible operators, BOM, variation selectors; the supplementary ones by their \udb40 lead unit) or a
 *   full-width Latin letter: how a mark is written or disguised;
 * - a level character before a closing bracket, with up to 3 spacing characters between, in any of its forms
 *   (〖極〗, ［絕］, ｢機｣): the end of a portion mark; the match runs to the bracket, and nothing inside it triggers again;
 * - secret, confidential (not confidentiality), classification, in any ASCII case.
 */
const TRIGGER_CHAR = 1;
const SUPPLEMENTARY_SELECTOR_LEAD = 2;
const LEVEL_CHAR = 4;
const PORTION_SPACING = 8;
const PORTION_CLOSER = 16;
const ENGLISH_START = 32;

/**
 * A set of flags per UTF-16 code unit, from each flag's characters or inclusive [from, to] ranges: the scans below
 * test each character against a few short lists with one lookup, making no one-character string per character.
 */
function codeUnitFlags(entries: readonly (readonly [number, string | readonly [number, number]])[]): Uint8Array {
  const t = new Uint8Array(0x10000);
  const set = (flag: number, c: number): void => {
    t[c] = (t[c] as number) | flag;
  };
  for (const [flag, chars] of entries) {
    if (typeof chars === 'string') {
      for (let i = 0; i < chars.length; i++) {
        set(flag, chars.charCodeAt(i));
      }
    } else {
      for (let c = chars[0]; c <= chars[1]; c++) {
        set(flag, c);
      }
    }
  }
  return t;
}

/**
 * `build`'s result, made on the first call and kept. The code-unit tables are 64 KB each: built at load, every
 * on-send run (a fresh runtime per send in classic Outlook) paid for them, including sends it never scans.
 */
function onFirstUse<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => {
    if (built === undefined) {
      built = build();
    }
    return built;
  };
}

const triggerTable = onFirstUse(() =>
  codeUnitFlags([
    [TRIGGER_CHAR, '密宻敏閱阅\u00ad\u034f\u061c\ufeff'],
    [TRIGGER_CHAR, [0x180b, 0x180f]],
    [TRIGGER_CHAR, [0x200b, 0x200f]],
    [TRIGGER_CHAR, [0x202a, 0x202e]],
    [TRIGGER_CHAR, [0x2060, 0x2064]],
    [TRIGGER_CHAR, [0x2066, 0x206f]],
    [TRIGGER_CHAR, [0xfe00, 0xfe0f]],
    [TRIGGER_CHAR, [0xff21, 0xff5a]],
    [SUPPLEMENTARY_SELECTOR_LEAD, '\udb40'],
    [LEVEL_CHAR, '機机極极絕绝絶'],
    // JavaScript's \s (white space and line terminators), and the zero-width characters and BOM.
    [PORTION_SPACING, '\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff\u200b\u200c\u200d'],
    [PORTION_SPACING, [0x2000, 0x200a]],
    [PORTION_CLOSER, `${CLOSING_BRACKETS}］〕）」』＞﹥>`],
    [ENGLISH_START, 'sScC'],
  ]),
);

/** Whether `text` has `word` (lower-case ASCII letters) at `at`, in any ASCII case. */
function asciiWordAt(text: string, at: number, word: string): boolean {
  if (at + word.length > text.length) {
    return false;
  }
  for (let j = 0; j < word.length; j++) {
    // Setting bit 0x20 lower-cases an ASCII letter, and maps no other code unit onto a lower-case letter.
    if ((text.charCodeAt(at + j) | 0x20) !== word.charCodeAt(j)) {
      return false;
    }
  }
  return true;
}

/** Length of the English trigger word at `at`, or 0. */
function englishTriggerAt(text: string, at: number): number {
  if ((text.charCodeAt(at) | 0x20) === 0x73) {
    return asciiWordAt(text, at, 'secret') ? 6 : 0;
  }
  if (asciiWordAt(text, at, 'confidential')) {
    return asciiWordAt(text, at + 12, 'ity') ? 0 : 12;
  }
  return asciiWordAt(text, at, 'classification') ? 14 : 0;
}

/** Offsets of the triggers in `text`, ascending, without the 密 of everyday words ({@link isBenignTrigger}). */
export function triggerPositions(text: string): number[] {
  const TRIGGER_TABLE = triggerTable();
  const positions: number[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const flags = TRIGGER_TABLE[c] as number;
    if (flags === 0) {
      i++;
      continue;
    }
    let length = 0;
    if (flags & TRIGGER_CHAR) {
      length = 1;
    } else if (flags & SUPPLEMENTARY_SELECTOR_LEAD) {
      const d = text.charCodeAt(i + 1);
      length = d >= 0xdd00 && d <= 0xddef ? 2 : 0;
    } else if (flags & LEVEL_CHAR) {
      let j = i + 1;
      while (j < n && j - i <= 3 && ((TRIGGER_TABLE[text.charCodeAt(j)] as number) & PORTION_SPACING) !== 0) {
        j++;
      }
      length = j < n && ((TRIGGER_TABLE[text.charCodeAt(j)] as number) & PORTION_CLOSER) !== 0 ? j + 1 - i : 0;
    } else if (flags & ENGLISH_START) {
      length = englishTriggerAt(text, i);
    }
    if (length === 0) {
      i++;
      continue;
    }
    if (!isBenignTrigger(text, i)) {
      positions.push(i);
    }
    i += length;
  }
  return positions;
}

function escapeClass(chars: string): string {
  return chars.replace(/[\]\\^-]/g, '\\$&');
}

/** Half-width of the window normalised around a trigger, in original characters. */
const WINDOW = 64;
/** How far a window is stretched to reach a line boundary, so line-start rules see the whole line. */
const LINE_REACH = 16;
/** Texts shorter than this are normalised whole: windows only pay off on large bodies and attachments. */
const WHOLE_TEXT_LIMIT = 8192;

/** Characters that, written right after 密, make an everyday word that no mark contains (密碼, 密切, 密集 …). */
const BENIGN_AFTER = '碼切集度封室謀友布佈';
/** Likewise right before 密 (緊密, 精密, 嚴密, 親密, 洩密, 加密 …). 保密 and 解密 are not here: 保密期限 and 解密條件 are grammar. */
const BENIGN_BEFORE = '緊精嚴親洩綿周隱私告加細茂稠濃慎';

/**
 * Before 機密, characters that make it prose (公務機密, 含有機密, 洩漏機密, 有關機密). None of them ends a declaration
 * verb (為, 屬, 係, 列為 …), so 「本件為機密文件」 still triggers.
 */
const BENIGN_BEFORE_LEVEL = '務有漏露關涉護竊探';

/** What stands right before 解密 in a declassification condition: a time word or a date. */
const DECLASS_BEFORE = '時後日月年0123456789〇○零一二三四五六七八九十０１２３４５６７８９ ';

/**
 * The four lists above as flags per code unit: a 密 trigger is tested against its neighbours by code unit, with no
 * one-character string made per neighbour (mail has a 密碼 or 保密 in every few lines).
 */
const IS_BENIGN_AFTER = 1;
const IS_BENIGN_BEFORE = 2;
const IS_BENIGN_BEFORE_LEVEL = 4;
const IS_DECLASS_BEFORE = 8;
const neighbourTable = onFirstUse(() =>
  codeUnitFlags([
    [IS_BENIGN_AFTER, BENIGN_AFTER],
    [IS_BENIGN_BEFORE, BENIGN_BEFORE],
    [IS_BENIGN_BEFORE_LEVEL, BENIGN_BEFORE_LEVEL],
    [IS_DECLASS_BEFORE, DECLASS_BEFORE],
  ]),
);

/** The flags of the code unit at `i`; none outside the text. */
function neighbourAt(text: string, i: number): number {
  return i >= 0 && i < text.length ? (neighbourTable()[text.charCodeAt(i)] as number) : 0;
}

/**
 * A 密 inside an everyday word needs no window. Only exact neighbours count: a disguised 「密\u200b碼」 is still a
 * trigger, and a 保密 or 祕密 that could be part of the grammar (保密期限, 祕密★) stays one too.
 */
function isBenignTrigger(text: string, p: number): boolean {
  if (text.charCodeAt(p) !== 0x5bc6) {
    return false;
  }
  if (neighbourAt(text, p + 1) & IS_BENIGN_AFTER || neighbourAt(text, p - 1) & IS_BENIGN_BEFORE) {
    return true;
  }
  const prev = p > 0 ? text.charCodeAt(p - 1) : -1;
  const next = p + 1 < text.length ? text.charCodeAt(p + 1) : 0;
  if (prev === 0x6a5f /* 機 */ && (next === 0x6027 /* 性 */ || neighbourAt(text, p - 2) & IS_BENIGN_BEFORE_LEVEL)) {
    return true;
  }
  if (prev === 0x89e3 /* 解 */) {
    // Declassification (本件於公布時解密, 附件抽存後解密, 本件至115年1月1日解密) or the field label (解密條件); any
    // other 解密 is "decrypt".
    return !(neighbourAt(text, p - 2) & IS_DECLASS_BEFORE) && !text.startsWith('條件', p + 1);
  }
  if (prev === 0x4fdd /* 保 */) {
    return !text.startsWith('期限', p + 1);
  }
  if (prev === 0x79d8 /* 秘 */ || prev === 0x7955 /* 祕 */) {
    return isHan(next);
  }
  return false;
}

interface Window {
  start: number;
  end: number;
}

/** The line break nearest to `from` in the direction of `to` (both included, clamped to the text), or -1. */
function lineBreakBetween(text: string, from: number, to: number): number {
  const step = to < from ? -1 : 1;
  const last = Math.max(0, Math.min(text.length - 1, to));
  for (let i = Math.max(0, Math.min(text.length - 1, from)); ; i += step) {
    if (text.charCodeAt(i) === 0x0a) {
      return i;
    }
    if (i === last) {
      return -1;
    }
  }
}

export function windowsFor(text: string, extraTriggers: readonly string[]): Window[] {
  if (text.length <= WHOLE_TEXT_LIMIT) {
    return [{ start: 0, end: text.length }];
  }
  const positions = triggerPositions(text);
  for (const t of extraTriggers) {
    for (let p = text.indexOf(t); p !== -1; p = text.indexOf(t, p + 1)) {
      positions.push(p);
    }
  }
  // A typed array sorts numbers natively, without a call of a comparator per comparison; the triggers alone are
  // found in order.
  const sorted = extraTriggers.length > 0 ? Float64Array.from(positions).sort() : positions;
  const windows: Window[] = [];
  for (const p of sorted) {
    const start = Math.max(0, p - WINDOW);
    const end = Math.min(text.length, p + WINDOW);
    const last = windows[windows.length - 1];
    if (last && start <= last.end) {
      last.end = Math.max(last.end, end);
    } else {
      windows.push({ start, end });
    }
  }
  for (const w of windows) {
    // Only a line break within reach can move an edge. An unbounded search crossed a whole text without line breaks
    // (one HTML or CSV line) for every window, which made the scan quadratic.
    const ls = lineBreakBetween(text, w.start - 1, w.start - 1 - LINE_REACH);
    if (w.start > 0 && w.start - (ls + 1) <= LINE_REACH) {
      w.start = ls + 1;
    }
    const le = lineBreakBetween(text, w.end, w.end + LINE_REACH);
    if (w.end < text.length && le !== -1 && le - w.end <= LINE_REACH) {
      w.end = le;
    } else if (w.end < text.length && le === -1 && text.length - w.end <= LINE_REACH) {
      w.end = text.length;
    }
  }
  // Stretching can make neighbours overlap again.
  const merged: Window[] = [];
  for (const w of windows) {
    const last = merged[merged.length - 1];
    if (last && w.start <= last.end) {
      last.end = Math.max(last.end, w.end);
    } else {
      merged.push({ ...w });
    }
  }
  return merged;
}

/**
 * Maps a normalised span back to the original text. Origins run backwards inside a right-to-left override (see
 * normalise.ts), so the span is the extent of every origin in it, not its first and last.
 */
function span(nt: NormalisedText, start: number, end: number, original: string): { start: number; end: number } {
  let s = nt.origin[start] as number;
  let lastStart = nt.origin[Math.max(start, end - 1)] as number;
  if (lastStart < s) {
    [s, lastStart] = [lastStart, s];
  }
  for (let i = start + 1; i < end - 1; i++) {
    const o = nt.origin[i] as number;
    s = Math.min(s, o);
    lastStart = Math.max(lastStart, o);
  }
  const cp = original.codePointAt(lastStart) ?? 0;
  return { start: s, end: Math.max(s, lastStart + (cp > 0xffff ? 2 : 1)) };
}

function lineOf(text: string, i: number): string {
  const a = text.lastIndexOf('\n', i - 1) + 1;
  let b = text.indexOf('\n', i);
  if (b === -1) {
    b = text.length;
  }
  return text.slice(a, b);
}

/**
 * How far row and field rules look along a line. Table rows and field values are short; the bound keeps the cost per
 * hit constant on a text that is one long line.
 */
const ROW_REACH = 256;

/** The start of the line around `i`, or `i - reach` when the line is longer. */
function lineStartNear(text: string, i: number, reach = ROW_REACH): number {
  const floor = Math.max(0, i - reach);
  for (let j = i - 1; j >= floor; j--) {
    if (text.charCodeAt(j) === 0x0a) {
      return j + 1;
    }
  }
  return floor;
}

/** The end of the line at `i` (its `\n`, or the text's end), or `i + reach` when the line is longer. */
function lineEndNear(text: string, i: number, reach = ROW_REACH): number {
  const ceiling = Math.min(text.length, i + reach);
  for (let j = i; j < ceiling; j++) {
    if (text.charCodeAt(j) === 0x0a) {
      return j;
    }
  }
  return ceiling;
}

/** The cells of a tabular row: CSV, markdown and pipe tables. A tab between CJK cells is a removed gap instead. */
const CELL_SEPARATORS = ',|;';
const HAN_RE = /[\u3400-\u9fff\uf900-\ufaff]/u;
const HAN_CLASS = '\\u3400-\\u9fff\\uf900-\\ufaff';
/** Another level word as the neighbouring cell or list item: 「絕對機密　極機密」, 「機密,極機密」. */
const LEVEL_ITEM = `(?:絕對機密|極機密|機密|密件|密)`;
const ITEM_SEPARATORS = '[\\s|,;/、／・，；]+';
const LEVEL_AFTER = new RegExp(`^${ITEM_SEPARATORS}${LEVEL_ITEM}(?![${HAN_CLASS}])`, 'u');
/** The start of the next field on the same line (「附件：」「主旨：」): the value before it has ended. */
const NEXT_FIELD = /[\u3400-\u9fff\uf900-\ufaff]{1,10} ?:/u;
const LEADING_LEVEL = /^(絕對機密|極機密|機密|密件|密)(.*)$/u;
/** What may follow a level word inside one cell: 「極機密件」, 「機密級」. */
const LEVEL_SUFFIX = /^(?:件|級|等級)?$/u;
const SENSITIVE_VALUE = /機敏|限閱|敏感/u;
const FIELD_VALUE_REACH = 80;

/** A field value with separators and look-alike characters folded out: 「機．蜜」 → 「機密」. */
function foldFieldValue(v: string): string {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    const ch = v[i] as string;
    if ((c >= 0x3400 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff)) {
      out += LEVEL_CONFUSABLES[ch] ?? ch;
    } else if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) {
      out += ch;
    }
  }
  return out;
}

function isLevelWord(v: string): boolean {
  return /^(?:絕對機密|極機密|機密|密件|密)$/u.test(foldFieldValue(v));
}

/**
 * A box ticked in front of an option of a printed form (☑機密 □普通, ■機密　□密, V機密, 【勾】機密): the ticked
 * option is the form's answer, whatever else the line lists.
 */
const CHECKED_OPTION =
  /(?:[☑☒■▣◼⊠✔✓✅●◉]|【\s?[VvXx✔✓勾]\s?】|(?:^|[^A-Za-z])[Vv](?![A-Za-z])|勾)\s?(絕對機密|極機密|機密|密件|密|普通|無|一般公務)/gu;
/** An empty box in front of a level: an option the form offers, not one it chose. */
const UNTICKED_OPTION = /[□☐◻▢]\s?(?:絕對機密|極機密|機密|密件|密)/u;
/** The template's own hint that the field is left blank when there is no level: 「（無則空白）」. */
const TEMPLATE_HINT = /無則空白/u;

/**
 * What a 密等 field value says. `read` is false when the value is not understood (after a short label, text that
 * does not read as a level): then the field classifies nothing and claims none of the value, so the other rules still
 * read any mark in it.
 */
interface FieldReading {
  level: Level | null;
  read: boolean;
}

/** The level a 密等 field value stands for; see {@link readFieldValue}. */
function fieldValueLevel(fullValue: string, failClosed: boolean): Level | null {
  return readFieldValue(fullValue, failClosed).level;
}

/**
 * Reads a 密等 field value. `failClosed` is for the printed 公文 field after its colon: any text there is a 密等
 * decision, so text that is no level is taken at the level it most resembles, and at least 密. Elsewhere (a short
 * label, a table cell) only a value that reads as a level counts, because those cells also hold column names and
 * ISMS ratings; a level at the start of the value followed by a note (「機密　請勿外流」) is still that level.
 */
function readFieldValue(fullValue: string, failClosed: boolean): FieldReading {
  // A level and its condition fit in this; what runs on is prose that cannot change the answer.
  const value = fullValue.slice(0, FIELD_VALUE_REACH);
  let ticked: Level | null = null;
  let tickedAny = false;
  for (const t of execAll(CHECKED_OPTION, value)) {
    tickedAny = true;
    ticked = maxLevel(ticked, markLevel(t[1] as string));
  }
  if (tickedAny) {
    return { level: ticked, read: true };
  }
  if (UNTICKED_OPTION.test(value)) {
    // A form offering its options in boxes with none of the levels ticked (a blank form, or one ticking 註銷（解密）):
    // an option is not an answer.
    return { level: null, read: true };
  }
  let condition = false;
  // A bracket holds the declassification condition or the template's hint 「（無則空白）」, unless it holds the level.
  const core = value.replace(/【([^】]*)】?/gu, (_all, inner: string) => {
    if (isLevelWord(inner)) {
      return inner;
    }
    // A condition still holding placeholders (本件至OOO年OO月OO日解密) is the template's, not a decision.
    condition = condition || (/解密|期限/u.test(inner) && !/[OoXx○〇]{2}/u.test(inner));
    return ' ';
  });
  const options = core
    .split(/[、,/;及或和與\s]+/u)
    .filter(isLevelWord)
    .map((o) => markLevel(foldFieldValue(o)) as Level);
  if (options.length >= 2) {
    // The template lists every option (絕對機密、極機密、機密、密（無則空白）): a listing is not a choice. Any other
    // list of levels with none ticked (機密或極機密) is a choice left open, taken at its highest.
    const template =
      TEMPLATE_HINT.test(value) || (['絕對機密', '極機密', '機密'] as const).every((l) => options.includes(l));
    return { level: template ? null : options.reduce<Level | null>(maxLevel, null), read: true };
  }
  const firstWord = /^\s?([^\s,;、。:!?]+)/u.exec(core);
  if (!failClosed && firstWord && /^\s?:/u.test(core.slice(firstWord[0].length))) {
    // A level and its meaning after a colon (「絕對機密：非常重大損害」 under a heading) is a definition, not a value.
    return { level: null, read: false };
  }
  if (!failClosed && firstWord && /\s?[^\s]/u.test(core.slice(firstWord[0].length))) {
    // A level followed by a note (「極機密　限本部」) is that level; the note cannot lower it.
    const lead = LEADING_LEVEL.exec(foldFieldValue(firstWord[1] as string));
    if (lead && LEVEL_SUFFIX.test(lead[2] as string)) {
      return { level: markLevel(lead[1] as string), read: true };
    }
  }
  const typed = foldFieldValue(core);
  const folded = FIELD_PLACEHOLDER.test(typed) ? '' : typed;
  if (folded === '') {
    return condition && failClosed ? { level: '密', read: true } : { level: null, read: true };
  }
  if (FIELD_UNCLASSIFIED.test(folded)) {
    return { level: null, read: true };
  }
  const leading = LEADING_LEVEL.exec(folded);
  if (leading && LEVEL_SUFFIX.test(leading[2] as string)) {
    return { level: markLevel(leading[1] as string), read: true };
  }
  if (folded.length === 1 && PORTION_LEVELS[folded]) {
    // The one-character level of an MND portion mark (機, 極, 絕), written as the field's value.
    return { level: PORTION_LEVELS[folded] as Level, read: true };
  }
  if (!failClosed) {
    return { level: null, read: false };
  }
  for (const word of ['絕對機密', '極機密', '機密'] as const) {
    if (folded.includes(word)) {
      return { level: word, read: true };
    }
  }
  if (SENSITIVE_VALUE.test(folded)) {
    return { level: '密', read: true };
  }
  return { level: resembledLevel(folded), read: true };
}

/** The level a typed value that is no level most resembles, and at least 密: 「絕封」 → 絕對機密. */
function resembledLevel(folded: string): Level {
  if (/[絕對]/u.test(folded)) {
    return '絕對機密';
  }
  if (folded.includes('極')) {
    return '極機密';
  }
  return folded.includes('機') ? '機密' : '密';
}

/** `text[a, b)` with the spacing that normalisation removed between CJK characters put back as a space. */
function withGaps(nt: NormalisedText, a: number, b: number): string {
  let out = '';
  for (let i = a; i < b; i++) {
    out += (i > a && nt.gap[i] === 1 ? ' ' : '') + (nt.text[i] as string);
  }
  return out;
}

/** The end of one cell starting at `p`: the next cell separator, line break, quote, or spacing between cells. */
function cellEnd(nt: NormalisedText, p: number): number {
  const text = nt.text;
  const ceiling = Math.min(text.length, p + ROW_REACH);
  let i = p;
  while (i < ceiling) {
    const ch = text[i] as string;
    if (ch === '\n' || ch === '"' || CELL_SEPARATORS.includes(ch) || (i > p && (ch === ' ' || nt.gap[i] === 1))) {
      break;
    }
    i++;
  }
  return i;
}

/**
 * Reads the value of a 密等 field whose label is `text[labelStart, labelEnd)`: after a colon, in the next cell of a
 * row (CSV, TSV, markdown, spreadsheet cells), or on the next line (a table cell below or beside it in a document).
 * Returns null when no value position follows the label, as in prose (「本件無密等」).
 */
/** What follows a 密等 label: a colon, or the cell separator of a row, or a colon on the next line. */
const FIELD_LEAD = / ?"? ?(?:([:,|;]) ?"? ?|\n(:) ?)/uy;
/**
 * Where a field value starting at `from` ends, before `to`: at a comma or semicolon outside the condition's bracket
 * (【…】, read to its 】 or to `to`): the pattern ^[^【,;]*(?:【[^】]*】?[^【,;]*)* read by hand, since it runs for every
 * 密等 label (one line in fifteen of the bench's mail) and a match object each was a good part of reading the field.
 */
function fieldValueEnd(text: string, from: number, to: number): number {
  let i = from;
  for (;;) {
    while (i < to) {
      const c = text.charCodeAt(i);
      if (c === 0x3010 /* 【 */ || c === 0x2c /* , */ || c === 0x3b /* ; */) {
        break;
      }
      i++;
    }
    if (i >= to || text.charCodeAt(i) !== 0x3010) {
      return i;
    }
    i++;
    while (i < to && text.charCodeAt(i) !== 0x3011 /* 】 */) {
      i++;
    }
    if (i < to) {
      i++;
    }
  }
}
const TRAILING_SPACE = /\s+$/u;
const BLANK_LINE_BETWEEN = /\n[^\n\S]*\n/u;

function readField(
  nt: NormalisedText,
  original: string,
  labelEnd: number,
  formal: boolean,
): { level: Level | null; end: number } | null {
  const text = nt.text;
  const lead = FIELD_LEAD;
  lead.lastIndex = labelEnd;
  const m = lead.exec(text);
  const sep = m ? ((m[1] ?? m[2]) as string) : '';
  let p = m ? labelEnd + m[0].length : labelEnd;
  if (sep === ':') {
    const lineEnd = lineEndNear(text, p);
    let end = lineEnd;
    for (let j = p; j < lineEnd; j++) {
      if (text.charCodeAt(j) === 0x7c /* | */) {
        end = j;
        break;
      }
    }
    // A comma outside the condition's bracket ends the value, so does the next field's label on the same line.
    let value = text.slice(p, fieldValueEnd(text, p, end));
    const next = value.indexOf(':') === -1 ? null : NEXT_FIELD.exec(value);
    if (next) {
      // The next label starts where spacing was, not necessarily where the run of Han does (「密　附件：」).
      let at = next.index;
      for (let j = next.index + 1; j < next.index + next[0].length; j++) {
        if (nt.gap[p + j] === 1 || value[j - 1] === ' ') {
          at = j;
        }
      }
      value = value.slice(0, at);
    }
    const valueEnd = p + value.replace(TRAILING_SPACE, '').length;
    if (value.trim() !== '') {
      const reading = readFieldValue(withGaps(nt, p, p + value.length), formal);
      return { level: reading.level, end: reading.read ? valueEnd : labelEnd };
    }
    if (text[end] !== '\n' || text.slice(p, end).trim() !== '') {
      // Blank, and the line goes on with the next field or cell (「密等及解密條件或保密期限：　附件：如文」).
      return { level: null, end: labelEnd };
    }
    // Blank on its own line: a value wrapped onto the next line still counts if it reads as a level, but not across a
    // blank line (normalisation folds it into one break): the next paragraph (a glossary or a listing) is no value.
    if (BLANK_LINE_BETWEEN.test(original.slice(nt.origin[end] as number, nt.origin[end + 1] as number))) {
      return { level: null, end: labelEnd };
    }
    const nextEnd = cellEnd(nt, end + 1);
    const level = fieldValueLevel(text.slice(end + 1, nextEnd), false);
    return level ? { level, end: nextEnd } : { level: null, end: labelEnd };
  }
  if (sep === '') {
    if (text[labelEnd] === '\n' || text[labelEnd] === ' ') {
      // The next cell on the same line (space-separated), or the cell below or beside it in a document table.
      p = labelEnd + 1;
    } else if (nt.gap[labelEnd] === 1) {
      // Spacing between CJK cells (a tab in TSV and spreadsheet rows) was removed by normalisation.
      p = labelEnd;
    } else {
      return null;
    }
  }
  if (UNTICKED_OPTION.test(text.slice(p, p + 6))) {
    // Boxed options fill the rest of the cell, spacing and all: read them together, so only a ticked one answers.
    const optionsEnd = lineEndNear(text, p);
    const reading = readFieldValue(text.slice(p, optionsEnd), false);
    return { level: reading.level, end: optionsEnd };
  }
  const end = cellEnd(nt, p);
  // A level in the next cell too makes the row a listing of levels (國家機密等級,絕對機密,極機密,機密).
  const listing = LEVEL_AFTER.test(withGaps(nt, end, lineEndNear(text, end)));
  const level = listing ? null : fieldValueLevel(text.slice(p, end), false);
  return { level, end: level ? end : labelEnd };
}

/**
 * The delimiter a header row `text[from, to)` is read by, or undefined when the line has none: a tab before a pipe
 * before a comma before a semicolon, whichever of them the line holds.
 */
function cellDelimiter(text: string, from: number, to: number): string | undefined {
  let pipe = false;
  let comma = false;
  let semicolon = false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x09) {
      return '\t';
    }
    if (c === 0x7c) {
      pipe = true;
    } else if (c === 0x2c) {
      comma = true;
    } else if (c === 0x3b) {
      semicolon = true;
    }
  }
  return pipe ? '|' : comma ? ',' : semicolon ? ';' : undefined;
}

/** How many rows below a header a field column is read; a table of 公文 is far shorter. */
const COLUMN_ROWS = 50000;
/** How far a header line is followed to find its start and end; a register's header is far shorter. */
const HEADER_REACH = 8192;

/**
 * The field label as a column header (「文號,主旨,密等及解密條件或保密期限,速別」, a register exported to CSV or a sheet):
 * the rows below hold each document's value in that column, a bare 密 included. Read on the original text, row by
 * row, until a blank line or a row whose cell in that column is the label again (a new table), so each row is read for
 * one header only. The column index needs the header's real start: when the header is too long to find it, every
 * cell of the rows below is read instead, so a register cannot hide its column behind a long header.
 */
function fieldColumn(
  original: string,
  labelStart: number,
  labelEnd: number,
): { level: Level; start: number; end: number }[] {
  const ls = lineStartNear(original, labelStart, HEADER_REACH);
  const le = lineEndNear(original, labelEnd, HEADER_REACH);
  const delimiter = cellDelimiter(original, ls, le);
  if (delimiter === undefined) {
    // Most labels stand in a line of prose or a 公文 header block, not in a table's header row.
    return [];
  }
  const known = (ls === 0 || original[ls - 1] === '\n') && (le === original.length || original[le] === '\n');
  const header = original.slice(ls, le).replace(/\r$/u, '');
  const cellsBefore = header.slice(0, labelStart - ls).split(delimiter);
  const column = known ? cellsBefore.length - 1 : -1;
  const labelText = original.slice(labelStart, labelEnd);
  // The label must be the whole cell: 「密等說明」 or 「密等：」 head other columns.
  const aroundLabel = `${cellsBefore[cellsBefore.length - 1] ?? ''}${header.slice(labelEnd - ls).split(delimiter)[0] ?? ''}`;
  if (aroundLabel.replace(/["'\s]/gu, '') !== '') {
    return [];
  }
  const isLabel = (cell: string): boolean => cell.replace(/["'\s]/gu, '') === labelText;
  const out: { level: Level; start: number; end: number }[] = [];
  // The rows start after the header's real end, however far it is; the rows are read to their ends just the same.
  const headerEnd = original[le] === '\n' ? le : original.indexOf('\n', le);
  let pos = headerEnd === -1 ? original.length : headerEnd + 1;
  for (let rows = 0; pos < original.length && rows < COLUMN_ROWS; rows++) {
    let end = original.indexOf('\n', pos);
    if (end === -1) {
      end = original.length;
    }
    const row = original.slice(pos, end).replace(/\r$/u, '');
    const cells = row.split(delimiter);
    if (row.trim() === '' || (column === -1 ? cells.some(isLabel) : isLabel(cells[column] ?? ''))) {
      break;
    }
    // A glossary table headed 密等 lists each level beside its English name; its rows classify nothing.
    const read = levelPairRow(row) !== null ? [] : column === -1 ? cells.map((_, i) => i) : [column];
    for (const i of read) {
      const cell = cells[i];
      const level = cell === undefined ? null : fieldValueLevel(cell.replace(/["']/gu, ''), false);
      if (cell !== undefined && level) {
        const cellStart = pos + cells.slice(0, i).reduce((n, c) => n + c.length + delimiter.length, 0);
        const start = cellStart + (/^\s*/u.exec(cell) as RegExpExecArray)[0].length;
        out.push({ level, start, end: cellStart + cell.replace(/\s+$/u, '').length });
      }
    }
    pos = end + 1;
  }
  return out;
}

const ENGLISH_NAME = /^(?:top ?secret|secret|confidential|sensitive|official ?secret|restricted|classified)$/iu;
/** Separators between the cells of a row or the items of a list. */
const ROW_SEPARATORS = /[\s|,;:/、／：=\-–—]+/u;

/** Cell separators of a table row as text: a sheet's tab, a CSV comma, a markdown pipe. */
const TABLE_CELL = /[\t|,]/u;

/** The cells of a table row split at {@link TABLE_CELL}, without their quotes and padding. */
function tableCells(line: string): string[] {
  return line.split(TABLE_CELL).map((c) => c.replace(/["']/gu, '').trim());
}

/**
 * A row that pairs one level with its English name, 「極機密　Secret」, or null. In a table row the pair may stand
 * beside other columns (the legal basis, the longest secrecy period: 「絕對機密,Top Secret,30年」): a glossary table,
 * as long as exactly one cell is a level and another cell is nothing but an English level name.
 */
function levelPairRow(line: string): string | null {
  if (TABLE_CELL.test(line)) {
    const cells = tableCells(line);
    const levels = cells.filter((c) => isLevelWord(c));
    if (levels.length === 1 && cells.some((c) => ENGLISH_NAME.test(c))) {
      return foldFieldValue(levels[0] as string);
    }
  }
  const cells = line.split(ROW_SEPARATORS).filter((c) => c !== '');
  const han = cells.filter((c) => HAN_RE.test(c));
  const english = cells.filter((c) => !HAN_RE.test(c)).join(' ');
  if (han.length !== 1 || !ENGLISH_NAME.test(english) || !isLevelWord(han[0] as string)) {
    return null;
  }
  return foldFieldValue(han[0] as string);
}

/** A cell as a whole: quotes and padding are not part of it. */
function bareCell(cell: string): string {
  return cell.replace(/["'\s\u3000]/gu, '');
}

const LEVEL_CELL = new RegExp(`^${LEVEL_ITEM}$`, 'u');
/** Cells of a table row as text: tab, comma, pipe, semicolon, or padding (two spaces, an ideographic space). */
const ROW_CELL_SEPARATOR = /\t|[,，|｜;；]|[ ]*\u3000[ \u3000]*| {2,}/gu;
/** Items of a listing on one line: any of the cell separators, a single space, 、 or a slash. */
const LIST_ITEM_SEPARATOR = new RegExp(ITEM_SEPARATORS, 'gu');

/**
 * Splits `line` at `separator` and returns the cells and which of them is `line[s, e)` as a whole cell, or null when
 * the line has no separator or the span is only part of its cell (「機密：本報告…」).
 */
function cellsAround(line: string, s: number, e: number, separator: RegExp): { cells: string[]; at: number } | null {
  const cells: string[] = [];
  let from = 0;
  let at = -1;
  for (const m of execAll(separator, line)) {
    if (m[0].length === 0) {
      continue;
    }
    if (from <= s && e <= m.index) {
      at = cells.length;
    }
    cells.push(line.slice(from, m.index));
    from = m.index + m[0].length;
  }
  if (cells.length === 0) {
    return null;
  }
  if (from <= s && e <= line.length) {
    at = cells.length;
  }
  cells.push(line.slice(from));
  if (at === -1 || bareCell(cells[at] as string) !== bareCell(line.slice(s, e))) {
    return null;
  }
  return { cells: cells.map(bareCell), at };
}

/** How many different levels a run of level cells around `at` holds; a listing names three or more. */
function levelRun(cells: readonly string[], at: number): number {
  let a = at;
  let b = at;
  while (a > 0 && LEVEL_CELL.test(cells[a - 1] as string)) {
    a--;
  }
  while (b < cells.length - 1 && LEVEL_CELL.test(cells[b + 1] as string)) {
    b++;
  }
  return new Set(cells.slice(a, b + 1).map(foldFieldValue)).size;
}

/** The lines above (`step` -1) or below (+1) the line `[ls, le)`, at most `count`, each read within the row reach. */
function linesBeside(text: string, ls: number, le: number, step: -1 | 1, count: number): string[] {
  const out: string[] = [];
  let a = ls;
  let b = le;
  while (out.length < count) {
    if (step < 0) {
      if (a === 0 || text[a - 1] !== '\n') {
        break;
      }
      b = a - 1;
      a = lineStartNear(text, b);
    } else {
      if (text[b] !== '\n') {
        break;
      }
      a = b + 1;
      b = lineEndNear(text, a);
    }
    out.push(text.slice(a, b).replace(/\r$/u, ''));
  }
  return out;
}

/** How far up and down a table read cell per line is followed. */
const STACK_REACH = 4;

/**
 * A level word in a row that also holds other attribute or level words is a column header or a listing, not a mark:
 * the ISMS triad 「機密　完整性　可用性」, a row of levels 「絕對機密　極機密　機密　密」, a glossary row pairing a level with
 * its English name 「絕對機密　Top Secret」. Whoever types a banner controls its case and its separators, so a pair on
 * its own is a mark however it is written; it is a glossary row only beside a pair of a different level. Each test
 * asks for whole cells, so the same words in a sentence never hide a mark.
 */
function headerOrListingRow(original: string, start: number, end: number, position: SegmentPosition): boolean {
  const ls = lineStartNear(original, start);
  const le = lineEndNear(original, end);
  const line = original.slice(ls, le).replace(/\r$/u, '');
  const row = cellsAround(line, start - ls, end - ls, ROW_CELL_SEPARATOR);
  if (row && row.cells.some((c, i) => i !== row.at && TRIAD_ATTRIBUTE.test(c))) {
    return true;
  }
  const items = cellsAround(line, start - ls, end - ls, LIST_ITEM_SEPARATOR);
  if (items && levelRun(items.cells, items.at) >= 3) {
    return true;
  }
  const above = linesBeside(original, ls, le, -1, STACK_REACH);
  const below = linesBeside(original, ls, le, 1, STACK_REACH);
  if (!MARKING_POSITIONS.has(position) && bareCell(line) === bareCell(original.slice(start, end))) {
    if (stackedHeaderOrListing(bareCell(line), above.map(bareCell), below.map(bareCell))) {
      return true;
    }
  }
  if (row && row.cells.some((c, i) => i !== row.at && DECLASSIFIED_CELL.test(c))) {
    // A row of a 解密 inventory: the level is what the document was, beside its 已解密.
    return true;
  }
  const word = foldFieldValue(original.slice(start, end));
  const definition = (l: string | undefined): string | null => {
    const d = l === undefined ? null : LEVEL_DEFINITION.exec(l);
    return d ? foldFieldValue(d[1] as string) : null;
  };
  if (definition(line) === word) {
    // A list defining each level on its own line (「絕對機密：非常重大損害」「極機密：重大損害」) teaches the levels.
    const near = [...above.slice(0, 2), ...below.slice(0, 2)].map(definition);
    if (near.some((d) => d !== null && d !== word)) {
      return true;
    }
  }
  const pair = levelPairRow(line);
  if (pair === null) {
    return glossaryRowWithoutName(line, word, above[0], below[0]);
  }
  const prev = above[0] === undefined ? null : levelPairRow(above[0]);
  const next = below[0] === undefined ? null : levelPairRow(below[0]);
  return (prev !== null && prev !== pair) || (next !== null && next !== pair);
}

/** A cell saying the document is no longer classified. */
const DECLASSIFIED_CELL = /^(?:已|業已|業經)?(?:解密|解除密等|解除機密|註銷)$/u;
/** A line that defines a level: the level, a colon, its meaning. */
const LEVEL_DEFINITION = /^\s*(絕對機密|極機密|機密|密)\s?[:：]\s?\S/u;

/**
 * A glossary table row whose level has no English name (「密　-　依機關規定」): it is a glossary row when the row
 * beside it, with as many cells, pairs another level with its English name.
 */
function glossaryRowWithoutName(
  line: string,
  word: string,
  above: string | undefined,
  below: string | undefined,
): boolean {
  if (!TABLE_CELL.test(line)) {
    return false;
  }
  const cells = tableCells(line);
  if (!cells.some((c) => isLevelWord(c) && foldFieldValue(c) === word)) {
    return false;
  }
  return [above, below].some((l) => {
    const pair = l === undefined ? null : levelPairRow(l);
    return pair !== null && pair !== word && (l as string).split(TABLE_CELL).length === cells.length;
  });
}

/**
 * A table whose cells each became a line (a document table read cell by cell): a level alone on its line is a header
 * cell when two more lines of its run are ISMS attributes (機密/完整性/可用性), a listing when the run holds three or
 * more different levels, and a glossary cell when it and the English name below it sit beside another level and its
 * name. A single stacked neighbour is not enough: a banner above one line of text looks just like it.
 */
function stackedHeaderOrListing(cell: string, above: readonly string[], below: readonly string[]): boolean {
  const inRun = (c: string): boolean => LEVEL_CELL.test(c) || TRIAD_ATTRIBUTE.test(c);
  const run = [cell];
  for (const c of above) {
    if (!inRun(c)) {
      break;
    }
    run.unshift(c);
  }
  for (const c of below) {
    if (!inRun(c)) {
      break;
    }
    run.push(c);
  }
  if (run.filter((c) => TRIAD_ATTRIBUTE.test(c)).length >= 2) {
    return true;
  }
  if (new Set(run.filter((c) => LEVEL_CELL.test(c)).map(foldFieldValue)).size >= 3) {
    return true;
  }
  const level = foldFieldValue(cell);
  const pairAt = (lines: readonly string[], i: number): boolean =>
    LEVEL_CELL.test(lines[i] ?? '') &&
    ENGLISH_NAME.test(lines[i + 1] ?? '') &&
    foldFieldValue(lines[i] ?? '') !== level;
  // 0-based: below[0] is this cell's English name; below[1..2] the next pair, above[1..0] the previous one.
  const englishBelow = ENGLISH_NAME.test(below[0] ?? '');
  const previousPair =
    LEVEL_CELL.test(above[1] ?? '') && ENGLISH_NAME.test(above[0] ?? '') && foldFieldValue(above[1] ?? '') !== level;
  return englishBelow && (pairAt(below, 1) || previousPair);
}

/** How far back a list of examples is followed to the word that introduces it. */
const EXAMPLE_REACH = 80;

/**
 * A declassification phrase introduced as an example (例如：本件於公布時解密, 如「…」或「…」) is being taught, not
 * applied. Only the phrase itself, right after the word that introduces it or after the examples before it in the
 * same list, is excused: 「例如東部雷達站，極機密（…）」 introduced something else and its level stands.
 */
function inExample(text: string, start: number): boolean {
  const before = text.slice(Math.max(0, start - EXAMPLE_REACH), start).replace(EXAMPLE_CHAIN, '');
  return EXAMPLE_INTRO.test(before);
}

/** Runs the grammar over one normalised window. */
function matchWindow(
  nt: NormalisedText,
  original: string,
  position: SegmentPosition,
  options: DetectOptions,
  hits: Hit[],
  tags: Tag[],
): void {
  const text = nt.text;
  const add = (rule: string, level: Level, s: number, e: number, kind: Hit['kind'] = 'mark'): void => {
    const o = span(nt, s, e, original);
    hits.push({ rule, level, start: o.start, end: o.end, kind });
  };
  const spanOf = (s: number, e: number): [number, number] => {
    const o = span(nt, s, e, original);
    return [o.start, o.end];
  };
  const consumed = new ConsumedSpans(text.length);
  const isConsumed = (s: number, e: number): boolean => consumed.overlaps(s, e);

  // Delimited regions: 〔機密〕…〔/機密〕. Their tags are not marks of their own.
  for (const m of execAll(RE.tag, text)) {
    const level = markLevel(m[2] as string);
    if (!level) {
      continue;
    }
    const o = span(nt, m.index, m.index + m[0].length, original);
    tags.push({ open: m[1] === undefined, level, start: o.start, end: o.end });
  }

  for (const m of execAll(RE.fieldLabel, text)) {
    const field = readField(nt, original, m.index + m[0].length, FORMAL_FIELD_LABEL.test(unbreak(m[0])));
    if (!field) {
      continue;
    }
    if (field.end > m.index + m[0].length) {
      // A value is consumed even when it classifies nothing (the template's option list), so no other rule reads its
      // level words again; a blank field has nothing to consume.
      consumed.add(m.index, field.end);
    }
    if (field.level) {
      add('field.classification', field.level, m.index, field.end);
    } else {
      const label = span(nt, m.index, m.index + m[0].length, original);
      for (const v of fieldColumn(original, label.start, label.end)) {
        hits.push({ rule: 'field.classification', level: v.level, start: v.start, end: v.end, kind: 'mark' });
      }
    }
  }

  for (const m of execAll(RE.levelDeclass, text)) {
    const level = markLevel(m[1] as string);
    if (!level || gluedBefore(nt, m.index) || isConsumed(m.index, m.index + m[0].length)) {
      continue;
    }
    consumed.add(m.index, m.index + m[0].length);
    if (inExample(text, m.index)) {
      continue;
    }
    add('level.declassification', level, m.index, m.index + m[0].length);
  }

  for (const m of execAll(RE.declass, text)) {
    if (isConsumed(m.index, m.index + m[0].length) || inExample(text, m.index)) {
      continue;
    }
    add('declassification', '密', m.index, m.index + m[0].length);
  }

  for (const m of execAll(RE.meeting, text)) {
    add('meeting.secrecy-notice', '機敏', m.index, m.index + m[0].length);
    consumed.add(m.index, m.index + m[0].length);
  }

  for (const m of execAll(RE.portion, text)) {
    const level = PORTION_LEVELS[m[1] as string];
    const s = m.index;
    const e = s + m[0].length;
    consumed.add(s, e);
    if (!level || proseAround(text, s, e) || adjacentToBracketedMark(text, s, e, level)) {
      continue;
    }
    add('portion', level, s, e, position === 'body' ? 'portion' : 'mark');
  }

  for (const m of execAll(RE.bracketed, text)) {
    const s = m.index;
    const e = s + m[0].length;
    const level = markLevel(m[1] as string);
    if (!level || isConsumed(s, e)) {
      continue;
    }
    // Consumed even when it is prose, so the inline rule does not take the same words again.
    consumed.add(s, e);
    if (proseAround(text, s, e) || adjacentToBracketedMark(text, s, e, level)) {
      continue;
    }
    add(levelRank(level) >= 1 ? 'level.bracketed' : 'label.bracketed', level, s, e);
  }

  for (const m of execAll(RE.declaration, text)) {
    const level = markLevel(m[1] as string);
    const s = m.index;
    const e = s + m[0].length;
    if (!level || isConsumed(s, e) || gluedAfter(nt, e)) {
      continue;
    }
    add('declaration', level, s, e);
    consumed.add(s, e);
  }

  for (const m of execAll(RE.lineStart, text)) {
    const word = unbreak(m[1] as string);
    const level = markLevel(word);
    const s = m.index;
    const e = s + m[0].length;
    if (!level || isConsumed(s, e) || m[0].length === 0) {
      continue;
    }
    // What follows on the same line: the next line is another paragraph, not this mark's prose or copy number.
    const rest = lineContext(text, s, e, 24).after;
    if (WEAK_MARKS.has(word)) {
      if (gluedAfter(nt, e) || !RE.copyNumber.test(rest)) {
        continue;
      }
    } else if (gluedAfter(nt, e) || PROSE_AFTER.test(rest)) {
      continue;
    }
    if (headerOrListingRow(original, ...spanOf(s, e), position)) {
      continue;
    }
    add(levelRank(level) >= 1 ? 'level.standalone' : 'label.standalone', level, s, e);
    consumed.add(s, e);
  }

  for (const m of execAll(RE.inline, text)) {
    const s = m.index;
    const e = s + m[0].length;
    const level = markLevel(m[0]);
    if (!level || isConsumed(s, e) || gluedBefore(nt, s) || gluedAfter(nt, e)) {
      continue;
    }
    if (proseAround(text, s, e) || /^\s?★/u.test(text.slice(e, e + 2))) {
      continue;
    }
    if (headerOrListingRow(original, ...spanOf(s, e), position)) {
      continue;
    }
    add('level.inline', level, s, e);
  }

  for (const m of NEEDED.prc.test(text) ? execAll(RE.prc, text) : []) {
    const key = unbreak(m[1] as string);
    const level = PRC_LEVELS[key];
    if (!level || gluedBefore(nt, m.index)) {
      continue;
    }
    add('prc.level', level, m.index, m.index + m[0].length);
  }

  if (BOUNDED_WORD_POSITIONS.has(position)) {
    // In a header, footer, watermark or name any bounded mark word counts, the bare 密 included.
    for (const m of execAll(RE.markWord, text)) {
      const s = m.index;
      const e = s + m[0].length;
      const level = markLevel(m[0]);
      if (!level || isConsumed(s, e) || gluedBefore(nt, s) || gluedAfter(nt, e)) {
        continue;
      }
      if (
        PROSE_AFTER.test(lineContext(text, s, e, 6).after) ||
        headerOrListingRow(original, ...spanOf(s, e), position)
      ) {
        continue;
      }
      add(position === 'name' ? 'name.marking' : 'position.marking', level, s, e);
    }
  }

  matchEnglish(nt, position, add);

  for (const rule of options.customRules ?? []) {
    for (const kw of rule.keywords) {
      for (let p = text.indexOf(kw); p !== -1; p = text.indexOf(kw, p + 1)) {
        add(`custom.${rule.id}`, rule.level, p, p + kw.length);
      }
    }
  }
}

function matchEnglish(
  nt: NormalisedText,
  position: SegmentPosition,
  add: (rule: string, level: Level, s: number, e: number) => void,
): void {
  const text = nt.text;
  const seen = new Set<number>();
  const once = (rule: string, word: string, s: number, e: number): void => {
    if (seen.has(s)) {
      return;
    }
    seen.add(s);
    add(rule, englishLevel(word), s, e);
  };
  if (position === 'subject' || position === 'name') {
    // A name is tagged as a subject is (「CONFIDENTIAL - 報價.pdf」, 「[SECRET] plan.docx」), and may also carry the
    // word in capitals between separators (「plan_SECRET.docx」); a lower-case word there is a name (Secret Santa).
    const rule = position === 'name' ? 'english.name' : 'english.subject-tag';
    const m = RE.englishSubjectTag.exec(text);
    if (m) {
      once(rule, (m[1] ?? m[2]) as string, m.index, m.index + m[0].length);
    }
    for (const b of execAll(RE.englishBracketed, text)) {
      once(rule, b[1] as string, b.index, b.index + b[0].length);
    }
    if (position === 'name') {
      for (const w of execAll(RE.englishNameWord, text)) {
        const word = w[1] as string;
        const s = w.index + w[0].indexOf(word);
        once(rule, word.replace(/TOP ?SECRET/, 'TOP SECRET'), s, s + word.length);
      }
    }
  }
  for (const m of NEEDED.englishBanner.test(text) ? execAll(RE.englishBanner, text) : []) {
    if (DISCLAIMER_HINT.test(m[0])) {
      continue;
    }
    const word = m[1] as string;
    const s = m.index + m[0].indexOf(word);
    once('english.banner', word, s, s + word.length);
  }
  for (const m of NEEDED.englishField.test(text) ? execAll(RE.englishField, text) : []) {
    once('english.classification-field', m[1] as string, m.index, m.index + m[0].length);
  }
  if (MARKING_POSITIONS.has(position)) {
    for (const m of NEEDED.englishWord.test(text) ? execAll(RE.englishWord, text) : []) {
      if (DISCLAIMER_HINT.test(lineOf(text, m.index))) {
        continue;
      }
      once('english.header', (m[1] as string).replace(/top ?secret/i, 'TOP SECRET'), m.index, m.index + m[0].length);
    }
  }
}

/** Brackets as written in the original text: the folded forms plus the full-width ones NFKC folds into them. */
const OPENERS_AS_WRITTEN = `${OPENING_BRACKETS}（［｛＜﹤〈`;
const CLOSERS_AS_WRITTEN = `${CLOSING_BRACKETS}）］｝＞﹥〉`;

/**
 * Paragraph boundaries: a blank line, or the end of a line that ends with a portion mark (each MND paragraph does), in
 * any bracket the detector reads as one (〖極〗 and ［絕］ as well as 【機】).
 */
const PORTION_LINE_END = new RegExp(
  `[${escapeClass(OPENERS_AS_WRITTEN)}][\\s\\u200b-\\u200d\\ufeff]*[無密機極絕机极绝絶宻][\\s\\u200b-\\u200d\\ufeff]*` +
    `[${escapeClass(CLOSERS_AS_WRITTEN)}][ \\t\\u3000\\r]*$`,
  'u',
);

/**
 * Lines that open a paragraph of their own: a 公文 or minutes item number (一、 1. ㈠ ① 甲、 …), a list bullet
 * (● ◎ ■ ◆ ※ •; not ○, which stands for a withheld name as in 「○○局」), or an opening bracket (（一） (1), a
 * start-of-paragraph portion mark, a heading, a quotation). A portion mark at the start of a paragraph covers the
 * lines after it only up to such a line; without this the next item went with it when stripped.
 */
const PARAGRAPH_START = new RegExp(
  '^[ \\t\\u3000]*(?:[一二三四五六七八九十百]{1,3}[、．]|[0-9０-９]{1,3}[、．.](?![0-9０-９])|[甲乙丙丁戊己庚辛壬癸][、．]|' +
    `[\\u2460-\\u249b\\u3220-\\u3229\\u2776-\\u277f●◎■◆※•]|[${escapeClass(OPENERS_AS_WRITTEN)}])`,
  'u',
);

/** The paragraph around `[start, end)`, in original offsets, without its surrounding line breaks. */
export function paragraphAround(text: string, start: number, end: number): { start: number; end: number } {
  let a = text.lastIndexOf('\n', start - 1) + 1;
  while (a > 0) {
    const prevStart = text.lastIndexOf('\n', a - 2) + 1;
    const prev = text.slice(prevStart, a - 1);
    if (prev.trim() === '' || PORTION_LINE_END.test(prev)) {
      break;
    }
    a = prevStart;
  }
  let b = text.indexOf('\n', end);
  if (b === -1) {
    b = text.length;
  }
  while (b < text.length) {
    const line = text.slice(text.lastIndexOf('\n', b - 1) + 1, b);
    if (PORTION_LINE_END.test(line)) {
      break;
    }
    let nextEnd = text.indexOf('\n', b + 1);
    if (nextEnd === -1) {
      nextEnd = text.length;
    }
    const next = text.slice(b + 1, nextEnd);
    if (next.trim() === '' || PARAGRAPH_START.test(next)) {
      break;
    }
    b = nextEnd;
  }
  while (b > a && (text[b - 1] === '\r' || text[b - 1] === '\n')) {
    b--;
  }
  return { start: a, end: b };
}

/**
 * `paragraphAround` for all the portion marks of one text, with identical results. Walking lines from each mark
 * made a text with a portion mark on each of N unbroken lines cost N² (8,000 lines took seconds); here each line's
 * paragraph start and end are found once, on the first walk that crosses the line, and later walks stop there.
 * Lines are known by the offset they start at and found from the mark outwards, never by indexing every line of the
 * text up front: on a large body with a few portion marks that index cost more than the rest of the scan's paragraphs.
 */
export class PortionParagraphs {
  /** Per line start, the start of the first and of the last line of its paragraph, once a walk has crossed it. */
  private readonly firstLine = new Map<number, number>();
  private readonly lastLine = new Map<number, number>();
  /** Per line start, whether the line is blank / ends with a portion mark / opens a paragraph, once tested. */
  private readonly blank = new Map<number, boolean>();
  private readonly portionEnd = new Map<number, boolean>();
  private readonly opens = new Map<number, boolean>();

  /** Characters the line searches below have read; past the text's length, every line start is indexed instead. */
  private scanned = 0;
  private lineStarts: number[] | null = null;

  constructor(private readonly text: string) {}

  around(start: number, end: number): { start: number; end: number } {
    const { text } = this;
    // paragraphAround's lastIndexOf('\n', -1) reads a break at offset 0 as the one before a mark at 0.
    const k = start === 0 && text[0] === '\n' ? 1 : this.lineOf(start);
    const a = this.paragraphFirst(k);
    let b = this.lineEnd(this.paragraphLast(this.lineOf(end)));
    while (b > a && (text[b - 1] === '\r' || text[b - 1] === '\n')) {
      b--;
    }
    return { start: a, end: b };
  }

  /** The start of the line holding `offset`; an offset on a '\n' belongs to the line that break ends. */
  private lineOf(offset: number): number {
    if (offset <= 0) {
      return 0;
    }
    if (this.lineStarts) {
      return this.lineStarts[this.lineIndex(offset)] as number;
    }
    const ls = this.text.lastIndexOf('\n', offset - 1) + 1;
    this.read(offset - ls);
    return ls;
  }

  /** The end of the line starting at `ls`: its '\n', or the end of the text. */
  private lineEnd(ls: number): number {
    if (this.lineStarts) {
      const i = this.lineIndex(ls);
      return i + 1 < this.lineStarts.length ? (this.lineStarts[i + 1] as number) - 1 : this.text.length;
    }
    const e = this.text.indexOf('\n', ls);
    const end = e === -1 ? this.text.length : e;
    this.read(end - ls);
    return end;
  }

  /**
   * Searching lines from each mark reads each short line a few times, but a long line (a text extracted without line
   * breaks) once per mark on it: once the searches have read as much as the text holds, the line starts are indexed,
   * so the cost stays linear in the text either way.
   */
  private read(n: number): void {
    this.scanned += n;
    if (this.scanned > this.text.length && !this.lineStarts) {
      const starts = [0];
      for (let p = this.text.indexOf('\n'); p !== -1; p = this.text.indexOf('\n', p + 1)) {
        starts.push(p + 1);
      }
      this.lineStarts = starts;
    }
  }

  /** Index of the line holding `offset` in the line-start index. */
  private lineIndex(offset: number): number {
    const starts = this.lineStarts as number[];
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  private test(cache: Map<number, boolean>, ls: number, predicate: (line: string) => boolean): boolean {
    let v = cache.get(ls);
    if (v === undefined) {
      v = predicate(this.text.slice(ls, this.lineEnd(ls)));
      cache.set(ls, v);
    }
    return v;
  }

  /** A paragraph runs back to the line after a blank line or a line ending with a portion mark. */
  private paragraphFirst(k: number): number {
    const crossed: number[] = [];
    let i = k;
    let first = this.firstLine.get(i);
    while (first === undefined && i > 0) {
      const prev = this.lineOf(i - 1);
      if (
        this.test(this.blank, prev, (l) => l.trim() === '') ||
        this.test(this.portionEnd, prev, (l) => PORTION_LINE_END.test(l))
      ) {
        first = i;
        break;
      }
      crossed.push(i);
      i = prev;
      first = this.firstLine.get(i);
    }
    // The text's first line, when the walk reached it.
    first ??= i;
    this.firstLine.set(i, first);
    for (const j of crossed) {
      this.firstLine.set(j, first);
    }
    return first;
  }

  /** A paragraph runs on to a line ending with a portion mark, or up to a blank line or one that opens a paragraph. */
  private paragraphLast(m: number): number {
    const crossed: number[] = [];
    let i = m;
    let last = this.lastLine.get(i);
    while (last === undefined) {
      const e = this.lineEnd(i);
      if (e >= this.text.length) {
        break;
      }
      const next = e + 1;
      if (
        this.test(this.portionEnd, i, (l) => PORTION_LINE_END.test(l)) ||
        this.test(this.blank, next, (l) => l.trim() === '') ||
        this.test(this.opens, next, (l) => PARAGRAPH_START.test(l))
      ) {
        last = i;
        break;
      }
      crossed.push(i);
      i = next;
      last = this.lastLine.get(i);
    }
    // The text's last line, when the walk reached it.
    last ??= i;
    this.lastLine.set(i, last);
    for (const j of crossed) {
      this.lastLine.set(j, last);
    }
    return last;
  }
}

/** Pairs delimiter tags into regions; the innermost open tag of the same level closes first. */
function pairTags(tags: readonly Tag[]): { regions: { start: number; end: number; level: Level }[]; used: Tag[] } {
  const sorted = [...tags].sort((a, b) => a.start - b.start);
  // One stack per level: a close tag pairs with the last open tag of its level, however many others are open.
  const open = new Map<Level, Tag[]>();
  const regions: { start: number; end: number; level: Level }[] = [];
  const used: Tag[] = [];
  for (const t of sorted) {
    let stack = open.get(t.level);
    if (!stack) {
      stack = [];
      open.set(t.level, stack);
    }
    if (t.open) {
      stack.push(t);
      continue;
    }
    const o = stack.pop();
    if (o) {
      regions.push({ start: o.start, end: t.end, level: o.level });
      used.push(o, t);
    }
  }
  // Nested regions collapse into the outermost.
  regions.sort((a, b) => a.start - b.start || b.end - a.end);
  const outer: typeof regions = [];
  for (const r of regions) {
    const last = outer[outer.length - 1];
    if (last && r.start < last.end) {
      last.end = Math.max(last.end, r.end);
      last.level = maxLevel(last.level, r.level) as Level;
    } else {
      outer.push({ ...r });
    }
  }
  return { regions: outer, used };
}

/** The most an excerpt shows, in characters (code points): the mark and what surrounds it in its paragraph. */
export const EXCERPT_MAX = 40;

/** How far either side of a mark a paragraph break is looked for: past it, the excerpt could not reach anyway. */
const EXCERPT_REACH = EXCERPT_MAX * 2;
/** How much of a line next to a break is read to tell what it is (blank, an item number, a portion mark's end). */
const LINE_PEEK = 64;

/**
 * Whether the line break at `p` ends a paragraph: a blank line on either side of it, a line after it that opens a
 * paragraph (an item number, a bullet, an opening bracket), or a line before it ending with a portion mark: the same
 * boundaries as the paragraph a strip removes (`paragraphAround`). U+2029 always is one. Only `LINE_PEEK` characters of
 * each line are read, so the cost per break stays bounded however long the lines.
 */
function endsParagraph(text: string, p: number): boolean {
  if (text[p] === '\u2029') {
    return true;
  }
  const prevStart = text.lastIndexOf('\n', p - 1) + 1;
  const prev = text.slice(Math.max(prevStart, p - LINE_PEEK), p);
  const nextBreak = text.indexOf('\n', p + 1);
  const nextEnd = nextBreak === -1 ? text.length : nextBreak;
  const next = text.slice(p + 1, Math.min(nextEnd, p + 1 + LINE_PEEK));
  // The portion-mark test, the dearest, last.
  return (
    (prevStart >= p - LINE_PEEK && prev.trim() === '') ||
    (nextEnd <= p + 1 + LINE_PEEK && next.trim() === '') ||
    PARAGRAPH_START.test(next) ||
    PORTION_LINE_END.test(prev)
  );
}

/** The start of the paragraph holding `start`, looked for no further back than `EXCERPT_REACH`. */
function paragraphStartNear(text: string, start: number): number {
  const floor = Math.max(0, start - EXCERPT_REACH);
  for (let p = start - 1; p >= floor; p--) {
    const c = text[p];
    if ((c === '\n' || c === '\u2029') && endsParagraph(text, p)) {
      return p + 1;
    }
  }
  return floor;
}

/** The end of the paragraph holding `end`, looked for no further on than `EXCERPT_REACH`. */
function paragraphEndNear(text: string, end: number): number {
  const ceiling = Math.min(text.length, end + EXCERPT_REACH);
  for (let p = end; p < ceiling; p++) {
    const c = text[p];
    if ((c === '\n' || c === '\u2029') && endsParagraph(text, p)) {
      return p;
    }
  }
  return ceiling;
}

/** Code points, with a surrogate left alone by a cut (a window edge inside a pair) dropped rather than shown. */
const codePoints = (s: string): string[] => Array.from(s).filter((c) => !/^[\ud800-\udfff]$/.test(c));

/**
 * What the user is shown of a mark at `[start, end)`: at most `EXCERPT_MAX` characters, the mark and what surrounds
 * it, never past its paragraph (the next paragraph is not what is marked), whitespace runs shown as one space, and
 * where the mark is in it (UTF-16 offsets into the excerpt, for highlighting it). A mark longer than the excerpt is
 * shown from its start.
 */
export function excerptOf(text: string, start: number, end: number): { excerpt: string; span: ExcerptSpan } {
  const lo = paragraphStartNear(text, start);
  const hi = paragraphEndNear(text, end);
  const left = codePoints(text.slice(lo, start));
  const mark = codePoints(text.slice(start, end));
  const right = codePoints(text.slice(end, hi));
  // Context is read as it will be shown (whitespace runs as one space), so the room is spent on what is seen.
  const squeeze = (cs: string[]): string[] =>
    cs.map((c) => (/\s/.test(c) ? ' ' : c)).filter((c, i, a) => !(c === ' ' && a[i - 1] === ' '));
  const l = squeeze(left);
  const m = squeeze(mark).slice(0, EXCERPT_MAX);
  const r = squeeze(right);
  const room = EXCERPT_MAX - m.length;
  let rightN = Math.min(r.length, room - Math.min(l.length, Math.floor(room / 2)));
  const leftN = Math.min(l.length, room - rightN);
  rightN = Math.min(r.length, room - leftN);
  const pieces = [
    ...l.slice(l.length - leftN).map((c) => ({ c, marked: false })),
    ...m.map((c) => ({ c, marked: true })),
    ...r.slice(0, rightN).map((c) => ({ c, marked: false })),
  ].filter((p, i, a) => !(p.c === ' ' && a[i - 1]?.c === ' '));
  while (pieces.length > 0 && /^\s$/.test(pieces[0]!.c)) {
    pieces.shift();
  }
  while (pieces.length > 0 && /^\s$/.test(pieces[pieces.length - 1]!.c)) {
    pieces.pop();
  }
  let excerpt = '';
  let spanStart = -1;
  let spanEnd = 0;
  for (const p of pieces) {
    if (p.marked && spanStart === -1) {
      spanStart = excerpt.length;
    }
    excerpt += p.c;
    if (p.marked) {
      spanEnd = excerpt.length;
    }
  }
  return {
    excerpt,
    span: spanStart === -1 ? { start: 0, length: 0 } : { start: spanStart, length: spanEnd - spanStart },
  };
}

/** A finding's `excerpt` and `excerptSpan`. */
function excerptFields(text: string, start: number, end: number): { excerpt: string; excerptSpan: ExcerptSpan } {
  const { excerpt, span } = excerptOf(text, start, end);
  return { excerpt, excerptSpan: span };
}

/** Compiles a keyword list for matching: each keyword normalised, and the raw characters that trigger a window. */
export function triggersForKeywords(keywords: readonly string[]): string[] {
  return keywords.map((kw) => kw.trim().slice(0, 1)).filter((c) => c.length > 0);
}

/**
 * Finds the marks in one text segment.
 * Findings are sorted by offset; a finding inside a delimited region or a portion-marked paragraph is folded into
 * that region, which is what a strip removes.
 */
export function detectSegment(segment: TextSegment, options: DetectOptions = {}): Finding[] {
  const text = segment.text;
  const position = segment.position ?? 'body';
  const hits: Hit[] = [];
  const tags: Tag[] = [];
  const custom = options.customRules ?? [];
  const needsWhole = custom.some((r) => r.pattern !== null) || options.personalData === true;
  const extraTriggers = ([] as string[]).concat(...custom.map((r) => triggersForKeywords(r.keywords)));
  const windows = needsWhole ? [{ start: 0, end: text.length }] : windowsFor(text, extraTriggers);
  const nt =
    windows.length === 1 && windows[0]?.start === 0 && windows[0].end === text.length
      ? normalise(text)
      : normaliseRanges(text, windows);
  const whole = needsWhole ? nt : null;
  matchWindow(nt, text, position, options, hits, tags);
  if (needsWhole && whole) {
    for (const rule of custom) {
      if (!rule.pattern) {
        continue;
      }
      const re = new RegExp(
        rule.pattern.source,
        rule.pattern.flags.includes('g') ? rule.pattern.flags : rule.pattern.flags + 'g',
      );
      for (const m of execAll(re, whole.text)) {
        if (m[0].length === 0) {
          continue;
        }
        const o = span(whole, m.index, m.index + m[0].length, text);
        hits.push({ rule: `custom.${rule.id}`, level: rule.level, start: o.start, end: o.end, kind: 'mark' });
      }
    }
    if (options.personalData) {
      for (const p of findPersonalData(whole.text)) {
        const o = span(whole, p.start, p.end, text);
        hits.push({ rule: p.rule, level: '機敏', start: o.start, end: o.end, kind: 'mark' });
      }
    }
  }
  if (text.indexOf('\u202e') !== -1) {
    overrideHits(segment, position, options, hits);
  }
  return assemble(segment, position, hits, tags, options);
}

const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;
const HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{3134f}]/u;

/**
 * A right-to-left override around CJK text has no use in Chinese writing but one: to show a mark that is not stored
 * (stored 「密機」 shows 機密), or to store one that is not shown. Normalisation matches the order a reader sees; this
 * reads the line in stored order too, and reports the override as an evasion at the higher level found either way,
 * 密 at least: fail closed when the two orders disagree on what the text says. The finding covers the control
 * character alone, so it never swallows a strippable portion mark read in display order.
 */
function overrideHits(segment: TextSegment, position: SegmentPosition, options: DetectOptions, hits: Hit[]): void {
  const text = segment.text;
  for (let p = text.indexOf('\u202e'); p !== -1; p = text.indexOf('\u202e', p + 1)) {
    let lineEnd = text.indexOf('\n', p);
    if (lineEnd === -1) {
      lineEnd = text.length;
    }
    const pdf = text.indexOf('\u202c', p);
    const runEnd = pdf !== -1 && pdf < lineEnd ? pdf : lineEnd;
    if (!HAN.test(text.slice(p + 1, runEnd))) {
      continue;
    }
    const lineStart = text.lastIndexOf('\n', p) + 1;
    const stored = text.slice(lineStart, lineEnd).replace(BIDI_CONTROLS, '');
    const storedFindings = detectSegment(
      { location: segment.location, text: stored, position },
      { customRules: options.customRules ?? [] },
    );
    const level = storedFindings.reduce<Level>((acc, f) => maxLevel(acc, f.level) as Level, '密');
    hits.push({ rule: 'evasion.bidi-override', level, start: p, end: p + 1, kind: 'mark' });
    p = lineEnd;
  }
}

function assemble(
  segment: TextSegment,
  position: SegmentPosition,
  allHits: Hit[],
  tags: Tag[],
  options: DetectOptions,
): Finding[] {
  let hits = allHits;
  const text = segment.text;
  const { regions, used } = pairTags(tags);
  // A delimiter tag that opens or closes a region is not a mark of its own; an unpaired one stays a bracketed mark.
  const usedTags = new ContainingSpans(used);
  hits = hits.filter((h) => !usedTags.some(h.start, h.end));
  const allRegions = [
    ...regions.map((r) => ({ ...r, rule: 'region.delimited' })),
    ...(options.markedRegions ?? []).map((r) => ({ ...r, rule: 'region.marked' })),
  ];

  // Duplicates arise where windows or rules overlap; keep the widest, highest mark at each place.
  hits.sort(
    (a, b) => a.start - b.start || b.end - b.start - (a.end - a.start) || levelRank(b.level) - levelRank(a.level),
  );
  const unique = dropCovered(hits);

  // Only the message body can be edited before sending; a mark in an attachment takes the whole file with it.
  const strippableBody = position === 'body' && segment.location === 'body';
  const findings: Finding[] = [];
  const regionFindings = allRegions.map((r) => ({ ...r, inner: [] as Hit[] }));
  // Built on the first portion mark, so a body without one pays nothing for it.
  let portionParagraphs: PortionParagraphs | undefined;
  const paragraphOf = (h: Hit): { start: number; end: number } =>
    (portionParagraphs ??= new PortionParagraphs(text)).around(h.start, h.end);
  const containingRegion = new ContainingSpans(regionFindings);
  for (const h of unique) {
    const inRegion =
      strippableBody && !WHOLE_MESSAGE_RULES.has(h.rule) ? containingRegion.first(h.start, h.end) : undefined;
    if (inRegion) {
      inRegion.inner.push(h);
      continue;
    }
    const portion = strippableBody && h.kind === 'portion';
    const region = portion ? paragraphOf(h) : undefined;
    findings.push({
      rule: h.rule,
      level: h.level,
      location: segment.location,
      ...excerptFields(text, h.start, h.end),
      offset: h.start,
      length: h.end - h.start,
      strippable: portion,
      ...(region ? { region } : {}),
    });
  }
  for (const r of regionFindings) {
    const level = r.inner.reduce<Level>((acc, h) => maxLevel(acc, h.level) as Level, r.level);
    findings.push({
      rule: r.rule,
      level,
      location: segment.location,
      ...excerptFields(text, r.start, Math.min(r.end, r.start + EXCERPT_MAX)),
      offset: r.start,
      length: r.end - r.start,
      strippable: strippableBody,
      region: { start: r.start, end: r.end },
    });
  }
  // Any other mark inside a portion-marked paragraph goes when the paragraph goes.
  const paragraphs = new ContainingSpans(
    findings.filter((f) => f.rule === 'portion' && f.region).map((f) => f.region!),
  );
  const result = findings.map((f) => {
    if (f.strippable || !strippableBody || WHOLE_MESSAGE_RULES.has(f.rule) || f.offset === undefined) {
      return f;
    }
    const p = paragraphs.first(f.offset, f.offset + (f.length ?? 0));
    return p ? { ...f, strippable: true, region: p } : f;
  });
  return result.sort((a, b) => (a.offset ?? 0) - (b.offset ?? 0));
}
