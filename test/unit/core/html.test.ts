import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import fc from 'fast-check';

import {
  cssContentStrings,
  escapeHtml,
  HIDDEN_HTML_LIMITS,
  htmlHiddenText,
  htmlSegments,
  htmlToText,
  removeHtmlRanges,
  tokeniseHtml,
} from '../../../src/core/html';

describe('htmlToText', () => {
  it('separates paragraphs by a blank line and lines by a break; a table row is one line of tab-separated cells', () => {
    expect(
      htmlToText(
        '<p>甲</p><p>乙<br>丙</p><table><tr><td>丁</td><td>戊</td></tr><tr><th>己</th><td>庚</td></tr></table>',
      ).text,
    ).toBe('甲\n\n乙\n丙\n\n丁\t戊\t\n己\t庚\t\n\n');
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

/** The hidden text of `html` as `kind:text` lines, whitespace trimmed. */
const hidden = (html: string): string[] => htmlHiddenText(html).texts.map((t) => `${t.kind}:${t.text.trim()}`);
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const ordinaryOutlookMail = readFileSync(
  path.resolve(__dirname, '..', '..', 'fixtures', 'html', 'outlook-ordinary.html'),
  'utf8',
);

describe('htmlHiddenText: what an HTML body carries besides its visible text', () => {
  it('reads comments, and an Outlook conditional comment as the HTML it holds, without its condition', () => {
    expect(hidden('<p>公開<!-- 機密 --></p>')).toEqual(['comment:機密']);
    expect(hidden('<p>公開</p><!-- 機密，未關閉的註解')).toEqual(['comment:機密，未關閉的註解']);
    expect(hidden('<!--[if mso]><table><tr><td>極機密</td></tr></table><![endif]--><p>x</p>')).toEqual([
      'comment:極機密',
    ]);
    // Office settings in <xml> inside a conditional comment are not text.
    expect(hidden('<!--[if gte mso 9]><xml><o:PixelsPerInch>96</o:PixelsPerInch></xml><![endif]-->')).toEqual([]);
  });

  it('reads alt, title, aria-label and placeholder, entities decoded; not other attributes', () => {
    expect(
      hidden(
        '<img src="cid:a" alt="&#x6A5F;&#23494;圖"><span title=\'機密\' class="機密">x</span><a aria-label=機密>y</a><input placeholder="機密">',
      ),
    ).toEqual(['attr:機密圖', 'attr:機密', 'attr:機密', 'attr:機密']);
    expect(hidden('<td class="機密" data-x="機密" width=3>x</td>')).toEqual([]);
    // Text on one element only: WordArt (a VML watermark), a form field's value, a <meta>'s content.
    expect(
      hidden('<v:textpath string="機密"/><input type=hidden value="極機密"><meta name="classification" content="密">'),
    ).toEqual(['attr:機密', 'attr:極機密', 'attr:密']);
    expect(hidden('<option value="機密">x</option><div string="機密" content="機密">y</div>')).toEqual([]);
  });

  it('reads CSS content: strings in <style> and style="", escapes decoded, and no other property', () => {
    expect(
      hidden('<style>.s::before{content:"\\6A5F\\5BC6"} .t{align-content:center;justify-content:"x"}</style>'),
    ).toEqual(['css:機密']);
    expect(hidden('<p style="content:&quot;極&quot; \'機密\'">x</p>')).toEqual(['css:極機密']);
    expect(cssContentStrings('a{color:red} /* content:"機密" */ b{place-content:start}')).toEqual([]);
  });

  it('ruby: the base text reads as one word in the visible text, the annotation on its own', () => {
    const html = '<p><ruby>機<rt>jī</rt>密<rt>mì</rt></ruby>文件</p>';
    expect(htmlToText(html).text.trim()).toBe('機密文件');
    expect(hidden(html)).toEqual(['ruby:jīmì']);
    const withRp = '<p><ruby>機<rp>(</rp><rt>jī</rt><rp>)</rp>密</ruby></p>';
    expect(htmlToText(withRp).text.trim()).toBe('機密');
    expect(htmlToText('<p><ruby>機密</ruby>件</p>').text.trim()).toBe('機密件');
    expect(hidden('<p><ruby>甲<rt>機</rt>乙<rt>密</rt></ruby></p>')).toEqual(['ruby:機密']);
    // A stray <rt> outside a <ruby> is ordinary text, and a paragraph ends an unclosed annotation.
    expect(htmlToText('<p><rt>機密</rt></p>').text.trim()).toBe('機密');
    expect(htmlToText('<p><ruby>a<rt>b</p><p>機密</p>').text).toContain('機密');
  });

  it('reads <noscript> and <template> content as HTML, with their own hidden text', () => {
    expect(hidden('<noscript><p>機密<img alt="極機密"></p></noscript><template><b>絕對機密</b></template>')).toEqual([
      'noscript:機密',
      'attr:極機密',
      'template:絕對機密',
    ]);
  });

  it('decodes data: URIs: text base64 and percent-encoded, HTML and SVG read as HTML, recursively', () => {
    expect(hidden(`<a href="data:text/plain;base64,${b64('機密')}">x</a>`)).toEqual(['data:機密']);
    expect(hidden(`<a href="data:text/plain;charset=utf-8,${encodeURIComponent('極機密')}">x</a>`)).toEqual([
      'data:極機密',
    ]);
    expect(hidden(`<iframe src="data:text/html,${encodeURIComponent('<p>機密</p><!--極機密-->')}"></iframe>`)).toEqual([
      'data:機密',
      'comment:極機密',
    ]);
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><text x="0" y="10">機密</text></svg>';
    expect(hidden(`<img src="data:image/svg+xml;base64,${b64(svg)}">`)).toEqual(['data:機密']);
    expect(hidden(`<img src='data:image/svg+xml;utf8,${svg}'>`)).toEqual(['data:機密']);
    const inner = `<a href="data:text/plain;base64,${b64('絕對機密')}">y</a>`;
    expect(hidden(`<iframe src="data:text/html;base64,${b64(inner)}"></iframe>`)).toEqual(['data:y', 'data:絕對機密']);
    expect(hidden('<iframe srcdoc="&lt;p&gt;機密&lt;/p&gt;"></iframe>')).toEqual(['data:機密']);
  });

  it('an image in a data: URI is unread (image-only), as an inline cid: image is; no text is made up', () => {
    const r = htmlHiddenText('<img src="data:image/png;base64,iVBORw0KGgo=" alt="logo">');
    expect(r.texts.map((t) => t.text)).toEqual(['logo']);
    expect(r.unread.map((u) => `${u.kind} ${u.reason} ${u.detail}`)).toEqual(['data image-only data:image/png']);
  });

  it('what cannot be decoded is unread, never skipped: bad base64, an unknown charset, other types', () => {
    const reasons = (html: string) => htmlHiddenText(html).unread.map((u) => u.reason);
    expect(reasons('<a href="data:text/plain;base64,@@@@">x</a>')).toEqual(['malformed']);
    expect(reasons('<a href="data:text/plain,%FF%FE%FD">x</a>')).toEqual(['unreadable-charset']);
    expect(reasons('<a href="data:text/plain;charset=x-unknown,abc">x</a>')).toEqual(['unreadable-charset']);
    expect(reasons('<a href="data:application/pdf;base64,JVBERi0=">x</a>')).toEqual(['unsupported-format']);
  });

  it('bounds every decode: nesting depth, number of data: URIs, size', () => {
    let html = `<p>${'機密'}</p>`;
    for (let d = 0; d <= HIDDEN_HTML_LIMITS.maxDepth + 1; d++) {
      html = `<iframe src="data:text/html;base64,${b64(html)}"></iframe>`;
    }
    const deep = htmlHiddenText(html);
    expect(deep.unread.map((u) => u.reason)).toContain('too-large');
    const many = htmlHiddenText(
      Array.from({ length: HIDDEN_HTML_LIMITS.maxDataUris + 5 }, () => '<a href="data:,x">x</a>').join(''),
    );
    expect(many.texts).toHaveLength(HIDDEN_HTML_LIMITS.maxDataUris);
    expect(many.unread.map((u) => u.detail)).toEqual([`more than ${HIDDEN_HTML_LIMITS.maxDataUris} data: URIs`]);
    const big = htmlHiddenText(`<a href="data:,${'a'.repeat(HIDDEN_HTML_LIMITS.maxDataUriChars + 1)}">x</a>`);
    expect(big.texts).toEqual([]);
    expect(big.unread.map((u) => u.reason)).toEqual(['too-large']);
  });

  it('gives each piece the source range of what carries it, and segments at <location>#<kind>', () => {
    const html = '<p>a<!--機密-->b<img alt="極機密"></p>';
    const r = htmlHiddenText(html);
    expect(r.texts.map((t) => html.slice(t.start, t.end))).toEqual(['<!--機密-->', '<img alt="極機密">']);
    const s = htmlSegments(html, 'attachment:a.html');
    expect(s.segments.map((x) => `${x.location} ${x.position} ${x.text.trim()}`)).toEqual([
      'attachment:a.html body ab',
      'attachment:a.html#comment comment 機密',
      'attachment:a.html#attr metadata 極機密',
    ]);
  });

  it('hard negative: an ordinary Outlook mail (conditional comments, VML, mso CSS, alt="logo") has no mark in it', () => {
    const r = htmlHiddenText(ordinaryOutlookMail);
    expect(r.unread).toEqual([]);
    expect(r.texts.map((t) => t.text.trim())).toEqual([
      'text/html; charset=utf-8',
      'Microsoft Word 15 (filtered medium)',
      '線上報名',
      '報名表單',
      'BEGIN signature',
      'logo',
      '資訊室',
      '請輸入關鍵字',
      '搜尋',
      'END signature',
      'ㄗㄢ',
    ]);
  });

  it('property: hidden text never throws and every piece maps inside the source', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string({ maxLength: 20 }),
            fc.constantFrom('<!--', '-->', '<ruby>', '<rt>', '</ruby>', '<style>', '</style>', '<img alt="', '"'),
            fc.constantFrom('<a href="data:', 'text/html;base64,', 'content:"', '<template>', '<![endif]-->'),
          ),
          { maxLength: 30 },
        ),
        (parts) => {
          const html = parts.join('');
          const r = htmlHiddenText(html);
          for (const t of [...r.texts, ...r.unread]) {
            expect(t.start).toBeGreaterThanOrEqual(0);
            expect(t.end).toBeLessThanOrEqual(html.length);
            expect(t.start).toBeLessThanOrEqual(t.end);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('removeHtmlRanges and hidden text', () => {
  it('takes comments, <style> content and hidden-text attributes inside a range along; outside, they stay', () => {
    const html =
      '<p>前<!--c1--></p><p>刪<!--c2--><style>.x::before{content:"機密"}</style><span title="t" class="k">除</span><img alt="a">段</p><p>後<!--c3--></p>';
    const t = htmlToText(html);
    const start = t.text.indexOf('刪');
    const end = t.text.indexOf('段') + 1;
    const out = removeHtmlRanges(
      html,
      tokeniseHtml(html),
      [{ start: t.srcStart[start] as number, end: t.srcEnd[end - 1] as number }],
      () => '[X]',
    );
    expect(out).toBe('<p>前<!--c1--></p><p>[X]<style></style><span  class="k"></span></p><p>後<!--c3--></p>');
  });
});
