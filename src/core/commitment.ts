/**
 * What the server may know about a part removed by stripping, so that nobody who reads the server (its operators
 * included) can guess the part back, while the paper copy can still be matched to the record.
 *
 * A removed part is often short and formulaic (「開會時間改為3月5日14時」): a plain SHA-256 of it, with its exact
 * length, is found again by trying every date and hour, a few thousand guesses. So the server gets instead:
 * - a commitment, HMAC-SHA256 keyed by a random 128-bit salt drawn on the sender's machine for that part, over the
 *   SHA-256 of the part (UTF-8 text, or an attachment's bytes). Without the salt, each guess is a guess at 2^128 salts
 *   as well; the salt exists only on the sender's machine and on the printed 簽收單 that travels with the paper copy,
 *   which carries the text itself anyway. Whoever holds the paper (the recipient, the 政風 office) recomputes the
 *   commitment from the text and the printed salt and compares it with the record.
 * - the length rounded up to a power of two, at least {@link MIN_LENGTH_BUCKET}, so the size says little more than
 *   "a sentence" or "a page".
 *
 * Pure and ES2016: it runs in the task pane and in classic Outlook's JS-only runtime. The salt comes from the caller
 * (crypto.getRandomValues in the browser), because the core has no random source of its own.
 */
import { utf8Bytes } from './regex';
import { bytesOfHex, hexOf, hmacSha256, sha256Hex } from './sha256';

/** Bytes in a part's salt: 128 bits, beyond guessing. */
export const SALT_BYTES = 16;

/** A salt as the pane keeps and prints it: {@link SALT_BYTES} bytes in lower-case hex. */
export const SALT_HEX_PATTERN = new RegExp(`^[0-9a-f]{${SALT_BYTES * 2}}$`);

/** A SHA-256 (or a commitment, an HMAC-SHA256) in lower-case hex, as stored and printed. */
export const SHA256_HEX_PATTERN = /^[0-9a-f]{64}$/;

/** The smallest length bucket: every part up to this many characters (or bytes) looks the same. */
export const MIN_LENGTH_BUCKET = 64;

/** The largest length bucket the server accepts (2^30: a gigabyte attachment). */
export const MAX_LENGTH_BUCKET = 2 ** 30;

/** Every bucket {@link lengthBucket} can give, smallest first (the server's schema accepts only these). */
export const LENGTH_BUCKETS: readonly number[] = (() => {
  const out: number[] = [];
  for (let b = MIN_LENGTH_BUCKET; b <= MAX_LENGTH_BUCKET; b *= 2) {
    out.push(b);
  }
  return out;
})();

/** `length` rounded up to a power of two, at least {@link MIN_LENGTH_BUCKET}, at most {@link MAX_LENGTH_BUCKET}. */
export function lengthBucket(length: number): number {
  for (const b of LENGTH_BUCKETS) {
    if (length <= b) {
      return b;
    }
  }
  return MAX_LENGTH_BUCKET;
}

/**
 * The commitment to a part whose SHA-256 (hex) is `contentSha256`, under `salt`: HMAC-SHA256(salt, SHA-256(content)),
 * lower-case hex. Committing to the digest rather than the content lets an attachment be committed to from the
 * hash its scan already took, and gives one check for text and files alike.
 */
export function commitToDigest(contentSha256: string, salt: Uint8Array): string {
  if (salt.length < SALT_BYTES) {
    throw new RangeError(`[commitToDigest] needs a ${SALT_BYTES}-byte salt, got ${salt.length}`);
  }
  if (!SHA256_HEX_PATTERN.test(contentSha256)) {
    throw new RangeError('[commitToDigest] needs a SHA-256 digest in lower-case hex');
  }
  return hexOf(hmacSha256(salt, bytesOfHex(contentSha256)));
}

/** The commitment to a removed stretch of text, as a paper copy is checked against the record. */
export function commitToText(text: string, saltHex: string): string {
  return commitToDigest(sha256Hex(utf8Bytes(text)), bytesOfHex(saltHex));
}
