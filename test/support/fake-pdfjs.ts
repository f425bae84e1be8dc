import type { PdfJs } from '../../src/extract';

/**
 * A pdfjs stand-in that reads `pages` whatever the bytes: `pages[n-1]` is page n's text, one line, no annotations.
 * Records in `read` the pages asked for, in order, so a test can see which pages a read reached.
 */
export function fakePdfJs(pages: readonly string[], read: number[]): PdfJs {
  return {
    getDocument: () => ({
      promise: Promise.resolve({
        numPages: pages.length,
        getPage: (n: number) => {
          read.push(n);
          return Promise.resolve({
            getTextContent: () => Promise.resolve({ items: [{ str: pages[n - 1] as string, hasEOL: true }] }),
            getAnnotations: () => Promise.resolve([]),
            cleanup: () => undefined,
          });
        },
        getMetadata: () => Promise.resolve({ info: {} }),
        destroy: () => Promise.resolve(),
      }),
      destroy: () => Promise.resolve(),
    }),
  };
}
