import { createHash } from 'node:crypto';

import fc from 'fast-check';

import { decide } from '../../../src/core/decide';
import { detectSegment } from '../../../src/core/detect';
import { htmlToText } from '../../../src/core/html';
import { DEFAULT_POLICY } from '../../../src/core/policy';
import { placeholderText, stripHtml, stripText } from '../../../src/core/strip';
import { loadMarkingCases } from '../../support/marking-cases';

const sha = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const findingsInText = (text: string) => detectSegment({ location: 'body', text, position: 'body' });
const findingsInHtml = (html: string) => findingsInText(htmlToText(html).text);

/** Counts each tag name's openings and closings, to check the markup keeps its shape. */
const tagShape = (html: string): string[] =>
  (html.match(/<\/?[a-z][a-z0-9]*/gi) ?? []).map((t) => t.toLowerCase()).sort();

describe('stripText', () => {
  it('replaces each strippable part with the placeholder and reports level, length and hash only', () => {
    const text = '前言\n\n第一段內容【密】\n第二段【無】\n〔機密〕區段內容〔/機密〕\n結語';
    const r = stripText(text, { receiptNumber: 'R-115-0042' });
    expect(r.remaining).toEqual([]);
    expect(r.body).toBe(
      `前言\n\n${placeholderText('R-115-0042')}\n第二段【無】\n${placeholderText('R-115-0042')}\n結語`,
    );
    expect(r.removed).toEqual([
      { level: '密', length: '第一段內容【密】'.length, sha256: sha('第一段內容【密】'), rules: ['portion'] },
      {
        level: '機密',
        length: '〔機密〕區段內容〔/機密〕'.length,
        sha256: sha('〔機密〕區段內容〔/機密〕'),
        rules: ['region.delimited'],
      },
    ]);
    expect(JSON.stringify(r.removed)).not.toContain('第一段');
    expect(findingsInText(r.body)).toEqual([]);
  });

  it('leaves whole-message marks for the caller to block', () => {
    const r = stripText('密等及解密條件或保密期限：機密\n\n第二段【密】');
    expect(r.removed).toHaveLength(1);
    expect(r.remaining.map((f) => f.rule)).toEqual(['field.classification']);
  });

  it('carries the receipt number in both languages and rejects a malformed one', () => {
    expect(placeholderText('A-1')).toMatch(/簽收單號：A-1.*receipt no\. A-1/);
    expect(() => placeholderText('<script>')).toThrow(RangeError);
    expect(() => placeholderText('x'.repeat(41))).toThrow(RangeError);
  });
});

describe('stripHtml', () => {
  it('keeps the markup and removes text and media of the marked paragraph', () => {
    const html =
      '<html><body><p>公開內容</p><p style="x">地區劃分草案 <b>A區</b> <img src="cid:map"> 併入B區。【密】</p><p>下次會議。【無】</p></body></html>';
    const r = stripHtml(html, { receiptNumber: 'R-1' });
    expect(r.body).not.toContain('A區');
    expect(r.body).not.toContain('cid:map');
    expect(r.body).toContain('<p>公開內容</p>');
    expect(r.body).toContain('<p>下次會議。【無】</p>');
    expect(r.body).toContain('簽收單號：R-1');
    expect(tagShape(r.body)).toEqual(tagShape(html).filter((t) => t !== '<img'));
    expect(r.removed).toEqual([
      {
        level: '密',
        // The visible text, as a reader sees it: the image sat between two spaces.
        length: '地區劃分草案 A區  併入B區。【密】'.length,
        sha256: sha('地區劃分草案 A區  併入B區。【密】'),
        rules: ['portion'],
      },
    ]);
    expect(findingsInHtml(r.body)).toEqual([]);
  });

  it('removes a delimited region that spans several elements', () => {
    const html = '<div>開頭<p>〔機密〕第一段</p><ul><li>項目</li></ul><p>第二段〔/機密〕結尾</p></div>';
    const r = stripHtml(html);
    expect(findingsInHtml(r.body)).toEqual([]);
    expect(r.body).toContain('開頭');
    expect(r.body).toContain('結尾');
    expect(r.body).not.toMatch(/第一段|項目|第二段/);
    expect(tagShape(r.body)).toEqual(tagShape(html));
  });

  it('handles entities inside the region without leaving half of one', () => {
    const html = '<p>A &amp; B &#x6A5F;&#23494;【機】</p><p>C &amp; D</p>';
    const r = stripHtml(html);
    expect(r.body).toContain('<p>C &amp; D</p>');
    expect(r.body).not.toMatch(/&(?!#\d+;|amp;)/);
  });
});

describe('re-scan after strip (property over the labelled corpus)', () => {
  const cases = loadMarkingCases();

  it('every case whose findings are all strippable rescans clean, as text and as HTML', () => {
    let checked = 0;
    for (const c of cases) {
      for (const text of [c.text, `〔機密〕${c.text}〔/機密〕`, `${c.text}【密】`]) {
        const found = findingsInText(text);
        if (found.length === 0 || !found.every((f) => f.strippable)) {
          continue;
        }
        checked++;
        expect({ id: c.id, text: stripText(text).body, findings: findingsInText(stripText(text).body) }).toMatchObject({
          findings: [],
        });
        const html = text
          .split(/\n{2,}/)
          .map((p) => `<p>${p.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\n/g, '<br>')}</p>`)
          .join('');
        expect({ id: c.id, findings: findingsInHtml(stripHtml(html).body) }).toMatchObject({ findings: [] });
      }
    }
    expect(checked).toBeGreaterThan(150);
  });

  it('random mixes of corpus paragraphs: strip leaves no findings and keeps the unmarked paragraphs', () => {
    const negatives = cases
      .filter((c) => c.expect === null && c.position === 'body')
      .map((c) => c.text.replace(/\n{2,}/g, '\n'));
    const marked = cases
      .filter((c) => c.position === 'body')
      .map((c) => `〔${c.expect ?? '密'}〕${c.text}〔/${c.expect ?? '密'}〕`)
      .filter((t) => findingsInText(t).every((f) => f.strippable));
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.constantFrom(...negatives).map((t) => ({ t, keep: true })),
            fc.constantFrom(...marked).map((t) => ({ t, keep: false })),
          ),
          { minLength: 1, maxLength: 12 },
        ),
        (paras) => {
          const body = paras.map((p) => p.t).join('\n\n');
          const r = stripText(body);
          expect(r.remaining).toEqual([]);
          expect(findingsInText(r.body)).toEqual([]);
          for (const p of paras) {
            if (p.keep) {
              expect(r.body).toContain(p.t);
            }
          }
          expect(r.removed.length).toBeLessThanOrEqual(paras.filter((p) => !p.keep).length);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('regions marked in the task pane', () => {
  it('strips a marked region with no typed delimiters and reports its level', () => {
    const text = '一般內容。\n這一段由使用者在工作窗格中標示為密。\n結語。';
    const start = text.indexOf('這一段');
    const end = text.indexOf('結語') - 1;
    const r = stripText(text, { markedRegions: [{ start, end, level: '機密' }] });
    expect(r.body).toBe(`一般內容。\n${placeholderText()}\n結語。`);
    expect(r.removed).toEqual([
      { level: '機密', length: end - start, sha256: sha(text.slice(start, end)), rules: ['region.marked'] },
    ]);
  });
});

describe('stripHtml and hidden text', () => {
  it('takes comments, <style> content and hidden attributes inside the region along, and reports nothing left', () => {
    const html =
      '<p>公開內容<!--c--></p><p>東部雷達站<!--機密--><style>i::after{content:"極機密"}</style><img src="cid:a" alt="機密"><span title="機密">輪值</span>調整。【機】</p><p>下次會議。</p>';
    const r = stripHtml(html);
    expect(r.remaining).toEqual([]);
    expect(r.body).not.toMatch(/機密|輪值/);
    expect(r.body).toContain('<p>公開內容<!--c--></p>');
    expect(r.body).toContain('<p>下次會議。</p>');
    expect(decide({ bodyHtml: r.body }, DEFAULT_POLICY)).toMatchObject({ verdict: 'allow', findings: [] });
  });

  it('leaves a hidden mark outside every region, and says so', () => {
    const html = '<p title="極機密">東部雷達站輪值調整。【機】</p><!-- 機密 --><p>下次會議。</p>';
    const r = stripHtml(html);
    expect(r.remaining.map((f) => `${f.location} ${f.level}`)).toEqual(['body#comment 機密', 'body#attr 極機密']);
    expect(r.body).toContain('<!-- 機密 -->');
  });

  it('property: a hidden finding is reported strippable exactly when stripping removes it', () => {
    const carriers = (mark: string): string[] => [
      `<!--${mark}-->`,
      `<img src="cid:x" alt="${mark}">`,
      `<span title="${mark}">字</span>`,
      `<style>i::after{content:"${mark}"}</style>`,
      `<a href="data:text/plain;base64,${Buffer.from(mark).toString('base64')}">連</a>`,
      `<ruby>字<rt>${mark}</rt></ruby>`,
    ];
    const piece = fc.oneof(
      fc.constantFrom('會議', '資料', '（一）', '說明'),
      fc.constantFrom(...carriers('機密'), ...carriers('說明')),
    );
    const paragraph = fc.record({
      parts: fc.array(piece, { minLength: 1, maxLength: 4 }),
      marked: fc.boolean(),
      tagCarrier: fc.constantFrom('', ' title="極機密"', ' title="段落"'),
    });
    fc.assert(
      fc.property(fc.array(paragraph, { minLength: 1, maxLength: 4 }), fc.boolean(), (paras, trailing) => {
        const html =
          paras.map((p) => `<p${p.tagCarrier}>${p.parts.join('')}內容${p.marked ? '。【機】' : '。'}</p>`).join('') +
          (trailing ? '<!-- 機密 -->' : '');
        const before = decide({ bodyHtml: html }, DEFAULT_POLICY);
        const hiddenBefore = before.findings.filter((f) => f.location !== 'body');
        const r = stripHtml(html);
        const after = decide({ bodyHtml: r.body }, DEFAULT_POLICY);
        // Nothing visible is left, and what hidden text is left is what was reported unstrippable, no more, no less.
        expect(after.findings.filter((f) => f.location === 'body')).toEqual([]);
        const keptHidden = after.findings.filter((f) => f.location !== 'body');
        expect(keptHidden.length).toBe(hiddenBefore.filter((f) => !f.strippable).length);
        expect(r.remaining.length).toBe(keptHidden.length);
        expect(before.verdict === 'strip').toBe(r.remaining.length === 0 && before.findings.length > 0);
      }),
      { numRuns: 200 },
    );
  });
});
