import type { Level } from '../../../src/core/levels';
import { levelRank, LEVELS } from '../../../src/core/levels';
import { ConsumedSpans, ContainingSpans, dropCovered } from '../../../src/core/spans';

/**
 * Each indexed structure against the plain scan it replaced (issue 11 §9), on random spans: the answers must be the
 * same, only the cost differs. The scans below are the former detect.ts code.
 */

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

type Span = { start: number; end: number };
type Hit = Span & { level: Level; id: number };

function randomSpan(r: () => number, length: number, maxWidth: number): Span {
  const start = Math.floor(r() * (length - 1));
  const end = Math.min(length, start + 1 + Math.floor(r() * maxWidth));
  return { start, end };
}

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

describe('ConsumedSpans', () => {
  it.each(SEEDS)('answers overlaps as a scan of every consumed span does (seed %i)', (seed) => {
    const r = rng(seed);
    const length = 50 + Math.floor(r() * 400);
    const index = new ConsumedSpans(length);
    const consumed: Array<[number, number]> = [];
    const actual: string[] = [];
    const expected: string[] = [];
    for (let step = 0; step < 600; step++) {
      const { start, end } = randomSpan(r, length, 1 + Math.floor(r() * 12));
      if (r() < 0.3) {
        index.add(start, end);
        consumed.push([start, end]);
      } else {
        actual.push(`${start}-${end}:${index.overlaps(start, end)}`);
        expected.push(`${start}-${end}:${consumed.some(([a, b]) => start < b && end > a)}`);
      }
    }
    expect(actual).toEqual(expected);
    expect(expected.filter((x) => x.endsWith('true')).length).toBeGreaterThan(20);
    expect(expected.filter((x) => x.endsWith('false')).length).toBeGreaterThan(20);
  });

  it('touching spans do not overlap', () => {
    const index = new ConsumedSpans(20);
    index.add(5, 8);
    expect(index.overlaps(0, 5)).toBe(false);
    expect(index.overlaps(8, 12)).toBe(false);
    expect(index.overlaps(7, 9)).toBe(true);
    expect(index.overlaps(4, 6)).toBe(true);
  });
});

describe('dropCovered', () => {
  const order = (a: Hit, b: Hit): number =>
    a.start - b.start || b.end - b.start - (a.end - a.start) || levelRank(b.level) - levelRank(a.level);

  function quadratic(sorted: readonly Hit[]): Hit[] {
    const unique: Hit[] = [];
    for (const h of sorted) {
      const dup = unique.some((u) => u.start <= h.start && u.end >= h.end && levelRank(u.level) >= levelRank(h.level));
      if (!dup) {
        unique.push(h);
      }
    }
    return unique;
  }

  it.each(SEEDS)('keeps the same hits, in the same order, as the pairwise check (seed %i)', (seed) => {
    const r = rng(seed);
    // Short texts with many hits, so duplicates, nesting and same-start hits of every level all occur.
    const length = 20 + Math.floor(r() * 200);
    const hits: Hit[] = [];
    for (let i = 0; i < 300; i++) {
      const { start, end } = randomSpan(r, length, 1 + Math.floor(r() * 16));
      hits.push({ start, end, level: LEVELS[Math.floor(r() * LEVELS.length)] as Level, id: i });
    }
    hits.sort(order);
    const kept = dropCovered(hits);
    expect(kept.map((h) => h.id)).toEqual(quadratic(hits).map((h) => h.id));
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(hits.length);
  });

  it('keeps a lower level only where no higher one covers it', () => {
    const hits: Hit[] = [
      { start: 0, end: 10, level: '機密', id: 0 },
      { start: 2, end: 4, level: '密', id: 1 },
      { start: 3, end: 5, level: '極機密', id: 2 },
      { start: 12, end: 14, level: '密', id: 3 },
    ];
    expect(dropCovered(hits).map((h) => h.id)).toEqual([0, 2, 3]);
  });
});

describe('ContainingSpans', () => {
  const contains = (s: Span, start: number, end: number): boolean => s.start <= start && s.end >= end;

  it.each(SEEDS)('answers some and first as a scan of the list does (seed %i)', (seed) => {
    const r = rng(seed);
    const length = 100 + Math.floor(r() * 500);
    // Half the seeds give disjoint lists (tags, delimited regions, paragraphs), with repeats as several portion marks
    // of one paragraph give; the other half overlapping ones (user-marked regions over delimited ones).
    const disjoint = seed % 2 === 0;
    const items: (Span & { id: number })[] = [];
    let at = 0;
    for (let i = 0; at < length && i < 60; i++) {
      if (disjoint) {
        const start = at + Math.floor(r() * 10);
        const end = Math.min(length, start + Math.floor(r() * 20));
        items.push({ start, end, id: i });
        if (r() < 0.3) {
          items.push({ start, end, id: 1000 + i });
        }
        at = end;
      } else {
        items.push({ ...randomSpan(r, length, 40), id: i });
      }
    }
    // List order is not start order: portion paragraphs come in the order of their marks, not of their starts.
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [items[i], items[j]] = [items[j] as (typeof items)[number], items[i] as (typeof items)[number]];
    }
    const index = new ContainingSpans(items);
    const actual: string[] = [];
    const expected: string[] = [];
    for (let q = 0; q < 1500; q++) {
      const start = Math.floor(r() * length);
      const end = r() < 0.05 ? start : Math.min(length, start + Math.floor(r() * 25));
      const first = items.find((s) => contains(s, start, end));
      actual.push(`${start}-${end}:${index.some(start, end)}:${index.first(start, end)?.id}`);
      expected.push(`${start}-${end}:${first !== undefined}:${first?.id}`);
    }
    expect(actual).toEqual(expected);
    expect(expected.filter((x) => x.includes(':true:')).length).toBeGreaterThan(100);
  });

  it('answers nothing for an empty list', () => {
    const index = new ContainingSpans<Span>([]);
    expect(index.some(0, 1)).toBe(false);
    expect(index.first(0, 1)).toBeUndefined();
  });
});
