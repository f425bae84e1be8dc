/**
 * pdfjs in the task pane: the legacy browser build (it also runs in the older WebViews of Outlook on Mac), loaded
 * only when a PDF is met, with its worker and the CNS character maps served from our own origin next to the page
 * (`dist/addin/taskpane/`), as the CSP allows and Taiwanese PDFs need. pdfjs fetches a CMap only when a CID font
 * names one.
 *
 * One worker serves the pane's PDFs: without it pdfjs starts a new Web Worker per document, which fetches and compiles
 * the 1.2 MB worker script again each time, the largest fixed cost of reading a short PDF. Sharing it means a worker
 * that died or hung would fail every later PDF of the pane's life, so one that failed a PDF is torn down and the next
 * PDF gets a new one (the PDF that met the failure stays unscannable).
 */
import {
  annotationTextOf,
  PDF_READER_GONE,
  PDF_TIMEOUT,
  type PdfDocument,
  type PdfJs,
  type PdfOptions,
  type PdfPage,
  pdfReaderError,
} from '../../../src/extract';

/** File names the build copies next to the page; the webpack configuration reads them from here. */
export const PDF_WORKER_FILE = 'pdf.worker.min.mjs';
export const CMAP_FOLDER = 'cmaps/';

/** The slice of pdfjs's PDFWorker used here. */
interface PdfWorker {
  readonly destroyed: boolean;
  /** Settles once the worker answered pdfjs's start-up handshake (or pdfjs fell back to reading on this thread). */
  readonly promise: Promise<void>;
  /** The Web Worker, once started; another port when pdfjs fell back to its in-thread "fake" worker. */
  readonly port: unknown;
  destroy(): void;
}

interface RawDocument {
  numPages: number;
  getPage(n: number): Promise<{
    getTextContent(): ReturnType<PdfPage['getTextContent']>;
    getAnnotations(): ReturnType<PdfPage['getAnnotations']>;
    getOperatorList(params: { annotationMode: number }): Promise<{ fnArray: number[]; argsArray: unknown[] }>;
    cleanup(): unknown;
  }>;
  getMetadata(): ReturnType<PdfDocument['getMetadata']>;
}

/** The shared worker, and whether it can still be trusted with a PDF. */
class PaneWorker {
  /** Set once the worker failed a PDF or crashed: it is destroyed, and nothing it owes will come. */
  gone: Error | null = null;
  readonly #ended: Promise<never>;
  #end: (e: Error) => void = () => undefined;

  constructor(readonly worker: PdfWorker) {
    this.#ended = new Promise<never>((_, reject) => {
      this.#end = reject;
    });
    this.#ended.catch(() => undefined);
    worker.promise.then(
      () => {
        // After start-up pdfjs no longer listens for errors: a worker that crashes later just stops answering.
        const port = worker.port;
        if (typeof Worker !== 'undefined' && port instanceof Worker) {
          port.addEventListener('error', (e) =>
            this.retire(pdfReaderError(PDF_READER_GONE, `PDF worker failed: ${(e as ErrorEvent).message ?? ''}`)),
          );
        }
      },
      (e: unknown) =>
        this.retire(pdfReaderError(PDF_READER_GONE, `PDF worker did not start: ${(e as Error)?.message}`)),
    );
  }

  /** Destroys the worker (terminating the Web Worker); what waits on it fails now instead of at the budget's end. */
  retire(e: Error): void {
    if (this.gone) {
      return;
    }
    this.gone = e;
    this.#end(e);
    try {
      this.worker.destroy();
    } catch {
      // Already half gone: the point was only to stop it.
    }
  }

  /** `work`, or a rejection as soon as the worker is gone, as nothing will answer it then. */
  watch<T>(work: Promise<T>): Promise<T> {
    if (this.gone) {
      work.catch(() => undefined);
      return Promise.reject(this.gone);
    }
    return Promise.race([work, this.#ended]);
  }
}

export function browserPdfOptions(pageUrl: string): PdfOptions {
  let current: PaneWorker | null = null;
  return {
    load: async () => {
      const pdfjs = await import(/* webpackChunkName: "pdfjs" */ 'pdfjs-dist/legacy/build/pdf.mjs');
      pdfjs.GlobalWorkerOptions.workerSrc = new URL(PDF_WORKER_FILE, pageUrl).href;
      if (!current || current.gone || current.worker.destroyed) {
        current = new PaneWorker(new pdfjs.PDFWorker() as unknown as PdfWorker);
      }
      const shared = current;
      const reader: PdfJs = {
        getDocument(params) {
          // A document given a worker leaves it running when it is destroyed.
          const task = (pdfjs as unknown as PdfJs).getDocument({ ...params, worker: shared.worker }) as unknown as {
            promise: Promise<RawDocument>;
            destroy(): Promise<void>;
          };
          /** This document's requests in flight: one still unanswered when it is closed was given up on. */
          let inFlight = 0;
          const call = async <T>(work: () => Promise<T>): Promise<T> => {
            inFlight++;
            try {
              return await shared.watch(work());
            } finally {
              inFlight--;
            }
          };
          const close = (): Promise<void> => {
            if (inFlight > 0) {
              // Extraction stopped waiting (the budget ran out on a hung page, or a dead worker never answered): the
              // worker is stuck or gone, and only a new one will read the next PDF.
              shared.retire(pdfReaderError(PDF_TIMEOUT, 'PDF worker stopped after a request took too long'));
              return Promise.resolve();
            }
            return shared.watch(task.destroy());
          };
          const promise = call(() => task.promise).then((doc): PdfDocument => ({
            numPages: doc.numPages,
            getPage: (n) =>
              call(() => doc.getPage(n)).then((page): PdfPage => ({
                getTextContent: () => call(() => page.getTextContent()),
                getAnnotations: () => call(() => page.getAnnotations()),
                getAnnotationText: (ids) =>
                  call(() => page.getOperatorList({ annotationMode: pdfjs.AnnotationMode.ENABLE })).then((ops) =>
                    annotationTextOf(ops.fnArray, ops.argsArray, pdfjs.OPS, ids),
                  ),
                cleanup: () => {
                  page.cleanup();
                },
              })),
            getMetadata: () => call(() => doc.getMetadata()),
            destroy: close,
          }));
          return { promise, destroy: close };
        },
      };
      return reader;
    },
    documentOptions: { cMapUrl: new URL(CMAP_FOLDER, pageUrl).href, cMapPacked: true },
  };
}
