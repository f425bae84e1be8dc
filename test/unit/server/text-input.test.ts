import { asDisplayText, findUncleanText } from '../../../src/server/text-input';

describe('display text from a token claim', () => {
  it('keeps clean text as it is, and shows each character that is not text as U+FFFD in its place', () => {
    expect(asDisplayText('陳委員 (政風室)', 200)).toBe('陳委員 (政風室)');
    expect(asDisplayText('a\u0000b\ud800c\u202ed\ufeffe\u0085', 200)).toBe('a\ufffdb\ufffdc\ufffdd\ufffde\ufffd');
    expect(findUncleanText(asDisplayText('\udc00\u2066x\u0007', 200))).toBeNull();
  });

  it('cuts at the limit without splitting a surrogate pair', () => {
    expect(asDisplayText('ab𠀀c', 3)).toBe('ab');
    expect(asDisplayText('ab𠀀c', 4)).toBe('ab𠀀');
    expect(asDisplayText('abcd', 2)).toBe('ab');
    // A lone high surrogate at the cut, with nothing pairing it after, is not text either.
    expect(asDisplayText('ab\ud800x', 3)).toBe('ab\ufffd');
  });
});
