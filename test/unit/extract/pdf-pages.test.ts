import { decide, DEFAULT_POLICY, type TextSegment } from '../../../src/core';
import { budgetFor, extractFile, extractPdf, PDF_READER_GONE, type PdfJs } from '../../../src/extract';
import { pdfPageOrder } from '../../../src/extract/pdf';
import { fakePdfJs } from '../../support/fake-pdfjs';

const blocks = (segments: readonly TextSegment[]): boolean =>
  decide({ attachments: [{ name: 'a.pdf', segments }] }, DEFAULT_POLICY).verdict === 'block';

const prose = (n: number): string => `第${n}頁：會議紀錄，討論事項依序辦理。`;

describe('PDF pages: where marks live first, and no further than the verdict needs', () => {
  it('reads the first and last pages before the middle', () => {
    expect(pdfPageOrder(1)).toEqual([1]);
    expect(pdfPageOrder(2)).toEqual([1, 2]);
    expect(pdfPageOrder(5)).toEqual([1, 5, 2, 3, 4]);
    expect(pdfPageOrder(0)).toEqual([]);
  });

  it('reports segments in page order whatever order they were read in', async () => {
    const read: number[] = [];
    const pages = Array.from({ length: 6 }, (_, i) => prose(i + 1));
    const out = await extractPdf(new Uint8Array(4), 'attachment:a.pdf', { load: async () => fakePdfJs(pages, read) });
    expect(read).toEqual([1, 6, 2, 3, 4, 5]);
    expect(out.segments.map((s) => s.location)).toEqual(
      [1, 2, 3, 4, 5, 6].map((n) => `attachment:a.pdf/page${n}#text`),
    );
    expect(out.unscannable).toEqual([]);
  });

  it('stops at a mark on the last page that already blocks, without reading the middle', async () => {
    const read: number[] = [];
    const pages = Array.from({ length: 50 }, (_, i) => prose(i + 1));
    pages[49] = '絕對機密';
    const out = await extractPdf(new Uint8Array(4), 'attachment:a.pdf', {
      load: async () => fakePdfJs(pages, read),
      conclusive: blocks,
    });
    expect(read).toEqual([1, 50]);
    expect(out.unscannable).toEqual([]);
    expect(decide({ attachments: [{ name: 'a.pdf', ...out }] }, DEFAULT_POLICY).verdict).toBe('block');
  });

  it('reads on when what was found does not yet decide the worst verdict', async () => {
    const read: number[] = [];
    const pages = Array.from({ length: 5 }, (_, i) => prose(i + 1));
    pages[0] = '本文件僅供參考';
    const out = await extractPdf(new Uint8Array(4), 'attachment:a.pdf', {
      load: async () => fakePdfJs(pages, read),
      conclusive: () => false,
    });
    expect(read).toEqual([1, 5, 2, 3, 4]);
    expect(out.segments).toHaveLength(5);
  });

  it('a budget that runs out has read the edges and names the pages left unread (fail closed)', async () => {
    const read: number[] = [];
    const pages = Array.from({ length: 12 }, (_, i) => prose(i + 1));
    const out = await extractPdf(new Uint8Array(4), 'attachment:a.pdf', {
      load: async () => fakePdfJs(pages, read),
      expired: () => read.length >= 3,
    });
    expect(read).toEqual([1, 12, 2]);
    expect(out.unscannable).toEqual([
      {
        location: 'attachment:a.pdf/page3',
        reason: 'timeout',
        detail: 'stopped with 9 of 12 pages unread (pages 3-11)',
      },
    ]);
    expect(decide({ attachments: [{ name: 'a.pdf', ...out }] }, DEFAULT_POLICY).verdict).not.toBe('allow');
  });
});

describe('the scan budget counts work on the content, not loading the reader', () => {
  it('a PDF reader that is slow to load (a busy machine) does not make a clean PDF a timeout', async () => {
    let clock = 0;
    const budget = budgetFor({ ...DEFAULT_POLICY.limits, scanTimeoutMs: 4000 }, () => clock);
    const read: number[] = [];
    const pdfjs = fakePdfJs([prose(1)], read);
    const out = await extractFile('a.pdf', new TextEncoder().encode('%PDF-1.7\n'), {
      limits: budget.limits,
      expired: budget.expired,
      offClock: budget.offClock,
      pdf: {
        load: async () => {
          clock += 15000;
          return pdfjs;
        },
      },
    });
    expect(read).toEqual([1]);
    expect(out.unscannable).toEqual([]);
    expect(budget.remainingMs()).toBe(4000);
  });

  it('content that is slow to read is still a timeout', async () => {
    let clock = 0;
    const budget = budgetFor({ ...DEFAULT_POLICY.limits, scanTimeoutMs: 4000 }, () => clock);
    const read: number[] = [];
    const slow = fakePdfJs([prose(1), prose(2), prose(3)], read);
    const out = await extractFile('a.pdf', new TextEncoder().encode('%PDF-1.7\n'), {
      limits: budget.limits,
      expired: budget.expired,
      offClock: budget.offClock,
      pdf: {
        load: async () => ({
          getDocument: (params) => {
            const task = slow.getDocument(params);
            clock += 5000;
            return task;
          },
        }),
      },
    });
    expect(out.unscannable.map((u) => u.reason)).toEqual(['timeout']);
    expect(read).toEqual([]);
  });
});

describe('a reader that hangs or dies fails closed instead of holding the scan open', () => {
  const bytes = new TextEncoder().encode('%PDF-1.7\n');
  const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

  /** A document whose page `stuck` answers with `answer` (a promise that never settles, or a rejection). */
  function brokenPdfJs(answer: () => Promise<never>, closed: string[]): PdfJs {
    const good = fakePdfJs([prose(1), prose(2)], []);
    return {
      getDocument: (params) => {
        const task = good.getDocument(params);
        return {
          promise: task.promise.then((doc) => ({
            ...doc,
            getPage: (n: number) => (n === 2 ? answer() : doc.getPage(n)),
            // A dead or hung reader never answers a close either.
            destroy: () => {
              closed.push('doc');
              return never<void>();
            },
          })),
          destroy: task.destroy,
        };
      },
    };
  }

  it('a page that never comes is a timeout once the budget is spent, and the close is not waited for', async () => {
    const closed: string[] = [];
    const budget = budgetFor({ ...DEFAULT_POLICY.limits, scanTimeoutMs: 100 });
    const out = await extractPdf(bytes, 'a.pdf', {
      load: () => Promise.resolve(brokenPdfJs(never, closed)),
      remainingMs: budget.remainingMs,
    });
    expect(out.unscannable).toEqual([expect.objectContaining({ location: 'a.pdf/page2', reason: 'timeout' })]);
    expect(closed).toEqual(['doc']);
  });

  it('a reader that is gone (its worker died) is an error, and its close is not waited for', async () => {
    const closed: string[] = [];
    const gone = (): Promise<never> => {
      const e = new Error('PDF reader thread exited (1)');
      e.name = PDF_READER_GONE;
      return Promise.reject(e);
    };
    const out = await extractPdf(bytes, 'a.pdf', { load: () => Promise.resolve(brokenPdfJs(gone, closed)) });
    expect(out.unscannable).toEqual([expect.objectContaining({ location: 'a.pdf/page2', reason: 'error' })]);
    expect(closed).toEqual(['doc']);
  });

  it('a reader that never starts is a timeout after the start-up cap, even off the clock', async () => {
    const budget = budgetFor({ ...DEFAULT_POLICY.limits, scanTimeoutMs: 4000 });
    const out = await extractPdf(bytes, 'a.pdf', {
      load: never,
      loadCapMs: 20,
      offClock: budget.offClock,
      remainingMs: budget.remainingMs,
    });
    expect(out.unscannable).toEqual([expect.objectContaining({ location: 'a.pdf', reason: 'timeout' })]);
  });

  it('a document that never opens is a timeout once the budget is spent', async () => {
    const budget = budgetFor({ ...DEFAULT_POLICY.limits, scanTimeoutMs: 100 });
    const out = await extractPdf(bytes, 'a.pdf', {
      load: () => Promise.resolve({ getDocument: () => ({ promise: never(), destroy: never<void> }) }),
      remainingMs: budget.remainingMs,
    });
    expect(out.unscannable).toEqual([expect.objectContaining({ location: 'a.pdf', reason: 'timeout' })]);
  });
});
