/**
 * The chair's pasted list of expected attendees (應到) as the body of `PUT /api/meetings/{id}/invitees`: no React, no
 * Teams. One person a line, written as 「姓名」, 「姓名 <upn@agency.gov.tw>」, or a row copied from Excel (cells
 * separated by tabs: the name first, the address in any later cell). Every line the server would refuse is named
 * here, with its line number, so the chair can fix it before anything is sent.
 */
import { INVITEE_ADDRESS_PATTERN, INVITEE_LIMITS, type InviteeInput } from '../../src/shared/api';
import { firstDisallowedInTitleOrName } from '../../src/shared/text-rules';

export { INVITEE_LIMITS };

/** The server's pattern for an address, compiled as its JSON Schema validator compiles it (with `u`). */
const ADDRESS = new RegExp(INVITEE_ADDRESS_PATTERN, 'u');
/** Looks meant as an address (so a bad one is reported as an address, not taken as part of a name). */
const LOOKS_LIKE_ADDRESS = /^\S*@\S*$/u;
const NAME_WITH_ADDRESS = /^(.*?)\s*<([^<>]*)>$/u;

export type LineProblem =
  | { readonly kind: 'no-name' }
  | { readonly kind: 'too-long'; readonly max: number }
  | { readonly kind: 'invisible'; readonly codePoint: string }
  | { readonly kind: 'bad-address'; readonly address: string }
  | { readonly kind: 'duplicate'; readonly firstLine: number };

export interface LineError {
  /** 1-based, as the chair counts the lines in the box. */
  readonly line: number;
  readonly problem: LineProblem;
}

export interface ParsedInviteeList {
  /** The people, in the order given; complete only when `errors` is empty and `tooMany` is false. */
  readonly invitees: readonly InviteeInput[];
  readonly errors: readonly LineError[];
  /** More than {@link INVITEE_LIMITS}.count people. */
  readonly tooMany: boolean;
}

const codePoints = (s: string): number => [...s].length;

/** The first character a name must not hold (the server's rule, src/shared/text-rules.ts), as U+XXXX; null if none. */
function invisibleIn(s: string): string | null {
  const found = firstDisallowedInTitleOrName(s);
  return found === null ? null : `U+${(found.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Splits a line into name and address; the problems are checked after. */
function split(line: string): { name: string; upn: string | null } {
  if (line.includes('\t')) {
    const cells = line.split('\t').map((c) => c.trim());
    const upn = cells.slice(1).find((c) => LOOKS_LIKE_ADDRESS.test(c) && c !== '') ?? null;
    const name = cells[0] ?? '';
    return { name: name || (upn ?? ''), upn };
  }
  const bracketed = NAME_WITH_ADDRESS.exec(line);
  if (bracketed) {
    const name = (bracketed[1] ?? '').trim();
    const upn = (bracketed[2] ?? '').trim();
    return { name: name || upn, upn };
  }
  // A bare address is a person too: the address is the only name the chair gave.
  return LOOKS_LIKE_ADDRESS.test(line) ? { name: line, upn: line } : { name: line, upn: null };
}

function problemOf(name: string, upn: string | null): LineProblem | null {
  if (name === '') {
    return { kind: 'no-name' };
  }
  const hidden = invisibleIn(name) ?? (upn === null ? null : invisibleIn(upn));
  if (hidden) {
    return { kind: 'invisible', codePoint: hidden };
  }
  if (codePoints(name) > INVITEE_LIMITS.name) {
    return { kind: 'too-long', max: INVITEE_LIMITS.name };
  }
  if (upn !== null && (!ADDRESS.test(upn) || codePoints(upn) > INVITEE_LIMITS.upn)) {
    return { kind: 'bad-address', address: upn };
  }
  return null;
}

/** Reads the pasted text (LF, CRLF or CR line ends; blank lines skipped) into invitees and per-line problems. */
export function parseInviteeList(text: string): ParsedInviteeList {
  const invitees: InviteeInput[] = [];
  const errors: LineError[] = [];
  const firstLineOf = new Map<string, number>();
  text.split(/\r\n|\r|\n/).forEach((raw, index) => {
    const line = index + 1;
    // Only ordinary blanks are trimmed: an invisible character at the edge is reported, never silently dropped.
    const trimmed = raw.replace(/^[ \u3000]+|[ \u3000]+$/gu, '');
    if (trimmed.replace(/\t/g, '') === '') {
      return;
    }
    const { name, upn } = split(trimmed);
    const problem = problemOf(name, upn);
    if (problem) {
      errors.push({ line, problem });
      return;
    }
    if (upn !== null) {
      const key = upn.toLowerCase();
      const first = firstLineOf.get(key);
      if (first !== undefined) {
        errors.push({ line, problem: { kind: 'duplicate', firstLine: first } });
        return;
      }
      firstLineOf.set(key, line);
    }
    invitees.push(upn === null ? { name } : { name, upn });
  });
  return { invitees, errors, tooMany: invitees.length + errors.length > INVITEE_LIMITS.count };
}

/** The list as the box shows it, one person a line, so the chair edits what is saved. */
export function formatInviteeList(invitees: readonly { readonly name: string; readonly upn: string | null }[]): string {
  return invitees.map((i) => (i.upn && i.upn !== i.name ? `${i.name} <${i.upn}>` : i.name)).join('\n');
}

/** Where line `line` (1-based) starts and ends in `text`, to select it in the box. */
export function lineRange(text: string, line: number): { readonly start: number; readonly end: number } {
  let start = 0;
  for (let i = 1; i < line; i++) {
    const next = text.slice(start).search(/\r\n|\r|\n/);
    if (next === -1) {
      return { start: text.length, end: text.length };
    }
    start += next + (text.startsWith('\r\n', start + next) ? 2 : 1);
  }
  const rest = text.slice(start).search(/\r\n|\r|\n/);
  return { start, end: rest === -1 ? text.length : start + rest };
}
