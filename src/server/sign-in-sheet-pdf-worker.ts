/**
 * Sign-in sheet PDFs off the event loop, and bounded. pdf-lib lays out and saves a 5,000-row sheet in seconds of CPU
 * and holds every drawn line as an object until the file is saved; on the server's thread that stalled every
 * acknowledgement for up to 0.9 s at a time, and four at once took the process past 950 MB, which V8 then kept.
 *
 * So each PDF is made on a worker thread (sign-in-sheet-pdf-thread.mjs), at most `maxConcurrent` at once, each
 * thread's heap capped; a few more exports wait their turn and the rest are told to come back (503 `busy`, with
 * Retry-After) before anything is read or recorded. A thread is kept for the next export a short while, then ended,
 * which gives its heap and its copy of the fonts back to the system.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

import { HttpError } from './http';
import type { FontCandidate } from './pdf-font';
import type { SignInSheet } from './sign-in-sheet-model';

export interface SheetPdfLimits {
  /** PDFs made at once. @default 2 */
  readonly maxConcurrent: number;
  /** Exports that wait for a turn; past these, 503 `busy`. @default 4 */
  readonly maxWaiting: number;
  /**
   * How long an export waits for a turn before it too is told `busy`: well inside the server's idle timeout (60 s),
   * so a waiting download is answered, never cut. @default 30000
   */
  readonly maxWaitMs: number;
  /** How long an idle thread is kept for the next export. @default 30000 */
  readonly idleMs: number;
  /**
   * A thread's old-generation heap, in MB: a sheet that needs more fails (503) instead of taking the machine. The
   * largest sheet the PDF lists (5,000 acknowledgements and 5,000 invitees) peaked at 147 MB. @default 320
   */
  readonly heapMb: number;
  /** One PDF's time on its thread before the thread is ended and the export fails (503). @default 120000 */
  readonly timeoutMs: number;
}

export const DEFAULT_SHEET_PDF_LIMITS: SheetPdfLimits = {
  maxConcurrent: 2,
  maxWaiting: 4,
  maxWaitMs: 30_000,
  idleMs: 30_000,
  heapMb: 320,
  timeoutMs: 120_000,
};

/** Rows per message to a PDF thread (see SheetThread's handOver). */
export const HANDOVER_ROWS = 500;

/** Seconds a client told `busy` is asked to wait: about one PDF's time. */
export const BUSY_RETRY_AFTER_S = 10;

const busy = (): HttpError =>
  new HttpError(
    503,
    'busy',
    `目前產製中的 PDF 已達上限，請於 ${BUSY_RETRY_AFTER_S} 秒後再試 / Too many PDFs are being made; retry in ` +
      `${BUSY_RETRY_AFTER_S} s`,
  );

const unavailable = (why: string): HttpError =>
  new HttpError(
    503,
    'pdf_unavailable',
    `PDF 產製失敗，請稍後再試；CSV 仍可下載 / The PDF could not be made (${why}); try again later. The CSV still works.`,
  );

interface Reply {
  readonly ready?: boolean;
  readonly id?: number;
  readonly pdf?: { buffer: ArrayBuffer; byteOffset: number; byteLength: number };
  readonly error?: string;
}

/** One thread: one PDF at a time. */
class SheetThread {
  readonly #worker: Worker;
  readonly ready: Promise<void>;
  #job: { id: number; resolve(pdf: Uint8Array): void; reject(e: Error): void } | null = null;
  #gone: Error | null = null;
  #nextId = 1;
  idleTimer: NodeJS.Timeout | null = null;

  constructor(
    heapMb: number,
    private readonly onGone: (t: SheetThread) => void,
  ) {
    this.#worker = new Worker(path.join(__dirname, 'sign-in-sheet-pdf-thread.mjs'), {
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: heapMb },
    });
    let started: () => void = () => undefined;
    let failed: (e: Error) => void = () => undefined;
    this.ready = new Promise<void>((resolve, reject) => {
      started = resolve;
      failed = reject;
    });
    // Whoever waits for `ready` handles its failure; an unobserved one must not become an unhandled rejection.
    this.ready.catch(() => undefined);
    this.#worker.on('message', (reply: Reply) => {
      if (reply.ready) {
        started();
        return;
      }
      const job = this.#job;
      if (!job || job.id !== reply.id) {
        return;
      }
      this.#job = null;
      if (reply.pdf) {
        job.resolve(new Uint8Array(reply.pdf.buffer, reply.pdf.byteOffset, reply.pdf.byteLength));
      } else {
        job.reject(unavailable(reply.error ?? 'unknown'));
      }
    });
    const gone = (e: Error): void => {
      if (!this.#gone) {
        this.#gone = e;
        this.onGone(this);
      }
      failed(e);
      this.#job?.reject(e);
      this.#job = null;
    };
    // ERR_WORKER_OUT_OF_MEMORY lands here when a sheet needs more than the thread's heap.
    this.#worker.on('error', (e) => gone(unavailable(e.message.slice(0, 200))));
    this.#worker.on('exit', (code) => gone(unavailable(`thread exited (${code})`)));
  }

  get alive(): boolean {
    return this.#gone === null;
  }

  async render(sheet: SignInSheet, fonts: readonly FontCandidate[], timeoutMs: number): Promise<Uint8Array> {
    await this.ready;
    this.#worker.ref();
    const id = this.#nextId++;
    const timer = setTimeout(() => this.stop(unavailable('timed out')), timeoutMs);
    try {
      const done = new Promise<Uint8Array>((resolve, reject) => {
        this.#job = { id, resolve, reject };
      });
      await this.#handOver(id, sheet, fonts);
      return await done;
    } finally {
      clearTimeout(timer);
      // An idle thread does not keep the process alive.
      this.#worker.unref();
    }
  }

  /**
   * The sheet crosses to the thread a slice of rows at a time, with a turn of the event loop between slices: as one
   * message, 5,000 rows were cloned in one go on this thread while every other request waited.
   */
  async #handOver(id: number, sheet: SignInSheet, fonts: readonly FontCandidate[]): Promise<void> {
    const { acknowledged, unacknowledged, ...rest } = sheet;
    this.#worker.postMessage({ id, op: 'start', sheet: { ...rest, acknowledged: [], unacknowledged: [] }, fonts });
    for (const [list, rows] of [
      ['acknowledged', acknowledged],
      ['unacknowledged', unacknowledged],
    ] as const) {
      for (let at = 0; at < rows.length; at += HANDOVER_ROWS) {
        await new Promise((r) => setImmediate(r));
        if (this.#job?.id !== id) {
          return; // the thread stopped or timed out meanwhile; the job has already failed
        }
        this.#worker.postMessage({ id, op: 'rows', list, rows: rows.slice(at, at + HANDOVER_ROWS) });
      }
    }
    this.#worker.postMessage({ id, op: 'render' });
  }

  stop(e: Error = unavailable('stopped')): void {
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
    }
    this.#job?.reject(e);
    this.#job = null;
    this.#gone ??= e;
    void this.#worker.terminate().catch(() => undefined);
  }
}

export class SheetPdfPool {
  readonly #limits: SheetPdfLimits;
  #running = 0;
  readonly #waiting: (() => void)[] = [];
  readonly #idle: SheetThread[] = [];
  readonly #all = new Set<SheetThread>();
  #closed = false;

  constructor(limits: Partial<SheetPdfLimits> = {}) {
    this.#limits = { ...DEFAULT_SHEET_PDF_LIMITS, ...limits };
  }

  /** Exports holding a turn now, and waiting for one (for tests and logs). */
  get load(): { running: number; waiting: number; threads: number } {
    return { running: this.#running, waiting: this.#waiting.length, threads: this.#all.size };
  }

  /**
   * A turn for one export, held from reading the store to sending the file: resolves with its release when one is
   * free. Throws 503 `busy` at once when the turns and the queue are full, so nothing is read or audited for it.
   */
  async turn(): Promise<() => void> {
    if (this.#running >= this.#limits.maxConcurrent) {
      if (this.#waiting.length >= this.#limits.maxWaiting) {
        throw busy();
      }
      await new Promise<void>((resolve, reject) => {
        const waiter = (): void => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
          reject(busy());
        }, this.#limits.maxWaitMs);
        this.#waiting.push(waiter);
      });
    } else {
      this.#running++;
    }
    let released = false;
    return () => {
      if (released) {
        return;
      }
      released = true;
      const next = this.#waiting.shift();
      // The turn passes straight to the next waiter, so `running` never drops below what is really running.
      if (next) {
        next();
      } else {
        this.#running--;
      }
    };
  }

  /** Makes the PDF on a thread; call it within a {@link turn}. */
  async render(sheet: SignInSheet, fonts: readonly FontCandidate[]): Promise<Uint8Array> {
    if (this.#closed) {
      throw unavailable('server closing');
    }
    let thread = this.#idle.pop();
    if (thread?.idleTimer) {
      clearTimeout(thread.idleTimer);
      thread.idleTimer = null;
    }
    if (!thread) {
      thread = new SheetThread(this.#limits.heapMb, (t) => this.#forget(t));
      this.#all.add(thread);
    }
    try {
      return await thread.render(sheet, fonts, this.#limits.timeoutMs);
    } finally {
      if (thread.alive && !this.#closed) {
        const idle = thread;
        idle.idleTimer = setTimeout(() => {
          this.#forget(idle);
          idle.stop();
        }, this.#limits.idleMs);
        idle.idleTimer.unref();
        this.#idle.push(idle);
      }
    }
  }

  #forget(thread: SheetThread): void {
    this.#all.delete(thread);
    const i = this.#idle.indexOf(thread);
    if (i >= 0) {
      this.#idle.splice(i, 1);
    }
  }

  close(): void {
    this.#closed = true;
    for (const thread of [...this.#all]) {
      this.#forget(thread);
      thread.stop();
    }
  }
}
