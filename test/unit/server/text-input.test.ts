import { cleanText } from '../../../src/server/sign-in-sheet-model';
import { asDisplayText, findUncleanText } from '../../../src/server/text-input';
import { badTitleOrName } from '../../../src/shared/text-rules';

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

describe('text on the sign-in sheet (cleanText)', () => {
  it('prints on one line without any character the title-and-name rule refuses, whatever was stored', () => {
    // Rows stored before the rule: every kind of character badTitleOrName refuses.
    const hidden = [
      '\u061c', // Arabic letter mark
      '\u200e', // left-to-right mark
      '\u00ad', // soft hyphen
      '\ufff9', // interlinear annotation anchor
      '\u{e0041}', // tag letter A
      '\u{e007f}', // cancel tag
      '\u3164', // Hangul filler
      '\u2066', // bidi isolate
      '\ud800', // unpaired surrogate
    ];
    for (const c of hidden) {
      const printed = cleanText(`陳${c}委員`);
      expect([c.codePointAt(0)?.toString(16), printed]).toEqual([c.codePointAt(0)?.toString(16), '陳委員']);
    }
    expect(cleanText('王\u2028小明\n(政風室)\t ')).toBe('王 小明 (政風室)');
    expect(badTitleOrName(cleanText(`a${hidden.join('')}\u2029b\r\nc`))).toBe(false);
    // An emoji sequence keeps its joiner, as the rule allows it.
    expect(cleanText('👨\u200d👩\u200d👧')).toBe('👨\u200d👩\u200d👧');
  });
});
