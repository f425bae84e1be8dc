import * as path from 'node:path';

import { stopPdfThread } from '../../../src/cli/pdf-loader';
import { scanFile } from '../../../src/cli/scan-files';
import { DEFAULT_POLICY } from '../../../src/core';
import { annotationTextOf, extractPdf, type PdfJs, type PdfPage } from '../../../src/extract';

type Annotation = Awaited<ReturnType<PdfPage['getAnnotations']>>[number];

/** A one-page pdfjs stand-in whose page has `annotations`; `drawn` is what their appearances show, by id. */
function fakePdfJs(annotations: Annotation[], drawn: Record<string, string>, asked: string[][]): PdfJs {
  const page: PdfPage = {
    getTextContent: () => Promise.resolve({ items: [{ str: '會議紀錄：討論事項依序辦理。', hasEOL: true }] }),
    getAnnotations: () => Promise.resolve(annotations),
    getAnnotationText: (ids) => {
      asked.push([...ids]);
      const out: Record<string, string> = {};
      for (const id of ids) {
        if (drawn[id] !== undefined) {
          out[id] = drawn[id];
        }
      }
      return Promise.resolve(out);
    },
    cleanup: () => undefined,
  };
  return {
    getDocument: () => ({
      promise: Promise.resolve({
        numPages: 1,
        getPage: () => Promise.resolve(page),
        getMetadata: () => Promise.resolve({ info: {} }),
        destroy: () => Promise.resolve(),
      }),
      destroy: () => Promise.resolve(),
    }),
  };
}

const OPS = { beginAnnotation: 80, endAnnotation: 81, showText: 44, showSpacedText: 45 };
const glyphs = (s: string): unknown[] => [...s].map((unicode) => ({ unicode, width: 1000 }));

describe('PDF annotations whose words live only in their appearance stream', () => {
  afterAll(() => stopPdfThread());

  it('collects the glyphs each asked-for annotation shows, and nothing drawn outside it', () => {
    const fn = [OPS.showText, OPS.beginAnnotation, OPS.showText, OPS.showSpacedText, OPS.endAnnotation];
    fn.push(OPS.beginAnnotation, OPS.showText, OPS.endAnnotation);
    const args = [
      [glyphs('頁面本文')],
      ['10R', [0, 0, 1, 1]],
      [glyphs('機敏')],
      [[...glyphs('資'), -250, ...glyphs('料')]],
      null,
      ['11R', [0, 0, 1, 1]],
      [glyphs('其他')],
      null,
    ];
    expect(annotationTextOf(fn, args, OPS, ['10R'])).toEqual({ '10R': '機敏資料' });
  });

  it('reads a /Watermark with an appearance and no text of its own as a watermark', async () => {
    const asked: string[][] = [];
    const out = await extractPdf(new Uint8Array(4), 'attachment:a.pdf', {
      load: async () =>
        fakePdfJs(
          [
            { id: '10R', subtype: 'Watermark', hasAppearance: true },
            { id: '12R', subtype: 'Text', contents: '請核示', hasAppearance: true },
          ],
          { '10R': '機敏資料', '12R': '不應讀到' },
          asked,
        ),
    });
    // Only the drawn annotation without text is asked for: a note's own text is its text.
    expect(asked).toEqual([['10R']]);
    const watermark = out.segments.find((s) => s.position === 'watermark');
    expect(watermark?.text).toContain('機敏資料');
    expect(out.segments.map((s) => s.text).join('')).not.toContain('不應讀到');
  });

  it('a stamp with its own contents is not re-read from its appearance', async () => {
    const asked: string[][] = [];
    await extractPdf(new Uint8Array(4), 'attachment:a.pdf', {
      load: async () => fakePdfJs([{ id: '9R', subtype: 'Stamp', contents: '已核', hasAppearance: true }], {}, asked),
    });
    expect(asked).toEqual([]);
  });

  it('finds 機敏資料 drawn only in a /Watermark appearance, through the CLI and its pdfjs thread', async () => {
    // blind-r2's f02: /Watermark /AP /N form XObject showing 機敏資料, no /Contents.
    const file = path.resolve(__dirname, '../../fixtures/blind-r2/files/pdf/f02-watermark-annot.pdf');
    const result = await scanFile(file, DEFAULT_POLICY, []);
    expect(result.unscannable).toEqual([]);
    expect(result.findings.some((f) => f.level === '機敏' && /#watermark$/u.test(f.location))).toBe(true);
    expect(result.verdict).not.toBe('allow');
  }, 240_000);
});
