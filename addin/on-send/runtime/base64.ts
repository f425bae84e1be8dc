/**
 * Base64 to bytes without `atob`, which classic Outlook's JS-only runtime is not documented to have. Attachments
 * arrive from `getAttachmentContentAsync` as base64.
 */
const DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUES = new Int16Array(128).fill(-1);
for (let i = 0; i < DIGITS.length; i++) {
  VALUES[DIGITS.charCodeAt(i)] = i;
}
// URL-safe digits decode too.
VALUES[0x2d] = 62;
VALUES[0x5f] = 63;

export class Base64Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Base64Error';
  }
}

/**
 * Decodes base64, skipping whitespace and stopping at padding.
 * @throws {Base64Error} for any other character, or a length that cannot be base64.
 */
export function base64ToBytes(text: string): Uint8Array {
  const out = new Uint8Array(Math.floor((text.length * 3) / 4) + 3);
  let n = 0;
  let acc = 0;
  let bits = 0;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3d) {
      break;
    }
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
      continue;
    }
    const v = c < 128 ? (VALUES[c] as number) : -1;
    if (v < 0) {
      throw new Base64Error(`not base64: character ${c} at ${i}`);
    }
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    digits++;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  if (digits % 4 === 1) {
    throw new Base64Error('not base64: a lone trailing digit');
  }
  return out.subarray(0, n);
}
