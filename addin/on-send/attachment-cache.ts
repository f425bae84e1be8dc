/**
 * Per-attachment scan results kept in `item.sessionData`, so the attachment events do the work before Send and the
 * send handler fetches nothing it has already seen. An entry is keyed by the attachment's id and checked against its
 * size and the policy it was judged under; it holds rule ids, levels, locations, strippable flags and unscannable
 * reasons, never text. sessionData is small (50,000 characters up to Mailbox 1.15), so entries are compact and the
 * least recently used go first when it is full. The task pane may read and write the same entries.
 */
import { type Level, LEVELS, sha256Hex, UNSCANNABLE_REASONS, type UnscannableReason, utf8Bytes } from '../../src/core';
import { type AttachmentSummary, isOfficeApiError, OFFICE_ERRORS, sessionData, sessionDataLimit } from '../office';
import { type AttachmentScan, type CompactFinding, type CompactUnscannable, locationOf } from './attachment-scan';
import { attachmentCacheBudget, measuredEntryLength, sessionDataLength } from './storage-budget';

export const ATTACHMENT_CACHE_KEY = 'sg.attachments';

/** A location stored relative to its attachment's own (`/styles.xml#header`), or absolute after a `!`. */
type StoredFinding = [rule: string, level: number, location: string, strippable: 0 | 1, count: number];
type StoredUnscannable = [location: string, reason: number];

interface StoredEntry {
  /** Policy fingerprint. */
  readonly p: string;
  /** Size in bytes, as Outlook lists it. */
  readonly s: number;
  /** Last use, for eviction. */
  t: number;
  readonly f: StoredFinding[];
  readonly u: StoredUnscannable[];
}

interface Stored {
  readonly v: 1;
  seq: number;
  readonly e: Record<string, StoredEntry>;
}

const keyOf = (attachmentId: string): string => sha256Hex(utf8Bytes(attachmentId)).slice(0, 24);

function relative(location: string, base: string): string {
  return location === base || location.indexOf(`${base}/`) === 0 || location.indexOf(`${base}#`) === 0
    ? location.slice(base.length)
    : `!${location}`;
}

const absolute = (stored: string, base: string): string =>
  stored.charAt(0) === '!' ? stored.slice(1) : `${base}${stored}`;

function isStored(value: unknown): value is Stored {
  const v = value as Stored | null;
  return !!v && v.v === 1 && typeof v.seq === 'number' && !!v.e && typeof v.e === 'object';
}

function decodeEntry(entry: StoredEntry, base: string): AttachmentScan | null {
  const findings: CompactFinding[] = [];
  const unscannable: CompactUnscannable[] = [];
  for (const [rule, level, location, strippable, count] of entry.f) {
    const l = LEVELS[level];
    if (typeof rule !== 'string' || !l || typeof location !== 'string' || !(count > 0)) {
      return null;
    }
    findings.push({ rule, level: l as Level, location: absolute(location, base), strippable: strippable === 1, count });
  }
  for (const [location, reason] of entry.u) {
    const r = UNSCANNABLE_REASONS[reason];
    if (typeof location !== 'string' || !r) {
      return null;
    }
    unscannable.push({ location: absolute(location, base), reason: r as UnscannableReason });
  }
  return { findings, unscannable, definitive: true };
}

export class AttachmentCache {
  private constructor(
    private readonly stored: Stored,
    private dirty: boolean,
  ) {}

  /** The cache as sessionData holds it; empty when there is none, it is unreadable, or sessionData is missing. */
  static async load(): Promise<AttachmentCache> {
    let stored: Stored = { v: 1, seq: 0, e: {} };
    if (sessionData.supported()) {
      try {
        const raw = await sessionData.get(ATTACHMENT_CACHE_KEY);
        const parsed: unknown = raw ? JSON.parse(raw) : null;
        if (isStored(parsed)) {
          stored = parsed;
        }
      } catch {
        // An unreadable cache is an empty one: everything is scanned again.
      }
    }
    return new AttachmentCache(stored, false);
  }

  static empty(): AttachmentCache {
    return new AttachmentCache({ v: 1, seq: 0, e: {} }, false);
  }

  /** The cached result for this attachment, judged under the policy with `policyFingerprint`, if its size still matches. */
  lookup(attachment: AttachmentSummary, policyFingerprint: string): AttachmentScan | null {
    const entry = this.stored.e[keyOf(attachment.id)];
    if (!entry || entry.p !== policyFingerprint || entry.s !== attachment.size) {
      return null;
    }
    const scan = decodeEntry(entry, locationOf(attachment));
    if (scan) {
      entry.t = ++this.stored.seq;
      this.dirty = true;
    }
    return scan;
  }

  /** Remembers a definitive result; others (timeouts, failed fetches) are left to be tried again. */
  put(attachment: AttachmentSummary, policyFingerprint: string, scan: AttachmentScan): void {
    if (!scan.definitive) {
      return;
    }
    const base = locationOf(attachment);
    this.stored.e[keyOf(attachment.id)] = {
      p: policyFingerprint,
      s: attachment.size,
      t: ++this.stored.seq,
      f: scan.findings.map((f): StoredFinding => [
        f.rule,
        LEVELS.indexOf(f.level),
        relative(f.location, base),
        f.strippable ? 1 : 0,
        f.count,
      ]),
      u: scan.unscannable.map((u): StoredUnscannable => [
        relative(u.location, base),
        UNSCANNABLE_REASONS.indexOf(u.reason),
      ]),
    };
    this.dirty = true;
  }

  /** Forgets attachments no longer on the item. */
  retain(attachments: readonly AttachmentSummary[]): void {
    const keep = new Set(attachments.map((a) => keyOf(a.id)));
    for (const key of Object.keys(this.stored.e)) {
      if (!keep.has(key)) {
        delete this.stored.e[key];
        this.dirty = true;
      }
    }
  }

  get size(): number {
    return Object.keys(this.stored.e).length;
  }

  /**
   * The serialised cache, evicting least recently used entries until what it adds to sessionData, as Office measures
   * it, is at most `maxChars`.
   */
  serialise(maxChars: number): string {
    const fits = (json: string): boolean => measuredEntryLength(ATTACHMENT_CACHE_KEY, json) <= maxChars;
    let json = JSON.stringify(this.stored);
    if (fits(json)) {
      return json;
    }
    const byAge = Object.keys(this.stored.e).sort(
      (a, b) => (this.stored.e[a] as StoredEntry).t - (this.stored.e[b] as StoredEntry).t,
    );
    for (const key of byAge) {
      delete this.stored.e[key];
      json = JSON.stringify(this.stored);
      if (fits(json)) {
        break;
      }
    }
    return json;
  }

  /**
   * Writes the cache back if it changed, within its budget. If sessionData is fuller than the budgets allow for (a key
   * this add-in does not know), it measures what the other keys take and tries once more in the room left; a cache
   * that cannot be written is only a missed speed-up.
   */
  async save(maxChars: number = attachmentCacheBudget()): Promise<void> {
    if (!this.dirty || !sessionData.supported()) {
      return;
    }
    try {
      await sessionData.set(ATTACHMENT_CACHE_KEY, this.serialise(maxChars));
    } catch (e) {
      if (!isOfficeApiError(e) || e.code !== OFFICE_ERRORS.SessionObjectMaxLengthExceeded) {
        throw e;
      }
      const others = await sessionData.getAll();
      delete others[ATTACHMENT_CACHE_KEY];
      const room = sessionDataLimit() - sessionDataLength(others);
      await sessionData.set(ATTACHMENT_CACHE_KEY, this.serialise(Math.min(maxChars, room)));
    }
    this.dirty = false;
  }
}
