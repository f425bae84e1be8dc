/**
 * PDF through pdfjs-dist: page text, annotations (a `/Watermark` annotation is a watermark), and document
 * metadata. pdfjs is about 1.8 MB with its worker, so it is loaded only when a PDF is actually met, and the host
 * decides where it comes from (`PdfLoader`): a dynamic import in Node and the task pane. The on-send handler does not
 * load it at all; it reports PDFs for the task pane (see README, "PDF on the send path").
 */
import type { SegmentPosition, TextSegment } from '../core';
import { type Extracted, SegmentCollector } from './segments';

/** The slice of the pdfjs API this module uses, typed structurally so the core build does not depend on pdfjs. */
export interface PdfJs {
  getDocument(params: Record<string, unknown>): { promise: Promise<PdfDocument>; destroy(): Promise<void> };
}
export interface PdfDocument {
  numPages: number;
  getPage(n: number): Promise<PdfPage>;
  getMetadata(): Promise<{ info?: Record<string, unknown>; metadata?: { getAll?(): Record<string, unknown> } | null }>;
  destroy(): Promise<void>;
}
export interface PdfPage {
  getTextContent(): Promise<{ items: Array<{ str?: string; hasEOL?: boolean }> }>;
  getAnnotations(): Promise<
    Array<{
      id?: string;
      subtype?: string;
      contentsObj?: { str?: string };
      contents?: string;
      fieldValue?: unknown;
      title?: string;
      hasAppearance?: boolean;
    }>
  >;
  /**
   * The text that the appearance streams of the annotations `ids` draw, by id (see annotationTextOf in pdf-annotation-text.ts). pdfjs
   * gives an annotation's text only for FreeText and form fields, yet a stamp or a `/Watermark` often holds its words
   * only in its appearance. Optional: a host without it reads the annotations' own text only.
   */
  getAnnotationText?(ids: readonly string[]): Promise<Record<string, string>>;
  cleanup(): void;
}

/** Annotations whose words may live only in their appearance: a watermark and a stamp. */
const DRAWN_ANNOTATIONS = new Set(['Watermark', 'Stamp']);

export interface PdfOptions {
  /** Loads pdfjs. */
  readonly load: () => Promise<PdfJs>;
  /** Options passed to getDocument (cMapUrl, standardFontDataUrl…), from the host. */
  readonly documentOptions?: Record<string, unknown>;
  /** Gives up (as a timeout) when this returns true; checked between pages. */
  readonly expired?: () => boolean;
  /**
   * True when these segments (one page's) already give the worst verdict the attachment can have, so reading the
   * remaining pages cannot change it: the host asks its decision logic (see ExtractOptions.conclusive).
   */
  readonly conclusive?: (segments: readonly TextSegment[]) => boolean;
  /** Runs the reader's loading off the scan's clock (Budget.offClock); loading is not work on the content. */
  readonly offClock?: <T>(work: () => Promise<T>) => Promise<T>;
  /**
   * Milliseconds left of the scan (Budget.remainingMs): every call into pdfjs races it, so a reader that hangs (a
   * pdfjs loop, a worker that died without a word) ends as a timeout instead of holding the scan open for ever.
   */
  readonly remainingMs?: () => number;
  /** How long loading the reader may take at most, off the clock or not (default PDF_LOAD_CAP_MS). */
  readonly loadCapMs?: number;
  /** Told after each page, and once more when the read stops early: what a progress display may honestly show. */
  readonly onPages?: (pages: PdfPages) => void;
}

/** How far a PDF's read is. */
export interface PdfPages {
  readonly read: number;
  readonly total: number;
  /**
   * True once the pages read already decide the attachment (`conclusive`): the rest are left unread on purpose, so
   * `read` stays below `total` and the read is nonetheless complete.
   */
  readonly decided?: boolean;
}

/** Loading is off the scan's clock, but not unbounded: a reader that never starts is a timeout. Generous on purpose. */
export const PDF_LOAD_CAP_MS = 30_000;

/** The error name a reader gives when it gave up waiting (the host's loader uses it too). */
export const PDF_TIMEOUT = 'PdfTimeout';
/** The error name a reader gives when it is gone (a dead worker): the reader failed, not the PDF. */
export const PDF_READER_GONE = 'PdfReaderGone';

/** An error named for what failed (PDF_TIMEOUT, PDF_READER_GONE, or a name the reader's thread sent back). */
export function pdfReaderError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

/** `work`, or a PDF_TIMEOUT rejection once `ms` have passed; Infinity waits as long as `work` does. */
function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  if (ms === Infinity) {
    return work;
  }
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(pdfReaderError(PDF_TIMEOUT, `${what}: no answer in time`)), Math.max(0, ms));
    work.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/**
 * The order pages are read in: the first and the last page, then the rest in order. Marks live at the edges of a
 * document: the 密等 stamp and banner on the first page, the declassification condition and distribution on the last;
 * a header or footer mark repeats on every page, so page 1 holds it too. Reading the edges first means a budget that
 * runs out on a long PDF has already read them, and a mark there stops the read early (see `conclusive`).
 */
export function pdfPageOrder(numPages: number): number[] {
  const order = numPages > 1 ? [1, numPages] : numPages === 1 ? [1] : [];
  for (let n = 2; n < numPages; n++) {
    order.push(n);
  }
  return order;
}

const META_KEYS = ['Title', 'Subject', 'Keywords', 'Author', 'Creator', 'Producer'];

/** Reads a PDF into segments; encrypted, image-only and broken PDFs become unscannable with their reason. */
export async function extractPdf(bytes: Uint8Array, location: string, options: PdfOptions): Promise<Extracted> {
  const result: Extracted = { segments: [], unscannable: [], labels: [] };
  const left = (): number => (options.remainingMs ? options.remainingMs() : Infinity);
  const load = (): Promise<PdfJs> => within(options.load(), options.loadCapMs ?? PDF_LOAD_CAP_MS, 'PDF reader start');
  let pdfjs: PdfJs;
  try {
    pdfjs = await (options.offClock ? options.offClock(load) : load());
  } catch (e) {
    const err = e as Error;
    result.unscannable.push({
      location,
      reason: err?.name === PDF_TIMEOUT ? 'timeout' : 'error',
      detail: `PDF 讀取器無法啟動 / PDF reader unavailable: ${err?.message}`.slice(0, 200),
    });
    return result;
  }
  // pdfjs takes ownership of (and may detach) the buffer it is given.
  const task = pdfjs.getDocument({
    data: bytes.slice(),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: false,
    verbosity: 0,
    ...options.documentOptions,
  });
  let doc: PdfDocument;
  try {
    doc = await within(task.promise, left(), 'PDF open');
  } catch (e) {
    const err = e as Error;
    const encrypted = err?.name === 'PasswordException';
    const reason = encrypted ? 'encrypted' : (readerFailure(err) ?? 'malformed');
    result.unscannable.push({
      location,
      reason,
      detail: (encrypted
        ? 'PDF 需要密碼 / password-protected PDF'
        : `無法開啟 PDF / cannot open PDF: ${err?.message}`
      ).slice(0, 200),
    });
    await release(task.destroy(), reason === 'timeout' || reason === 'error', left());
    return result;
  }
  const out = new SegmentCollector(location);
  /** Each page's segments, by page number: read out of order, reported in order. */
  const pages = new Map<number, TextSegment[]>();
  const done = new Set<number>();
  let reading: number | null = null;
  let failed = false;
  let textChars = 0;
  try {
    const order = pdfPageOrder(doc.numPages);
    options.onPages?.({ read: 0, total: doc.numPages });
    for (let k = 0; k < order.length; k++) {
      const n = order[k] as number;
      if (options.expired?.()) {
        const left = order.slice(k).sort((a, b) => a - b);
        result.unscannable.push({
          location: `${location}/page${n}`,
          reason: 'timeout',
          detail: `stopped with ${left.length} of ${doc.numPages} pages unread (pages ${pageRanges(left)})`.slice(
            0,
            200,
          ),
        });
        break;
      }
      reading = n;
      const page = await within(doc.getPage(n), left(), `PDF page ${n}`);
      const pageOut = new SegmentCollector(location);
      const content = await within(page.getTextContent(), left(), `PDF page ${n}`);
      for (const item of content.items) {
        if (typeof item.str === 'string') {
          pageOut.add(`page${n}`, 'text', 'body', item.str);
          textChars += item.str.trim().length;
          if (item.hasEOL) {
            pageOut.add(`page${n}`, 'text', 'body', '\n');
          }
        }
      }
      const annotations = await within(page.getAnnotations(), left(), `PDF page ${n}`);
      const ownText = annotations.map((a) =>
        [a.contentsObj?.str ?? a.contents, a.title, typeof a.fieldValue === 'string' ? a.fieldValue : undefined]
          .filter((t): t is string => typeof t === 'string' && t.length > 0)
          .join('\n'),
      );
      // A watermark or stamp drawn only in its appearance has no text of its own: read what the appearance shows.
      const drawnIds = annotations
        .filter((a, i) => DRAWN_ANNOTATIONS.has(a.subtype ?? '') && a.hasAppearance !== false && ownText[i] === '')
        .map((a) => a.id)
        .filter((id): id is string => typeof id === 'string');
      const drawn =
        drawnIds.length > 0 && page.getAnnotationText
          ? await within(page.getAnnotationText(drawnIds), left(), `PDF page ${n}`)
          : {};
      for (let i = 0; i < annotations.length; i++) {
        const a = annotations[i] as (typeof annotations)[number];
        const text = ownText[i] || (a.id !== undefined ? (drawn[a.id] ?? '') : '');
        const position: SegmentPosition = a.subtype === 'Watermark' ? 'watermark' : 'comment';
        pageOut.add(`page${n}`, position === 'watermark' ? 'watermark' : 'annotation', position, text);
        pageOut.newline(`page${n}`, position === 'watermark' ? 'watermark' : 'annotation', position);
      }
      page.cleanup();
      const segments = pageOut.segments();
      pages.set(n, segments);
      done.add(n);
      // Asked only while pages remain: a stop after the last page saves nothing, and a read that ended anyway was not
      // decided early (the pane would say pages were left unread).
      if (k < order.length - 1 && segments.length > 0 && options.conclusive?.(segments)) {
        // The verdict cannot get worse: the remaining pages would cost time and change nothing.
        options.onPages?.({ read: done.size, total: doc.numPages, decided: true });
        break;
      }
      options.onPages?.({ read: done.size, total: doc.numPages });
    }
    reading = null;
    const meta = await within(doc.getMetadata(), left(), 'PDF metadata').catch((e: Error) => {
      if (readerFailure(e)) {
        throw e;
      }
      return { info: undefined, metadata: null };
    });
    const info = (meta.info ?? {}) as Record<string, unknown>;
    for (const key of META_KEYS) {
      if (typeof info[key] === 'string') {
        out.add('info', 'metadata', 'metadata', `${info[key] as string}\n`);
      }
    }
    const custom = (info.Custom ?? {}) as Record<string, unknown>;
    for (const key of Object.keys(custom)) {
      const value = custom[key];
      const m = /^MSIP_Label_([0-9a-fA-F-]{36})_(Enabled|Name)$/.exec(key);
      if (m && m[2] === 'Enabled' && String(value).toLowerCase() === 'true') {
        result.labels.push({ id: (m[1] as string).toLowerCase(), location: `${location}/info#label` });
      } else if (m && m[2] === 'Name' && typeof value === 'string') {
        out.add('info', 'label', 'label', `${value}\n`);
      } else if (!m && typeof value === 'string') {
        out.add('info', 'metadata', 'metadata', `${key}: ${value}\n`);
      }
    }
  } catch (e) {
    const err = e as Error;
    const reason = readerFailure(err) ?? 'malformed';
    failed = reason === 'timeout' || reason === 'error';
    const unread = pdfPageOrder(doc.numPages)
      .filter((n) => !done.has(n))
      .sort((a, b) => a - b);
    result.unscannable.push({
      location: reading === null ? location : `${location}/page${reading}`,
      reason,
      detail: (reason === 'timeout'
        ? `PDF 讀取逾時 / PDF read timed out with ${unread.length} of ${doc.numPages} pages unread` +
          (unread.length ? ` (pages ${pageRanges(unread)})` : '')
        : `PDF 讀取中斷 / PDF read failed: ${err?.message}`
      ).slice(0, 200),
    });
  } finally {
    // After a hang the reader is not waited for again: closing tells it to give up (a host may stop its worker).
    await release(doc.destroy(), failed, left());
  }
  for (const n of Array.from(pages.keys()).sort((a, b) => a - b)) {
    result.segments.push(...(pages.get(n) as TextSegment[]));
  }
  result.segments.push(...out.segments());
  if (doc.numPages > 0 && textChars === 0 && result.unscannable.length === 0) {
    // Pages with no text at all are scans: the mark, if any, is in an image we cannot read.
    result.unscannable.push({ location, reason: 'image-only', detail: `${doc.numPages} page(s), no text layer` });
  }
  return result;
}

/** 'timeout' or 'error' when the reader (not the PDF) failed: it hung, or its worker is gone. */
function readerFailure(e: Error | undefined): 'timeout' | 'error' | null {
  return e?.name === PDF_TIMEOUT ? 'timeout' : e?.name === PDF_READER_GONE ? 'error' : null;
}

/** Waits for a close, at most `ms`, and not at all when the reader already failed us: a hung reader never answers. */
async function release(closing: Promise<void>, abandon: boolean, ms = Infinity): Promise<void> {
  const quiet = closing.catch(() => undefined);
  if (!abandon) {
    await within(quiet, ms, 'PDF close').catch(() => undefined);
  }
}

/** `1-3, 7, 9-12`: which pages were left unread, for the report. */
function pageRanges(pages: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < pages.length;) {
    let j = i;
    while (j + 1 < pages.length && (pages[j + 1] as number) === (pages[j] as number) + 1) {
      j++;
    }
    out.push(j === i ? `${pages[i]}` : `${pages[i]}-${pages[j]}`);
    i = j + 1;
  }
  return out.join(', ');
}
