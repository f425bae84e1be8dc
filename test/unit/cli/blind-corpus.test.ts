/**
 * The blind corpus of issue 11: real files written without reading the detector, scanned the way the CLI scans
 * them. The threshold is the project's (≥ 0.98 precision and recall); the score and every miss are printed.
 */
import {
  BLIND_CLASSES,
  formatBlindScore,
  loadBlindLabels,
  scoreBlindCorpus,
  validateBlindLabels,
} from '../../support/blind-corpus';

describe('blind corpus (issue 11)', () => {
  const cases = loadBlindLabels();

  it('has sound labels: files exist, ids unique, levels valid, every class with positives and negatives', () => {
    expect(validateBlindLabels(cases)).toEqual([]);
    expect(cases.length).toBeGreaterThanOrEqual(170);
    for (const cls of BLIND_CLASSES) {
      expect(cases.some((c) => c.class === cls && c.expect !== null)).toBe(true);
      expect(cases.some((c) => c.class === cls && c.expect === null)).toBe(true);
    }
  });

  it('is detected with precision and recall of at least 0.98', async () => {
    const score = await scoreBlindCorpus();
    console.log(formatBlindScore(score));
    expect(score.cases).toBe(cases.length);
    expect(score.precision).toBeGreaterThanOrEqual(0.98);
    expect(score.recall).toBeGreaterThanOrEqual(0.98);
  }, 600_000);
});
