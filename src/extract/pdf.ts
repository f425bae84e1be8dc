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
    Array<{ subtype?: string; contentsObj?: { str?: string }; contents?: string; fieldValue?: unknown; title?: string }>
  >;
  cleanup(): void;
}

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
  let pdfjs: PdfJs;
  try {
    pdfjs = await (options.offClock ? options.offClock(options.load) : options.load());
  } catch (e) {
    result.unscannable.push({
      location,
      reason: 'error',
      detail: `PDF reader unavailable: ${(e as Error).message}`.slice(0, 200),
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
    doc = await task.promise;
  } catch (e) {
    const err = e as Error;
    const encrypted = err?.name === 'PasswordException';
    result.unscannable.push({
      location,
      reason: encrypted ? 'encrypted' : 'malformed',
      detail: (encrypted
        ? 'PDF 需要密碼 / password-protected PDF'
        : `無法開啟 PDF / cannot open PDF: ${err?.message}`
      ).slice(0, 200),
    });
    await task.destroy().catch(() => undefined);
    return result;
  }
  const out = new SegmentCollector(location);
  /** Each page's segments, by page number: read out of order, reported in order. */
  const pages = new Map<number, TextSegment[]>();
  let textChars = 0;
  try {
    const order = pdfPageOrder(doc.numPages);
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
      const page = await doc.getPage(n);
      const pageOut = new SegmentCollector(location);
      const content = await page.getTextContent();
      for (const item of content.items) {
        if (typeof item.str === 'string') {
          pageOut.add(`page${n}`, 'text', 'body', item.str);
          textChars += item.str.trim().length;
          if (item.hasEOL) {
            pageOut.add(`page${n}`, 'text', 'body', '\n');
          }
        }
      }
      for (const a of await page.getAnnotations()) {
        const text = [
          a.contentsObj?.str ?? a.contents,
          a.title,
          typeof a.fieldValue === 'string' ? a.fieldValue : undefined,
        ]
          .filter((t): t is string => typeof t === 'string' && t.length > 0)
          .join('\n');
        const position: SegmentPosition = a.subtype === 'Watermark' ? 'watermark' : 'comment';
        pageOut.add(`page${n}`, position === 'watermark' ? 'watermark' : 'annotation', position, text);
        pageOut.newline(`page${n}`, position === 'watermark' ? 'watermark' : 'annotation', position);
      }
      page.cleanup();
      const segments = pageOut.segments();
      pages.set(n, segments);
      if (segments.length > 0 && options.conclusive?.(segments)) {
        // The verdict cannot get worse: the remaining pages would cost time and change nothing.
        break;
      }
    }
    const meta = await doc.getMetadata().catch(() => ({ info: undefined, metadata: null }));
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
    result.unscannable.push({
      location,
      reason: 'malformed',
      detail: `PDF 讀取中斷 / PDF read failed: ${(e as Error).message}`.slice(0, 200),
    });
  } finally {
    await doc.destroy().catch(() => undefined);
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
