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
  FIELD_LABEL,
  k,
  LEVEL_WORDS,
  MARK_WORDS,
  markLevel,
  MEETING_SENTENCE,
  PORTION_LEVELS,
  PRC_LEVELS,
  PROSE_AFTER,
  PROSE_BEFORE,
  unbreak,
  WEAK_MARKS,
} from './grammar';
import type { Level } from './levels';
import { levelRank, maxLevel } from './levels';
import { isHan, normalise, type NormalisedText, normaliseRanges } from './normalise';
import { findPersonalData } from './personal-data';
import { execAll } from './regex';
import type { Finding, SegmentPosition, TextSegment } from './types';

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

function proseAround(text: string, start: number, end: number): boolean {
  return PROSE_AFTER.test(text.slice(end, end + 8)) || PROSE_BEFORE.test(text.slice(Math.max(0, start - 4), start));
}

/** A bracketed mark next to another bracketed mark is a list of marks in prose, e.g. 「【密】【機】【極】」. */
function adjacentToBracketedMark(text: string, start: number, end: number): boolean {
  const before = text.slice(Math.max(0, start - 8), start);
  const after = text.slice(end, end + 8);
  return /】\s?$/u.test(before) || /^\s?【/u.test(after);
}

const RE = {
  field: new RegExp(
    `(?:${FIELD_LABEL})\\s?:\\s?(${LEVEL_WORDS}|${k('密件')}|密|${k('普通')}|無)?(\\s?【?(?:${DECLASS}))?`,
    'gu',
  ),
  levelDeclass: new RegExp(`(${LEVEL_WORDS}|密)\\s?【?\\s?(?:${DECLASS})\\s?】?`, 'gu'),
  declass: new RegExp(DECLASS, 'gu'),
  portion: /【\s?([無密機極絕])\s?】/gu,
  tag: new RegExp(`【\\s?(\\/)?\\s?(${LEVEL_WORDS}|${k('機敏')}|密)\\s?】`, 'gu'),
  bracketed: new RegExp(`【\\s?(${MARK_WORDS})\\s?】`, 'gu'),
  lineStart: new RegExp(`^【? ?(${MARK_WORDS})(?: ?】)?`, 'gmu'),
  inline: new RegExp(`${LEVEL_WORDS}|${k('密件')}`, 'gu'),
  declaration: new RegExp(
    `${DECLARATION}(${MARK_WORDS})\\s?】?(?:${k('文件')}|件|${k('資料')}|${k('資訊')}|${k('會議')})?`,
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
  markWord: new RegExp(MARK_WORDS, 'gu'),
  copyNumber: /^\s?(?:$|\n|[:\-–—|/.,;!]|第\s?\d|編號|No\.?\s?\d|\d+\s?\/\s?\d+|份)/u,
} as const;

/**
 * Triggers: a window is normalised and matched around each. Two passes are faster than one alternation: the character
 * class is a plain scan, and the English words a literal search.
 */
const TRIGGER_CJK =
  // eslint-disable-next-line no-misleading-character-class -- the invisible joiners in these classes are the point
  /[密敏閱阅\u00ad\u034f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufe00-\ufe0f\uff21-\uff5a]|[機机極极絕绝][\s\u200b-\u200d\ufeff]{0,3}[】\]］〕）)」』＞>〉》]/g;
const TRIGGER_EN = /secret|confidential(?!ity)|classification/gi;

/** Half-width of the window normalised around a trigger, in original characters. */
const WINDOW = 64;
/** How far a window is stretched to reach a line boundary, so line-start rules see the whole line. */
const LINE_REACH = 16;
/** Texts shorter than this are normalised whole: windows only pay off on large bodies and attachments. */
const WHOLE_TEXT_LIMIT = 8192;

/** Characters that, written right after 密, make an everyday word that no mark contains (密碼, 密切, 密集 …). */
const BENIGN_AFTER = new Set('碼切集度封室謀友布佈'.split(''));
/** Likewise right before 密 (緊密, 精密, 嚴密, 親密, 洩密, 加密 …). 保密 and 解密 are not here: 保密期限 and 解密條件 are grammar. */
const BENIGN_BEFORE = new Set('緊精嚴親洩綿周隱私告加細茂稠濃慎'.split(''));

/**
 * Before 機密, characters that make it prose (公務機密, 含有機密, 洩漏機密, 有關機密). None of them ends a declaration
 * verb (為, 屬, 係, 列為 …), so 「本件為機密文件」 still triggers.
 */
const BENIGN_BEFORE_LEVEL = new Set('務有漏露關涉護竊探'.split(''));

/** What stands right before 解密 in a declassification condition: a time word or a date. */
const DECLASS_BEFORE = new Set('時後日月年0123456789〇○零一二三四五六七八九十０１２３４５６７８９ '.split(''));

/**
 * A 密 inside an everyday word needs no window. Only exact neighbours count: a disguised 「密\u200b碼」 is still a
 * trigger, and a 保密 or 祕密 that could be part of the grammar (保密期限, 祕密★) stays one too.
 */
function isBenignTrigger(text: string, p: number): boolean {
  if (text.charCodeAt(p) !== 0x5bc6) {
    return false;
  }
  const next = text[p + 1] ?? '';
  const prev = text[p - 1] ?? '';
  if (BENIGN_AFTER.has(next) || BENIGN_BEFORE.has(prev)) {
    return true;
  }
  if (prev === '機' && (next === '性' || BENIGN_BEFORE_LEVEL.has(text[p - 2] ?? ''))) {
    return true;
  }
  if (prev === '解') {
    // Declassification (本件於公布時解密, 附件抽存後解密, 本件至115年1月1日解密) or the field label (解密條件); any
    // other 解密 is "decrypt".
    return !DECLASS_BEFORE.has(text[p - 2] ?? '') && !text.startsWith('條件', p + 1);
  }
  if (prev === '保') {
    return !text.startsWith('期限', p + 1);
  }
  if (prev === '秘' || prev === '祕') {
    return isHan(next.charCodeAt(0) || 0);
  }
  return false;
}

interface Window {
  start: number;
  end: number;
}

export function windowsFor(text: string, extraTriggers: readonly string[]): Window[] {
  if (text.length <= WHOLE_TEXT_LIMIT) {
    return [{ start: 0, end: text.length }];
  }
  const positions: number[] = [];
  for (const re of [TRIGGER_CJK, TRIGGER_EN]) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (!isBenignTrigger(text, m.index)) {
        positions.push(m.index);
      }
    }
  }
  for (const t of extraTriggers) {
    for (let p = text.indexOf(t); p !== -1; p = text.indexOf(t, p + 1)) {
      positions.push(p);
    }
  }
  positions.sort((a, b) => a - b);
  const windows: Window[] = [];
  for (const p of positions) {
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
    const ls = text.lastIndexOf('\n', w.start - 1);
    if (w.start > 0 && w.start - (ls + 1) <= LINE_REACH) {
      w.start = ls + 1;
    }
    const le = text.indexOf('\n', w.end);
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

/** Maps a normalised span back to the original text. */
function span(nt: NormalisedText, start: number, end: number, original: string): { start: number; end: number } {
  const s = nt.origin[start] as number;
  const lastStart = nt.origin[Math.max(start, end - 1)] as number;
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
  const consumed: Array<[number, number]> = [];
  const isConsumed = (s: number, e: number): boolean => consumed.some(([a, b]) => s < b && e > a);

  // Delimited regions: 〔機密〕…〔/機密〕. Their tags are not marks of their own.
  for (const m of execAll(RE.tag, text)) {
    const level = markLevel(m[2] as string);
    if (!level) {
      continue;
    }
    const o = span(nt, m.index, m.index + m[0].length, original);
    tags.push({ open: m[1] === undefined, level, start: o.start, end: o.end });
  }

  for (const m of execAll(RE.field, text)) {
    const value = m[1];
    if (value === undefined) {
      continue;
    }
    const level = markLevel(value);
    const valueEnd = m.index + m[0].length - (m[2]?.length ?? 0);
    if (!level || (gluedAfter(nt, valueEnd) && m[2] === undefined)) {
      continue;
    }
    add('field.classification', level, m.index, m.index + m[0].length);
    consumed.push([m.index, m.index + m[0].length]);
  }

  for (const m of execAll(RE.levelDeclass, text)) {
    const level = markLevel(m[1] as string);
    if (!level || gluedBefore(nt, m.index) || isConsumed(m.index, m.index + m[0].length)) {
      continue;
    }
    add('level.declassification', level, m.index, m.index + m[0].length);
    consumed.push([m.index, m.index + m[0].length]);
  }

  for (const m of execAll(RE.declass, text)) {
    if (isConsumed(m.index, m.index + m[0].length)) {
      continue;
    }
    add('declassification', '密', m.index, m.index + m[0].length);
  }

  for (const m of execAll(RE.meeting, text)) {
    add('meeting.secrecy-notice', '機敏', m.index, m.index + m[0].length);
    consumed.push([m.index, m.index + m[0].length]);
  }

  for (const m of execAll(RE.portion, text)) {
    const level = PORTION_LEVELS[m[1] as string];
    const s = m.index;
    const e = s + m[0].length;
    consumed.push([s, e]);
    if (!level || proseAround(text, s, e) || adjacentToBracketedMark(text, s, e)) {
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
    consumed.push([s, e]);
    if (proseAround(text, s, e) || adjacentToBracketedMark(text, s, e)) {
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
    consumed.push([s, e]);
  }

  for (const m of execAll(RE.lineStart, text)) {
    const word = unbreak(m[1] as string);
    const level = markLevel(word);
    const s = m.index;
    const e = s + m[0].length;
    if (!level || isConsumed(s, e) || m[0].length === 0) {
      continue;
    }
    const rest = text.slice(e, e + 24);
    if (WEAK_MARKS.has(word)) {
      if (gluedAfter(nt, e) || !RE.copyNumber.test(rest)) {
        continue;
      }
    } else if (gluedAfter(nt, e) || PROSE_AFTER.test(rest)) {
      continue;
    }
    add(levelRank(level) >= 1 ? 'level.standalone' : 'label.standalone', level, s, e);
    consumed.push([s, e]);
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
    add('level.inline', level, s, e);
  }

  for (const m of execAll(RE.prc, text)) {
    const key = unbreak(m[1] as string);
    const level = PRC_LEVELS[key];
    if (!level || gluedBefore(nt, m.index)) {
      continue;
    }
    add('prc.level', level, m.index, m.index + m[0].length);
  }

  if (MARKING_POSITIONS.has(position)) {
    // In a header, footer or watermark any bounded mark word counts, the bare 密 included.
    for (const m of execAll(RE.markWord, text)) {
      const s = m.index;
      const e = s + m[0].length;
      const level = markLevel(m[0]);
      if (!level || isConsumed(s, e) || gluedBefore(nt, s) || gluedAfter(nt, e)) {
        continue;
      }
      if (PROSE_AFTER.test(text.slice(e, e + 6))) {
        continue;
      }
      add('position.marking', level, s, e);
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
  if (position === 'subject') {
    const m = RE.englishSubjectTag.exec(text);
    if (m) {
      once('english.subject-tag', (m[1] ?? m[2]) as string, m.index, m.index + m[0].length);
    }
    for (const b of execAll(RE.englishBracketed, text)) {
      once('english.subject-tag', b[1] as string, b.index, b.index + b[0].length);
    }
  }
  for (const m of execAll(RE.englishBanner, text)) {
    if (DISCLAIMER_HINT.test(m[0])) {
      continue;
    }
    const word = m[1] as string;
    const s = m.index + m[0].indexOf(word);
    once('english.banner', word, s, s + word.length);
  }
  for (const m of execAll(RE.englishField, text)) {
    once('english.classification-field', m[1] as string, m.index, m.index + m[0].length);
  }
  if (MARKING_POSITIONS.has(position)) {
    for (const m of execAll(RE.englishWord, text)) {
      if (DISCLAIMER_HINT.test(lineOf(text, m.index))) {
        continue;
      }
      once('english.header', (m[1] as string).replace(/top ?secret/i, 'TOP SECRET'), m.index, m.index + m[0].length);
    }
  }
}

/** Paragraph boundaries: a blank line, or the end of a line that ends with a portion mark (each MND paragraph does). */
const PORTION_LINE_END =
  /[【〔［[（(「『][\s\u200b-\u200d\ufeff]*[無密機極絕机极绝][\s\u200b-\u200d\ufeff]*[】〕］\])）」』][ \t\u3000\r]*$/u;

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
    if (text.slice(b + 1, nextEnd).trim() === '') {
      break;
    }
    b = nextEnd;
  }
  while (b > a && (text[b - 1] === '\r' || text[b - 1] === '\n')) {
    b--;
  }
  return { start: a, end: b };
}

/** Pairs delimiter tags into regions; the innermost open tag of the same level closes first. */
function pairTags(tags: readonly Tag[]): { regions: { start: number; end: number; level: Level }[]; used: Tag[] } {
  const sorted = [...tags].sort((a, b) => a.start - b.start);
  const stack: Tag[] = [];
  const regions: { start: number; end: number; level: Level }[] = [];
  const used: Tag[] = [];
  for (const t of sorted) {
    if (t.open) {
      stack.push(t);
      continue;
    }
    for (let i = stack.length - 1; i >= 0; i--) {
      const o = stack[i] as Tag;
      if (o.level === t.level) {
        regions.push({ start: o.start, end: t.end, level: o.level });
        used.push(o, t);
        stack.splice(i, 1);
        break;
      }
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

function excerptOf(text: string, start: number, end: number): string {
  const max = 40;
  const len = end - start;
  let a = start;
  let b = end;
  if (len >= max) {
    b = start + max;
  } else {
    const room = max - len;
    a = Math.max(0, start - Math.floor(room / 2));
    b = Math.min(text.length, end + (room - (start - a)));
  }
  return Array.from(text.slice(a, b).replace(/\s+/g, ' ')).slice(0, max).join('').trim();
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
  return assemble(segment, position, hits, tags, options);
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
  hits = hits.filter((h) => !used.some((t) => h.start >= t.start && h.end <= t.end));
  const allRegions = [
    ...regions.map((r) => ({ ...r, rule: 'region.delimited' })),
    ...(options.markedRegions ?? []).map((r) => ({ ...r, rule: 'region.marked' })),
  ];

  // Duplicates arise where windows or rules overlap; keep the widest, highest mark at each place.
  hits.sort(
    (a, b) => a.start - b.start || b.end - b.start - (a.end - a.start) || levelRank(b.level) - levelRank(a.level),
  );
  const unique: Hit[] = [];
  for (const h of hits) {
    const dup = unique.some((u) => u.start <= h.start && u.end >= h.end && levelRank(u.level) >= levelRank(h.level));
    if (!dup) {
      unique.push(h);
    }
  }

  // Only the message body can be edited before sending; a mark in an attachment takes the whole file with it.
  const strippableBody = position === 'body' && segment.location === 'body';
  const findings: Finding[] = [];
  const regionFindings = allRegions.map((r) => ({ ...r, inner: [] as Hit[] }));
  for (const h of unique) {
    const inRegion = strippableBody
      ? regionFindings.find((r) => h.start >= r.start && h.end <= r.end && !WHOLE_MESSAGE_RULES.has(h.rule))
      : undefined;
    if (inRegion) {
      inRegion.inner.push(h);
      continue;
    }
    const portion = strippableBody && h.kind === 'portion';
    const region = portion ? paragraphAround(text, h.start, h.end) : undefined;
    findings.push({
      rule: h.rule,
      level: h.level,
      location: segment.location,
      excerpt: excerptOf(text, h.start, h.end),
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
      excerpt: excerptOf(text, r.start, Math.min(r.end, r.start + 40)),
      offset: r.start,
      length: r.end - r.start,
      strippable: strippableBody,
      region: { start: r.start, end: r.end },
    });
  }
  // Any other mark inside a portion-marked paragraph goes when the paragraph goes.
  const paragraphs = findings.filter((f) => f.rule === 'portion' && f.region).map((f) => f.region!);
  const result = findings.map((f) => {
    if (f.strippable || !strippableBody || WHOLE_MESSAGE_RULES.has(f.rule) || f.offset === undefined) {
      return f;
    }
    const p = paragraphs.find(
      (r) => (f.offset as number) >= r.start && (f.offset as number) + (f.length ?? 0) <= r.end,
    );
    return p ? { ...f, strippable: true, region: p } : f;
  });
  return result.sort((a, b) => (a.offset ?? 0) - (b.offset ?? 0));
}
