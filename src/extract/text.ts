/**
 * Bytes to text. Pure JS on `TextDecoder`, which the browser, Node and the task pane all have. Taiwanese files are
 * UTF-8 or Big5, and forwarded PRC material GB18030; anything else is reported unreadable rather than guessed.
 */

export type DecodedText =
  { ok: true; text: string; encoding: string } | { ok: false; reason: 'unreadable'; detail: string };

const FALLBACK_ENCODINGS = ['big5', 'gb18030'] as const;

function tryDecode(bytes: Uint8Array, encoding: string): string | null {
  try {
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return null;
  }
}

/** The charset an HTML document declares in its first kilobyte, if any. */
export function declaredHtmlCharset(bytes: Uint8Array): string | null {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 1024));
  const m = /<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)/i.exec(head);
  return m ? (m[1] as string).toLowerCase() : null;
}

function isSupported(encoding: string): boolean {
  try {
    new TextDecoder(encoding);
    return true;
  } catch {
    return false;
  }
}

/**
 * Decodes text bytes: a BOM wins, then a declared charset, then UTF-8, then Big5, then GB18030. Text with NUL bytes
 * is binary, not text, and is unreadable.
 */
export function decodeText(bytes: Uint8Array, declared?: string | null): DecodedText {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    const enc = bytes[0] === 0xff ? 'utf-16le' : 'utf-16be';
    const text = tryDecode(bytes, enc);
    return text === null
      ? { ok: false, reason: 'unreadable', detail: `invalid ${enc}` }
      : { ok: true, text, encoding: enc };
  }
  if (bytes.includes(0)) {
    return { ok: false, reason: 'unreadable', detail: 'binary content (NUL bytes)' };
  }
  const order = [...(declared && isSupported(declared) ? [declared] : []), 'utf-8', ...FALLBACK_ENCODINGS];
  for (const enc of order) {
    const text = tryDecode(bytes, enc);
    if (text !== null) {
      return { ok: true, text, encoding: enc };
    }
  }
  return { ok: false, reason: 'unreadable', detail: 'not valid UTF-8, Big5 or GB18030' };
}
