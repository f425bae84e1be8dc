/**
 * The live scan: reads the item through the host, extracts every attachment (PDFs included, which the send handler
 * leaves to the pane), and asks the core for the verdict with the same policy, the same recipient summary and label
 * reading, and the same `verdictFor` the send will use. Attachments are read one at a time (parallel reads have come back empty, office-js #6581) and kept by id and
 * size, so a change to the body or the recipients re-decides without reading them again.
 *
 * Fail closed: an attachment that cannot be read becomes unscannable with its reason, never "nothing found".
 */
import {
  type AttachmentInput,
  htmlSegments,
  type MessageInput,
  type Policy,
  scanMessage,
  type Unscannable,
  type Verdict,
  verdictFor,
} from '../../../src/core';
import {
  blocksWhatIsLeft,
  budgetFor,
  emlToExtracted,
  EVERY_SCOPE,
  extractFile,
  type ExtractOptions,
  newJob,
  type PdfOptions,
  type PdfPages,
} from '../../../src/extract';
import {
  type AttachmentScan,
  fetchedBytes,
  fetchedContentProblem,
  fetchFailure,
  listedAttachmentProblem,
  locationOf,
} from '../../on-send/attachment-scan';
import { summariseRecipients } from '../../on-send/recipients';
import { judgeLabel, readLabelFor } from '../../on-send/sensitivity-label';
import type { PaneAttachment, PaneHost } from '../host';
import { type FindingGroup, groupFindings } from '../model/findings';
import type { BodyFormat, ScannedAttachment } from '../model/strip-plan';

/** The pane has no 5-second limit; a large PDF may take its time, but not forever. */
export const PANE_SCAN_TIMEOUT_MS = 120_000;

export type AttachmentProgress = {
  readonly id: string;
  readonly name: string;
  readonly state: 'pending' | 'reading' | 'scanning' | 'done';
  /** 0 to 1 when known; undefined while the host reads the bytes. */
  readonly fraction?: number;
  /**
   * A PDF's pages: read so far while scanning (the fraction is then theirs, not the bytes'), and once done only when
   * its read was decided before the last page, so the pane never implies pages were read that were not.
   */
  readonly pages?: PdfPages;
  /**
   * This attachment's own result once it is judged, before the rest of the scan ends: its group, or null when
   * nothing was found in it. Undefined until then: the pane must not show an attachment not yet judged as clean.
   */
  readonly group?: FindingGroup | null;
};

export type ScanProgress = {
  readonly attachments: readonly AttachmentProgress[];
  /** The attachment being read now, if any. */
  readonly current: AttachmentProgress | null;
  readonly done: number;
  readonly total: number;
};

export type ScanOutcome = {
  readonly subject: string;
  readonly bodyFormat: BodyFormat;
  /** The full body (with the quoted thread), as it will leave. */
  readonly body: string;
  readonly recipients: readonly string[];
  readonly attachments: readonly ScannedAttachment[];
  readonly verdict: Verdict;
  readonly groups: readonly FindingGroup[];
  readonly policy: Policy;
  /** The mail's text (subject, body and its hidden text, attachments), kept on this machine to check an override reason. */
  readonly texts: readonly string[];
  readonly scannedAt: Date;
};

type Cached = {
  readonly input: AttachmentInput;
  readonly sha256?: string;
  readonly byteLength: number;
  /**
   * Set when a PDF's read stopped early because what was read already blocks under this policy: what was read is
   * then complete only under it, and a different policy must read the file again.
   */
  readonly decided?: { readonly policy: Policy; readonly pages: PdfPages };
  /** Its result under the policy it was last judged with, so a rescan does not detect it twice to show it. */
  judged?: { readonly policy: Policy; readonly group: FindingGroup | null };
};

/** One attachment judged on its own: the same detection as the whole message's, which scans each attachment apart. */
function judgeAttachment(cached: Cached, name: string, policy: Policy): FindingGroup | null {
  if (cached.judged?.policy !== policy) {
    const found = scanMessage({ subject: '', attachments: [cached.input] }, policy);
    const group = groupFindings(found.findings, found.unscannable, [name]).find(
      (g) => g.kind === 'attachment' && g.attachmentName === name,
    );
    cached.judged = { policy, group: group ?? null };
  }
  return cached.judged.group;
}

const keyOf = (a: PaneAttachment): string => `${a.id}\u0000${a.size}\u0000${a.name}`;

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

const errorText = (e: unknown): string => String((e as Error)?.message ?? e).slice(0, 200);

export class ItemScanner {
  readonly #host: PaneHost;
  readonly #pdf: PdfOptions;
  readonly #cache = new Map<string, Cached>();
  /** The scan running now: another one starts when it has ended, so two never read the item at once. */
  #running: Promise<unknown> = Promise.resolve();

  constructor(host: PaneHost, pdf: PdfOptions) {
    this.#host = host;
    this.#pdf = pdf;
  }

  /** Forgets every attachment read, for a new item. */
  reset(): void {
    this.#cache.clear();
  }

  /**
   * Scans the item. Scans run one after another (the live scan and a strip's re-scan may ask at the same time);
   * attachments are read one at a time within a scan.
   */
  scan(policy: Policy, onProgress: (p: ScanProgress) => void = () => undefined): Promise<ScanOutcome> {
    const run = (): Promise<ScanOutcome> => this.#scan(policy, onProgress);
    const outcome = this.#running.then(run, run);
    this.#running = outcome.catch(() => undefined);
    return outcome;
  }

  async #scan(policy: Policy, onProgress: (p: ScanProgress) => void): Promise<ScanOutcome> {
    const host = this.#host;
    const [subject, bodyFormat, recipients, attachments, label] = await Promise.all([
      host.readSubject(),
      host.bodyFormat(),
      host.readRecipients(),
      host.listAttachments(),
      readLabelFor(policy, () => host.readSensitivityLabel()),
    ]);
    const body = await host.readBody(bodyFormat, 'full');

    for (const a of attachments) {
      const known = this.#cache.get(keyOf(a));
      if (known?.decided && known.decided.policy !== policy) {
        this.#cache.delete(keyOf(a));
      }
    }
    const budget = budgetFor({
      ...policy.limits,
      scanTimeoutMs: Math.max(policy.limits.scanTimeoutMs, PANE_SCAN_TIMEOUT_MS),
    });
    const progress: AttachmentProgress[] = attachments.map((a) => {
      const known = this.#cache.get(keyOf(a));
      return known
        ? {
            id: a.id,
            name: a.name,
            state: 'done',
            group: judgeAttachment(known, a.name, policy),
            ...(known.decided ? { pages: known.decided.pages } : {}),
          }
        : { id: a.id, name: a.name, state: 'pending' };
    });
    const report = (current: AttachmentProgress | null): void =>
      onProgress({
        attachments: [...progress],
        current,
        done: progress.filter((p) => p.state === 'done').length,
        total: progress.length,
      });
    report(null);

    const inputs: AttachmentInput[] = [];
    const scanned: ScannedAttachment[] = [];
    const live = new Set<string>();
    const options: ExtractOptions = {
      limits: budget.limits,
      pdf: this.#pdf,
      expired: budget.expired,
      // A hung or dead pdfjs worker then times out (fail closed) instead of leaving the pane scanning for ever.
      remainingMs: budget.remainingMs,
    };
    const shared: ExtractOptions = { ...options, job: newJob(options) };
    for (let i = 0; i < attachments.length; i++) {
      const a = attachments[i] as PaneAttachment;
      const key = keyOf(a);
      live.add(key);
      let cached = this.#cache.get(key);
      if (!cached) {
        if (i >= policy.limits.maxAttachments) {
          cached = unscannableOnly(a, 'too-large', `more than ${policy.limits.maxAttachments} attachments`);
        } else {
          const update: Update = (state, fraction, pages): void => {
            progress[i] = {
              id: a.id,
              name: a.name,
              state,
              ...(fraction !== undefined ? { fraction } : {}),
              ...(pages ? { pages } : {}),
            };
            report(state === 'done' ? null : (progress[i] as AttachmentProgress));
          };
          cached = await this.#read(a, shared, update, policy);
        }
        this.#cache.set(key, cached);
        progress[i] = {
          id: a.id,
          name: a.name,
          state: 'done',
          fraction: 1,
          group: judgeAttachment(cached, a.name, policy),
          ...(cached.decided ? { pages: cached.decided.pages } : {}),
        };
        report(null);
      }
      inputs.push(cached.input);
      scanned.push({
        id: a.id,
        name: a.name,
        size: a.size >= 0 ? a.size : cached.byteLength,
        attachmentType: a.attachmentType,
        isInline: a.isInline,
        ...(a.contentId !== undefined ? { contentId: a.contentId } : {}),
        highest: null,
        ...(cached.sha256 !== undefined ? { sha256: cached.sha256 } : {}),
        ...(cached.decided ? { pagesDecided: cached.decided.pages } : {}),
      });
    }
    for (const key of [...this.#cache.keys()]) {
      if (!live.has(key)) {
        this.#cache.delete(key);
      }
    }

    // Judged exactly as the send handler will: its recipient summary (a list or an external user is external) and
    // its reading of the label (one that cannot be read is unscannable where the policy maps labels).
    const message: MessageInput = {
      subject,
      ...(bodyFormat === 'html' ? { bodyHtml: body } : { bodyText: body }),
      attachments: inputs,
    };
    const found = scanMessage(message, policy);
    const labelJudged = judgeLabel(policy, label, 'error');
    const verdict = verdictFor(
      [...found.findings, ...labelJudged.findings],
      [...found.unscannable, ...labelJudged.unscannable],
      summariseRecipients(recipients, policy).scope,
      policy,
    );
    const names = attachments.map((a) => a.name);
    const groups = groupFindings(verdict.findings, verdict.unscannable, names);
    const withLevels = scanned.map((s) => ({
      ...s,
      highest: groups.find((g) => g.kind === 'attachment' && g.attachmentName === s.name)?.highest ?? null,
    }));
    // What the pane read counts at send: the send handler finds it in its cache instead of leaving PDFs unread.
    await host.shareAttachmentScans(
      attachments.map((a) => {
        const group = groups.find((g) => g.kind === 'attachment' && g.attachmentName === a.name);
        return { attachment: a, findings: group?.findings ?? [], unscannable: group?.unscannable ?? [] };
      }),
      policy,
    );
    // Hidden text (comments, alt texts, data: URIs ...) is the mail's content too: a reason must not repeat it either.
    const bodyTexts = bodyFormat === 'html' ? htmlSegments(body, 'body').segments.map((s) => s.text) : [body];
    return {
      subject,
      bodyFormat,
      body,
      recipients: recipients.map((r) => r.emailAddress).filter((r) => r.length > 0),
      attachments: withLevels,
      verdict,
      groups,
      policy,
      texts: [subject, ...bodyTexts, ...inputs.flatMap((a) => a.segments.map((s) => s.text))],
      scannedAt: new Date(),
    };
  }

  async #read(a: PaneAttachment, options: ExtractOptions, update: Update, policy: Policy): Promise<Cached> {
    update('reading');
    const location = locationOf(a);
    try {
      // Judged as the send handler judges it: a cloud file, an empty answer or an unknown format is unscannable.
      const listed = listedAttachmentProblem(a);
      if (listed) {
        return problemOnly(a, listed);
      }
      let content: Awaited<ReturnType<PaneHost['readAttachmentContent']>>;
      try {
        content = await this.#host.readAttachmentContent(a.id);
      } catch (e) {
        return problemOnly(a, fetchFailure(a, e));
      }
      const problem = fetchedContentProblem(a, content);
      if (problem) {
        return problemOnly(a, problem);
      }
      const bytes = fetchedBytes(content);
      const sha256 = await sha256Hex(bytes);
      update('scanning', 0);
      const startRead = (options.job?.bytesRead ?? 0) as number;
      let decided: PdfPages | undefined;
      const watched: ExtractOptions = {
        ...options,
        // The CLI's early stop, made to hold for every recipient: the result is kept while the recipients change, and
        // the send handler takes it as this attachment's scan.
        conclusive: blocksWhatIsLeft(a.name, policy, EVERY_SCOPE),
        onProgress: (p) => {
          if (p.pages) {
            if (p.pages.decided) {
              decided = p.pages;
            }
            update('scanning', p.pages.total > 0 ? p.pages.read / p.pages.total : undefined, p.pages);
          } else {
            update('scanning', Math.min(1, (p.bytesRead - startRead) / Math.max(1, bytes.length)));
          }
        },
      };
      const withEml: ExtractOptions = {
        ...watched,
        readEml: (b, loc, depth) => emlToExtracted(b, loc, depth, withEml),
      };
      const extracted =
        content.format === 'eml'
          ? await emlToExtracted(bytes, location, 1, withEml)
          : await extractFile(a.name, bytes, withEml, location);
      return {
        input: {
          name: a.name,
          segments: extracted.segments,
          unscannable: extracted.unscannable,
          labels: extracted.labels,
        },
        sha256,
        byteLength: bytes.length,
        ...(decided ? { decided: { policy, pages: decided } } : {}),
      };
    } catch (e) {
      return unscannableOnly(a, 'error', errorText(e));
    }
  }
}

type Update = (state: AttachmentProgress['state'], fraction?: number, pages?: PdfPages) => void;

function problemOnly(a: PaneAttachment, problem: AttachmentScan): Cached {
  return {
    input: { name: a.name, segments: [], unscannable: problem.unscannable.map((u) => ({ ...u })) },
    byteLength: Math.max(0, a.size),
  };
}

function unscannableOnly(a: PaneAttachment, reason: Unscannable['reason'], detail: string): Cached {
  return {
    input: { name: a.name, segments: [], unscannable: [{ location: locationOf(a), reason, detail }] },
    byteLength: Math.max(0, a.size),
  };
}
