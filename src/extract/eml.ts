/**
 * EML/MIME messages, via postal-mime (pure JS: RFC 2047 headers, RFC 2231 names, base64, quoted-printable, and
 * charsets such as Big5 and GB18030 through TextDecoder). Every attachment goes through the extractors, nested
 * messages included; inline images count as attachments.
 */
import PostalMime from 'postal-mime';

import { type AttachmentInput, htmlSegments, type MessageInput, readName, type TextSegment } from '../core';
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

async function parse(bytes: Uint8Array): Promise<Awaited<ReturnType<typeof PostalMime.parse>> | Error> {
  try {
    return await PostalMime.parse(bytes, { attachmentEncoding: 'arraybuffer', rfc822Attachments: true } as never);
  } catch (e) {
    return e as Error;
  }
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
    const extracted =
      (a.mimeType || '').toLowerCase() === 'message/rfc822'
        ? await emlToExtracted(bytes, location, depth + 1, options)
        : await extractFile(name, bytes, withEml(options), location, depth);
    out.push({ name, segments: extracted.segments, unscannable: extracted.unscannable, labels: extracted.labels });
  }
  return out;
}

/** Parses an .eml into subject, body and extracted attachments. Never throws on malformed mail. */
export async function parseEml(bytes: Uint8Array, extractOptions: ExtractOptions): Promise<ParsedMessage> {
  // One job for the whole message, so its byte allowance covers every attachment together.
  const options = extractOptions.job ? extractOptions : { ...extractOptions, job: newJob(extractOptions) };
  const email = await parse(bytes);
  if (email instanceof Error) {
    return {
      attachments: [
        {
          name: 'message',
          segments: [],
          unscannable: [{ location: 'body', reason: 'malformed', detail: email.message.slice(0, 200) }],
        },
      ],
    };
  }
  return {
    ...(email.subject !== undefined ? { subject: email.subject } : {}),
    ...(email.html !== undefined ? { bodyHtml: email.html } : {}),
    ...(email.text !== undefined ? { bodyText: email.text } : {}),
    attachments: await attachmentsOf(email.attachments as unknown as PostalAttachment[], '', 0, options),
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
  const email = await parse(bytes);
  if (email instanceof Error) {
    result.unscannable.push({ location, reason: 'malformed', detail: email.message.slice(0, 200) });
    return result;
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
