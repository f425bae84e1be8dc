/**
 * Span bookkeeping for detection, at a cost that grows with the text and not with the number of marks in it: a large
 * government document has thousands of matches, and a check of each against every earlier one made the scan
 * quadratic (issue 11 §9).
 */
import type { Level } from './levels';
import { levelRank, LEVELS } from './levels';

/**
 * The spans of normalised text a rule has already taken, so a later rule does not take the same words again.
 * Spans and queries are non-empty (every rule's match is). A query costs its own length.
 */
export class ConsumedSpans {
  private readonly covered: Uint8Array;

  constructor(textLength: number) {
    this.covered = new Uint8Array(textLength + 1);
  }

  add(start: number, end: number): void {
    this.covered.fill(1, start, end);
  }

  /** Whether `[start, end)` shares a character with a consumed span. */
  overlaps(start: number, end: number): boolean {
    const covered = this.covered;
    for (let i = start; i < end; i++) {
      if (covered[i] === 1) {
        return true;
      }
    }
    return false;
  }
}

interface LevelledSpan {
  readonly start: number;
  readonly end: number;
  readonly level: Level;
}

/**
 * Drops each hit that an earlier kept hit covers at the same or a higher level. `sorted` must be ordered by start, so
 * every earlier hit starts at or before the current one: covering then only needs the furthest end kept at each
 * level or above.
 */
export function dropCovered<T extends LevelledSpan>(sorted: readonly T[]): T[] {
  const furthestEnd = new Array<number>(LEVELS.length).fill(-Infinity);
  const kept: T[] = [];
  for (const h of sorted) {
    const rank = levelRank(h.level);
    let covered = false;
    for (let r = rank; r < LEVELS.length; r++) {
      if ((furthestEnd[r] as number) >= h.end) {
        covered = true;
        break;
      }
    }
    if (!covered) {
      kept.push(h);
      if (h.end > (furthestEnd[rank] as number)) {
        furthestEnd[rank] = h.end;
      }
    }
  }
  return kept;
}

interface Span {
  readonly start: number;
  readonly end: number;
}

/**
 * Finds which of a list of spans (tags, regions, paragraphs) contains a given span, without scanning the list for
 * every query. Answers are exactly those of a scan of the list in its order.
 */
export class ContainingSpans<T extends Span> {
  /** Distinct spans by start; for equal spans, the one earliest in the list. */
  private readonly byStart: T[];
  private readonly starts: Int32Array | Float64Array;
  /** `reach[i]`: the furthest end among `byStart[0..i]`. */
  private readonly reach: Float64Array;
  /** No two distinct spans overlap, so a non-empty query lies in at most one of them. */
  private readonly disjoint: boolean;

  constructor(private readonly items: readonly T[]) {
    const order = items.map((_, i) => i);
    order.sort((a, b) => {
      const x = items[a] as T;
      const y = items[b] as T;
      return x.start - y.start || x.end - y.end || a - b;
    });
    this.byStart = [];
    let disjoint = true;
    for (const i of order) {
      const item = items[i] as T;
      const last = this.byStart[this.byStart.length - 1];
      if (last && last.start === item.start && last.end === item.end) {
        continue;
      }
      if (last && item.start < last.end) {
        disjoint = false;
      }
      this.byStart.push(item);
    }
    this.disjoint = disjoint;
    this.starts = Float64Array.from(this.byStart, (s) => s.start);
    this.reach = new Float64Array(this.byStart.length);
    let reach = -Infinity;
    this.byStart.forEach((s, i) => {
      reach = Math.max(reach, s.end);
      this.reach[i] = reach;
    });
  }

  /** Index in `byStart` of the last span starting at or before `start`, or -1. */
  private lastStartingBy(start: number): number {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.starts[mid] as number) <= start) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo - 1;
  }

  /** Whether any span contains `[start, end)`. */
  some(start: number, end: number): boolean {
    const i = this.lastStartingBy(start);
    return i >= 0 && (this.reach[i] as number) >= end;
  }

  /** The first span, in list order, that contains `[start, end)`. */
  first(start: number, end: number): T | undefined {
    if (!this.disjoint || end <= start) {
      return this.items.find((s) => s.start <= start && s.end >= end);
    }
    const i = this.lastStartingBy(start);
    const s = i >= 0 ? this.byStart[i] : undefined;
    return s && s.end >= end ? s : undefined;
  }
}
