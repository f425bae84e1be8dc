/**
 * pdfjs in the task pane: the legacy browser build (it also runs in the older WebViews of Outlook on Mac), loaded
 * only when a PDF is met, with its worker and the CNS character maps served from our own origin next to the page
 * (`dist/addin/taskpane/`), as the CSP allows and Taiwanese PDFs need. pdfjs fetches a CMap only when a CID font
 * names one.
 *
 * One worker serves every PDF of the pane's life: without it pdfjs starts a new Web Worker per document, which
 * fetches and compiles the 1.2 MB worker script again each time, the largest fixed cost of reading a short PDF.
 */
import type { PdfJs, PdfOptions } from '../../../src/extract';

/** File names the build copies next to the page; the webpack configuration reads them from here. */
export const PDF_WORKER_FILE = 'pdf.worker.min.mjs';
export const CMAP_FOLDER = 'cmaps/';

export function browserPdfOptions(pageUrl: string): PdfOptions {
  let worker: { readonly destroyed: boolean } | null = null;
  return {
    load: async () => {
      const pdfjs = await import(/* webpackChunkName: "pdfjs" */ 'pdfjs-dist/legacy/build/pdf.mjs');
      pdfjs.GlobalWorkerOptions.workerSrc = new URL(PDF_WORKER_FILE, pageUrl).href;
      if (!worker || worker.destroyed) {
        worker = new pdfjs.PDFWorker();
      }
      const shared = worker;
      const reader: PdfJs = {
        // A document given a worker leaves it running when it is destroyed.
        getDocument: (params: Record<string, unknown>) =>
          (pdfjs as unknown as PdfJs).getDocument({ ...params, worker: shared }),
      };
      return reader;
    },
    documentOptions: { cMapUrl: new URL(CMAP_FOLDER, pageUrl).href, cMapPacked: true },
  };
}
