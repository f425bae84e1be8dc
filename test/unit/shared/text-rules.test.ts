import { badString, badTitleOrName, firstDisallowedInTitleOrName } from '../../../src/shared/text-rules';

describe('the rule for text, titles and names shared by the server and the pages', () => {
  it.each([
    ['NUL', '\u0000'],
    ['a C1 control', '\u0085'],
    ['a bidi override', '\u202e'],
    ['a BOM', '\ufeff'],
    ['a lone high surrogate', '\ud800'],
    ['a lone low surrogate', '\udc00'],
  ])('refuses %s in any text, and so in a title or a name', (_what, ch) => {
    expect([badString(`王${ch}明`), badTitleOrName(`王${ch}明`)]).toEqual([true, true]);
    expect(firstDisallowedInTitleOrName(`王${ch}明`)).toBe(ch);
  });

  it.each([
    ['a tab', '\t'],
    ['a line feed', '\n'],
    ['a zero-width space', '\u200b'],
    ['a left-to-right mark', '\u200e'],
    ['a line separator', '\u2028'],
    ['a tag character', '\u{e0041}'],
    ['a Hangul filler', '\u3164'],
    ['a zero-width joiner between letters', '\u200d'],
  ])('takes %s in text but refuses it in a title or a name', (_what, ch) => {
    expect([badString(`王${ch}明`), badTitleOrName(`王${ch}明`)]).toEqual([false, true]);
    expect(firstDisallowedInTitleOrName(`王${ch}明`)).toBe(ch);
  });

  it('names the first offending character when there are several', () => {
    expect(firstDisallowedInTitleOrName('王\u200b明\u0000')).toBe('\u200b');
    expect(firstDisallowedInTitleOrName('王\u0000明\u200b')).toBe('\u0000');
  });

  it('takes a name with CJK, an ideographic space, an emoji sequence and a surrogate pair', () => {
    for (const name of ['陳　委員', '王\u{1f468}\u200d\u{1f469}明', '林\u{1f468}\u{1f3fb}\u200d\u{1f469}', '𠀀科長']) {
      expect([name, firstDisallowedInTitleOrName(name), badTitleOrName(name)]).toEqual([name, null, false]);
    }
  });
});
