/**
 * Bytes to text segments for every format officials send. The type comes from the content, not the name (a renamed
 * .docx is still a docx); anything that cannot be read is reported unscannable with its reason, never dropped.
 * Runs within a budget: the caller's clock and byte allowance are checked between parts, and progress is reported.
 */
import { htmlSegments, readName, type TextSegment, type Unscannable } from '../core';
import { looksLikeDi, readDi, xmlDeclaredEncoding } from './di';
import { looksLikeCfb, looksLikeTnef, readCfb, readTnef } from './legacy';
import { odfParts, readOdfXml } from './odf';
import { flushSharedStrings, ooxmlEmbeddings, ooxmlKind, ooxmlParts, readOoxmlPart } from './ooxml';
import { extractPdf, type PdfOptions, type PdfPages } from './pdf';
import { looksLikeRtf, readRtf } from './rtf';
import { type Extracted, type FoundLabel, mergeInto, SegmentCollector } from './segments';
import { declaredHtmlCharset, decodeText } from './text';
import { walkXml, type XmlInput } from './xml';
import { looksLikeZip, readZipDirectory, readZipEntry, streamZipEntry, type ZipError, type ZipLimits } from './zip';

export interface ExtractLimits {
  /** Largest single file or archive entry. */
  readonly maxFileBytes: number;
  /** Most bytes read for one message, attachments and archive contents together. */
  readonly maxMessageBytes: number;
  /** Archives inside archives (and documents inside documents) deeper than this are not opened. */
  readonly maxArchiveDepth: number;
  readonly maxArchiveEntries: number;
}

export interface ExtractProgress {
  readonly location: string;
  /** Bytes of input read so far, across the whole job. */
  readonly bytesRead: number;
  /**
   * While a PDF is read: its pages read so far out of all of them. Its bytes are all counted before the first page,
   * so without this a long PDF would show as done while most of its pages are still to be read.
   */
  readonly pages?: PdfPages;
}

export interface ExtractOptions {
  readonly limits: ExtractLimits;
  /** How PDFs are read: with pdfjs, or not at all on a path that cannot afford it (reported as unscannable). */
  readonly pdf: PdfOptions | 'defer';
  /** True once the time budget is spent; everything not yet read is then unscannable (timeout). */
  readonly expired?: () => boolean;
  /**
   * True when these segments of one attachment already give the worst verdict there is (block), so reading more of
   * it cannot change the outcome; long PDFs then stop early. From the host's decision logic: decide() takes the
   * worst of its findings, so a verdict of part of a file is a lower bound on the whole file's.
   */
  readonly conclusive?: (segments: readonly TextSegment[]) => boolean;
  /** Runs content-independent set-up (loading the PDF reader) off the scan's clock: Budget.offClock. */
  readonly offClock?: <T>(work: () => Promise<T>) => Promise<T>;
  /** Milliseconds left of the scan (Budget.remainingMs): calls into a PDF reader race it, so a hung reader times out. */
  readonly remainingMs?: () => number;
  readonly onProgress?: (progress: ExtractProgress) => void;
  /** Reads nested e-mail (.eml attachments, message/rfc822 parts); supplied by eml.ts to avoid a cycle. */
  readonly readEml?: (bytes: Uint8Array, location: string, depth: number) => Promise<Extracted>;
  /** The job this extraction belongs to (one per message); a new one when absent. */
  readonly job?: ExtractJob;
}

export type FileKind =
  | 'odf'
  | 'ooxml'
  | 'zip'
  | 'pdf'
  | 'cfb'
  | 'rtf'
  | 'tnef'
  | 'eml'
  | 'di'
  | 'fodf'
  | 'xml'
  | 'html'
  | 'text'
  | 'image'
  | 'unknown';

const IMAGE_MAGIC: readonly number[][] = [
  [0x89, 0x50, 0x4e, 0x47],
  [0xff, 0xd8, 0xff],
  [0x47, 0x49, 0x46, 0x38],
  [0x42, 0x4d],
  [0x49, 0x49, 0x2a, 0x00],
  [0x4d, 0x4d, 0x00, 0x2a],
];

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return magic.every((b, i) => bytes[i] === b);
}

const TEXT_EXTENSIONS = /\.(txt|text|csv|tsv|md|json|log|ics|vcf)$/i;
const MAIL_HEADER =
  /^(?:(?:Return-Path|Received|From|To|Subject|Date|Message-ID|MIME-Version|Content-Type|X-[\w-]+|Delivered-To|Reply-To|Cc):[^\n]*\n(?:[ \t][^\n]*\n)*){2,}/i;

/** What a file is, by its bytes first and its name only for plain text. */
export function sniff(bytes: Uint8Array, name: string): FileKind {
  if (looksLikeZip(bytes)) {
    return 'zip';
  }
  if (
    startsWith(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d]) ||
    /%PDF-/.test(new TextDecoder('latin1').decode(bytes.subarray(0, 1024)))
  ) {
    return 'pdf';
  }
  if (looksLikeCfb(bytes)) {
    return 'cfb';
  }
  if (looksLikeRtf(bytes)) {
    return 'rtf';
  }
  if (looksLikeTnef(bytes)) {
    return 'tnef';
  }
  if (IMAGE_MAGIC.some((m) => startsWith(bytes, m))) {
    return 'image';
  }
  const head = new TextDecoder('utf-8').decode(bytes.subarray(0, 4096)).replace(/^\ufeff/, '');
  const trimmed = head.replace(/^\s+/, '');
  if (/^<\?xml|^<!DOCTYPE|^<[A-Za-z\u4e00-\u9fff]/.test(trimmed) || looksLikeDi(head) || looksLikeBig5Di(bytes)) {
    if (/^<!DOCTYPE\s+html|^<html|^<head|^<body|^<meta|^<div|^<p[\s>]/i.test(trimmed)) {
      return 'html';
    }
    if (looksLikeDi(head) || looksLikeBig5Di(bytes)) {
      return 'di';
    }
    if (/<office:document[\s>]/.test(head)) {
      return 'fodf';
    }
    return 'xml';
  }
  if (MAIL_HEADER.test(head.replace(/\r\n/g, '\n'))) {
    return 'eml';
  }
  if (/\.html?$/i.test(name)) {
    return 'html';
  }
  if (TEXT_EXTENSIONS.test(name) || looksLikeText(bytes)) {
    return 'text';
  }
  return 'unknown';
}

/** Text by its bytes: no NUL and almost no control characters in the first 8 KB (a .rb or .asc file is text). */
function looksLikeText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 8192);
  if (n === 0) {
    return false;
  }
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i] as number;
    if (b === 0) {
      // UTF-16 without a BOM has NULs in every other byte; anything else with a NUL is binary.
      const decoded = decodeText(bytes.subarray(0, n));
      return decoded.ok && /^utf-16/.test(decoded.encoding);
    }
    if (b < 0x09 || (b > 0x0d && b < 0x20 && b !== 0x1b)) {
      control++;
    }
  }
  if (control / n >= 0.01) {
    return false;
  }
  // Text in an encoding that cannot be told is still text: it is reported as such, not as an unknown file type.
  const decoded = decodeText(bytes.subarray(0, n - utf8Tail(bytes, n)));
  return decoded.ok || decoded.reason === 'unreadable-charset' || decoded.base64 === true;
}

/** Bytes at the end of the first `n` that start a UTF-8 sequence cut by the sample boundary. */
function utf8Tail(bytes: Uint8Array, n: number): number {
  for (let k = 1; k <= 3 && k <= n; k++) {
    const b = bytes[n - k] as number;
    if ((b & 0xc0) === 0xc0) {
      return k;
    }
    if ((b & 0x80) === 0) {
      return 0;
    }
  }
  return 0;
}

function looksLikeBig5Di(bytes: Uint8Array): boolean {
  const enc = xmlDeclaredEncoding(bytes);
  if (enc !== 'big5' && enc !== 'cp950') {
    return false;
  }
  try {
    return looksLikeDi(new TextDecoder('big5').decode(bytes.subarray(0, 4096)));
  } catch {
    return false;
  }
}

export interface ExtractJob {
  readonly bytesRead: number;
}

/** Tracks bytes read across one job, for progress and the message's byte allowance. */
class Job implements ExtractJob {
  constructor(
    readonly options: ExtractOptions,
    private readonly count: { bytesRead: number } = { bytesRead: 0 },
  ) {}
  get bytesRead(): number {
    return this.count.bytesRead;
  }
  progress(location: string, bytes: number): void {
    this.count.bytesRead += bytes;
    this.options.onProgress?.({ location, bytesRead: this.count.bytesRead });
  }
  /**
   * This job's byte count under the options of one call. A host shares one job across a message's attachments for
   * the allowance, but gives each attachment its own hooks (its progress, its early stop, its reader for nested mail):
   * those must be the ones used, not the ones the job was created with.
   */
  under(options: ExtractOptions): Job {
    return options === this.options ? this : new Job(options, this.count);
  }
}

/**
 * Extracts one file. `location` names it in findings (`attachment:報告.odt`); parts inside get
 * `attachment:報告.odt/styles.xml#header`. Never throws for bad content.
 */
export async function extractFile(
  name: string,
  bytes: Uint8Array,
  options: ExtractOptions,
  location = `attachment:${name}`,
  depth = 0,
  /** The charset its container labelled it with (a MIME part's `charset=`); checked against the bytes. */
  charset?: string,
): Promise<Extracted> {
  const job = (options.job as Job | undefined)?.under(options) ?? new Job(options);
  return extractWith(job, name, bytes, location, depth, charset);
}

/** One job's running count of bytes read, shared by every attachment of a message so its allowance holds. */
export function newJob(options: ExtractOptions): ExtractJob {
  return new Job(options);
}

async function extractWith(
  job: Job,
  name: string,
  bytes: Uint8Array,
  location: string,
  depth: number,
  charset?: string,
): Promise<Extracted> {
  const result: Extracted = { segments: [], unscannable: [], labels: [] };
  const unscannable = (reason: Unscannable['reason'], detail?: string): Extracted => {
    result.unscannable.push({ location, reason, ...(detail ? { detail: detail.slice(0, 200) } : {}) });
    return result;
  };
  const { limits } = job.options;
  if (job.options.expired?.()) {
    return unscannable('timeout', 'scan time budget spent before this part');
  }
  if (bytes.length > limits.maxFileBytes) {
    return unscannable('too-large', `${bytes.length} bytes > limit ${limits.maxFileBytes}`);
  }
  if (job.bytesRead + bytes.length > limits.maxMessageBytes) {
    return unscannable('too-large', `the message's scan allowance of ${limits.maxMessageBytes} bytes is spent`);
  }
  job.progress(location, bytes.length);
  try {
    const kind = sniff(bytes, name);
    switch (kind) {
      case 'zip':
        return await extractZip(job, bytes, location, depth, result);
      case 'pdf':
        if (job.options.pdf === 'defer') {
          return unscannable('unsupported-format', 'PDF is scanned in the task pane, not in the send handler');
        }
        mergeInto(
          result,
          await extractPdf(bytes, location, {
            ...job.options.pdf,
            expired: job.options.expired,
            conclusive: job.options.conclusive,
            offClock: job.options.offClock,
            remainingMs: job.options.remainingMs,
            onPages: (pages) => job.options.onProgress?.({ location, bytesRead: job.bytesRead, pages }),
          }),
        );
        return result;
      case 'cfb': {
        const legacy = readCfb(bytes, location);
        if (legacy.text) {
          result.segments.push({ location: `${location}#recovered-text`, text: legacy.text, position: 'body' });
        }
        result.unscannable.push(legacy.unscannable);
        return result;
      }
      case 'rtf': {
        const rtf = readRtf(new TextDecoder('latin1').decode(bytes), location);
        result.segments.push(...rtf.segments);
        if (!rtf.wellFormed) {
          result.unscannable.push({
            location,
            reason: 'malformed',
            detail: 'unbalanced RTF groups; the rest was read',
          });
        }
        return result;
      }
      case 'tnef':
        return await extractTnef(job, bytes, location, depth, result);
      case 'eml':
        if (!job.options.readEml) {
          return unscannable('unsupported-format', 'nested message');
        }
        if (depth >= limits.maxArchiveDepth + 2) {
          return unscannable('too-large', 'messages nested too deep');
        }
        mergeInto(result, await job.options.readEml(bytes, location, depth + 1));
        return result;
      case 'image':
        return unscannable('image-only', 'image: a mark in it cannot be read without OCR');
      case 'unknown':
        return unscannable('unknown-type', name);
      default:
        return await textual(kind, bytes, location, result, charset, async (embedded) => {
          // A text file that is base64 of a file is that file, one level deeper, as an archive entry is.
          if (depth >= limits.maxArchiveDepth) {
            return unscannable('too-large', `base64 of a file nested deeper than ${limits.maxArchiveDepth}`);
          }
          mergeInto(result, await extractWith(job, `${name}#base64`, embedded, `${location}#base64`, depth + 1));
          return result;
        });
    }
  } catch (e) {
    // Extractors do not throw for bad content; anything that still escapes is a bug, and a bug must not allow.
    return unscannable('error', (e as Error)?.message ?? String(e));
  }
}

async function textual(
  kind: FileKind,
  bytes: Uint8Array,
  location: string,
  result: Extracted,
  transportCharset: string | undefined,
  readEmbedded: (embedded: Uint8Array) => Promise<Extracted>,
): Promise<Extracted> {
  // The transport's label comes first, as HTML and XML over MIME/HTTP specify; either way it is checked.
  const declared =
    transportCharset ||
    (kind === 'html'
      ? declaredHtmlCharset(bytes)
      : kind === 'di' || kind === 'xml' || kind === 'fodf'
        ? xmlDeclaredEncoding(bytes)
        : null);
  const decoded = decodeText(bytes, declared);
  if (!decoded.ok && decoded.embedded) {
    return readEmbedded(decoded.embedded);
  }
  if (!decoded.ok) {
    result.unscannable.push({ location, reason: decoded.reason, detail: decoded.detail });
    return result;
  }
  const text = decoded.text;
  let wellFormed = true;
  if (kind === 'html') {
    // Visible and hidden text (comments, attributes, data: URIs ...), as for a message body.
    const html = htmlSegments(text, location);
    result.segments.push(...html.segments);
    result.unscannable.push(...html.unscannable);
  } else if (kind === 'di') {
    const di = readDi(text, location);
    result.segments.push(...di.segments);
    wellFormed = di.wellFormed;
  } else if (kind === 'fodf') {
    const out = new SegmentCollector(location);
    const odf = readOdfXml(text, 'document.xml', out);
    result.segments.push(...out.segments());
    result.labels.push(...odf.labels);
    wellFormed = odf.wellFormed;
  } else if (kind === 'xml') {
    const out = new SegmentCollector(location);
    wellFormed = walkXml(text, {
      text: (t) => out.add('xml', 'text', 'body', t),
      close: () => out.newline('xml', 'text', 'body'),
    }).wellFormed;
    result.segments.push(...out.segments());
  } else {
    result.segments.push({ location, text, position: 'body' });
  }
  if (!wellFormed) {
    result.unscannable.push({ location, reason: 'malformed', detail: 'broken XML; the readable part was scanned' });
  }
  return result;
}

function zipLimits(limits: ExtractLimits): ZipLimits {
  return { maxEntries: limits.maxArchiveEntries, maxEntryBytes: limits.maxFileBytes };
}

/**
 * How far the XML parts of one document package (a .docx, .xlsx, .pptx, .odt…) may inflate, together. Markup
 * compresses about 10:1, so an ordinary document well inside maxFileBytes holds XML far larger than it (a 2.85 MB
 * .docx whose word/document.xml is 30.9 MB): the file-size limit is the wrong bound for it. These parts are streamed
 * through the text reader and never held whole, so this bounds the work and the extracted text, not a buffer: four
 * times the file limit, at most 256 MiB (100 MiB under the default 25 MiB limit). Other entries (embedded files,
 * archive members) are still bounded by maxFileBytes.
 */
export const XML_PART_INFLATE_FACTOR = 4;
export const XML_PART_INFLATE_CAP = 256 * 1024 * 1024;

export function maxInflatedXmlBytes(limits: Pick<ExtractLimits, 'maxFileBytes'>): number {
  return Math.max(limits.maxFileBytes, Math.min(limits.maxFileBytes * XML_PART_INFLATE_FACTOR, XML_PART_INFLATE_CAP));
}

/** Thrown into the inflater to stop reading a part when the scan's time is up. */
class PartTimeout extends Error {}

/** Streams a package part into `onChunk` within `maxBytes`; false (with the reason recorded) when it was not read. */
type PartStream = (name: string, maxBytes: number, onChunk: (chunk: Uint8Array) => void) => boolean;

async function extractZip(
  job: Job,
  bytes: Uint8Array,
  location: string,
  depth: number,
  result: Extracted,
): Promise<Extracted> {
  const { limits } = job.options;
  let entries;
  try {
    entries = readZipDirectory(bytes, zipLimits(limits));
  } catch (e) {
    const err = e as ZipError;
    result.unscannable.push({
      location,
      reason: err.reason === 'too-large' ? 'too-large' : 'malformed',
      detail: err.message,
    });
    return result;
  }
  const names = entries.filter((e) => !e.directory).map((e) => e.name);
  const read = (name: string): Uint8Array | null => {
    const entry = entries.find((e) => e.name === name);
    if (!entry) {
      return null;
    }
    try {
      return readZipEntry(bytes, entry, zipLimits(limits));
    } catch (e) {
      const err = e as ZipError;
      result.unscannable.push({
        location: `${location}/${name}`,
        reason: err.reason ?? 'malformed',
        detail: err.message,
      });
      return null;
    }
  };
  const stream: PartStream = (name, maxBytes, onChunk) => {
    const entry = entries.find((e) => e.name === name);
    if (!entry) {
      return false;
    }
    try {
      streamZipEntry(bytes, entry, { maxEntries: limits.maxArchiveEntries, maxEntryBytes: maxBytes }, (chunk) => {
        if (job.options.expired?.()) {
          throw new PartTimeout('scan time budget spent while reading this part; the part read so far was scanned');
        }
        onChunk(chunk);
      });
      return true;
    } catch (e) {
      const err = e as Error;
      result.unscannable.push({
        location: `${location}/${name}`,
        reason: e instanceof PartTimeout ? 'timeout' : ((e as ZipError).reason ?? 'malformed'),
        detail: err.message,
      });
      return false;
    }
  };
  const mimetype = names.includes('mimetype') ? read('mimetype') : null;
  const mime = mimetype ? new TextDecoder('latin1').decode(mimetype).trim() : '';
  if (mime.startsWith('application/vnd.oasis.opendocument')) {
    return extractOdfPackage(job, read, stream, names, location, result);
  }
  if (ooxmlKind(names)) {
    return extractOoxmlPackage(job, read, stream, names, location, depth, result);
  }
  // A plain archive: every entry is a file of its own, up to the nesting limit. The names on its paths are read
  // first, from the directory alone, so a 「機密/」 folder or a 「底價_密.xlsx」 counts even where its content cannot
  // be opened.
  readPathNames(
    entries.map((e) => e.name),
    location,
    result,
  );
  if (depth >= limits.maxArchiveDepth) {
    result.unscannable.push({
      location,
      reason: 'too-large',
      detail: `archive nested deeper than ${limits.maxArchiveDepth}`,
    });
    return result;
  }
  let total = 0;
  for (const entry of entries) {
    if (entry.directory) {
      continue;
    }
    const inner = `${location}/${entry.name}`;
    if (job.options.expired?.()) {
      result.unscannable.push({ location: inner, reason: 'timeout', detail: 'scan time budget spent' });
      continue;
    }
    total += entry.size;
    if (total > limits.maxFileBytes * 4) {
      // The total an archive may inflate to, across entries: a bomb of many small-looking entries stops here.
      result.unscannable.push({
        location: inner,
        reason: 'too-large',
        detail: 'archive inflates past the total limit',
      });
      break;
    }
    const data = read(entry.name);
    if (data) {
      mergeInto(result, await extractWith(job, entry.name.split('/').pop() ?? entry.name, data, inner, depth + 1));
    }
  }
  return result;
}

/** The folders of one entry's path whose names are read; a deeper path is a crafted one (`a/` × 30000). */
export const MAX_PATH_DEPTH = 64;
/** Names read from the paths of one archive: enough for every entry at the entry limit, a few folders deep each. */
export const MAX_ARCHIVE_PATH_NAMES = 20000;
/** Characters of folder paths looked up in one archive (each is kept once, to read a folder's name once). */
export const MAX_ARCHIVE_PATH_CHARS = 4 * 1024 * 1024;
/**
 * A folder's location keeps this much of its path: a location need not be unique, and the whole path repeated in the
 * location of every folder on it grows with the square of the depth.
 */
const MAX_PATH_LOCATION = 256;

function pathLocation(path: string): string {
  const half = MAX_PATH_LOCATION / 2;
  return path.length <= MAX_PATH_LOCATION ? path : `${path.slice(0, half)}…${path.slice(-half)}`;
}

/**
 * Reads each name on the paths of an archive once: a folder at `<archive>/<folder>/#name`, shared by every entry
 * under it, and a file at `<archive>/<path>#name`. Paths are bounded (folders per entry, names and characters per
 * archive): what lies beyond is not read and makes the archive unscannable, never silently dropped.
 */
function readPathNames(paths: readonly string[], location: string, result: Extracted): void {
  const seen = new Set<string>();
  let names = 0;
  let chars = 0;
  let deep = 0;
  for (const p of paths) {
    const parts = p.split('/');
    if (parts.length > MAX_PATH_DEPTH + 1) {
      deep++;
    }
    let prefix = '';
    const read = Math.min(parts.length, MAX_PATH_DEPTH + 1);
    for (let i = 0; i < read; i++) {
      const name = parts[i] as string;
      const last = i === parts.length - 1;
      prefix += last ? name : `${name}/`;
      if (name.length === 0) {
        continue;
      }
      // Every folder path looked up counts, not only new ones: many entries repeating one long deep path cost too.
      chars += prefix.length;
      if (chars > MAX_ARCHIVE_PATH_CHARS || (names >= MAX_ARCHIVE_PATH_NAMES && !seen.has(prefix))) {
        result.unscannable.push({
          location,
          reason: 'too-large',
          detail: `names on the entry paths past ${MAX_ARCHIVE_PATH_NAMES} names or ${MAX_ARCHIVE_PATH_CHARS} characters; the rest were not read`,
        });
        return;
      }
      if (seen.has(prefix)) {
        continue;
      }
      seen.add(prefix);
      names++;
      readName(name, `${location}/${pathLocation(prefix)}`, result);
    }
  }
  if (deep > 0) {
    result.unscannable.push({
      location,
      reason: 'too-large',
      detail: `${deep} entry paths deeper than ${MAX_PATH_DEPTH} folders; the names below were not read`,
    });
  }
}

/**
 * Reads the XML parts of a document package into one collector, each with its own reader, within the budget. Each
 * part is streamed from the inflater through UTF-8 decoding into the reader, so a large part is never held whole
 * (neither as bytes nor as a string); together the parts may inflate to maxInflatedXmlBytes.
 */
function readXmlParts(
  job: Job,
  stream: PartStream,
  parts: readonly string[],
  location: string,
  result: Extracted,
  reader: (xml: XmlInput, part: string, out: SegmentCollector) => { labels: FoundLabel[]; wellFormed: boolean },
  finish?: (out: SegmentCollector) => void,
): void {
  const out = new SegmentCollector(location);
  let allowance = maxInflatedXmlBytes(job.options.limits);
  for (const part of parts) {
    if (job.options.expired?.()) {
      result.unscannable.push({ location: `${location}/${part}`, reason: 'timeout', detail: 'scan time budget spent' });
      continue;
    }
    let read = true;
    let inflated = 0;
    const x = reader(
      (push) => {
        const decoder = new TextDecoder('utf-8');
        read = stream(part, allowance, (chunk) => {
          inflated += chunk.length;
          push(decoder.decode(chunk, { stream: true }));
        });
        push(decoder.decode());
      },
      part,
      out,
    );
    allowance -= inflated;
    result.labels.push(...x.labels);
    if (read && !x.wellFormed) {
      result.unscannable.push({
        location: `${location}/${part}`,
        reason: 'malformed',
        detail: 'broken XML; the readable part was scanned',
      });
    }
  }
  finish?.(out);
  result.segments.push(...out.segments());
}

function extractOdfPackage(
  job: Job,
  read: (n: string) => Uint8Array | null,
  stream: PartStream,
  names: readonly string[],
  location: string,
  result: Extracted,
): Extracted {
  const manifest = read('META-INF/manifest.xml');
  if (manifest && /manifest:encryption-data/.test(new TextDecoder('utf-8').decode(manifest))) {
    result.unscannable.push({ location, reason: 'encrypted', detail: 'password-protected ODF document' });
    return result;
  }
  readXmlParts(job, stream, odfParts(names), location, result, readOdfXml);
  return result;
}

async function extractOoxmlPackage(
  job: Job,
  read: (n: string) => Uint8Array | null,
  stream: PartStream,
  names: readonly string[],
  location: string,
  depth: number,
  result: Extracted,
): Promise<Extracted> {
  readXmlParts(job, stream, ooxmlParts(names), location, result, readOoxmlPart, flushSharedStrings);
  for (const embedded of ooxmlEmbeddings(names)) {
    readName(embedded.split('/').pop() ?? embedded, `${location}/${embedded}`, result);
    const data = read(embedded);
    if (!data) {
      continue;
    }
    if (depth >= job.options.limits.maxArchiveDepth) {
      result.unscannable.push({
        location: `${location}/${embedded}`,
        reason: 'too-large',
        detail: 'embedded object nested too deep',
      });
      continue;
    }
    mergeInto(
      result,
      await extractWith(job, embedded.split('/').pop() ?? embedded, data, `${location}/${embedded}`, depth + 1),
    );
  }
  return result;
}

async function extractTnef(
  job: Job,
  bytes: Uint8Array,
  location: string,
  depth: number,
  result: Extracted,
): Promise<Extracted> {
  const tnef = readTnef(bytes);
  if (tnef.body) {
    result.segments.push({ location: `${location}#body`, text: tnef.body, position: 'body' });
  }
  if (tnef.mapiOnly || tnef.truncated) {
    result.unscannable.push({
      location,
      reason: tnef.truncated ? 'malformed' : 'unsupported-format',
      detail: tnef.truncated ? 'truncated TNEF' : 'TNEF body in MAPI properties (compressed RTF) is not read',
    });
  }
  for (const a of tnef.attachments) {
    readName(a.name, `${location}/${a.name}`, result);
    mergeInto(result, await extractWith(job, a.name, a.data, `${location}/${a.name}`, depth + 1));
  }
  return result;
}
