import fc from 'fast-check';

import { normalise } from '../../../src/core/normalise';

describe('normalise', () => {
  it.each([
    ['full-width letters and digits', 'ＣＯＮＦＩＤＥＮＴＩＡＬ １１５年', 'CONFIDENTIAL 115年'],
    ['ideographic space between CJK', '機　密', '機密'],
    ['ordinary and NBSP spaces between CJK', '機 敏\u00a0資 料', '機敏資料'],
    ['zero-width characters', '機\u200b密\u200c件\u200d\u2060\ufeff', '機密件'],
    ['soft hyphen and bidi controls', '極\u00ad機\u202e密\u2066', '極機密'],
    [
      'every bracket style',
      '「密」【機】（極）〔絕〕［密］(a)[b]『c』',
      '【密】【機】【極】【絕】【密】【a】【b】【c】',
    ],
    ['variant forms of the marking words', '绝对机密，秘密，资料，限阅，极机密', '絕對機密,祕密,資料,限閱,極機密'],
    ['line breaks collapse to one', '機\r\n\r\n密', '機\n密'],
    ['spacing between Latin words stays one space', 'TOP   SECRET', 'TOP SECRET'],
    ['full-width colon becomes ASCII', '密等：密', '密等:密'],
  ])('%s', (_name, input, expected) => {
    expect(normalise(input).text).toBe(expected);
  });

  it.each([
    ['Japanese shinjitai and the Unihan variant of 密', '絶対機密，宻件', '絕對機密,密件'],
    ['ideographic variation selectors', '機\u{e0100}密\u{e01ef}', '機密'],
    ['Mongolian free variation selectors', '機\u180b密', '機密'],
    ['full-width and small angle brackets fold, ASCII ones stay', '＜機＞﹤密﹥a<b>', '【機】【密】a<b>'],
    ['a right-to-left override is read in display order', 'x\u202e密機\u202cy', 'x機密y'],
    ['an override runs to the end of the line when not closed', '\u202e密機\n密機', '機密\n密機'],
    ['brackets mirror inside an override', '\u202e】甲【\u202c', '】甲【'],
  ])('%s', (_name, input, expected) => {
    expect(normalise(input).text).toBe(expected);
  });

  it('property: inside an override each character keeps its own origin, in display order', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...'機密極絕對甲乙丙'), { minLength: 1, maxLength: 20 }), (chars) => {
        const input = `前\u202e${chars.join('')}\u202c後`;
        const nt = normalise(input);
        expect(nt.text).toBe(`前${[...chars].reverse().join('')}後`);
        for (let i = 0; i < chars.length; i++) {
          expect(input[nt.origin[i + 1] as number]).toBe(nt.text[i + 1]);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('does not convert unrelated simplified characters', () => {
    // Only the marking words are folded; converting whole documents would invent marks.
    expect(normalise('简体中文会议').text).toBe('简体中文会议');
  });

  it('marks where spacing between CJK characters was removed', () => {
    const nt = normalise('機密　第3份');
    expect(nt.text).toBe('機密第3份');
    expect(Array.from(nt.gap)).toEqual([0, 0, 1, 0, 0]);
  });

  it('maps each character back to its original offset', () => {
    const input = 'ab\u200b機　 密ＡＢ';
    const nt = normalise(input);
    expect(nt.text).toBe('ab機密AB');
    expect(Array.from(nt.origin)).toEqual([0, 1, 3, 6, 7, 8, input.length]);
  });

  it('keeps surrogate pairs intact and maps them', () => {
    const input = '𠀀 機密';
    const nt = normalise(input);
    expect(nt.text).toBe('𠀀機密');
    expect(nt.origin[0]).toBe(0);
    expect(nt.origin[2]).toBe(3);
  });

  it('normalises a sub-range with offsets in the whole string', () => {
    const input = 'xxxx機 密yyyy';
    const nt = normalise(input, 4, 7);
    expect(nt.text).toBe('機密');
    expect(Array.from(nt.origin)).toEqual([4, 6, 7]);
  });

  it('property: origin is non-decreasing and points at the source of each character', () => {
    // Outside right-to-left overrides only: inside one the text is read in display order (see below).
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 200 }).map((s) => s.replace(/\u202e/g, '')),
        (s) => {
          const nt = normalise(s);
          expect(nt.origin.length).toBe(nt.text.length + 1);
          for (let i = 1; i < nt.origin.length; i++) {
            expect(nt.origin[i]).toBeGreaterThanOrEqual(nt.origin[i - 1] as number);
          }
          for (let i = 0; i < nt.text.length; i++) {
            const o = nt.origin[i] as number;
            expect(o).toBeGreaterThanOrEqual(0);
            expect(o).toBeLessThanOrEqual(s.length);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
