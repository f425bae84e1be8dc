/**
 * What the API takes as text, and what a title or a name must not hold: pure rules with no Node or DOM imports, so
 * the server (src/server/text-input.ts, which refuses) and the pages (which name the offending line before sending)
 * apply the same rule rather than two copies that can drift apart.
 *
 * Text must be text: NUL cannot be stored (PostgreSQL refuses it, a 500), an unpaired surrogate cannot be encoded
 * (refused in JSON, silently replaced by U+FFFD in a text column), other C0/C1 controls hide in logs and on paper,
 * and bidi embedding, override and isolate controls make an address or a title read differently from what is stored
 * (Trojan Source). U+FEFF (byte order mark) is refused too: PGlite reads a text value starting with it back without
 * it (its decoder strips a leading BOM), so what was stored would not be what was sent. Line feed, carriage return
 * and tab stay allowed in text in general: a reminder has lines.
 */

/* eslint-disable es-x/no-regexp-lookbehind-assertions, es-x/no-regexp-unicode-property-escapes, es-x/no-regexp-unicode-property-escapes-2019 --
 * the server and the Teams pages import this module, the classic Outlook send handler (ES2016) never does; if it
 * ever did, test/unit/build/launchevent-bundle.test.ts would fail to parse its bundle as ES2016. */

// eslint-disable-next-line no-control-regex -- finding control characters is the point
export const CONTROL_OR_BIDI = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufeff]/;
export const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * What a title or a name must not hold on top of {@link badString}: a title or a name is one line, read by people
 * who cannot see what is invisible. Format characters (Cf: bidi marks U+200E/200F/061C, zero-width U+200B-200D,
 * word joiner U+2060, soft hyphen, interlinear annotation U+FFF9-FFFB, tag characters U+E0001/E0020-E007F ...), the
 * unassigned rest of the tag block, line and paragraph separators, line breaks and tabs, and the Hangul fillers
 * that draw as blanks: two names that look the same must be the same string, and a title must print as stored.
 * A zero-width joiner between two pictographs stays: that is how an emoji sequence (a family, a flag) is written.
 */
export const INVISIBLE_IN_TITLE =
  /(?!(?<=\p{Extended_Pictographic}(?:\u{fe0f}|[\u{1f3fb}-\u{1f3ff}])?)\u200d(?=\p{Extended_Pictographic}))[\p{Cf}\p{Zl}\p{Zp}\t\n\r\u{e0000}-\u{e007f}\u115f\u1160\u3164\uffa0]/u;

/** All three in one pattern, so the first offending character can be named. */
const DISALLOWED_IN_TITLE_OR_NAME = new RegExp(
  [INVISIBLE_IN_TITLE.source, CONTROL_OR_BIDI.source, UNPAIRED_SURROGATE.source].join('|'),
  'u',
);

/** Whether a string holds a character the API does not take as text. */
export const badString = (s: string): boolean => CONTROL_OR_BIDI.test(s) || UNPAIRED_SURROGATE.test(s);

/** The first character a title or a name does not take (any of {@link badString}'s, or an invisible one); null if none. */
export function firstDisallowedInTitleOrName(s: string): string | null {
  const m = DISALLOWED_IN_TITLE_OR_NAME.exec(s);
  return m ? m[0] : null;
}

/** Whether a title or a name holds a character it does not take (any of {@link badString}'s, or an invisible one). */
export const badTitleOrName = (s: string): boolean => firstDisallowedInTitleOrName(s) !== null;
