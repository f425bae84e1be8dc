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

/**
 * What a title or a name must not hold on top of {@link badString}: a title or a name is one line, read by people
 * who cannot see what is invisible. Format characters (Cf: bidi marks U+200E/200F/061C, zero-width U+200B-200D,
 * word joiner U+2060, soft hyphen, interlinear annotation U+FFF9-FFFB, tag characters U+E0001/E0020-E007F ...), the
 * unassigned rest of the tag block, line and paragraph separators, line breaks and tabs, and the Hangul fillers
 * that draw as blanks: two names that look the same must be the same string, and a title must print as stored.
 * A zero-width joiner between two pictographs stays: that is how an emoji sequence (a family, a flag) is written.
 */
const INVISIBLE_IN_TITLE =
  /(?!(?<=\p{Extended_Pictographic}(?:\u{fe0f}|[\u{1f3fb}-\u{1f3ff}])?)\u200d(?=\p{Extended_Pictographic}))[\p{Cf}\p{Zl}\p{Zp}\t\n\r\u{e0000}-\u{e007f}\u115f\u1160\u3164\uffa0]/u;
const INVISIBLE_IN_TITLE_ALL = new RegExp(INVISIBLE_IN_TITLE.source, 'gu');

/** Whether a title or a name holds a character it does not take (any of {@link badString}'s, or an invisible one). */
export const badTitleOrName = (s: string): boolean => badString(s) || INVISIBLE_IN_TITLE.test(s);

/**
 * @throws {HttpError} 400 `invalid_characters` naming the field when a title or name holds a control, bidi,
 * zero-width, tag or other invisible character, or a line break. Refused rather than cleaned: what is stored and
 * printed is exactly what the user sent.
 */
export function requireTitleOrName(field: string, value: string | null | undefined): void {
  if (typeof value === 'string' && badTitleOrName(value)) {
    throw new HttpError(
      400,
      'invalid_characters',
      `標題或姓名含不可見或不允許的字元（零寬字元、方向標記、標籤字元、換行等）/ A title or name contains an invisible or disallowed character (zero-width, direction mark, tag character, line break ...): ${field}`,
    );
  }
}

const CONTROL_OR_BIDI_ALL = new RegExp(CONTROL_OR_BIDI.source, 'g');
const UNPAIRED_SURROGATE_ALL = new RegExp(UNPAIRED_SURROGATE.source, 'g');

/**
 * Text someone else vouches for (a token's display name and address, a Graph member's): kept, not refused, at most
 * `maxUnits` UTF-16 units without splitting a pair, each character that is not clean text or that a name must not
 * hold ({@link badTitleOrName}) shown as U+FFFD, so the hidden character is seen rather than silently dropped. Stored as it was, a lone
 * surrogate would turn into U+FFFD silently and NUL would fail the insert.
 */
export function asDisplayText(s: string, maxUnits: number): string {
  let cut = s.slice(0, maxUnits);
  if (/[\uD800-\uDBFF]$/.test(cut) && /^[\uDC00-\uDFFF]/.test(s.slice(maxUnits))) {
    cut = cut.slice(0, -1);
  }
  return cut
    .replace(CONTROL_OR_BIDI_ALL, '\uFFFD')
    .replace(UNPAIRED_SURROGATE_ALL, '\uFFFD')
    .replace(INVISIBLE_IN_TITLE_ALL, '\uFFFD');
}

/** A body nested deeper than any schema here allows: its own refusal, not a character one. */
class TooDeep extends Error {}

/**
 * Where the first string (key or value) that is not clean text sits, as a JSON-pointer-like path; null if none.
 * @throws {TooDeep} past {@link MAX_DEPTH} levels.
 */
function walk(value: unknown, at: string, depth: number): string | null {
  if (typeof value === 'string') {
    return badString(value) ? at || '/' : null;
  }
  if (value === null || typeof value !== 'object') {
    return null;
  }
  if (depth > MAX_DEPTH) {
    throw new TooDeep();
  }
  for (const [key, child] of Object.entries(value)) {
    const path = `${at}/${badString(key) ? '?' : key.slice(0, 40)}`;
    if (badString(key)) {
      return path;
    }
    const found = walk(child, path, depth + 1);
    if (found !== null) {
      return found;
    }
  }
  return null;
}

/**
 * Where the first string (key or value) that is not clean text sits, as a JSON-pointer-like path; null if none. A
 * value nested too deep to walk counts as unclean at its root.
 */
export function findUncleanText(value: unknown): string | null {
  try {
    return walk(value, '', 0);
  } catch (e) {
    if (e instanceof TooDeep) {
      return '/';
    }
    throw e;
  }
}

/**
 * @throws {HttpError} 400 `json_too_deep` for a value nested past {@link MAX_DEPTH} levels (a client bug or an
 * attack, not a character problem: a client told `invalid_characters` would look for a character that is not there);
 * 400 `invalid_characters` naming where.
 */
export function requireCleanText(parts: Readonly<Record<'body' | 'params' | 'query', unknown>>): void {
  for (const [name, value] of Object.entries(parts)) {
    let where: string | null;
    try {
      where = walk(value, '', 0);
    } catch (e) {
      if (e instanceof TooDeep) {
        throw new HttpError(
          400,
          'json_too_deep',
          `巢狀層數超過 ${MAX_DEPTH} 層 / Nested more than ${MAX_DEPTH} levels deep: ${name}`,
        );
      }
      throw e;
    }
    if (where !== null) {
      throw new HttpError(
        400,
        'invalid_characters',
        `含不允許的字元（控制字元、雙向控制字元或不成對的代理字元）/ Contains a character not allowed (control, bidi control or unpaired surrogate): ${name}${where === '/' ? '' : where}`,
      );
    }
  }
}
