/**
 * "移除並建立簽收單", step by step, so that at every step the mail is in a state the user is told about and nothing
 * is lost:
 *
 * 1. the marked attachments the host can remove are removed first (the step most likely to fail, office-js #4627,
 *    #1746), keeping each one's bytes so it can be put back;
 * 2. the 簽收單 is created on the server with what was actually removed (level, length bucket and a salted commitment
 *    per part; never text, exact length or plain hash), the server answers its number, and the salts are kept on
 *    this machine for the paper copy, with what the paper names and the server must not receive (the recipients'
 *    display names, the subject unless it carries a mark, the removed attachments' file names);
 * 3. the body is rewritten with the placeholders, in the body mode that keeps the quoted thread where the host keeps
 *    it apart (`current`), or the full body when the thread itself carries marks;
 * 4. the mail is scanned again, to prove what will leave;
 * 5. the strip is recorded in the audit log.
 *
 * When a step fails, what was done is undone (the body written back, attachments put back, the receipt cancelled)
 * and the outcome names the state the mail is left in. The original body stays in memory for "還原原文".
 */
import { type Policy, SALT_BYTES } from '../../../src/core';
import { type ApiClient, type AuditPolicySource, auditRules } from '../../../src/shared/api';
import { policyFingerprint } from '../../on-send/policy-source';
import type { BodyMode, PaneHost } from '../host';
import { type BodyFormat, type PlannedPart, planStrip, sealParts, type StripPlan } from '../model/strip-plan';
import { type ReceiptDetails, receiptDetailsFor, type ReceiptDetailsStore } from './receipt-details';
import type { ReceiptSalts } from './receipt-salts';
import type { ItemScanner, ScanOutcome } from './scanner';

export type StripStep = 'receipt' | 'attachments' | 'body' | 'verify' | 'audit';

/** What "還原原文" needs to put the mail back. */
export type UndoRecord = {
  readonly mode: BodyMode;
  readonly format: BodyFormat;
  readonly originalBody: string;
  readonly receiptId: string | null;
  readonly removedAttachments: readonly RemovedAttachment[];
};

type RemovedAttachment = {
  readonly name: string;
  readonly isInline: boolean;
  /** The bytes, base64, to put a file attachment back; null for an attached item, which cannot be re-added. */
  readonly base64: string | null;
};

/** Where the mail stands after a failure. */
export type MailState = 'unchanged' | 'restored' | 'changed';

export type StripOutcome =
  | {
      readonly status: 'done';
      readonly receiptId: string;
      readonly plan: StripPlan;
      readonly after: ScanOutcome | null;
      /** The scan after the strip allows the send. */
      readonly clean: boolean;
      readonly verifyError: string | null;
      /** Attachments the host refused to remove; they are still in the mail. */
      readonly notRemoved: readonly string[];
      readonly auditRecorded: boolean;
      /** Each part's salt (hex), for the paper copy; kept on this machine with `details` unless `saltsKept` is false. */
      readonly salts: readonly string[];
      readonly saltsKept: boolean;
      /** What only this machine prints on the 簽收單 (names, subject, file names); kept with the salts. */
      readonly details: ReceiptDetails;
      readonly undo: UndoRecord;
    }
  | {
      readonly status: 'failed';
      readonly step: StripStep | 'prepare';
      readonly reason: 'no-recipients' | 'nothing-to-strip' | 'error';
      readonly message: string;
      readonly mailState: MailState;
      /** Set when the mail was changed and could not be put back: the pane offers to try again. */
      readonly undo?: UndoRecord;
    };

export type StripDeps = {
  readonly host: PaneHost;
  readonly api: Pick<ApiClient, 'createReceipt' | 'setReceiptStatus' | 'audit'>;
  readonly scanner: Pick<ItemScanner, 'scan'>;
  readonly policy: Policy;
  /** Where the parts' salts are kept on this machine. */
  readonly salts: ReceiptSalts;
  /** Where the receipt's names, subject and file names are kept on this machine (never sent to the server). */
  readonly details: ReceiptDetailsStore;
  /** A fresh 16-byte salt from a cryptographic source. @default crypto.getRandomValues */
  readonly randomSalt?: () => Uint8Array;
  /** Names the add-in in audit events. */
  readonly client?: string;
  /** Where `policy` came from, for the audit event. */
  readonly policySource?: AuditPolicySource;
};

const ADDRESS = /^[^\s@]+@[^\s@]+$/;
/**
 * Stands in for the 簽收單 number in a plan made before the server has given one. The parts removed do not depend on
 * it (only the placeholders carry it), so the plan is made again with the real number and must list the same parts.
 */
const UNNUMBERED = 'SG-UNNUMBERED';
const cryptoSalt = (): Uint8Array => crypto.getRandomValues(new Uint8Array(SALT_BYTES));
const sameParts = (a: readonly PlannedPart[], b: readonly PlannedPart[]): boolean =>
  a.length === b.length &&
  a.every((p, i) => {
    const q = b[i];
    return (
      q !== undefined && p.sha256 === q.sha256 && p.length === q.length && p.level === q.level && p.kind === q.kind
    );
  });
const messageOf = (e: unknown): string => String((e as Error)?.message ?? e).slice(0, 300);

export async function runStrip(
  deps: StripDeps,
  request: { readonly before: ScanOutcome; readonly removeAttachmentIds: readonly string[] },
  onStep: (step: StripStep) => void = () => undefined,
): Promise<StripOutcome> {
  const { host, api, policy } = deps;
  const { before } = request;
  const recipients = [...new Set(before.recipients.filter((r) => ADDRESS.test(r)))].slice(0, 500);
  if (recipients.length === 0) {
    return failed('prepare', 'no-recipients', 'no recipients', 'unchanged');
  }

  // The body as the host holds it now, in both modes; the thread decides which mode is rewritten.
  let format: BodyFormat;
  let current: string;
  let full: string;
  try {
    format = await host.bodyFormat();
    [current, full] = await Promise.all([host.readBody(format, 'current'), host.readBody(format, 'full')]);
  } catch (e) {
    return failed('prepare', 'error', messageOf(e), 'unchanged');
  }
  const probe = (body: string, removeAttachmentIds: readonly string[], receiptNumber: string): StripPlan =>
    planStrip({ body, format, attachments: before.attachments, removeAttachmentIds, policy, receiptNumber });
  let mode: BodyMode = 'current';
  if (current !== full) {
    if (probe(full, [], UNNUMBERED).bodyParts.length > probe(current, [], UNNUMBERED).bodyParts.length) {
      mode = 'full';
    }
  }
  const originalBody = mode === 'full' ? full : current;
  const provisional = probe(originalBody, request.removeAttachmentIds, UNNUMBERED);
  if (provisional.parts.length === 0) {
    return failed('prepare', 'nothing-to-strip', 'nothing to strip', 'unchanged');
  }

  // 1. Attachments.
  onStep('attachments');
  const removed: RemovedAttachment[] = [];
  const removedIds: string[] = [];
  const notRemoved: string[] = [];
  for (const r of provisional.attachments) {
    if (r.how !== 'remove') {
      removedIds.push(r.attachment.id);
      continue;
    }
    try {
      const content = await host.readAttachmentContent(r.attachment.id);
      await host.removeAttachment(r.attachment.id);
      removed.push({
        name: r.attachment.name,
        isInline: r.attachment.isInline,
        base64: content.format === 'base64' ? content.content : null,
      });
      removedIds.push(r.attachment.id);
    } catch {
      notRemoved.push(r.attachment.name);
    }
  }
  const undoWith = (receiptId: string | null): UndoRecord => ({
    mode,
    format,
    originalBody,
    receiptId,
    removedAttachments: removed,
  });
  const putBack = async (receiptId: string | null): Promise<MailState> =>
    (await undoStrip(host, api, undoWith(receiptId))).complete
      ? removed.length > 0
        ? 'restored'
        : 'unchanged'
      : 'changed';

  // 2. The receipt, for exactly what was removed; the server gives its number.
  onStep('receipt');
  const unnumbered = probe(originalBody, removedIds, UNNUMBERED);
  if (unnumbered.parts.length === 0) {
    return failed('receipt', 'nothing-to-strip', 'nothing was removed', await putBack(null));
  }
  const sealed = sealParts(unnumbered.parts.slice(0, 100), deps.randomSalt ?? cryptoSalt);
  let receiptId: string;
  try {
    receiptId = (await api.createReceipt({ recipients, parts: sealed.parts })).id;
  } catch (e) {
    const state = await putBack(null);
    return failed('receipt', 'error', messageOf(e), state, state === 'changed' ? undoWith(null) : undefined);
  }
  let plan: StripPlan;
  try {
    // placeholderText refuses a number outside the pattern, so a strange answer cannot reach the body.
    plan = probe(originalBody, removedIds, receiptId);
    if (!sameParts(plan.parts, unnumbered.parts)) {
      throw new Error('the parts changed between the plan and the receipt');
    }
  } catch (e) {
    const state = await putBack(receiptId);
    return failed('receipt', 'error', messageOf(e), state, state === 'changed' ? undoWith(receiptId) : undefined);
  }
  // The names as Outlook shows them: only the addresses went to the server. Without them the paper says so.
  const people = await host.readRecipients().catch(() => []);
  const details = receiptDetailsFor({
    recipients,
    people,
    subject: before.subject,
    findings: before.verdict.findings,
    bodyPartCount: plan.bodyParts.length,
    attachmentNames: plan.attachments.map((a) => a.attachment.name),
  });
  // Each saved on its own: the salts alone still let the paper be checked against the record.
  const saltsSaved = deps.salts.save(receiptId, sealed.salts);
  const saltsKept = deps.details.save(receiptId, details) && saltsSaved;

  // 3. The body.
  onStep('body');
  try {
    await host.writeBody(plan.body, format, mode);
  } catch (e) {
    const state = await putBack(receiptId);
    return failed('body', 'error', messageOf(e), state, state === 'changed' ? undoWith(receiptId) : undefined);
  }

  // 4. Prove what will leave.
  onStep('verify');
  let after: ScanOutcome | null = null;
  let verifyError: string | null = null;
  try {
    after = await deps.scanner.scan(policy);
  } catch (e) {
    verifyError = messageOf(e);
  }

  // 5. The audit log: the receipt's own part descriptions (length buckets, commitments), never text or plain hashes.
  onStep('audit');
  let auditRecorded = true;
  try {
    const messageIdHash = await host.itemHash();
    await api.audit({
      kind: 'strip',
      verdict: before.verdict.verdict,
      level: before.verdict.level,
      scope: before.verdict.scope,
      rules: auditRules(plan.bodyParts.flatMap((p) => p.rules)),
      findingCount: before.verdict.findings.length,
      attachmentCount: plan.attachments.length,
      recipientCount: recipients.length,
      removed: sealed.parts,
      policyVersion: policy.version,
      policyFingerprint: policyFingerprint(policy),
      ...(deps.policySource ? { policySource: deps.policySource } : {}),
      ...(messageIdHash ? { messageIdHash } : {}),
      ...(deps.client ? { client: deps.client } : {}),
    });
  } catch {
    auditRecorded = false;
  }

  return {
    status: 'done',
    receiptId,
    plan,
    after,
    clean: after !== null && after.verdict.verdict === 'allow',
    verifyError,
    notRemoved,
    auditRecorded,
    salts: sealed.salts,
    saltsKept,
    details,
    undo: undoWith(receiptId),
  };
}

/**
 * Puts the mail back as it was: the original body, the removed file attachments, and the receipt cancelled. Each
 * part is tried even when another fails; `complete` says whether the mail is exactly as before.
 */
export async function undoStrip(
  host: Pick<PaneHost, 'writeBody' | 'readBody' | 'addFileAttachment'>,
  api: Pick<ApiClient, 'setReceiptStatus'>,
  undo: UndoRecord,
): Promise<{ complete: boolean; notRestored: string[] }> {
  const notRestored: string[] = [];
  let bodyOk = true;
  try {
    if ((await host.readBody(undo.format, undo.mode)) !== undo.originalBody) {
      await host.writeBody(undo.originalBody, undo.format, undo.mode);
    }
  } catch {
    bodyOk = false;
  }
  for (const a of undo.removedAttachments) {
    try {
      if (a.base64 === null) {
        throw new Error('an attached item cannot be re-added');
      }
      await host.addFileAttachment(a.base64, a.name, a.isInline);
    } catch {
      notRestored.push(a.name);
    }
  }
  if (undo.receiptId) {
    // The paper copy will not go; a receipt left pending would wait for a signature forever.
    await api.setReceiptStatus(undo.receiptId, 'cancelled').catch(() => undefined);
  }
  return { complete: bodyOk && notRestored.length === 0, notRestored };
}

function failed(
  step: StripStep | 'prepare',
  reason: 'no-recipients' | 'nothing-to-strip' | 'error',
  message: string,
  mailState: MailState,
  undo?: UndoRecord,
): StripOutcome {
  return { status: 'failed', step, reason, message, mailState, ...(undo ? { undo } : {}) };
}
