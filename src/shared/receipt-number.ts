/**
 * 簽收單 numbers: `SG-<date in Taiwan>-<six random characters>`, e.g. `SG-20261125-7K3QXM`. The number is printed in
 * the mail's placeholder and on the paper copy, so it must be short enough to read aloud and type back, and must
 * match the server's receipt id pattern (and the stripper's). Crockford's base-32 alphabet leaves out I, L, O and U,
 * which are misread on paper. The server draws them (POST /api/receipts answers the number): a number the client
 * chose could be refused as taken, which would confirm that someone else holds it.
 */

import { RECEIPT_NUMBER_SOURCE } from '../core/receipt-id';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RANDOM_CHARS = 6;

/** The same, as a JSON-schema `pattern` for the server's routes. */
export const RECEIPT_NUMBER_SCHEMA_PATTERN = `^${RECEIPT_NUMBER_SOURCE}$`;
/** A page cursor of `GET /api/receipts`: the creation time in microseconds, `~`, the receipt number. */
export const RECEIPT_CURSOR_SCHEMA_PATTERN = `^\\d{1,18}~${RECEIPT_NUMBER_SOURCE}$`;
/** The numbers the server issues (stricter than the pattern, which older numbers also match). */
export const OUR_RECEIPT_NUMBER = /^SG-\d{8}-[0-9A-HJKMNP-TV-Z]{6}$/;

/** The calendar date in Taiwan (UTC+8, no daylight saving), as `YYYYMMDD`. */
export function taiwanDate(now: Date): string {
  const t = new Date(now.getTime() + 8 * 3600_000);
  // No padStart: this module is shared with code built for ES2016.
  const pad = (n: number): string => `0${n}`.slice(-2);
  return `${t.getUTCFullYear()}${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())}`;
}

/**
 * A new receipt number. `random` must hold at least six bytes from a cryptographic source; each byte picks one
 * character (256 is a multiple of 32, so every character is equally likely).
 */
export function receiptNumber(now: Date, random: Uint8Array): string {
  if (random.length < RANDOM_CHARS) {
    throw new RangeError(`[receiptNumber] needs ${RANDOM_CHARS} random bytes, got ${random.length}`);
  }
  let suffix = '';
  for (let i = 0; i < RANDOM_CHARS; i++) {
    suffix += ALPHABET[(random[i] as number) % 32];
  }
  return `SG-${taiwanDate(now)}-${suffix}`;
}
