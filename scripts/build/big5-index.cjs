/**
 * The Big5 index the on-send script's pure-JS decoder uses (addin/on-send/runtime/text-codec.ts), generated from the
 * build machine's own Big5 decoder (Node's ICU) rather than committed as data: pointers for lead bytes 0xA1..0xF9,
 * three base-64 digits each, 0 where unmapped.
 */
const FIRST_POINTER = (0xa1 - 0x81) * 157;
const POINTER_COUNT = (0xf9 - 0xa1 + 1) * 157;
const DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** @returns {string} */
function packedBig5Index() {
  const decoder = new TextDecoder('big5', { fatal: true });
  let out = '';
  for (let i = 0; i < POINTER_COUNT; i++) {
    const pointer = FIRST_POINTER + i;
    const lead = Math.floor(pointer / 157) + 0x81;
    const t = pointer % 157;
    const trail = t < 0x3f ? t + 0x40 : t + 0x62;
    let unit = 0;
    try {
      const s = decoder.decode(Uint8Array.of(lead, trail));
      if (s.length === 1) {
        unit = s.charCodeAt(0);
      }
    } catch {
      // unmapped
    }
    out += DIGITS[unit >> 12] + DIGITS[(unit >> 6) & 63] + DIGITS[unit & 63];
  }
  return out;
}

module.exports = { packedBig5Index };
