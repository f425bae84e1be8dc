/**
 * pdfjs in the task pane: the legacy browser build (it also runs in the older WebViews of Outlook on Mac), loaded
 * only when a PDF is met, with its worker and the CNS character maps served from our own origin next to the page
 * (`dist/addin/taskpane/`), as the CSP allows and Taiwanese PDFs need.
 */
import type { PdfJs, PdfOptions } from '../../../src/extract';

/** File names the build copies next to the page; the webpack configuration reads them from here. */
export const PDF_WORKER_FILE = 'pdf.worker.min.mjs';
export const CMAP_FOLDER = 'cmaps/';

export function browserPdfOptions(pageUrl: string): PdfOptions {
  return {
    load: async () => {
      const pdfjs = await import(/* webpackChunkName: "pdfjs" */ 'pdfjs-dist/legacy/build/pdf.mjs');
      pdfjs.GlobalWorkerOptions.workerSrc = new URL(PDF_WORKER_FILE, pageUrl).href;
      return pdfjs as unknown as PdfJs;
    },
    documentOptions: { cMapUrl: new URL(CMAP_FOLDER, pageUrl).href, cMapPacked: true },
  };
}
