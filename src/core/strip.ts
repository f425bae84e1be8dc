/**
 * Stripping: removes the strippable marked parts of a body and leaves a placeholder in each place, as the guidance
 * asks (「刪除涉密內容，該部分另採書面發送並經簽收」). What was removed is reported as level, length and SHA-256
 * only, never as text. These stay on the sender's machine: a short part's plain hash and exact length can be guessed
 * back, so what leaves it is a salted commitment and a length bucket (commitment.ts).
 */
import { type DetectOptions, detectSegment, WHOLE_MESSAGE_RULES } from './detect';
import {
  escapeHtml,
  hiddenPieceAt,
  hiddenSegments,
  type HiddenText,
  htmlHiddenText,
  type HtmlText,
  htmlToText,
  removeHtmlRanges,
} from './html';
import { type Level, maxLevel } from './levels';
import { RECEIPT_NUMBER_PATTERN } from './receipt-id';
import { utf8Bytes } from './regex';
import { sha256Hex } from './sha256';
import type { Finding, TextSegment, Unscannable } from './types';

export interface RemovedPart {
  readonly level: Level;
  /** Length of the removed text in characters (UTF-16 code units of the visible text). */
  readonly length: number;
  /**
   * SHA-256 of the removed visible text, UTF-8, lower-case hex. Local only: it is the input to the salted commitment,
   * never sent, since a short part is found again from it by guessing.
   */
  readonly sha256: string;
  readonly rules: readonly string[];
}

export interface StripResult {
  /** The new body, in the same format it came in. */
  readonly body: string;
  readonly removed: readonly RemovedPart[];
  /** Findings that could not be stripped; when any remain the mail must still not go. */
  readonly remaining: readonly Finding[];
}

export interface StripOptions extends DetectOptions {
  /** Number of the paper-delivery receipt (簽收單) that carries the removed parts. */
  readonly receiptNumber?: string;
}

/** The placeholder left where a part was removed. */
export function placeholderText(receiptNumber?: string): string {
  if (receiptNumber !== undefined && !RECEIPT_NUMBER_PATTERN.test(receiptNumber)) {
    throw new RangeError(`簽收單號格式錯誤 / Invalid receipt number: ${JSON.stringify(receiptNumber.slice(0, 50))}`);
  }
  const zhReceipt = receiptNumber ? `；簽收單號：${receiptNumber}` : '';
  const enReceipt = receiptNumber ? `; receipt no. ${receiptNumber}` : '';
  return `〔本段機敏內容已自電子郵件移除，另以書面發送並經簽收${zhReceipt}〕 [Sensitive content removed from this e-mail; sent on paper against a signed receipt${enReceipt}]`;
}

interface Range {
  start: number;
  end: number;
  level: Level;
  rules: string[];
}

function rangesOf(findings: readonly Finding[]): { ranges: Range[]; remaining: Finding[] } {
  const ranges: Range[] = [];
  const remaining: Finding[] = [];
  for (const f of findings) {
    if (!f.strippable || !f.region) {
      remaining.push(f);
      continue;
    }
    ranges.push({ start: f.region.start, end: f.region.end, level: f.level, rules: [f.rule] });
  }
  ranges.sort((a, b) => a.start - b.start);
  const merged: Range[] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r.start <= last.end) {
      last.end = Math.max(last.end, r.end);
      last.level = maxLevel(last.level, r.level) as Level;
      for (const rule of r.rules) {
        if (!last.rules.includes(rule)) {
          last.rules.push(rule);
        }
      }
    } else {
      merged.push({ ...r, rules: [...r.rules] });
    }
  }
  return { ranges: merged, remaining };
}

function removedPart(text: string, r: Range): RemovedPart {
  const removed = text.slice(r.start, r.end);
  return {
    level: r.level,
    length: removed.length,
    sha256: sha256Hex(utf8Bytes(removed)),
    rules: r.rules,
  };
}

/** Strips a plain-text body. */
export function stripText(text: string, options: StripOptions = {}): StripResult {
  const findings = detectSegment({ location: 'body', text, position: 'body' }, options);
  const { ranges, remaining } = rangesOf(findings);
  const placeholder = placeholderText(options.receiptNumber);
  let out = '';
  let pos = 0;
  for (const r of ranges) {
    out += text.slice(pos, r.start) + placeholder;
    pos = r.end;
  }
  out += text.slice(pos);
  return { body: out, removed: ranges.map((r) => removedPart(text, r)), remaining };
}

/** The source range in the HTML of a visible-text range. */
function sourceRange(extracted: HtmlText, r: { start: number; end: number }): { start: number; end: number } {
  return { start: extracted.srcStart[r.start] as number, end: extracted.srcEnd[r.end - 1] as number };
}

export interface HtmlBodyScan {
  readonly extracted: HtmlText;
  /** The visible text's findings (at `location`), then the hidden text's (at `location#<kind>`). */
  readonly findings: readonly Finding[];
  /** Hidden parts that could not be read: an image or an undecodable `data:` URI, content nested too deep. */
  readonly unscannable: readonly Unscannable[];
}

/**
 * Scans an HTML body, visible and hidden text. A mark in hidden text is strippable only when what carries it (the
 * comment, the tag with the attribute, the `<style>` content) lies inside a region that stripping removes, since
 * `removeHtmlRanges` takes exactly those along, and when it is not a mark of the whole message. Otherwise it stays,
 * and the mail cannot go by stripping.
 */
export function scanHtmlBody(
  html: string,
  detect: (segment: TextSegment) => Finding[],
  location = 'body',
): HtmlBodyScan {
  const extracted = htmlToText(html);
  const visible = detect({ location, text: extracted.text, position: 'body' });
  const hidden = hiddenSegments(htmlHiddenText(html, extracted.tokens), location);
  const removed = visible
    .filter((f) => f.strippable && f.region && f.region.end > f.region.start)
    .map((f) => sourceRange(extracted, f.region as { start: number; end: number }));
  const findings: Finding[] = [...visible];
  for (const h of hidden.segments) {
    for (const f of detect(h.segment)) {
      // A mark could reach across the break between two pieces: every piece it touches must go.
      const first = hiddenPieceAt(h, f.offset ?? 0);
      const last = hiddenPieceAt(h, Math.max((f.offset ?? 0) + (f.length ?? 1) - 1, f.offset ?? 0));
      const inRemoved = (p: HiddenText): boolean => removed.some((r) => p.start >= r.start && p.end <= r.end);
      const goes =
        first !== undefined &&
        last !== undefined &&
        !WHOLE_MESSAGE_RULES.has(f.rule) &&
        h.pieces.slice(h.pieces.indexOf(first), h.pieces.indexOf(last) + 1).every((p) => inRemoved(p.piece));
      findings.push(
        goes && first && last
          ? { ...f, strippable: true, region: { start: first.offset, end: last.offset + last.piece.text.length } }
          : { ...f, strippable: false },
      );
    }
  }
  return { extracted, findings, unscannable: hidden.unscannable };
}

/**
 * Strips an HTML body without breaking its markup: tags stay; text, media, comments, `<style>` content and the
 * hidden-text attributes inside each region go. A mark in hidden text outside every region remains.
 */
export function stripHtml(html: string, options: StripOptions = {}): StripResult {
  const detect = (segment: TextSegment): Finding[] => detectSegment(segment, options);
  const scan = scanHtmlBody(html, detect);
  const extracted = scan.extracted;
  const { ranges, remaining } = rangesOf(scan.findings.filter((f) => f.location === 'body'));
  const placeholder = escapeHtml(placeholderText(options.receiptNumber));
  const kept = ranges.filter((r) => r.end > r.start);
  const srcRanges = kept.map((r) => sourceRange(extracted, r));
  const body = removeHtmlRanges(html, extracted.tokens, srcRanges, () => placeholder);
  // What hidden text remains is read from the result itself, so a mark is never reported gone that is still there.
  const left: Finding[] = [];
  for (const h of hiddenSegments(htmlHiddenText(body), 'body').segments) {
    for (const f of detect(h.segment)) {
      left.push({ ...f, strippable: false });
    }
  }
  return { body, removed: ranges.map((r) => removedPart(extracted.text, r)), remaining: [...remaining, ...left] };
}
