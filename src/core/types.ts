import type { Level } from './levels';

/**
 * Where a piece of text sits in a message or document. It matters because some marks (a bare 密, an English
 * CONFIDENTIAL) only count in a marking position: a subject tag, a header or footer, a watermark.
 */
export const SEGMENT_POSITIONS = [
  'subject',
  'body',
  'header',
  'footer',
  'watermark',
  'metadata',
  'comment',
  /** The name of a sensitivity label: a mark by definition. */
  'label',
  /**
   * A name someone chose: an attachment's file name, a path inside an archive, a sheet, slide or page name, an
   * embedded object's name. Short and deliberate like a subject, so a level standing between separators counts
   * (「預算_密.xlsx」); a mark in a name marks the whole file it names.
   */
  'name',
] as const;
export type SegmentPosition = (typeof SEGMENT_POSITIONS)[number];

/** A run of text to scan, with where it came from (`subject`, `body`, `attachment:報告.odt/styles.xml#header`). */
export interface TextSegment {
  readonly location: string;
  readonly text: string;
  /** @default 'body' */
  readonly position?: SegmentPosition;
}

/** A stretch of an excerpt: its first UTF-16 offset and its length. */
export interface ExcerptSpan {
  readonly start: number;
  readonly length: number;
}

export interface Finding {
  /** Stable rule id, e.g. `field.classification`, `portion`, `custom.<id>`; sent to the server. */
  readonly rule: string;
  readonly level: Level;
  readonly location: string;
  /** At most 40 characters of the original text around the mark, within its paragraph. Never sent to the server. */
  readonly excerpt: string;
  /** Where the mark is in `excerpt` (UTF-16 offsets), for showing it highlighted. Absent when not known. */
  readonly excerptSpan?: ExcerptSpan;
  /** UTF-16 offset of the mark in the original text of its segment. */
  readonly offset?: number;
  /** Length of the mark in the original text. */
  readonly length?: number;
  /** True when the part carrying the mark can be removed and the rest of the mail sent. */
  readonly strippable: boolean;
  /** For strippable findings: the original-text range that stripping removes (a paragraph or a delimited region). */
  readonly region?: { readonly start: number; readonly end: number };
}

export const UNSCANNABLE_REASONS = [
  'unknown-type',
  'unsupported-format',
  'encrypted',
  'image-only',
  'legacy-format',
  'too-large',
  'timeout',
  'unreadable',
  'malformed',
  'cloud-attachment',
  'error',
  // Appended, never inserted: the add-in's attachment cache stores reasons by their index here.
  'unreadable-charset',
] as const;
export type UnscannableReason = (typeof UNSCANNABLE_REASONS)[number];

export interface Unscannable {
  readonly location: string;
  readonly reason: UnscannableReason;
  /** Optional human-readable detail (never message content). */
  readonly detail?: string;
}

export const VERDICTS = ['allow', 'warn', 'strip', 'block'] as const;
export type VerdictKind = (typeof VERDICTS)[number];

export interface Verdict {
  readonly verdict: VerdictKind;
  readonly level: Level | null;
  readonly findings: readonly Finding[];
  readonly unscannable: readonly Unscannable[];
  /** Recipient scope the decision was made for. */
  readonly scope: RecipientScope;
  /** Why, in zh-TW and English, for the user. */
  readonly reasons: readonly LocalisedText[];
}

export type RecipientScope = 'internal' | 'external';

export interface LocalisedText {
  readonly zh: string;
  readonly en: string;
}

/** The message as the add-in or CLI sees it. Attachments arrive already extracted into segments. */
export interface MessageInput {
  readonly subject?: string;
  /** HTML body; when both are given, `bodyHtml` wins. */
  readonly bodyHtml?: string;
  readonly bodyText?: string;
  readonly recipients?: readonly string[];
  /** Extracted attachment text, one segment per location. */
  readonly attachments?: readonly AttachmentInput[];
  /** Office sensitivity label GUID, where the host exposes it. */
  readonly sensitivityLabelId?: string;
}

export interface AttachmentInput {
  readonly name: string;
  readonly segments: readonly TextSegment[];
  readonly unscannable?: readonly Unscannable[];
  /** Sensitivity labels in the file's properties (MSIP_Label_*), mapped to levels by the policy. */
  readonly labels?: readonly { readonly id: string; readonly location: string }[];
}
