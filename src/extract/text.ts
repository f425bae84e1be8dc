/**
 * Bytes of a text file to text. The charset is checked against the bytes, not trusted (./charset.ts); a file that
 * is itself base64 of text (a 公文 encoded twice on its way through a mail gateway) is read through the base64.
 */
import { type CharsetResult, decodeCharset } from './charset';

export type DecodedText =
  | { ok: true; text: string; encoding: string }
  | {
      ok: false;
      reason: 'unreadable' | 'unreadable-charset';
      detail: string;
      /** The file a text file is base64 of (a .docx, a PDF ...): the caller extracts it as a file. */
      embedded?: Uint8Array;
      /** The text file is base64 of something: it is a text file, but not one to read as text. */
      base64?: true;
    };

/** The charset an HTML document declares in its first kilobyte, if any. */
export function declaredHtmlCharset(bytes: Uint8Array): string | null {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 1024));
  const m = /<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)/i.exec(head);
  return m ? (m[1] as string).toLowerCase() : null;
}

/** How many base64 layers are peeled off; text or a file wrapped deeper than this is unscannable. */
const MAX_BASE64_LAYERS = 2;
/** Shorter runs of letters are ordinary words and identifiers, not an encoded document. */
const MIN_BASE64_CHARS = 24;
const BASE64_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The bytes a text made only of base64 (line breaks allowed) stands for, or null when it is anything else. */
function base64Payload(text: string): Uint8Array | null {
  // Most text fails on its first line; only then is the whole of it copied.
  if (!/^[\sA-Za-z0-9+/=]*$/.test(text.slice(0, 256))) {
    return null;
  }
  const digits = text.replace(/\s+/g, '');
  if (
    digits.length < MIN_BASE64_CHARS ||
    digits.length % 4 !== 0 ||
    !/^[A-Za-z0-9+/]+={0,2}$/.test(digits) ||
    // A base64 document has lines of one length; prose and identifiers do not have only these characters anyway.
    !/[0-9+/]/.test(digits)
  ) {
    return null;
  }
  const body = digits.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((body.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let n = 0;
  for (let i = 0; i < body.length; i++) {
    value = (value << 6) | BASE64_DIGITS.indexOf(body.charAt(i));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (value >> bits) & 0xff;
    }
  }
  return out.subarray(0, n);
}

/**
 * Magic numbers of the containers and documents the extractors read (zip and its OOXML/ODF, PDF, OLE2, TNEF) and of
 * the archives they do not (gzip, 7z, RAR): base64 of one of these in a text file is that file, not text.
 */
const CONTAINER_MAGIC: readonly (readonly number[])[] = [
  [0x50, 0x4b, 0x03, 0x04],
  [0x50, 0x4b, 0x05, 0x06],
  [0x25, 0x50, 0x44, 0x46, 0x2d],
  [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
  [0x78, 0x9f, 0x3e, 0x22],
  [0x1f, 0x8b],
  [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c],
  [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07],
];

function isContainer(bytes: Uint8Array): boolean {
  return CONTAINER_MAGIC.some((magic) => magic.every((b, i) => bytes[i] === b));
}

type Unwrapped =
  { readonly text: string; readonly encoding: string } | { readonly embedded: Uint8Array } | { readonly tooDeep: true };

/**
 * What a base64 payload stands for: text when it is text beyond doubt (UTF-8, UTF-16, Big5/GB18030 or ASCII), a
 * file when it starts like a container or document, and too deep when either lies under more layers than are
 * peeled. Null when the text is not base64 or its payload is other binary (an image: it carries no text anyway).
 */
function unwrapBase64(text: string, layers: number): Unwrapped | null {
  const payload = base64Payload(text);
  if (!payload) {
    return null;
  }
  if (isContainer(payload)) {
    return layers >= MAX_BASE64_LAYERS ? { tooDeep: true } : { embedded: payload };
  }
  for (let i = 0; i < payload.length; i++) {
    const b = payload[i] as number;
    // Controls other than tab, line breaks and form feed: binary, unless UTF-16 (checked by the decoder below).
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0) {
      return null;
    }
  }
  const inner = decodeCharset(payload, null);
  // A windows-1252 reading is a guess that fits any bytes; only a reading the bytes prove counts here.
  if (!inner.ok || inner.encoding === 'windows-1252' || (payload.includes(0) && !/^utf-16/.test(inner.encoding))) {
    return null;
  }
  if (layers >= MAX_BASE64_LAYERS) {
    // Text under one more layer than is peeled: reading it as it is would scan base64 and allow it.
    return { tooDeep: true };
  }
  const deeper = unwrapBase64(inner.text, layers + 1);
  if (deeper && !('text' in deeper)) {
    return deeper;
  }
  return deeper
    ? { text: deeper.text, encoding: `base64/${deeper.encoding}` }
    : { text: inner.text, encoding: `base64/${inner.encoding}` };
}

function fromCharset(result: CharsetResult): DecodedText {
  return result.ok
    ? { ok: true, text: result.text, encoding: result.encoding }
    : { ok: false, reason: result.reason, detail: result.detail };
}

/**
 * Decodes a text file under its declared charset, if any (./charset.ts says how the label is checked). Bytes with
 * NULs that are not UTF-16 are binary, not text: `unreadable`. A file that is only base64 of text is that text;
 * base64 of a container or document is `embedded` for the caller to extract, and base64 deeper than is peeled is
 * `unreadable`.
 */
export function decodeText(bytes: Uint8Array, declared?: string | null): DecodedText {
  const result = decodeCharset(bytes, declared ?? null);
  if (bytes.includes(0) && !(result.ok && /^utf-16/.test(result.encoding))) {
    return { ok: false, reason: 'unreadable', detail: 'binary content (NUL bytes)' };
  }
  if (result.ok) {
    const unwrapped = unwrapBase64(result.text, 0);
    if (unwrapped && 'text' in unwrapped) {
      return { ok: true, ...unwrapped };
    }
    if (unwrapped && 'embedded' in unwrapped) {
      return {
        ok: false,
        reason: 'unreadable',
        detail: 'base64 of a container or document file',
        embedded: unwrapped.embedded,
        base64: true,
      };
    }
    if (unwrapped) {
      return {
        ok: false,
        reason: 'unreadable',
        detail: `base64 wrapped more than ${MAX_BASE64_LAYERS} layers deep`,
        base64: true,
      };
    }
  }
  return fromCharset(result);
}
