import { detectSegment, paragraphAround, PortionParagraphs } from '../../../src/core/detect';

/**
 * The paragraphs of all portion marks of a text, found once per line (PortionParagraphs), against paragraphAround
 * walking the lines from each mark, which stays the reference: the results must be identical for every mark.
 */

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const MARKS = ['【機】', '【密】', '〖極〗', '［絕］', '（機）', '【 無 】', '【機密】'];
const PROSE = ['本案請各單位配合辦理。', '會議決議事項列管追蹤', '資料如附件', 'see attached', ''];
/** Line openers that start a paragraph of their own, and some that look alike but do not. */
const OPENERS = ['一、', '1. ', '1.5 ', '（一）', '(1)', '①', '甲、', '● ', '※', '○○局', '　', '  ', ''];
/** Ends of lines: a portion mark with trailing spaces, the same mark followed by text, nothing. */
const ENDINGS = ['', '', '　', ' \t', '。'];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)] as T;
}

/** Lines with portion marks at their start, their end and in the middle, blank lines and item-numbered lines. */
function markedText(seed: number, lines: number, newline: string): string {
  const r = rng(seed);
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const roll = r();
    if (roll < 0.12) {
      out.push(pick(r, ['', ' ', '　', '\t']));
      continue;
    }
    let line = pick(r, OPENERS);
    if (r() < 0.4) {
      line += pick(r, MARKS);
    }
    line += pick(r, PROSE);
    if (r() < 0.25) {
      line += pick(r, MARKS) + pick(r, PROSE);
    }
    if (r() < 0.35) {
      line += pick(r, MARKS) + pick(r, ENDINGS);
    }
    out.push(line);
  }
  return (r() < 0.5 ? newline : '') + out.join(newline) + (r() < 0.5 ? newline : '');
}

const variants: [string, string][] = [
  ['LF', '\n'],
  ['CRLF', '\r\n'],
];

describe('PortionParagraphs', () => {
  it.each(variants)('gives paragraphAround for every portion mark of generated texts (%s)', (_name, newline) => {
    let marks = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const text = markedText(seed, 60, newline);
      const index = new PortionParagraphs(text);
      const expected: unknown[] = [];
      const actual: unknown[] = [];
      for (const m of text.matchAll(/[【〖［（][ ]?[無密機極絕][ ]?[】〗］）]/gu)) {
        const start = m.index;
        const end = start + m[0].length;
        expected.push([start, paragraphAround(text, start, end)]);
        actual.push([start, index.around(start, end)]);
        marks++;
      }
      expect(actual).toEqual(expected);
    }
    expect(marks).toBeGreaterThan(500);
  });

  it.each(variants)('gives paragraphAround for any span, in any order, on any line (%s)', (_name, newline) => {
    for (let seed = 41; seed <= 60; seed++) {
      const text = markedText(seed, 40, newline);
      const r = rng(seed);
      const index = new PortionParagraphs(text);
      for (let k = 0; k < 200; k++) {
        const start = k === 0 ? 0 : Math.floor(r() * (text.length + 1));
        const end = Math.min(text.length, start + Math.floor(r() * 3 * newline.length * 20));
        expect([start, end, index.around(start, end)]).toEqual([start, end, paragraphAround(text, start, end)]);
      }
    }
  });

  it('reads a text of long lines a bounded number of times, however many marks stand on a line', () => {
    // Lines are found from each mark outwards; on a text without line breaks (extracted from one HTML or CSV line)
    // that read the whole line again for every mark, N marks × the text. Count what the line searches read.
    const { indexOf, lastIndexOf } = String.prototype;
    let read = 0;
    const spies = [
      jest.spyOn(String.prototype, 'lastIndexOf').mockImplementation(function (this: string, search, from) {
        const at = lastIndexOf.call(this, search, from);
        if (search === '\n') {
          read += (from ?? this.length) - at;
        }
        return at;
      }),
      jest.spyOn(String.prototype, 'indexOf').mockImplementation(function (this: string, search, from) {
        const at = indexOf.call(this, search, from);
        if (search === '\n') {
          read += (at === -1 ? this.length : at) - (from ?? 0);
        }
        return at;
      }),
    ];
    try {
      for (const text of ['（一）說明事項【機】'.repeat(3000), `前言\n${'說明事項【密】'.repeat(2000)}\n結語`]) {
        read = 0;
        const index = new PortionParagraphs(text);
        const marks: number[] = [];
        for (let p = indexOf.call(text, '【'); p !== -1; p = indexOf.call(text, '【', p + 1)) {
          marks.push(p);
        }
        const got = marks.map((p) => index.around(p, p + 3));
        expect(read).toBeLessThanOrEqual(3 * text.length);
        read = 0;
        expect(got).toEqual(marks.map((p) => paragraphAround(text, p, p + 3)));
      }
    } finally {
      spies.forEach((spy) => spy.mockRestore());
    }
  });

  it('handles the edges: empty text, text of breaks, a break at offset 0', () => {
    for (const text of [
      '',
      '\n',
      '\n\n',
      '\r\n',
      '【機】',
      '\n【機】',
      '【機】\n',
      'a\n\n【機】b\nc',
      '\n\n一、【密】',
    ]) {
      const index = new PortionParagraphs(text);
      for (let start = 0; start <= text.length; start++) {
        for (let end = start; end <= text.length; end++) {
          expect([text, start, end, index.around(start, end)]).toEqual([
            text,
            start,
            end,
            paragraphAround(text, start, end),
          ]);
        }
      }
    }
  });

  it('is what detectSegment gives each portion mark of a body, marks at every line start, in the middle, at the end', () => {
    for (const newline of ['\n', '\r\n']) {
      const text = markedText(7, 400, newline);
      const portions = detectSegment({ location: 'body', text, position: 'body' }).filter((f) => f.rule === 'portion');
      expect(portions.length).toBeGreaterThan(100);
      expect(portions.map((f) => f.region)).toEqual(
        portions.map((f) => paragraphAround(text, f.offset!, f.offset! + f.length!)),
      );
    }
  });

  it('tests each line for a closing portion mark a bounded number of times, however many marks open lines', () => {
    // The reviewer's case: a portion mark opening each of N lines, no blank line. Walking back from each mark to
    // the paragraph start read every earlier line again, N²/2 lines in all (8,000 lines took seconds).
    const isPortionLineEnd = (re: RegExp): boolean => re.source.endsWith('[ \\t\\u3000\\r]*$');
    const test = jest.spyOn(RegExp.prototype, 'test');
    try {
      for (const lines of [200, 800]) {
        let text = '';
        for (let i = 1; i <= lines; i++) {
          text += `【機】第${i}項內容說明。\n`;
        }
        test.mockClear();
        const portions = detectSegment({ location: 'body', text, position: 'body' }).filter(
          (f) => f.rule === 'portion',
        );
        expect(portions).toHaveLength(lines);
        const lineEndTests = test.mock.contexts.filter((re) => re instanceof RegExp && isPortionLineEnd(re)).length;
        expect(lineEndTests).toBeGreaterThan(0);
        expect(lineEndTests).toBeLessThanOrEqual(2 * lines);
      }
    } finally {
      test.mockRestore();
    }
  });
});
