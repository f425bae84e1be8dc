/**
 * pdfjs for Node: the legacy build (no DOM needed), with its character maps from the installed package, run on one
 * worker thread shared by every PDF of the process (pdf-thread.mjs).
 *
 * Why a thread: the CLI runs under tsx, whose loader transforms every module it loads, pdfjs's 3.3 MB included. That
 * took ~2 s of CPU per process before the first page was read (about 10× a native import), and on a machine with a
 * load average of 10 it stretched past the scan budget, so a clean one-page PDF was blocked as a timeout. The thread
 * is started without the parent's loader flags and loads pdfjs natively, once; pages are then read on a core of their
 * own while the main thread scans.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

import {
  PDF_LOAD_CAP_MS,
  PDF_READER_GONE,
  PDF_TIMEOUT,
  type PdfDocument,
  type PdfJs,
  type PdfOptions,
  type PdfPage,
  pdfReaderError,
} from '../extract';

const root = path.dirname(require.resolve('pdfjs-dist/package.json'));

/**
 * Test-only: makes the thread misbehave ('exit-on-page', 'hang-on-page', 'no-ready') so the tests can show a dead or
 * hung reader fails closed. Honoured only under NODE_ENV=test, and all it can do is make PDFs unscannable.
 */
const FAULT = process.env.NODE_ENV === 'test' ? process.env.SECRECY_GUARD_TEST_PDF_THREAD_FAULT : undefined;

interface Reply {
  readonly id?: number;
  readonly ready?: boolean;
  readonly result?: unknown;
  readonly error?: { name: string; message: string };
}

/** The thread and its requests in flight; it holds the process open only while a request is pending. */
class PdfThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private nextId = 1;
  /** Set once the thread has exited or was stopped: every call then fails at once, as nothing will answer it. */
  private gone: Error | null = null;
  readonly ready: Promise<void>;

  constructor(private readonly onGone: () => void) {
    this.worker = new Worker(path.join(__dirname, 'pdf-thread.mjs'), {
      execArgv: [],
      ...(FAULT ? { workerData: { fault: FAULT } } : {}),
    });
    let started: () => void = () => undefined;
    let failed: (e: Error) => void = () => undefined;
    this.ready = new Promise<void>((resolve, reject) => {
      started = resolve;
      failed = reject;
    });
    // Nobody may wait for a start that never comes; pdf.ts caps the wait too, but only the owner can stop the thread.
    const startCap = setTimeout(
      () => this.stop(pdfReaderError(PDF_TIMEOUT, 'PDF reader thread did not start')),
      PDF_LOAD_CAP_MS,
    );
    startCap.unref();
    // The ready handshake is a pending request of its own, so the process waits for the thread to load.
    this.worker.ref();
    this.worker.on('message', (reply: Reply) => {
      if (reply.ready) {
        clearTimeout(startCap);
        this.settle();
        started();
        return;
      }
      const waiter = this.pending.get(reply.id as number);
      if (!waiter) {
        return;
      }
      this.pending.delete(reply.id as number);
      this.settle();
      if (reply.error) {
        waiter.reject(pdfReaderError(reply.error.name, reply.error.message));
      } else {
        waiter.resolve(reply.result);
      }
    });
    const gone = (e: Error): void => {
      clearTimeout(startCap);
      this.markGone(e);
      failed(e);
    };
    this.worker.on('error', (e) => gone(pdfReaderError(PDF_READER_GONE, `PDF reader thread failed: ${e.message}`)));
    this.worker.on('exit', (code) => gone(pdfReaderError(PDF_READER_GONE, `PDF reader thread exited (${code})`)));
  }

  private markGone(e: Error): void {
    if (!this.gone) {
      this.gone = e;
      this.onGone();
    }
    for (const waiter of this.pending.values()) {
      waiter.reject(this.gone);
    }
    this.pending.clear();
  }

  /** Stops the thread (hung, or no longer needed): what waits on it fails now, not when the exit event comes. */
  stop(e: Error = pdfReaderError(PDF_READER_GONE, 'PDF reader thread stopped')): void {
    this.markGone(e);
    void this.worker.terminate().catch(() => undefined);
  }

  private settle(): void {
    if (this.pending.size === 0) {
      this.worker.unref();
    }
  }

  call<T>(message: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.gone) {
      return Promise.reject(this.gone);
    }
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.ref();
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }
}

let thread: PdfThread | null = null;

async function pdfThread(): Promise<PdfThread> {
  if (!thread) {
    const t: PdfThread = new PdfThread(() => {
      if (thread === t) {
        thread = null;
      }
    });
    thread = t;
  }
  const t = thread;
  await t.ready;
  return t;
}

/** Stops the PDF thread, if any: the CLI calls it when it is done, so nothing left on the thread holds the process. */
export function stopPdfThread(): void {
  thread?.stop();
}

/** The slice of pdfjs that extraction uses, answered by the thread. */
function threadPdfJs(t: PdfThread): PdfJs {
  return {
    getDocument(params) {
      const data = params.data as Uint8Array;
      let docId: number | null = null;
      /** This document's requests in flight: one still unanswered when it is closed was given up on (a hang). */
      let inFlight = 0;
      const call = async <T>(message: Record<string, unknown>, transfer?: ArrayBuffer[]): Promise<T> => {
        inFlight++;
        try {
          return await t.call<T>(message, transfer);
        } finally {
          inFlight--;
        }
      };
      const close = async (): Promise<void> => {
        if (inFlight > 0) {
          // Extraction stopped waiting for the thread, so it is stuck in pdfjs: only stopping it frees the process.
          t.stop(pdfReaderError(PDF_TIMEOUT, 'PDF reader thread stopped after a request took too long'));
          return;
        }
        if (docId !== null) {
          // A dead thread fails the call at once; closing a document it held is then done.
          await call({ op: 'close', doc: docId }).catch(() => undefined);
        }
      };
      const promise = call<{ doc: number; numPages: number }>({ op: 'open', params }, [
        data.buffer as ArrayBuffer,
      ]).then(({ doc, numPages }): PdfDocument => {
        docId = doc;
        return {
          numPages,
          async getPage(n: number): Promise<PdfPage> {
            const page = await call<{
              items: Array<{ str?: string; hasEOL?: boolean }>;
              annotations: Awaited<ReturnType<PdfPage['getAnnotations']>>;
            }>({ op: 'page', doc, n });
            return {
              getTextContent: () => Promise.resolve({ items: page.items }),
              getAnnotations: () => Promise.resolve(page.annotations),
              getAnnotationText: (ids) => call<Record<string, string>>({ op: 'annotationText', doc, n, ids }),
              cleanup: () => undefined,
            };
          },
          getMetadata: () => call<{ info?: Record<string, unknown> }>({ op: 'meta', doc }),
          destroy: close,
        };
      });
      return { promise, destroy: close };
    },
  };
}

export function nodePdfOptions(): PdfOptions {
  return {
    load: async () => threadPdfJs(await pdfThread()),
    documentOptions: {
      // Taiwanese PDFs often use predefined CNS CMaps (UniCNS-UCS2-H); without them pdfjs returns no text. pdfjs
      // reads a CMap file only when a CID font names it.
      cMapUrl: pathToFileURL(path.join(root, 'cmaps') + path.sep).href,
      cMapPacked: true,
      standardFontDataUrl: pathToFileURL(path.join(root, 'standard_fonts') + path.sep).href,
    },
  };
}
