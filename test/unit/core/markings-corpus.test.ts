import { detectSegment } from '../../../src/core/detect';
import { type Level, levelRank } from '../../../src/core/levels';
import { loadMarkingCases } from '../../support/marking-cases';

/**
 * Precision and recall over the labelled corpus. A positive case counts as found only when the highest level found
 * is the labelled one; any finding in a negative case is a false positive.
 */
describe('labelled marking corpus', () => {
  const cases = loadMarkingCases();
  const outcomes = cases.map((c) => {
    const findings = detectSegment({
      location: c.position === 'subject' ? 'subject' : 'body',
      text: c.text,
      position: c.position,
    });
    const top = findings.reduce<Level | null>(
      (acc, f) => (acc === null || levelRank(f.level) > levelRank(acc) ? f.level : acc),
      null,
    );
    return { c, top, rules: findings.map((f) => f.rule) };
  });

  it('has at least 150 positive and 150 negative cases, every level represented', () => {
    const positives = cases.filter((c) => c.expect !== null);
    expect(positives.length).toBeGreaterThanOrEqual(150);
    expect(cases.length - positives.length).toBeGreaterThanOrEqual(150);
    for (const level of ['機敏', '密', '機密', '極機密', '絕對機密']) {
      expect(positives.filter((c) => c.expect === level).length).toBeGreaterThanOrEqual(10);
    }
  });

  it('precision and recall are at least 0.98', () => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    const misses: string[] = [];
    for (const { c, top, rules } of outcomes) {
      if (c.expect !== null) {
        if (top === c.expect) {
          tp++;
        } else {
          fn++;
          if (top !== null) {
            fp++;
          }
          misses.push(
            `${c.id} expected ${c.expect}, got ${top ?? 'nothing'} [${rules.join(',')}]: ${JSON.stringify(c.text)}`,
          );
        }
      } else if (top !== null) {
        fp++;
        misses.push(`${c.id} expected nothing, got ${top} [${rules.join(',')}]: ${JSON.stringify(c.text)}`);
      }
    }
    const precision = tp / (tp + fp);
    const recall = tp / (tp + fn);
    console.log(
      `marking corpus: ${cases.length} cases, precision ${precision.toFixed(4)}, recall ${recall.toFixed(4)}\n${misses.join('\n')}`,
    );
    expect(precision).toBeGreaterThanOrEqual(0.98);
    expect(recall).toBeGreaterThanOrEqual(0.98);
  });
});
