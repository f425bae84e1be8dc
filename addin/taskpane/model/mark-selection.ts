/**
 * "Mark selection as confidential": the selected text is wrapped in the core's strippable delimiters
 * (〔機密〕…〔/機密〕). The mark is ordinary visible text, so it survives every client, copy and forward, and the
 * stripper and the on-send check read it like any typed mark.
 */
import { htmlToText, type Level } from '../../../src/core';

export type Selection = {
  /** The selected data: HTML when the body is HTML, otherwise text. */
  readonly data: string;
  readonly format: 'html' | 'text';
  /** Where the selection is: the body or the subject line. */
  readonly source: 'body' | 'subject';
};

export type WrapResult =
  | { readonly ok: true; readonly data: string }
  | { readonly ok: false; readonly reason: 'empty' | 'subject' | 'already-marked' };

export const openDelimiter = (level: Level): string => `〔${level}〕`;
export const closeDelimiter = (level: Level): string => `〔/${level}〕`;

const WHITESPACE = /[\s\u00a0\u200b-\u200d\u2028\u2029\u3000\ufeff]/;
const ALREADY_MARKED =
  /^[〔【［[]\s?(絕對機密|極機密|機密|機敏|密)\s?[〕】］\]][\s\S]*[〔【［[]\s?\/\s?\1\s?[〕】］\]]$/u;

/**
 * Wraps a selection in delimiters of the given level. In HTML the delimiters go right before the first and after the
 * last visible character, inside the paragraphs the selection starts and ends in, so no empty paragraph is created
 * and the markup around them is untouched.
 */
export function wrapSelection(selection: Selection, level: Level): WrapResult {
  if (selection.source === 'subject') {
    // A mark in the subject classifies the whole message; it cannot be stripped, so marking there would only block.
    return { ok: false, reason: 'subject' };
  }
  const text = selection.format === 'html' ? htmlToText(selection.data) : null;
  const visible = text ? text.text : selection.data;
  let first = 0;
  while (first < visible.length && WHITESPACE.test(visible[first] as string)) {
    first++;
  }
  let last = visible.length - 1;
  while (last >= first && WHITESPACE.test(visible[last] as string)) {
    last--;
  }
  if (first > last) {
    return { ok: false, reason: 'empty' };
  }
  if (ALREADY_MARKED.test(visible.slice(first, last + 1))) {
    return { ok: false, reason: 'already-marked' };
  }
  const start = text ? (text.srcStart[first] as number) : first;
  const end = text ? (text.srcEnd[last] as number) : last + 1;
  const data = selection.data;
  return {
    ok: true,
    data:
      data.slice(0, start) + openDelimiter(level) + data.slice(start, end) + closeDelimiter(level) + data.slice(end),
  };
}
