/**
 * What the printed 簽收單 needs and the server must never receive: each recipient's display name, the mail's
 * subject, each removed attachment's file name, and the agency's reference number (文號) the sender types. Each is
 * message content (a subject or a file name can say what the removed part was), so, like the salts, they stay in
 * this pane's local storage under the receipt number and are written into the server's print page
 * ({@link LOCAL_CELL_ATTRIBUTE} cells) just before printing.
 *
 * A subject that carries a mark is never kept nor printed: the paper would then carry the mark's context outside the
 * parts it accounts for.
 */
import { escapeHtml, type Finding } from '../../../src/core';
import { LOCAL_CELL_ATTRIBUTE } from '../../../src/shared/api';
import { type KeptPerReceipt, keptPerReceipt, type SaltStorage } from './receipt-salts';

const KEY_PREFIX = 'sg.receipt-details.v1.';

/** A 文號 such as 「府授人字第1150012345號」 is well under this; the bound keeps the field a number, not a note. */
export const REFERENCE_MAX_CHARS = 40;
/** A display name, a subject or a file name is cut at these (Outlook's own subject limit is 255). */
const NAME_MAX_CHARS = 100;
const SUBJECT_MAX_CHARS = 255;
const FILE_NAME_MAX_CHARS = 255;

/**
 * What a person cannot see or what would make the paper read differently from what is stored: controls, format
 * characters (bidi marks and overrides, zero-width characters, tags), line and paragraph separators, lone surrogates,
 * private-use characters and the Hangul fillers that draw as blanks.
 */
const UNPRINTABLE_CLASS = '[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}\\p{Cs}\\p{Co}\\u115f\\u1160\\u3164\\uffa0]';
const UNPRINTABLE = new RegExp(UNPRINTABLE_CLASS, 'gu');
const AN_UNPRINTABLE = new RegExp(UNPRINTABLE_CLASS, 'u');

export type ReceiptDetails = {
  /** Each recipient's display name, in the receipt's recipient order; '' where Outlook gave none. */
  readonly recipientNames: readonly string[];
  /** The subject; null when it carries a mark (it is then withheld from the paper). */
  readonly subject: string | null;
  /** For each part of the receipt (body passages first), the removed attachment's file name, null for a passage. */
  readonly partNames: readonly (string | null)[];
  /** The 文號 the sender typed, '' for none. */
  readonly reference: string;
};

/** A string from Outlook as it may go on paper: visible characters only, on one line, within `max` characters. */
export function printable(s: string, max: number): string {
  // A line break or tab becomes a space (two words stay two), anything else unseen goes.
  const visible = s
    .replace(/[\t\n\v\f\r\u0085\u2028\u2029]+/g, ' ')
    .replace(UNPRINTABLE, '')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = Array.from(visible);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : visible;
}

export type ReferenceCheck =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly reason: 'too-long' }
  | { readonly ok: false; readonly reason: 'character'; readonly codePoint: string };

/** A typed 文號: trimmed, at most {@link REFERENCE_MAX_CHARS} characters, nothing invisible or on a second line. */
export function checkReference(typed: string): ReferenceCheck {
  const value = typed.trim();
  const bad = AN_UNPRINTABLE.exec(value);
  if (bad) {
    const cp = bad[0].codePointAt(0) ?? 0;
    return { ok: false, reason: 'character', codePoint: `U+${cp.toString(16).toUpperCase().padStart(4, '0')}` };
  }
  if (Array.from(value).length > REFERENCE_MAX_CHARS) {
    return { ok: false, reason: 'too-long' };
  }
  return { ok: true, value };
}

/**
 * The details of a receipt just created: the names of the recipients the receipt lists (matched by address, in its
 * order), the subject unless a finding lies in it, and the file name of each removed attachment.
 */
export function receiptDetailsFor(input: {
  readonly recipients: readonly string[];
  readonly people: readonly { readonly emailAddress: string; readonly displayName: string }[];
  readonly subject: string;
  readonly findings: readonly Pick<Finding, 'location'>[];
  readonly bodyPartCount: number;
  readonly attachmentNames: readonly string[];
}): ReceiptDetails {
  const names = new Map<string, string>();
  for (const p of input.people) {
    const key = p.emailAddress.toLowerCase();
    if (!names.has(key) && p.displayName.toLowerCase() !== key) {
      names.set(key, printable(p.displayName, NAME_MAX_CHARS));
    }
  }
  const subjectMarked = input.findings.some((f) => f.location === 'subject');
  return {
    recipientNames: input.recipients.map((r) => names.get(r.toLowerCase()) ?? ''),
    subject: subjectMarked ? null : printable(input.subject, SUBJECT_MAX_CHARS),
    partNames: [
      ...Array.from({ length: input.bodyPartCount }, () => null),
      ...input.attachmentNames.map((n) => printable(n, FILE_NAME_MAX_CHARS)),
    ],
    reference: '',
  };
}

export type ReceiptDetailsStore = KeptPerReceipt<ReceiptDetails>;

const isDetails = (v: unknown): v is ReceiptDetails => {
  const d = v as Partial<ReceiptDetails> | null;
  return (
    typeof d === 'object' &&
    d !== null &&
    Array.isArray(d.recipientNames) &&
    d.recipientNames.every((n) => typeof n === 'string') &&
    (d.subject === null || typeof d.subject === 'string') &&
    Array.isArray(d.partNames) &&
    d.partNames.every((n) => n === null || typeof n === 'string') &&
    typeof d.reference === 'string'
  );
};

/** The details kept in `storage` (the pane passes `window.localStorage`, never roaming settings, which Exchange keeps). */
export const receiptDetailsStore = (storage: () => SaltStorage): ReceiptDetailsStore =>
  keptPerReceipt(storage, KEY_PREFIX, isDetails);

export const localReceiptDetails = (): ReceiptDetailsStore => receiptDetailsStore(() => window.localStorage);

const LOCAL_CELL = new RegExp(
  `(<(td|div)\\b[^>]*\\b${LOCAL_CELL_ATTRIBUTE}="([a-z-]{1,20})(?::(\\d{1,3}))?"[^>]*>)[\\s\\S]*?(</\\2>)`,
  'g',
);

/** What a cell says when this machine does not hold the receipt's details. */
const NOT_HERE =
  '（本電腦未保存，請由發文人之電腦列印）<br><span class="en">(not kept on this computer; print from the sender’s computer)</span>';
const SUBJECT_WITHHELD =
  '（主旨含密等標示，不列印）<br><span class="en">(the subject carries a classification mark; not printed)</span>';
const NONE = '—';

/**
 * The server's print page with the cells only this machine can fill written in, every value escaped. `details` null:
 * each cell says this machine does not hold them.
 */
export function fillDetails(html: string, details: ReceiptDetails | null): string {
  return html.replace(
    LOCAL_CELL,
    (_all, open: string, _tag: string, field: string, n: string | undefined, close: string) => {
      const at = n === undefined ? -1 : Number(n) - 1;
      const text = ((): string => {
        if (!details) {
          return NOT_HERE;
        }
        switch (field) {
          case 'subject':
            return details.subject === null ? SUBJECT_WITHHELD : escapeHtml(details.subject) || NONE;
          case 'reference':
            return escapeHtml(details.reference) || NONE;
          case 'recipient-name':
            return escapeHtml(details.recipientNames[at] ?? '') || NONE;
          case 'part-name':
            return escapeHtml(details.partNames[at] ?? '') || NONE;
          default:
            return NOT_HERE;
        }
      })();
      return `${open}${text}${close}`;
    },
  );
}
