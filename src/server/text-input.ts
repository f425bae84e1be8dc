/**
 * Text the API takes must be text: every string in a body, parameter or query is checked before the schema is. The
 * character rules themselves live in src/shared/text-rules.ts, so the pages check names with the same rule.
 */
import {
  badString,
  badTitleOrName,
  CONTROL_OR_BIDI,
  INVISIBLE_IN_TITLE,
  UNPAIRED_SURROGATE,
} from '../shared/text-rules';
import { HttpError } from './http';

export { badString, badTitleOrName };

/** Far deeper than any schema here; a body nested deeper is refused rather than walked. */
const MAX_DEPTH = 32;

const INVISIBLE_IN_TITLE_ALL = new RegExp(INVISIBLE_IN_TITLE.source, 'gu');

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
