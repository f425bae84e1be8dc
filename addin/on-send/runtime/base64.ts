/**
 * Base64 to bytes without `atob`, which classic Outlook's JS-only runtime is not documented to have. Attachments
 * arrive from `getAttachmentContentAsync` as base64: megabytes of it on every send, decoded in a runtime that starts
 * cold each time, so the common case (one unbroken run of digits) is checked once by a regular expression and then
 * decoded four digits at a time without further tests.
 */
const DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUES = new Uint8Array(128);
for (let i = 0; i < DIGITS.length; i++) {
  VALUES[DIGITS.charCodeAt(i)] = i;
}
// URL-safe digits decode too.
VALUES[0x2d] = 62;
VALUES[0x5f] = 63;

const WHITESPACE = /[\t\n\r ]+/g;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

export class Base64Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Base64Error';
  }
}

/**
 * Decodes base64, skipping whitespace; padding is optional.
 * @throws {Base64Error} for any other character, or a length that cannot be base64.
 */
export function base64ToBytes(input: string): Uint8Array {
  let text = input;
  if (!BASE64.test(text)) {
    text = text.replace(WHITESPACE, '');
    if (!BASE64.test(text)) {
      throw new Base64Error('not base64: a character outside the alphabet, or padding before the end');
    }
  }
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0x3d) {
    end--;
  }
  if (end % 4 === 1) {
    throw new Base64Error('not base64: a lone trailing digit');
  }
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  const whole = end - (end % 4);
  let o = 0;
  for (let i = 0; i < whole; i += 4) {
    const n =
      ((VALUES[text.charCodeAt(i)] as number) << 18) |
      ((VALUES[text.charCodeAt(i + 1)] as number) << 12) |
      ((VALUES[text.charCodeAt(i + 2)] as number) << 6) |
      (VALUES[text.charCodeAt(i + 3)] as number);
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 0xff;
    out[o++] = n & 0xff;
  }
  if (end - whole >= 2) {
    const n =
      ((VALUES[text.charCodeAt(whole)] as number) << 18) |
      ((VALUES[text.charCodeAt(whole + 1)] as number) << 12) |
      (end - whole === 3 ? (VALUES[text.charCodeAt(whole + 2)] as number) << 6 : 0);
    out[o++] = n >> 16;
    if (end - whole === 3) {
      out[o++] = (n >> 8) & 0xff;
    }
  }
  return out;
}
