import { detectSegment } from '../../../src/core/detect';
import { type Level, levelRank } from '../../../src/core/levels';
import { loadMarkingCases, type MarkingCase } from '../../support/marking-cases';

/**
 * The text classes behind the misses of the blind-r2 corpus (boxed form options, glossary rows, level definitions,
 * declassified listings, a former level after 原核列), each with the hard positives it must not hide. Unlike the corpus
 * threshold, every one of these must hold.
 */
describe('blind-r2 miss classes', () => {
  // Sheet rows as the xlsx/ods extraction gives them (cells joined by tabs). They stay out of the labelled corpus,
  // whose strip property re-reads each case as HTML paragraphs, where the tabs collapse and the table is gone.
  const sheetRows: MarkingCase[] = [
    {
      id: 'r2-gloss-001',
      position: 'body',
      text: '等級\t英文\t保密期限上限\n絕對機密\tTop Secret\t30年\n極機密\tSecret\t20年\n機密\tConfidential\t10年\n密\t-\t依機關規定',
      expect: null,
      note: 'glossary sheet: the 密 row has a dash for its English name',
    },
    {
      id: 'r2-gloss-002',
      position: 'body',
      text: '絕對機密\tTop Secret\t30年\n極機密\tSecret\t20年\n機密\tConfidential\t10年\n密\t-\t依機關規定\n\n密',
      expect: '密',
      note: 'a real standalone 密 line below a glossary table still marks',
    },
    {
      id: 'r2-gloss-003',
      position: 'body',
      text: '絕對機密\tTop Secret\t30年\n極機密\tSecret\t20年\n密',
      expect: '密',
      note: 'a 密 line of another width right below glossary rows is no glossary row',
    },
  ];
  const cases = [...loadMarkingCases().filter((c) => c.id.startsWith('r2-')), ...sheetRows];

  it('has the cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const findings = detectSegment({ location: 'body', text: c.text, position: c.position });
    const top = findings.reduce<Level | null>(
      (acc, f) => (acc === null || levelRank(f.level) > levelRank(acc) ? f.level : acc),
      null,
    );
    expect({ top, rules: top === c.expect ? [] : findings.map((f) => f.rule) }).toEqual({ top: c.expect, rules: [] });
  });
});
