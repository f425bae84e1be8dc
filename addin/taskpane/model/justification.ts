/**
 * The override reason, checked before it is sent: it goes to the audit log for the 政風 officer, so it must be the
 * sender's own words about why, not the mail's words. The server refuses a reason with a classification mark; here,
 * where the mail is at hand, a reason that repeats a run of the mail's text is refused too.
 */
import { type DetectOptions, detectSegment } from '../../../src/core';
import { JUSTIFICATION_LIMITS } from '../../../src/shared/api';

export type JustificationProblem = 'too-short' | 'too-long' | 'has-mark' | 'repeats-content' | 'control-characters';

/** How many characters in a row shared with the mail make a reason "content". */
export const CONTENT_RUN = 10;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

const squash = (s: string): string => s.replace(/\s+/g, ' ').trim().toLowerCase();

/** True when `reason` shares a run of at least {@link CONTENT_RUN} characters with any of `texts`. */
export function repeatsContent(reason: string, texts: readonly string[]): boolean {
  const r = squash(reason);
  if (r.length < CONTENT_RUN) {
    return false;
  }
  const runs = new Set<string>();
  for (let i = 0; i + CONTENT_RUN <= r.length; i++) {
    runs.add(r.slice(i, i + CONTENT_RUN));
  }
  const firsts = new Set([...runs].map((w) => w[0]));
  for (const text of texts) {
    const t = squash(text);
    for (let i = 0; i + CONTENT_RUN <= t.length; i++) {
      if (firsts.has(t[i]) && runs.has(t.slice(i, i + CONTENT_RUN))) {
        return true;
      }
    }
  }
  return false;
}

/** The first problem with a reason, or null when it may be logged. */
export function checkJustification(
  reason: string,
  mailTexts: readonly string[],
  detectOptions: DetectOptions,
): JustificationProblem | null {
  const trimmed = reason.trim();
  if (CONTROL.test(trimmed)) {
    return 'control-characters';
  }
  if (trimmed.length < JUSTIFICATION_LIMITS.minLength) {
    return 'too-short';
  }
  if (trimmed.length > JUSTIFICATION_LIMITS.maxLength) {
    return 'too-long';
  }
  if (detectSegment({ location: 'justification', text: trimmed, position: 'body' }, detectOptions).length > 0) {
    return 'has-mark';
  }
  if (repeatsContent(trimmed, mailTexts)) {
    return 'repeats-content';
  }
  return null;
}
