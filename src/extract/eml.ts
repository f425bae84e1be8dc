/**
 * EML/MIME messages, via postal-mime (pure JS: MIME structure, RFC 2231 names, base64, quoted-printable). The
 * charsets of the body parts and of the subject are read here, not by postal-mime, which reads an unknown label as
 * windows-1252 and bytes that contradict their label as U+FFFD: a Big5 body labelled utf-8 or `big5_tw` would be
 * scanned as mojibake and allowed. Every attachment goes through the extractors, nested messages included; inline
 * images count as attachments.
 */
import type PostalMime from 'postal-mime';

import {
  type AttachmentInput,
  htmlSegments,
  type MessageInput,
  readName,
  type TextSegment,
  type Unscannable,
} from '../core';
import { decodeCharset } from './charset';
import { extractFile, type ExtractOptions, newJob } from './extract';
import { emptyExtracted, type Extracted, mergeInto } from './segments';

export interface ParsedMessage extends MessageInput {
  readonly attachments: AttachmentInput[];
}

interface PostalAttachment {
  filename: string | null;
  mimeType: string;
  disposition: string | null;
  content: ArrayBuffer | Uint8Array | string;
  /** The part's charset parameter, added here: a text attachment is read under it (checked against its bytes). */
  charset?: string;
  /** Why the name's charset could not be read, when it could not (added here with the name itself). */
  nameUnreadable?: string;
}

/** The parts of postal-mime's parser this module hooks into (not in its published types; pinned by the tests). */
interface MimeNodeInternals {
  headers?: { key: string; value: string }[];
  contentType: { parsed: { value: string; params: Record<string, string | undefined> } };
  content: ArrayBuffer | null;
  decodeFlowedText(text: string, delSp: boolean): string;
}
type CollectNode = (node: MimeNodeInternals, alternative: unknown, related: boolean) => Promise<void>;
interface ParserInternals {
  attachments: PostalAttachment[];
  collectNode: CollectNode;
  collectAttachment: (node: MimeNodeInternals, ...rest: unknown[]) => void;
  addTextEntry(selector: unknown, textType: 'html' | 'plain', item: { type: 'text'; value: string }): void;
  isInlineTextNode(node: MimeNodeInternals): boolean;
  isInlineMessageRfc822(node: MimeNodeInternals): boolean;
}

type Email = Awaited<ReturnType<typeof PostalMime.parse>>;
/** A parsed message and the parts of it whose charset could not be read (`body`, `subject`). */
interface Parsed {
  readonly email: Email;
  readonly unreadable: Unscannable[];
}

function bytesOf(content: PostalAttachment['content']): Uint8Array {
  if (typeof content === 'string') {
    return new TextEncoder().encode(content);
  }
  return content instanceof Uint8Array ? content : new Uint8Array(content);
}

/** Names attachments uniquely (two "image001.png" become "image001.png" and "image001.png#2"). */
function uniqueNames(attachments: readonly PostalAttachment[]): string[] {
  const used = new Map<string, number>();
  return attachments.map((a, i) => {
    let name = (a.filename ?? '').replace(/[\r\n/\\]/g, ' ').trim() || `part-${i + 1}`;
    const seen = used.get(name) ?? 0;
    used.set(name, seen + 1);
    if (seen > 0) {
      name = `${name}#${seen + 1}`;
    }
    return name;
  });
}

/**
 * Has the parser read inline text parts with {@link decodeCharset} instead of its own decoder, and keep each text
 * attachment's charset label. The hooks wrap the parser's own methods on this one instance.
 */
function hookCharsets(parser: PostalMime, unreadable: Unscannable[]): void {
  const p = parser as unknown as ParserInternals;
  for (const method of ['collectNode', 'collectAttachment', 'addTextEntry', 'isInlineTextNode'] as const) {
    if (typeof p[method] !== 'function') {
      // Reading the body with the parser's decoder would fail open; a parser without the hooks fails the message.
      throw new Error(`postal-mime has no ${method}: body charsets cannot be checked`);
    }
  }
  const collectNode = p.collectNode.bind(parser);
  const collectAttachment = p.collectAttachment.bind(parser);
  p.collectNode = async (node, alternative, related) => {
    const leaf = !(node as unknown as { contentType: { multipart?: unknown } }).contentType.multipart;
    if (!leaf || p.isInlineMessageRfc822(node) || !p.isInlineTextNode(node)) {
      return collectNode(node, alternative, related);
    }
    const params = node.contentType.parsed.params;
    const decoded = decodeCharset(new Uint8Array(node.content ?? new ArrayBuffer(0)), params.charset ?? null);
    let text: string;
    if (decoded.ok) {
      text = decoded.text;
    } else {
      unreadable.push({ location: 'body', reason: 'unreadable-charset', detail: decoded.detail });
      text = (node as unknown as { getTextContent(): string }).getTextContent();
    }
    if (/^flowed$/i.test(params.format ?? '')) {
      text = node.decodeFlowedText(text, /^yes$/i.test(params.delsp ?? ''));
    }
    const textType = node.contentType.parsed.value === 'text/html' ? 'html' : 'plain';
    p.addTextEntry(alternative || node, textType, { type: 'text', value: text });
  };
  p.collectAttachment = (node, ...rest) => {
    const before = p.attachments.length;
    collectAttachment(node, ...rest);
    if (p.attachments.length === before) {
      return;
    }
    const attachment = p.attachments[p.attachments.length - 1] as PostalAttachment;
    const charset = node.contentType.parsed.params.charset;
    if (charset) {
      attachment.charset = charset;
    }
    // The parser reads a name under an unknown label as windows-1252; the name is read again here from the raw
    // headers, under the same checked decoder as the subject.
    const name = attachmentName(node.headers ?? []);
    if (name) {
      attachment.filename = name.text;
      if (name.unreadable) {
        attachment.nameUnreadable = name.unreadable;
      }
    }
  };
}

async function parse(bytes: Uint8Array): Promise<Parsed | Error> {
  try {
    const unreadable: Unscannable[] = [];
    // Inline forwarded messages too are attachments: postal-mime parses an inline one with a parser of its own,
    // which the charset hooks cannot reach, and as an attachment it is read by emlToExtracted, hooks and all.
    // Loaded on the first message, not with the extractors: most sends and panes have no .eml, and its entity
    // table alone is 46 KB of object literal that every cold start would otherwise parse and build. A parser that
    // cannot be loaded fails this message as malformed (unscannable), like one it cannot parse.
    const { default: Parser } = await import(/* webpackChunkName: "postal-mime" */ 'postal-mime');
    const parser = new Parser({
      attachmentEncoding: 'arraybuffer',
      rfc822Attachments: true,
      forceRfc822Attachments: true,
    } as never);
    hookCharsets(parser, unreadable);
    const email = await parser.parse(bytes);
    const subject = rawSubject(bytes);
    if (subject) {
      const decoded = decodeHeader(subject);
      if (decoded.unreadable) {
        unreadable.push({ location: 'subject', reason: 'unreadable-charset', detail: decoded.unreadable });
      }
      email.subject = decoded.text;
    }
    return { email, unreadable };
  } catch (e) {
    return e as Error;
  }
}

/** Bytes as the characters of the same codes, so header syntax can be matched and the bytes taken back. */
function latin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode.apply(null, Array.prototype.slice.call(bytes.subarray(i, i + 8192)) as number[]);
  }
  return out;
}

function bytesOfLatin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    out[i] = text.charCodeAt(i) & 0xff;
  }
  return out;
}

/** The top-level Subject header, unfolded, as raw bytes-as-characters; null when there is none. */
function rawSubject(bytes: Uint8Array): string | null {
  const head = latin1(bytes.subarray(0, Math.min(bytes.length, 256 * 1024)));
  const end = head.search(/\r?\n\r?\n/);
  const block = end >= 0 ? head.slice(0, end) : head;
  const m = /(?:^|\n)subject[ \t]*:[ \t]*([^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)/i.exec(block);
  return m ? (m[1] as string).replace(/\r?\n(?=[ \t])/g, '') : null;
}

const BASE64_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function wordBytes(encoding: string, text: string): Uint8Array {
  if (encoding === 'q') {
    return bytesOfLatin1(
      text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
    );
  }
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const d = BASE64_DIGITS.indexOf(text.charAt(i));
    if (d < 0) {
      continue;
    }
    value = ((value << 6) | d) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >> bits) & 0xff);
    }
  }
  return Uint8Array.from(out);
}

/**
 * An unstructured header: RFC 2047 encoded words under their own (checked) charsets, raw 8-bit text sniffed.
 * Adjacent words in one charset are joined before decoding: clients split a Big5 character across two words.
 */
export function decodeHeader(raw: string): { text: string; unreadable: string | null } {
  const problems: string[] = [];
  let text = '';
  let pending: { label: string; words: Uint8Array[] } | null = null;
  const decodeRun = (bytes: Uint8Array, label: string | null): string => {
    const r = decodeCharset(bytes, label);
    if (r.ok) {
      return r.text;
    }
    problems.push(r.detail);
    return latin1(bytes);
  };
  const flush = (): void => {
    if (!pending) {
      return;
    }
    const { label, words } = pending;
    pending = null;
    const joined = decodeCharset(concat(words), label);
    if (joined.ok) {
      text += joined.text;
      return;
    }
    // A stateful encoding (ISO-2022-JP) closes each word with its own escape, so joined words are invalid; apart
    // each must still decode.
    for (const w of words) {
      text += decodeRun(w, label);
    }
  };
  const word = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = word.exec(raw)) !== null) {
    const gap = raw.slice(last, m.index);
    if (!(pending && /^[ \t]*$/.test(gap))) {
      flush();
      text += decodeRun(bytesOfLatin1(gap), null);
    }
    const label = (m[1] as string).split('*')[0] as string;
    const bytes = wordBytes((m[2] as string).toLowerCase(), m[3] as string);
    const current = pending as { label: string; words: Uint8Array[] } | null;
    if (current && current.label.toLowerCase() === label.toLowerCase()) {
      current.words.push(bytes);
    } else {
      flush();
      pending = { label, words: [bytes] };
    }
    last = word.lastIndex;
  }
  flush();
  text += decodeRun(bytesOfLatin1(raw.slice(last)), null);
  return { text: text.trim(), unreadable: problems.length ? problems.join('; ').slice(0, 200) : null };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) {
    n += p.length;
  }
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A header's parameters as written (`filename*0*` stays a key of its own), values unquoted, not decoded. */
function headerParams(value: string): Map<string, string> {
  const params = new Map<string, string>();
  const param = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  let m: RegExpExecArray | null;
  while ((m = param.exec(value)) !== null) {
    const key = (m[1] as string).toLowerCase();
    if (!params.has(key)) {
      params.set(key, m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] as string).trim());
    }
  }
  return params;
}

/** A header value as bytes: characters the parser read as UTF-8 go back to their UTF-8 bytes. */
function utf8Bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/**
 * One name parameter (`filename` or `name`) of a header: RFC 2231 (`name*`, `name*0*`, `name*1`...) under its own
 * charset, else the plain value with its RFC 2047 words and raw 8-bit text, both through {@link decodeCharset}.
 */
function nameParam(params: Map<string, string>, key: string): { text: string; unreadable: string | null } | null {
  const extended = params.get(`${key}*`);
  const pieces: { value: string; encoded: boolean }[] = [];
  if (extended !== undefined) {
    pieces.push({ value: extended, encoded: true });
  } else {
    for (let i = 0; ; i++) {
      const encoded = params.get(`${key}*${i}*`);
      const plain = params.get(`${key}*${i}`);
      if (encoded === undefined && plain === undefined) {
        break;
      }
      pieces.push(
        encoded !== undefined ? { value: encoded, encoded: true } : { value: plain as string, encoded: false },
      );
    }
  }
  if (pieces.length > 0) {
    let label: string | null = null;
    const parts: Uint8Array[] = [];
    pieces.forEach((piece, i) => {
      let value = piece.value;
      if (piece.encoded && i === 0) {
        const m = /^([^']*)'[^']*'/.exec(value);
        if (m) {
          label = m[1] || null;
          value = value.slice(m[0].length);
        }
      }
      parts.push(
        piece.encoded
          ? concat(
              value
                .split(/(%[0-9A-Fa-f]{2})/)
                .map((t) => (/^%[0-9A-Fa-f]{2}$/.test(t) ? Uint8Array.of(parseInt(t.slice(1), 16)) : utf8Bytes(t))),
            )
          : utf8Bytes(value),
      );
    });
    const bytes = concat(parts);
    const decoded = decodeCharset(bytes, label);
    return decoded.ok ? { text: decoded.text, unreadable: null } : { text: latin1(bytes), unreadable: decoded.detail };
  }
  const plain = params.get(key);
  if (plain === undefined) {
    return null;
  }
  if (plain.includes('\ufffd')) {
    // Raw 8-bit bytes that were not UTF-8: the parser's header decoder has already replaced them.
    return { text: plain, unreadable: 'raw 8-bit name bytes that are not UTF-8' };
  }
  return decodeHeader(latin1(utf8Bytes(plain)));
}

/** An attachment's name from its raw headers: Content-Disposition filename first, then Content-Type name. */
function attachmentName(
  headers: readonly { key: string; value: string }[],
): { text: string; unreadable: string | null } | null {
  const header = (key: string): string => headers.find((h) => h.key === key)?.value ?? '';
  return (
    nameParam(headerParams(header('content-disposition')), 'filename') ??
    nameParam(headerParams(header('content-type')), 'name')
  );
}

/** The extractor options with nested messages wired back to this module. */
function withEml(options: ExtractOptions): ExtractOptions {
  return { ...options, readEml: (bytes, location, depth) => emlToExtracted(bytes, location, depth, options) };
}

async function attachmentsOf(
  raw: readonly PostalAttachment[],
  prefix: string,
  depth: number,
  options: ExtractOptions,
): Promise<AttachmentInput[]> {
  const names = uniqueNames(raw);
  const out: AttachmentInput[] = [];
  for (let i = 0; i < raw.length; i++) {
    const a = raw[i] as PostalAttachment;
    const name = names[i] as string;
    const location = `attachment:${prefix}${name}`;
    const bytes = bytesOf(a.content);
    const unreadableName: Unscannable[] = a.nameUnreadable
      ? [{ location: `${location}#name`, reason: 'unreadable-charset', detail: a.nameUnreadable.slice(0, 200) }]
      : [];
    const extracted =
      (a.mimeType || '').toLowerCase() === 'message/rfc822'
        ? await emlToExtracted(bytes, location, depth + 1, options)
        : await extractFile(name, bytes, withEml(options), location, depth, a.charset);
    out.push({
      name,
      segments: extracted.segments,
      unscannable: [...unreadableName, ...extracted.unscannable],
      labels: extracted.labels,
    });
  }
  return out;
}

/** Parses an .eml into subject, body and extracted attachments. Never throws on malformed mail. */
export async function parseEml(bytes: Uint8Array, extractOptions: ExtractOptions): Promise<ParsedMessage> {
  // One job for the whole message, so its byte allowance covers every attachment together.
  const options = extractOptions.job ? extractOptions : { ...extractOptions, job: newJob(extractOptions) };
  const parsed = await parse(bytes);
  if (parsed instanceof Error) {
    return {
      attachments: [
        {
          name: 'message',
          segments: [],
          unscannable: [{ location: 'body', reason: 'malformed', detail: parsed.message.slice(0, 200) }],
        },
      ],
    };
  }
  const { email, unreadable } = parsed;
  const attachments = await attachmentsOf(email.attachments as unknown as PostalAttachment[], '', 0, options);
  return {
    ...(email.subject !== undefined ? { subject: email.subject } : {}),
    ...(email.html !== undefined ? { bodyHtml: email.html } : {}),
    ...(email.text !== undefined ? { bodyText: email.text } : {}),
    // The subject and body are not attachments; what could not be read of them rides on a pseudo-attachment, as a
    // parse failure does.
    attachments: unreadable.length
      ? [{ name: 'message', segments: [], unscannable: unreadable }, ...attachments]
      : attachments,
  };
}

/** A nested message as segments: its subject, its body and its attachments, all under `location`. */
export async function emlToExtracted(
  bytes: Uint8Array,
  location: string,
  depth: number,
  options: ExtractOptions,
): Promise<Extracted> {
  const result = emptyExtracted();
  if (depth > options.limits.maxArchiveDepth + 2) {
    result.unscannable.push({ location, reason: 'too-large', detail: 'messages nested too deep' });
    return result;
  }
  const parsed = await parse(bytes);
  if (parsed instanceof Error) {
    result.unscannable.push({ location, reason: 'malformed', detail: parsed.message.slice(0, 200) });
    return result;
  }
  const { email } = parsed;
  for (const u of parsed.unreadable) {
    result.unscannable.push({ ...u, location: `${location}#${u.location}` });
  }
  const segments: TextSegment[] = [];
  if (email.subject) {
    segments.push({ location: `${location}#subject`, text: email.subject, position: 'subject' });
  }
  if (email.html !== undefined) {
    // Hidden text too (comments, attributes, data: URIs ...), as for the message's own body.
    const html = htmlSegments(email.html, `${location}#body`);
    segments.push(...html.segments);
    result.unscannable.push(...html.unscannable);
  } else if (email.text !== undefined) {
    segments.push({ location: `${location}#body`, text: email.text, position: 'body' });
  }
  result.segments.push(...segments);
  const inner = location.replace(/^attachment:/, '');
  for (const a of await attachmentsOf(
    email.attachments as unknown as PostalAttachment[],
    `${inner}/`,
    depth,
    options,
  )) {
    // Attachments of a nested message are not handed to the core as attachments, so their names are read here.
    readName(a.name, `attachment:${inner}/${a.name}`, result);
    mergeInto(result, {
      segments: [...a.segments],
      unscannable: [...(a.unscannable ?? [])],
      labels: [...(a.labels ?? [])],
    });
  }
  return result;
}
