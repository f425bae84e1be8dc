import { breakIndex } from '../../../src/server/sign-in-sheet-pdf';

/** Where a full line `line` breaks before `next`: the two lines, as the PDF's wrap makes them. */
function split(line: string, next: string): [string, string] {
  const at = breakIndex([...line], next);
  return at > 0 ? [line.slice(0, at).trimEnd(), line.slice(at).trimStart()] : [line, ''];
}

describe('sign-in sheet PDF line breaks (breakIndex)', () => {
  it('inside a Latin account: before @, after . - or _, whichever comes last in the second half', () => {
    expect(split('chen.weiming@exa', 'm')).toEqual(['chen.weiming', '@exa']);
    expect(split('lin-shu-fen.secret', 'a')).toEqual(['lin-shu-fen.', 'secret']);
    expect(split('secretary@dept.exa', 'm')).toEqual(['secretary@dept.', 'exa']);
    expect(split('very_long_accoun', 't')).toEqual(['very_long_', 'accoun']);
  });

  it('a space comes first; nothing in the first half; no opportunity, or CJK next: right here', () => {
    expect(split('Daming Wan', 'g')).toEqual(['Daming', 'Wan']);
    expect(breakIndex([...'a.bcdefghij'], 'k')).toBe(-1);
    expect(breakIndex([...'abcdefgh'], 'i')).toBe(-1);
    expect(breakIndex([...'ab-cd'], '中')).toBe(-1);
    expect(breakIndex([...'歐陽上官司'], '徒')).toBe(-1);
    // A line ending in the punctuation breaks right after it: the same as breaking here.
    expect(breakIndex([...'abcdefg.'], 'h')).toBe(-1);
  });
});
