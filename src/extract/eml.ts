/**
 * EML/MIME messages, via postal-mime (pure JS; it decodes RFC 2047 headers, RFC 2231 names, base64,
 * quoted-printable and charsets through TextDecoder). Text parts and nested messages are scanned; everything else is
 * reported unscannable until the document extractors (issue 3) read it.
 */
import PostalMime from 'postal-mime';

import { type AttachmentInput, htmlToText, type MessageInput, type TextSegment, type Unscannable } from '../core';
import { decodeText } from './text';

export interface ParsedMessage extends MessageInput {
  readonly attachments: AttachmentInput[];
}

/** Nested messages deeper than this are not opened; the innermost is unscannable. */
const MAX_NESTING = 5;

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

/** Parses an .eml into subject, body and attachment segments. Never throws on malformed mail. */
export async function parseEml(bytes: Uint8Array, location = '', depth = 0): Promise<ParsedMessage> {
  const prefix = location ? `${location}/` : '';
  let email: Awaited<ReturnType<typeof PostalMime.parse>>;
  try {
    email = await PostalMime.parse(bytes, { attachmentEncoding: 'arraybuffer' } as never);
  } catch (e) {
    return {
      attachments: [
        {
          name: location || 'message',
          segments: [],
          unscannable: [
            { location: location || 'body', reason: 'malformed', detail: (e as Error).message.slice(0, 200) },
          ],
        },
      ],
    };
  }
  const attachments: AttachmentInput[] = [];
  const used = new Map<string, number>();
  let index = 0;
  for (const raw of email.attachments as unknown as PostalAttachment[]) {
    index++;
    let name = (raw.filename ?? '').replace(/[\r\n]/g, ' ').trim() || `part-${index}`;
    const seen = used.get(name) ?? 0;
    used.set(name, seen + 1);
    if (seen > 0) {
      name = `${name}#${seen + 1}`;
    }
    const loc = `attachment:${prefix}${name}`;
    attachments.push(...(await attachmentInput(loc, name, raw, depth)));
  }
  return {
    ...(email.subject !== undefined ? { subject: email.subject } : {}),
    ...(email.html !== undefined ? { bodyHtml: email.html } : {}),
    ...(email.text !== undefined ? { bodyText: email.text } : {}),
    attachments,
  };
}

async function attachmentInput(
  location: string,
  name: string,
  raw: PostalAttachment,
  depth: number,
): Promise<AttachmentInput[]> {
  const bytes = bytesOf(raw.content);
  const type = (raw.mimeType || '').toLowerCase();
  const unscannable = (reason: Unscannable['reason'], detail?: string): AttachmentInput[] => [
    { name, segments: [], unscannable: [{ location, reason, ...(detail ? { detail } : {}) }] },
  ];
  if (type === 'message/rfc822' || /\.eml$/i.test(name)) {
    if (depth >= MAX_NESTING) {
      return unscannable('too-large', 'nested too deep');
    }
    const inner = await parseEml(bytes, location.replace(/^attachment:/, ''), depth + 1);
    const segments: TextSegment[] = [];
    if (inner.subject) {
      segments.push({ location: `${location}#subject`, text: inner.subject, position: 'subject' });
    }
    if (inner.bodyHtml !== undefined) {
      segments.push({ location: `${location}#body`, text: htmlText(inner.bodyHtml) });
    } else if (inner.bodyText !== undefined) {
      segments.push({ location: `${location}#body`, text: inner.bodyText });
    }
    return [{ name, segments }, ...inner.attachments];
  }
  if (type.startsWith('text/plain') || type === 'text/html' || /\.(txt|html?|csv)$/i.test(name)) {
    const decoded = decodeText(bytes);
    if (!decoded.ok) {
      return unscannable('unreadable', decoded.detail);
    }
    const isHtml = type === 'text/html' || /\.html?$/i.test(name);
    return [{ name, segments: [{ location, text: isHtml ? htmlText(decoded.text) : decoded.text }] }];
  }
  if (bytes.length === 0) {
    return [{ name, segments: [] }];
  }
  return unscannable('unsupported-format', type || 'unknown type');
}

function htmlText(html: string): string {
  return htmlToText(html).text;
}
