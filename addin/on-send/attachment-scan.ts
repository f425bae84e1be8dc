/**
 * One attachment, from Outlook's answer to its findings: fetch, decode, extract within the message's budget, detect.
 * What comes out is compact (rule, level, location, strippable, count; unscannable reasons), with no text, so it may
 * be cached in sessionData and shown in the dialog. A cloud file, a failed or empty fetch and anything the extractors
 * cannot read are unscannable, never clean.
 */
import {
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
  return `attachment:${attachment.name.replace(/[\r\n]/g, ' ')}`;
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

const TRANSIENT: readonly UnscannableReason[] = ['timeout', 'error'];

function unscannableScan(location: string, reason: UnscannableReason, definitive: boolean): AttachmentScan {
  return { findings: [], unscannable: [{ location, reason }], definitive };
}

/** Extracts the bytes of one attachment in the format Outlook gave them. */
async function extract(
  attachment: AttachmentSummary,
  format: string,
  content: string,
  options: ExtractOptions,
): Promise<Extracted> {
  const location = locationOf(attachment);
  switch (format) {
    case 'base64':
      return extractFile(attachment.name, base64ToBytes(content), options, location);
    case 'eml':
      // An attached Outlook item: its MIME text, read as a message with every attachment inside.
      return emlToExtracted(utf8Bytes(content), location, 0, options);
    case 'iCalendar':
      return extractFile(attachment.name, utf8Bytes(content), options, location);
    default:
      return { segments: [], unscannable: [{ location, reason: 'unsupported-format' }], labels: [] };
  }
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
  if (attachment.attachmentType === 'cloud') {
    return unscannableScan(location, 'cloud-attachment', true);
  }
  if (options.expired && options.expired()) {
    return unscannableScan(location, 'timeout', false);
  }
  if (attachment.size > options.limits.maxFileBytes) {
    return unscannableScan(location, 'too-large', true);
  }
  let format: string;
  let content: string;
  try {
    const got = await readAttachmentContent(attachment.id);
    format = got.format;
    content = got.content;
  } catch (e) {
    // InvalidAttachmentId, AttachmentTypeNotSupported, a download failure: unknown content is not clean content.
    const reason: UnscannableReason =
      isOfficeApiError(e) && e.officeName === 'AttachmentTypeNotSupported' ? 'unsupported-format' : 'unreadable';
    return unscannableScan(location, reason, false);
  }
  if (format === 'url') {
    return unscannableScan(location, 'cloud-attachment', true);
  }
  if (content.length === 0) {
    // Outlook answers empty for protected (Encrypt, Do Not Forward) items and sometimes under load (office-js #6581).
    return unscannableScan(location, 'unreadable', false);
  }
  let extracted: Extracted;
  try {
    extracted = await extract(attachment, format, content, options);
  } catch {
    return unscannableScan(location, 'error', false);
  }
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
    return unscannableScan(location, 'error', false);
  }
  const unscannable = compactUnscannable(found.unscannable);
  return {
    findings: compactFindings(found.findings),
    unscannable,
    definitive: !unscannable.some((u) => TRANSIENT.indexOf(u.reason) !== -1),
  };
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
