/**
 * The blind corpora (issue 11's blind-11 and the later blind-r2): real files written without reading the detector,
 * scanned the way the CLI scans them. The threshold is the project's (≥ 0.98 precision and recall) for each corpus on
 * its own; the score and every miss are printed.
 */
import {
  BLIND_CORPORA,
  BLIND_MIN_CASES,
  formatBlindScore,
  loadBlindLabels,
  scoreBlindCorpus,
  validateBlindLabels,
} from '../../support/blind-corpus';

describe.each(BLIND_CORPORA.map((c) => [c.name, c] as const))('blind corpus %s', (_name, corpus) => {
  const cases = loadBlindLabels(corpus.dir);

  it('has sound labels: files exist, ids unique, levels valid, every class with positives and negatives', () => {
    expect(validateBlindLabels(cases, corpus.dir)).toEqual([]);
    expect(cases.length).toBeGreaterThanOrEqual(BLIND_MIN_CASES);
    for (const cls of corpus.classes) {
      expect(cases.some((c) => c.class === cls && c.expect !== null)).toBe(true);
      expect(cases.some((c) => c.class === cls && c.expect === null)).toBe(true);
    }
  });

  it('is detected with precision and recall of at least 0.98', async () => {
    const score = await scoreBlindCorpus(corpus.dir);
    console.log(formatBlindScore(score));
    expect(score.corpus).toBe(corpus.name);
    expect(score.cases).toBe(cases.length);
    expect(score.precision).toBeGreaterThanOrEqual(0.98);
    expect(score.recall).toBeGreaterThanOrEqual(0.98);
  }, 600_000);
});
