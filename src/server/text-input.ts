/**
 * Text the API takes must be text: every string in a body, parameter or query is checked before the schema is. NUL
 * cannot be stored (PostgreSQL refuses it, a 500), an unpaired surrogate cannot be encoded (refused in JSON, silently
 * replaced by U+FFFD in a text column), other C0/C1 controls hide in logs and on paper, and bidi embedding, override
 * and isolate controls make an address or a title read differently from what is stored (Trojan Source). U+FEFF
 * (byte order mark, an invisible zero-width no-break space) is refused too: PGlite reads a text value starting with
 * it back without it (its decoder strips a leading BOM), so what was stored would not be what was sent.
 * Line feed, carriage return and tab stay allowed: a reminder has lines.
 */
import { HttpError } from './http';

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_OR_BIDI = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufeff]/;
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Far deeper than any schema here; a body nested deeper is refused rather than walked. */
const MAX_DEPTH = 32;

/** Whether a string holds a character the API does not take as text. */
export const badString = (s: string): boolean => CONTROL_OR_BIDI.test(s) || UNPAIRED_SURROGATE.test(s);

const CONTROL_OR_BIDI_ALL = new RegExp(CONTROL_OR_BIDI.source, 'g');
const UNPAIRED_SURROGATE_ALL = new RegExp(UNPAIRED_SURROGATE.source, 'g');

/**
 * Text someone else vouches for (a token's display name and address): kept, not refused, at most `maxUnits` UTF-16
 * units without splitting a pair, each character that is not clean text shown as U+FFFD. Stored as it was, a lone
 * surrogate would turn into U+FFFD silently and NUL would fail the insert.
 */
export function asDisplayText(s: string, maxUnits: number): string {
  let cut = s.slice(0, maxUnits);
  if (/[\uD800-\uDBFF]$/.test(cut) && /^[\uDC00-\uDFFF]/.test(s.slice(maxUnits))) {
    cut = cut.slice(0, -1);
  }
  return cut.replace(CONTROL_OR_BIDI_ALL, '\uFFFD').replace(UNPAIRED_SURROGATE_ALL, '\uFFFD');
}

/** Where the first string (key or value) that is not clean text sits, as a JSON-pointer-like path; null if none. */
export function findUncleanText(value: unknown, at = '', depth = 0): string | null {
  if (typeof value === 'string') {
    return badString(value) ? at || '/' : null;
  }
  if (value === null || typeof value !== 'object') {
    return null;
  }
  if (depth > MAX_DEPTH) {
    return at || '/';
  }
  for (const [key, child] of Object.entries(value)) {
    const path = `${at}/${badString(key) ? '?' : key.slice(0, 40)}`;
    if (badString(key)) {
      return path;
    }
    const found = findUncleanText(child, path, depth + 1);
    if (found !== null) {
      return found;
    }
  }
  return null;
}

/** @throws {HttpError} 400 `invalid_characters` naming where. */
export function requireCleanText(parts: Readonly<Record<'body' | 'params' | 'query', unknown>>): void {
  for (const [name, value] of Object.entries(parts)) {
    const where = findUncleanText(value);
    if (where !== null) {
      throw new HttpError(
        400,
        'invalid_characters',
        `含不允許的字元（控制字元、雙向控制字元或不成對的代理字元）/ Contains a character not allowed (control, bidi control or unpaired surrogate): ${name}${where === '/' ? '' : where}`,
      );
    }
  }
}
