/**
 * "移除並建立簽收單", step by step, so that at every step the mail is in a state the user is told about and nothing
 * is lost:
 *
 * 1. the marked attachments the host can remove are removed first (the step most likely to fail, office-js #4627,
 *    #1746), keeping each one's bytes so it can be put back;
 * 2. the 簽收單 is created on the server with what was actually removed (level, length, hash; never text); a number
 *    already taken is replaced by a fresh one;
 * 3. the body is rewritten with the placeholders, in the body mode that keeps the quoted thread where the host keeps
 *    it apart (`current`), or the full body when the thread itself carries marks;
 * 4. the mail is scanned again, to prove what will leave;
 * 5. the strip is recorded in the audit log.
 *
 * When a step fails, what was done is undone (the body written back, attachments put back, the receipt cancelled)
 * and the outcome names the state the mail is left in. The original body stays in memory for "還原原文".
 */
import type { Policy } from '../../../src/core';
import {
  type ApiClient,
  type AuditPolicySource,
  auditRules,
  isApiError,
  type ReceiptInput,
} from '../../../src/shared/api';
import { policyFingerprint } from '../../on-send/policy-source';
import type { BodyMode, PaneHost } from '../host';
import { type BodyFormat, planStrip, type StripPlan } from '../model/strip-plan';
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
  readonly newReceiptNumber: () => string;
  /** Names the add-in in audit events. */
  readonly client?: string;
  /** Where `policy` came from, for the audit event. */
  readonly policySource?: AuditPolicySource;
};

const ADDRESS = /^[^\s@]+@[^\s@]+$/;
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
    const probeNumber = deps.newReceiptNumber();
    if (probe(full, [], probeNumber).bodyParts.length > probe(current, [], probeNumber).bodyParts.length) {
      mode = 'full';
    }
  }
  const originalBody = mode === 'full' ? full : current;
  const provisional = probe(originalBody, request.removeAttachmentIds, deps.newReceiptNumber());
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

  // 2. The receipt, for exactly what was removed.
  onStep('receipt');
  let plan: StripPlan | null = null;
  let receiptId: string | null = null;
  for (let attempt = 0; attempt < 3 && receiptId === null; attempt++) {
    const candidate = probe(originalBody, removedIds, deps.newReceiptNumber());
    if (candidate.parts.length === 0) {
      return failed('receipt', 'nothing-to-strip', 'nothing was removed', await putBack(null));
    }
    const receipt: ReceiptInput = {
      id: extractNumber(candidate),
      recipients,
      parts: candidate.parts.slice(0, 100),
    };
    try {
      await api.createReceipt(receipt);
      plan = candidate;
      receiptId = receipt.id;
    } catch (e) {
      if (!(isApiError(e) && e.code === 'receipt_exists')) {
        const state = await putBack(null);
        return failed('receipt', 'error', messageOf(e), state, state === 'changed' ? undoWith(null) : undefined);
      }
    }
  }
  if (!plan || !receiptId) {
    const state = await putBack(null);
    return failed('receipt', 'error', 'no free receipt number', state);
  }

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

  // 5. The audit log: levels, lengths and hashes of what went, never text.
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
      removed: plan.parts.slice(0, 100),
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
    undo: undoWith(receiptId),
  };
}

/** The receipt number a plan's placeholders carry. */
function extractNumber(plan: StripPlan): string {
  const m = /簽收單號：([A-Za-z0-9][A-Za-z0-9._/-]{0,39})〕/.exec(plan.body);
  if (!m) {
    throw new Error('[runStrip] the plan carries no receipt number');
  }
  return m[1] as string;
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
