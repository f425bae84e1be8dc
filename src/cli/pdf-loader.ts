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

import type { PdfDocument, PdfJs, PdfOptions, PdfPage } from '../extract';

const root = path.dirname(require.resolve('pdfjs-dist/package.json'));

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
  readonly ready: Promise<void>;

  constructor(onGone: () => void) {
    this.worker = new Worker(path.join(__dirname, 'pdf-thread.mjs'), { execArgv: [] });
    this.worker.unref();
    let started: () => void = () => undefined;
    let failed: (e: Error) => void = () => undefined;
    this.ready = new Promise<void>((resolve, reject) => {
      started = resolve;
      failed = reject;
    });
    // The ready handshake is a pending request of its own, so the process waits for the thread to load.
    this.worker.ref();
    this.worker.on('message', (reply: Reply) => {
      if (reply.ready) {
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
        const e = new Error(reply.error.message);
        e.name = reply.error.name;
        waiter.reject(e);
      } else {
        waiter.resolve(reply.result);
      }
    });
    const gone = (e: Error): void => {
      onGone();
      failed(e);
      for (const waiter of this.pending.values()) {
        waiter.reject(e);
      }
      this.pending.clear();
    };
    this.worker.on('error', gone);
    this.worker.on('exit', (code) => gone(new Error(`PDF reader thread exited (${code})`)));
  }

  private settle(): void {
    if (this.pending.size === 0) {
      this.worker.unref();
    }
  }

  call<T>(message: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<T> {
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
    thread = new PdfThread(() => {
      thread = null;
    });
  }
  const t = thread;
  await t.ready;
  return t;
}

/** The slice of pdfjs that extraction uses, answered by the thread. */
function threadPdfJs(t: PdfThread): PdfJs {
  return {
    getDocument(params) {
      const data = params.data as Uint8Array;
      let docId: number | null = null;
      const promise = t
        .call<{ doc: number; numPages: number }>({ op: 'open', params }, [data.buffer as ArrayBuffer])
        .then(({ doc, numPages }): PdfDocument => {
          docId = doc;
          const close = async (): Promise<void> => {
            await t.call({ op: 'close', doc });
          };
          return {
            numPages,
            async getPage(n: number): Promise<PdfPage> {
              const page = await t.call<{
                items: Array<{ str?: string; hasEOL?: boolean }>;
                annotations: Awaited<ReturnType<PdfPage['getAnnotations']>>;
              }>({ op: 'page', doc, n });
              return {
                getTextContent: () => Promise.resolve({ items: page.items }),
                getAnnotations: () => Promise.resolve(page.annotations),
                cleanup: () => undefined,
              };
            },
            getMetadata: () => t.call<{ info?: Record<string, unknown> }>({ op: 'meta', doc }),
            destroy: close,
          };
        });
      return {
        promise,
        destroy: async () => {
          if (docId !== null) {
            await t.call({ op: 'close', doc: docId }).catch(() => undefined);
          }
        },
      };
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
