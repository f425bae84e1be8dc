/**
 * A finding's excerpt: the mark and what surrounds it within its own paragraph, at most 40 characters, with where the
 * mark is in it (`excerptSpan`), so the pane can highlight exactly the marked span.
 */
import { detectSegment } from '../../../src/core/detect';
import { EXCERPT_MAX, excerptOf } from '../../../src/core/detect';
import { htmlToText } from '../../../src/core/html';
import type { Finding } from '../../../src/core/types';

const body = (text: string): Finding[] => detectSegment({ location: 'body', text, position: 'body' });
const marked = (f: Finding): string =>
  f.excerpt.slice(f.excerptSpan!.start, f.excerptSpan!.start + f.excerptSpan!.length);
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const codePoints = (s: string): number => Array.from(s).length;

describe('excerpt offsets', () => {
  it('points at the marked span: a portion mark, a delimited region', () => {
    const [portion] = body('會議紀錄如下。\n\n【密】甲案預算三千萬元，請勿外流。\n\n散會。');
    expect(portion!.rule).toBe('portion');
    expect(marked(portion!)).toBe('【密】');

    const [region] = body('各位好：\n\n一、〔機密〕甲案金額為新臺幣三千萬元〔/機密〕\n\n謝謝');
    expect(region!.rule).toBe('region.delimited');
    expect(marked(region!)).toBe('〔機密〕甲案金額為新臺幣三千萬元〔/機密〕');
    expect(region!.excerpt).toBe('一、〔機密〕甲案金額為新臺幣三千萬元〔/機密〕');
  });

  it('is the mark as written, with its whitespace shown as one space', () => {
    const text = '前言。\n\n說明：本件\t\t【機】\t機密資料，不得轉寄。';
    const [f] = body(text);
    expect(marked(f!)).toBe('【機】');
    expect(f!.excerpt).toBe('說明：本件 【機】 機密資料，不得轉寄。');
    expect(f!.excerpt.slice(0, f!.excerptSpan!.start)).toBe('說明：本件 ');
  });

  it('shows a mark longer than the excerpt from its start, all of it highlighted', () => {
    const long = `〔機密〕${'甲'.repeat(60)}〔/機密〕`;
    const { excerpt, span } = excerptOf(long, 0, long.length);
    expect(codePoints(excerpt)).toBe(EXCERPT_MAX);
    expect(excerpt.startsWith('〔機密〕甲甲')).toBe(true);
    expect(span).toEqual({ start: 0, length: excerpt.length });
  });

  it('centres the mark and spends room the other side leaves unused', () => {
    const text = `${'前'.repeat(50)}【密】${'後'.repeat(50)}`;
    const at = text.indexOf('【');
    const centred = excerptOf(text, at, at + 3);
    expect(codePoints(centred.excerpt)).toBe(EXCERPT_MAX);
    expect(centred.span.start).toBe(Math.floor((EXCERPT_MAX - 3) / 2));
    // At the start of its paragraph, the room goes to what follows.
    const first = excerptOf('【密】' + '後'.repeat(50), 0, 3);
    expect(first.span).toEqual({ start: 0, length: 3 });
    expect(codePoints(first.excerpt)).toBe(EXCERPT_MAX);
    // At its end, to what comes before.
    const lastText = '前'.repeat(50) + '【密】';
    const last = excerptOf(lastText, 50, 53);
    expect(last.span).toEqual({ start: EXCERPT_MAX - 3, length: 3 });
  });
});

describe('excerpts stop at the paragraph', () => {
  it('does not run into the paragraph before or after (blank lines)', () => {
    const [f] = body('第一段說明文字很多很多。\n\n【密】本段為機密會議資料，請勿外流。\n\n第三段無關的內容在這裡。');
    expect(f!.excerpt).toBe('【密】本段為機密會議資料，請勿外流。');
  });

  it('stops at the paragraphs of an HTML body', () => {
    const text = htmlToText(
      '<p>會議結論如下：</p><p>一、〔機密〕甲案金額為新臺幣三千萬元〔/機密〕</p><p>二、人事調整之細節：王科長調任。</p>',
    ).text;
    const [f] = body(text);
    expect(f!.excerpt).toBe('一、〔機密〕甲案金額為新臺幣三千萬元〔/機密〕');
    expect(f!.excerpt).not.toMatch(/結論|人事/);
  });

  it('stops at a line that opens a paragraph of its own (an item number), or after a portion-marked line', () => {
    const items = '一、本案【密】\n二、人事調整之細節\n三、其他';
    const at = items.indexOf('【');
    expect(excerptOf(items, at, at + 3).excerpt).toBe('一、本案【密】');
    const text = '甲案說明文字【機】\n乙案說明文字，無標示。';
    expect(excerptOf(text, 6, 9).excerpt).toBe('甲案說明文字【機】');
  });

  it('goes on across a line break inside a paragraph (a wrapped line)', () => {
    const text = '本件係會議資料\n請勿轉寄【密】他人並於\n閱後銷毀';
    const at = text.indexOf('【');
    const { excerpt, span } = excerptOf(text, at, at + 3);
    expect(excerpt).toBe('本件係會議資料 請勿轉寄【密】他人並於 閱後銷毀');
    expect(excerpt.slice(span.start, span.start + span.length)).toBe('【密】');
  });

  it('a paragraph separator (U+2029) ends a paragraph too', () => {
    const text = '前段文字\u2029【密】本段\u2029後段文字';
    expect(excerptOf(text, 5, 8).excerpt).toBe('【密】本段');
  });
});

describe('excerpts of CJK text with characters outside the BMP', () => {
  it('never cuts a surrogate pair, and the offsets count UTF-16 units', () => {
    const astral = '𠀋𡈽𢀖𣇃𤆬'.repeat(12);
    const text = `${astral}【密】${astral}`;
    const at = text.indexOf('【');
    const { excerpt, span } = excerptOf(text, at, at + 3);
    expect(excerpt).not.toMatch(LONE_SURROGATE);
    expect(codePoints(excerpt)).toBe(EXCERPT_MAX);
    expect(excerpt.slice(span.start, span.start + span.length)).toBe('【密】');
    // 18 astral characters before the mark: 36 UTF-16 units.
    expect(span.start).toBe(2 * Math.floor((EXCERPT_MAX - 3) / 2));
  });

  it('drops half a pair left by the search window rather than showing it', () => {
    // The paragraph search looks 80 units back: make that land inside a pair, with nothing else before the mark.
    const text = `${'𠀋'.repeat(45)}【密】`;
    for (let start = 0; start < 4; start++) {
      const slice = text.slice(start);
      const at = slice.indexOf('【');
      const { excerpt, span } = excerptOf(slice, at, at + 3);
      expect(excerpt).not.toMatch(LONE_SURROGATE);
      expect(excerpt.slice(span.start)).toBe('【密】');
    }
  });

  it('highlights an astral mark exactly, through detection', () => {
    const text = '說明：𠀋𠀋𠀋本案列為【機】，𠀋𠀋不得外流。';
    const [f] = body(text);
    expect(marked(f!)).toBe('【機】');
    expect(f!.excerpt).toBe(text);
    expect(f!.excerptSpan!.start).toBe(text.indexOf('【'));
  });
});
