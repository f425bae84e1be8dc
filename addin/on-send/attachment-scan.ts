/**
 * One attachment, from Outlook's answer to its findings: fetch, decode, extract within the message's budget, detect.
 * What comes out is compact (rule, level, location, strippable, count; unscannable reasons), with no text, so it may
 * be cached in sessionData and shown in the dialog. A cloud file, a failed or empty fetch and anything the extractors
 * cannot read are unscannable, never clean. The task pane judges what Outlook hands it, and whether a result may be
 * kept, with the same functions, as the send handler reuses what the pane shares.
 */
import {
  attachmentLocation,
  type Finding,
  type Level,
  type Policy,
  scanMessage,
  type Unscannable,
  type UnscannableReason,
  utf8Bytes,
} from '../../src/core';
import {
  type Budget,
  emlToExtracted,
  type Extracted,
  extractFile,
  type ExtractOptions,
  newJob,
} from '../../src/extract';
import { type AttachmentSummary, isOfficeApiError, readAttachmentContent } from '../office';
import { base64ToBytes } from './runtime/base64';

export interface CompactFinding {
  readonly rule: string;
  readonly level: Level;
  readonly location: string;
  readonly strippable: boolean;
  readonly count: number;
}

export interface CompactUnscannable {
  readonly location: string;
  readonly reason: UnscannableReason;
}

export interface AttachmentScan {
  readonly findings: readonly CompactFinding[];
  readonly unscannable: readonly CompactUnscannable[];
  /** False when another try could give another answer (a timeout, a failed fetch): such results are not cached. */
  readonly definitive: boolean;
}

export function locationOf(attachment: Pick<AttachmentSummary, 'name'>): string {
  return attachmentLocation(attachment.name);
}

/** Findings without their excerpts and offsets, the same ones counted together. */
export function compactFindings(findings: readonly Finding[]): CompactFinding[] {
  const byKey = new Map<string, CompactFinding>();
  for (const f of findings) {
    const key = `${f.rule}\u0000${f.level}\u0000${f.location}\u0000${f.strippable ? 1 : 0}`;
    const seen = byKey.get(key);
    byKey.set(key, {
      rule: f.rule,
      level: f.level,
      location: f.location,
      strippable: f.strippable,
      count: seen ? seen.count + 1 : 1,
    });
  }
  const out: CompactFinding[] = [];
  byKey.forEach((f) => out.push(f));
  return out;
}

/** Back to core findings (with empty excerpts), one per counted occurrence, for `verdictFor`. */
export function expandFindings(findings: readonly CompactFinding[]): Finding[] {
  const out: Finding[] = [];
  for (const f of findings) {
    for (let i = 0; i < f.count; i++) {
      out.push({ rule: f.rule, level: f.level, location: f.location, excerpt: '', strippable: f.strippable });
    }
  }
  return out;
}

/** Unscannable parts without their details, each place and reason once. */
export function compactUnscannable(list: readonly Unscannable[]): CompactUnscannable[] {
  const seen = new Set<string>();
  const out: CompactUnscannable[] = [];
  for (const u of list) {
    const key = `${u.location}\u0000${u.reason}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ location: u.location, reason: u.reason });
    }
  }
  return out;
}

/**
 * Reasons another try could answer differently: a timeout, a failure, and content Outlook did not deliver (empty
 * answers come under load or to parallel fetches, office-js #6581). A result with one of them is never cached or
 * shared, so it cannot outlive the moment it was true.
 */
const TRANSIENT: readonly UnscannableReason[] = ['timeout', 'error', 'unreadable'];

/** Whether a result with these unscannable parts may be kept and reused while the attachment stays the same. */
export function isDefinitive(unscannable: readonly Pick<Unscannable, 'reason'>[]): boolean {
  return !unscannable.some((u) => TRANSIENT.indexOf(u.reason) !== -1);
}

function unscannableScan(location: string, reason: UnscannableReason): AttachmentScan {
  const unscannable = [{ location, reason }];
  return { findings: [], unscannable, definitive: isDefinitive(unscannable) };
}

/** Outlook's answer to `getAttachmentContentAsync`. */
export interface FetchedContent {
  readonly format: string;
  readonly content: string;
}

/**
 * What an attachment is before its bytes are read, where the listing alone says: a cloud file (a link, nothing to
 * read) is unscannable. Null when its content must be fetched.
 */
export function listedAttachmentProblem(
  attachment: Pick<AttachmentSummary, 'name' | 'attachmentType'>,
): AttachmentScan | null {
  return attachment.attachmentType === 'cloud' ? unscannableScan(locationOf(attachment), 'cloud-attachment') : null;
}

/**
 * What Outlook's answer means before anything is extracted: a link (`url`) is a cloud file; empty content is
 * `unreadable`, whatever size Outlook listed (protected items and failed fetches come back empty, and a listed size
 * of 0 proves nothing), never an empty clean file; a format this add-in does not know is `unsupported-format`. Null
 * when there are bytes to extract ({@link fetchedBytes}).
 */
export function fetchedContentProblem(
  attachment: Pick<AttachmentSummary, 'name'>,
  got: FetchedContent,
): AttachmentScan | null {
  const location = locationOf(attachment);
  if (got.format === 'url') {
    return unscannableScan(location, 'cloud-attachment');
  }
  if (got.content.length === 0) {
    return unscannableScan(location, 'unreadable');
  }
  if (got.format !== 'base64' && got.format !== 'eml' && got.format !== 'iCalendar') {
    return unscannableScan(location, 'unsupported-format');
  }
  return null;
}

/**
 * What a failed `getAttachmentContentAsync` means: InvalidAttachmentId, AttachmentTypeNotSupported, a download
 * failure: unknown content is not clean content. The pane judges its own failed reads with this too, so a reason
 * given there for an attachment Outlook will not hand over is given for what the send handler finds.
 */
export function fetchFailure(attachment: Pick<AttachmentSummary, 'name'>, e: unknown): AttachmentScan {
  const location = locationOf(attachment);
  return isOfficeApiError(e) && e.officeName === 'AttachmentTypeNotSupported'
    ? { ...unscannableScan(location, 'unsupported-format'), definitive: false }
    : unscannableScan(location, 'unreadable');
}

/** The bytes of fetched content: a file's base64 decoded; an attached item's MIME or a meeting's iCalendar as UTF-8. */
export function fetchedBytes(got: FetchedContent): Uint8Array {
  return got.format === 'base64' ? base64ToBytes(got.content) : utf8Bytes(got.content);
}

/** Extracts the bytes of one attachment in the format Outlook gave them. */
function extract(attachment: AttachmentSummary, got: FetchedContent, options: ExtractOptions): Promise<Extracted> {
  const location = locationOf(attachment);
  const bytes = fetchedBytes(got);
  // An attached Outlook item is its MIME text, read as a message with every attachment inside.
  return got.format === 'eml'
    ? emlToExtracted(bytes, location, 0, options)
    : extractFile(attachment.name, bytes, options, location);
}

/**
 * The findings of an attachment whose content is not (or not yet) read: its name is still read, since a mark in the
 * name marks the file (a cloud file called 「機密_底價.xlsx」, one past the attachment limit), and what was not read
 * is unscannable as given.
 */
export function scanUnread(
  attachment: Pick<AttachmentSummary, 'name'>,
  policy: Policy,
  unread: AttachmentScan,
): AttachmentScan {
  return judged(
    attachment,
    policy,
    { segments: [], unscannable: unread.unscannable.map((u) => ({ ...u })), labels: [] },
    unread.definitive,
  );
}

/** Detects in what was extracted, the attachment's name included; a detector failure is `error`, never clean. */
function judged(
  attachment: Pick<AttachmentSummary, 'name'>,
  policy: Policy,
  extracted: Extracted,
  definitive?: boolean,
): AttachmentScan {
  let found: { findings: Finding[]; unscannable: Unscannable[] };
  try {
    found = scanMessage(
      {
        attachments: [
          {
            name: attachment.name,
            segments: extracted.segments,
            unscannable: extracted.unscannable,
            labels: extracted.labels,
          },
        ],
      },
      policy,
    );
  } catch {
    return unscannableScan(locationOf(attachment), 'error');
  }
  const unscannable = compactUnscannable(found.unscannable);
  return {
    findings: compactFindings(found.findings),
    unscannable,
    definitive: isDefinitive(unscannable) && definitive !== false,
  };
}

/**
 * Scans one attachment. `options` carries the message's budget and job; it should also wire `readEml` so a saved
 * .eml file is read as a message. Never throws.
 */
export async function scanAttachment(
  attachment: AttachmentSummary,
  policy: Policy,
  options: ExtractOptions,
): Promise<AttachmentScan> {
  const location = locationOf(attachment);
  const listed = listedAttachmentProblem(attachment);
  if (listed) {
    return scanUnread(attachment, policy, listed);
  }
  if (options.expired && options.expired()) {
    return scanUnread(attachment, policy, unscannableScan(location, 'timeout'));
  }
  if (attachment.size > options.limits.maxFileBytes) {
    return scanUnread(attachment, policy, unscannableScan(location, 'too-large'));
  }
  let got: FetchedContent;
  try {
    got = await readAttachmentContent(attachment.id);
  } catch (e) {
    return scanUnread(attachment, policy, fetchFailure(attachment, e));
  }
  const problem = fetchedContentProblem(attachment, got);
  if (problem) {
    return scanUnread(attachment, policy, problem);
  }
  let extracted: Extracted;
  try {
    extracted = await extract(attachment, got, options);
  } catch {
    return scanUnread(attachment, policy, unscannableScan(location, 'error'));
  }
  return judged(attachment, policy, extracted);
}

/**
 * Extraction options for one message: the budget's limits and clock, PDFs deferred to the task pane, one job so the
 * message's byte allowance covers every attachment, and nested messages (a saved .eml) read as messages.
 */
export function sendExtractOptions(budget: Budget): ExtractOptions {
  const options: { -readonly [K in keyof ExtractOptions]: ExtractOptions[K] } = {
    limits: budget.limits,
    pdf: 'defer',
    expired: budget.expired,
  };
  options.readEml = (bytes, location, depth) => emlToExtracted(bytes, location, depth, options);
  options.job = newJob(options);
  return options;
}
