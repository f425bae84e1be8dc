/**
 * A part's check value as a person compares it: the first 64 bits of its commitment (or, for a part recorded before
 * commitments, of its SHA-256) in four groups of four hex digits, e.g. `3f9a 07c2 e4d1 5b60`. The paper and the pane
 * print the same groups, so the 簽收單 is matched with the record by eye; the full value stays printed beside it for
 * whoever recomputes it from the paper and the salt. Nothing here changes what is committed to (issue 12's salted
 * commitment): it only shows a value the record already holds.
 */

import { SHA256_HEX_PATTERN } from '../core/commitment';

/** Four groups of four lower-case hex digits, or null when `hex` is not a 64-digit hex value (a row edited by hand). */
export function checkValueGroups(hex: string): string | null {
  if (!SHA256_HEX_PATTERN.test(hex)) {
    return null;
  }
  return [0, 4, 8, 12].map((i) => hex.slice(i, i + 4)).join(' ');
}
