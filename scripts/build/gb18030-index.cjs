/**
 * The GB18030 index the on-send script's pure-JS decoder uses (addin/on-send/runtime/text-codec.ts), generated like
 * the Big5 one from the build machine's own decoder (Node's ICU) rather than committed as data:
 * - the two-byte index, pointers 0..23939 (lead 0x81..0xFE, 190 trails each), three base-64 digits each, 0 where
 *   unmapped;
 * - the four-byte ranges, pairs [pointer, code point] where a linear run starts, pointers 0..39419 (the BMP part;
 *   pointers from 189000 map to U+10000 onwards by arithmetic and need no table).
 */
const TWO_BYTE_POINTERS = 126 * 190;
const FOUR_BYTE_BMP_POINTERS = 39420;
const DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** @param {TextDecoder} decoder @param {number[]} bytes @returns {number} the code point, 0 when unmapped */
function decodeOne(decoder, bytes) {
  try {
    const s = decoder.decode(Uint8Array.from(bytes));
    const cp = s.codePointAt(0);
    return cp !== undefined && s.length === (cp > 0xffff ? 2 : 1) && cp !== 0xfffd ? cp : 0;
  } catch {
    return 0;
  }
}

/** @returns {{ index: string, ranges: number[] }} */
function packedGb18030Index() {
  const decoder = new TextDecoder('gb18030', { fatal: true });
  let index = '';
  for (let pointer = 0; pointer < TWO_BYTE_POINTERS; pointer++) {
    const lead = Math.floor(pointer / 190) + 0x81;
    const t = pointer % 190;
    const trail = t < 0x3f ? t + 0x40 : t + 0x41;
    const unit = decodeOne(decoder, [lead, trail]);
    index += DIGITS[unit >> 12] + DIGITS[(unit >> 6) & 63] + DIGITS[unit & 63];
  }
  const ranges = [];
  let expected = -1;
  for (let pointer = 0; pointer < FOUR_BYTE_BMP_POINTERS; pointer++) {
    const b4 = pointer % 10;
    const b3 = Math.floor(pointer / 10) % 126;
    const b2 = Math.floor(pointer / 1260) % 10;
    const b1 = Math.floor(pointer / 12600);
    const cp = decodeOne(decoder, [b1 + 0x81, b2 + 0x30, b3 + 0x81, b4 + 0x30]);
    if (cp !== expected) {
      ranges.push(pointer, cp);
    }
    expected = cp === 0 ? -1 : cp + 1;
  }
  return { index, ranges };
}

module.exports = { packedGb18030Index, TWO_BYTE_POINTERS, FOUR_BYTE_BMP_POINTERS };
