import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

import { isLevel, type Level } from '../../src/core/levels';
import { SEGMENT_POSITIONS, type SegmentPosition } from '../../src/core/types';

export interface MarkingCase {
  readonly id: string;
  readonly position: SegmentPosition;
  readonly text: string;
  readonly expect: Level | null;
  readonly note?: string;
}

/**
 * The labelled marking corpus: every JSON file in `test/fixtures/markings/`, validated so that a typo in a fixture
 * fails loudly instead of skewing the score.
 */
export function loadMarkingCases(): MarkingCase[] {
  const dir = path.join(__dirname, '..', 'fixtures', 'markings');
  const cases: MarkingCase[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const doc = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { cases: MarkingCase[] };
    cases.push(...doc.cases);
  }
  const ids = new Set<string>();
  for (const c of cases) {
    if (ids.has(c.id)) {
      throw new Error(`duplicate case id ${c.id}`);
    }
    ids.add(c.id);
    if (!(SEGMENT_POSITIONS as readonly string[]).includes(c.position)) {
      throw new Error(`${c.id}: bad position ${c.position}`);
    }
    if (c.expect !== null && !isLevel(c.expect)) {
      throw new Error(`${c.id}: bad level ${String(c.expect)}`);
    }
    if (typeof c.text !== 'string' || c.text.length === 0) {
      throw new Error(`${c.id}: empty text`);
    }
  }
  return cases;
}
