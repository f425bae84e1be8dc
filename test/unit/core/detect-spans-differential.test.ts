import type { CompiledCustomRule, DetectOptions } from '../../../src/core/detect';
import { detectSegment, paragraphAround } from '../../../src/core/detect';
import type { Level } from '../../../src/core/levels';
import { levelRank } from '../../../src/core/levels';
import type { Finding, SegmentPosition, TextSegment } from '../../../src/core/types';

/**
 * The detector with its span bookkeeping indexed (issue 11 §9) against the same detector running the plain pairwise
 * scans it had before, on long texts dense with every kind of mark: overlapping rules, windows merged across marks,
 * nested and unpaired delimiter tags, several portion marks per paragraph, custom keywords on top of marks and
 * user-marked regions across delimited ones. The findings must be identical, field by field.
 */

type Span = { start: number; end: number };

/** The former detect.ts code, as a drop-in for src/core/spans. */
const pairwise = {
  ConsumedSpans: class {
    private readonly spans: Array<[number, number]> = [];
    add(start: number, end: number): void {
      this.spans.push([start, end]);
    }
    overlaps(s: number, e: number): boolean {
      return this.spans.some(([a, b]) => s < b && e > a);
    }
  },
  dropCovered<T extends Span & { level: Level }>(sorted: readonly T[]): T[] {
    const unique: T[] = [];
    for (const h of sorted) {
      if (!unique.some((u) => u.start <= h.start && u.end >= h.end && levelRank(u.level) >= levelRank(h.level))) {
        unique.push(h);
      }
    }
    return unique;
  },
  ContainingSpans: class<T extends Span> {
    constructor(private readonly items: readonly T[]) {}
    some(start: number, end: number): boolean {
      return this.items.some((t) => start >= t.start && end <= t.end);
    }
    first(start: number, end: number): T | undefined {
      return this.items.find((t) => start >= t.start && end <= t.end);
    }
  },
};

let pairwiseDetect: typeof detectSegment;
jest.isolateModules(() => {
  jest.doMock('../../../src/core/spans', () => pairwise);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a second copy of the module, built on the mock
  pairwiseDetect = (require('../../../src/core/detect') as { detectSegment: typeof detectSegment }).detectSegment;
});

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Pieces that each trigger one or more rules, several of them overlapping in the same few characters. */
const MARKED = [
  '密等及解密條件或保密期限：機密（本件於公布時解密）',
  '密等及解密條件或保密期限：密',
  '密等：極機密',
  '機密（本案三個月後解密）',
  '附件抽存後解密',
  '本件至115年12月31日解密',
  '本會議因具機敏性質，與會人員應行保密。',
  '甲段內容。【密】',
  '乙段內容（機）',
  '丙段【無】',
  '丁段〖極〗',
  '【密】【機】【極】',
  '〔機密〕',
  '〔/機密〕',
  '〔極機密〕',
  '〔/極機密〕',
  '【機密】本週專案',
  '本件為密件，請勿轉寄。',
  '本文件屬機密文件',
  '極機密',
  '機密　第3份／共20份',
  '密',
  '機 敏 資 料',
  '內部限閱',
  '秘密★1年',
  '绝密★',
  'TOP SECRET//REL TO TWN',
  'Classification: Confidential',
  'Company Confidential',
  '加蓋「密」戳',
];
const PROSE = [
  '請各單位確實督導所屬同仁落實公務機密維護，並依規定辦理保密教育訓練。',
  '資訊系統帳號密碼應定期更換，密碼長度至少十二碼。',
  '本案與相關機關密切聯繫，並請各單位緊密配合辦理。',
  '（一）',
  '一、',
  '會議決議事項請各權責單位列管追蹤。',
  'Please find attached the agenda for next week.',
  '機\u200b密',
  '機　密',
];
const SEPARATORS = ['', '', '\n', '\n', '\n\n', '　', ' '];

function denseText(seed: number, length: number): string {
  const r = rng(seed);
  let text = '';
  while (text.length < length) {
    const pool = r() < 0.45 ? MARKED : PROSE;
    text += pool[Math.floor(r() * pool.length)] as string;
    text += SEPARATORS[Math.floor(r() * SEPARATORS.length)] as string;
    if (r() < 0.05) {
      // A stretch with no trigger, so the windows split instead of merging into one.
      text += '會議時間訂於下午二時，地點為第三會議室，請準時出席。'.repeat(1 + Math.floor(r() * 4)) + '\n';
    }
  }
  return text;
}

const customRules: CompiledCustomRule[] = [
  { id: 'project', level: '極機密', keywords: ['機密'], pattern: null },
  { id: 'codename', level: '密', keywords: ['專案'], pattern: null },
];

const CASES: { name: string; segment: (text: string) => TextSegment; options: (text: string) => DetectOptions }[] = [
  { name: 'body', segment: (text) => ({ location: 'body', text, position: 'body' }), options: () => ({}) },
  {
    name: 'attachment header',
    segment: (text) => ({ location: 'attachment:a.docx', text, position: 'header' as SegmentPosition }),
    options: () => ({}),
  },
  { name: 'subject', segment: (text) => ({ location: 'subject', text, position: 'subject' }), options: () => ({}) },
  {
    name: 'body with custom keywords',
    segment: (text) => ({ location: 'body', text, position: 'body' }),
    options: () => ({ customRules }),
  },
  {
    name: 'body with user-marked regions',
    segment: (text) => ({ location: 'body', text, position: 'body' }),
    options: (text) => ({
      markedRegions: [
        { start: 100, end: 900, level: '密' },
        { start: Math.floor(text.length / 3), end: Math.floor(text.length / 2), level: '機密' },
        { start: Math.floor(text.length / 3) + 50, end: Math.floor(text.length / 3) + 400, level: '機敏' },
      ],
    }),
  },
];

describe('detectSegment: indexed span bookkeeping gives the same findings as pairwise scans', () => {
  const seeds = [11, 12, 13, 14];
  for (const c of CASES) {
    it.each(seeds)(`${c.name}, dense text (seed %i)`, (seed) => {
      // Longer than the whole-text limit, so the windowed path runs.
      const text = denseText(seed, 30_000);
      const segment = c.segment(text);
      const expected: Finding[] = pairwiseDetect(segment, c.options(text));
      const actual = detectSegment(segment, c.options(text));
      expect(actual).toEqual(expected);
      // The comparison means something only if the text exercises what was indexed.
      expect(expected.length).toBeGreaterThan(50);
    });
  }

  it('exercises regions, strippable paragraphs and levels in the dense text', () => {
    const findings = detectSegment({ location: 'body', text: denseText(11, 30_000), position: 'body' });
    const rules = new Set(findings.map((f) => f.rule));
    for (const rule of ['region.delimited', 'portion', 'field.classification', 'level.inline', 'declaration']) {
      expect(rules).toContain(rule);
    }
    expect(findings.some((f) => f.rule !== 'portion' && f.strippable && f.region)).toBe(true);
  });
});

describe('detectSegment: the paragraph of each portion mark', () => {
  const variants: [string, (text: string) => string][] = [
    ['as written', (text) => text],
    ['on one line', (text) => text.replace(/\n/g, ' ')],
    ['with CRLF', (text) => text.replace(/\n/g, '\r\n')],
  ];
  it.each(variants)('is paragraphAround of the mark, several marks a line (%s)', (_name, variant) => {
    const text = variant(denseText(21, 30_000));
    const portions = detectSegment({ location: 'body', text, position: 'body' }).filter((f) => f.rule === 'portion');
    expect(portions.length).toBeGreaterThan(10);
    const expected = portions.map((f) => paragraphAround(text, f.offset!, f.offset! + f.length!));
    expect(portions.map((f) => f.region)).toEqual(expected);
  });

  it('depends only on the lines the mark starts and ends on, which lets marks on one line share it', () => {
    const text = denseText(22, 6_000);
    const r = rng(22);
    const lineStart = (i: number): number => text.lastIndexOf('\n', i - 1) + 1;
    const lineEnd = (i: number): number => (text.indexOf('\n', i) === -1 ? text.length : text.indexOf('\n', i));
    for (let k = 0; k < 300; k++) {
      const start = Math.floor(r() * text.length);
      const end = Math.min(text.length, start + 1 + Math.floor(r() * 30));
      // Any other span starting on the same line and ending on the same line.
      const a = lineStart(start);
      const b = lineEnd(end);
      const start2 = a + Math.floor(r() * (Math.min(b, lineEnd(start)) - a + 1));
      const end2 = Math.max(start2, lineStart(end) + Math.floor(r() * (b - lineStart(end) + 1)));
      expect([start2, end2, paragraphAround(text, start2, end2)]).toEqual([
        start2,
        end2,
        paragraphAround(text, start, end),
      ]);
    }
  });
});
