import fc from 'fast-check';

import { escapeHtml, htmlToText, removeHtmlRanges, tokeniseHtml } from '../../../src/core/html';

describe('htmlToText', () => {
  it('separates paragraphs by a blank line and lines by a break', () => {
    expect(htmlToText('<p>甲</p><p>乙<br>丙</p><table><tr><td>丁</td><td>戊</td></tr></table>').text).toBe(
      '甲\n\n乙\n丙\n\n丁\n戊\n\n',
    );
  });

  it('decodes entities and maps each character to its source range', () => {
    const html = '<b>A&amp;B&#x6A5F;&#23494;</b>';
    const t = htmlToText(html);
    expect(t.text).toBe('A&B機密');
    expect(html.slice(t.srcStart[1], t.srcEnd[1])).toBe('&amp;');
    expect(html.slice(t.srcStart[3], t.srcEnd[3])).toBe('&#x6A5F;');
  });

  it('skips script, style, comments and MSO xml blocks', () => {
    const html = '<style>p{color:red} 機密</style><!-- 機密 --><script>var a="機密"</script><xml>機密</xml><p>內容</p>';
    expect(htmlToText(html).text.trim()).toBe('內容');
  });

  it('treats source line breaks as spacing, not as visible breaks', () => {
    expect(htmlToText('<p>機\n密</p>').text.trim()).toBe('機 密');
  });

  it('survives malformed markup', () => {
    for (const html of [
      '<p>未關閉',
      '<<<>>>',
      '<a href="x>y">連結</a>',
      "<p attr='unterminated>文字",
      '&#99999999;',
      '</p></div>',
    ]) {
      expect(() => htmlToText(html)).not.toThrow();
    }
    expect(htmlToText('a < b and c > d').text).toBe('a < b and c > d');
  });

  it('property: every text character maps inside the source', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (html) => {
        const t = htmlToText(html);
        for (let i = 0; i < t.text.length; i++) {
          expect(t.srcStart[i]).toBeGreaterThanOrEqual(0);
          expect(t.srcEnd[i]).toBeLessThanOrEqual(html.length);
          expect(t.srcStart[i]).toBeLessThanOrEqual(t.srcEnd[i] as number);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('removeHtmlRanges', () => {
  it('removes text and images across elements but keeps every other tag', () => {
    const html = '<div><p>保留</p><p>刪除<img src="x.png">這段</p><p>到這裡</p><p>保留2</p></div>';
    const t = htmlToText(html);
    const start = t.text.indexOf('刪除');
    const end = t.text.indexOf('到這裡') + 3;
    const out = removeHtmlRanges(
      html,
      tokeniseHtml(html),
      [{ start: t.srcStart[start] as number, end: t.srcEnd[end - 1] as number }],
      () => '[X]',
    );
    expect(out).toBe('<div><p>保留</p><p>[X]</p><p></p><p>保留2</p></div>');
  });

  it('escapes text for HTML', () => {
    expect(escapeHtml('<a href="x">&\'')).toBe('&#60;a href=&#34;x&#34;&#62;&#38;&#39;');
  });
});
