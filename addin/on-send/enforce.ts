/**
 * OnMessageSend and OnAppointmentSend: read the item, scan what the cache does not already know within the policy's
 * budget, decide with the core, and complete the event exactly once, on every path. A deadline inside Outlook's 5
 * seconds decides with what is known by then, everything still unread being `unscannable: timeout`, which the policy
 * turns into a warning or a block, never an allow. An exception anywhere is `unscannable: error`, likewise.
 */
import {
  DEFAULT_POLICY,
  type Finding,
  type Level,
  type Policy,
  scanMessage,
  type Unscannable,
  type UnscannableReason,
  type Verdict,
  verdictFor,
  warnMayPrompt,
} from '../../src/core';
import { budgetFor } from '../../src/extract';
import { pickLocale } from '../../src/shared/i18n';
import {
  type AttachmentSummary,
  type Completion,
  completionOf,
  displayLanguage,
  itemKind,
  type LaunchEvent,
  listAttachments,
  readBodyHtml,
  readRecipients,
  readSensitivityLabel,
  readSubject,
  type Recipient,
} from '../office';
import { apiClient } from './api-client';
import { AttachmentCache } from './attachment-cache';
import {
  type AttachmentScan,
  type CompactFinding,
  compactFindings,
  type CompactUnscannable,
  compactUnscannable,
  expandFindings,
  locationOf,
  scanAttachment,
  scanUnread,
  sendExtractOptions,
} from './attachment-scan';
import { decisionEvent, enqueueAudit, flushAuditQueue, utf8Length } from './audit';
import { sendCapabilities } from './capabilities';
import { type SendDecision, sendDecision } from './completion';
import { AUDIT_QUEUE_WAIT_MS, DECIDE_MARGIN_MS, POLICY_FRESH_MS, POLICY_WAIT_MS, SEND_DEADLINE_MS } from './config';
import { itemHash } from './item-key';
import { grantCovers, type OverrideGrant, overrideSubject, readGrant } from './override';
import { type PolicyChoice, resolvePolicy } from './policy-source';
import { type RecipientSummary, summariseRecipients } from './recipients';
import { type Removability, removability } from './removable';
import { judgeLabel, type LabelReading, readLabelFor } from './sensitivity-label';
import { background, within } from './timing';

type Ending = 'scanned' | 'timeout' | 'error';

/** Said when even the message could not be built: the send stops, in both languages. */
const FAIL_CLOSED: SendDecision = {
  options: {
    allowEvent: false,
    errorMessage:
      '機敏守門員無法完成檢查，本郵件暫不寄出，請再按一次「傳送」。 Secrecy Guard could not finish its check, so this message was not sent; press Send again.',
  },
  auditKind: 'scan-error',
  itemMayLeave: false,
};

interface Judgement {
  readonly verdict: Verdict;
  readonly findings: readonly CompactFinding[];
  readonly unscannable: readonly CompactUnscannable[];
  readonly recipients: RecipientSummary | null;
  /** What the pane's 「移除機敏內容」 could take out of it. */
  readonly removable: Removability;
}

class SendRun {
  private readonly completion: Completion;
  private readonly startedAt = Date.now();
  private deadlineAt = this.startedAt + SEND_DEADLINE_MS;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private finishing = false;

  private choice: PolicyChoice = { policy: DEFAULT_POLICY, source: 'default', fingerprint: '' };
  private subject: string | null = null;
  private body: string | null = null;
  private recipients: Recipient[] | null = null;
  private attachments: AttachmentSummary[] | null = null;
  private text: { findings: Finding[]; unscannable: Unscannable[] } | null = null;
  private label: LabelReading | null = null;
  private readonly scans = new Map<string, AttachmentScan>();
  private cache: AttachmentCache | null = null;
  /** The sender's reason for a warning, given in the task pane, if any. */
  private grant: OverrideGrant | null = null;
  private messageIdHash: Promise<string | null> = Promise.resolve(null);

  constructor(event: LaunchEvent) {
    this.completion = completionOf(event);
  }

  start(): void {
    this.arm();
    let work: Promise<void>;
    try {
      work = this.scan();
    } catch (e) {
      work = Promise.reject(e);
    }
    work.then(
      () => this.finish('scanned'),
      () => this.finish('error'),
    );
  }

  /** (Re)sets the one deadline timer; it is cleared the moment the run finishes. */
  private arm(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.finish('timeout');
      },
      Math.max(0, this.deadlineAt - Date.now()),
    );
  }

  private get stopped(): boolean {
    return this.finishing || this.completion.done;
  }

  private async scan(): Promise<void> {
    this.messageIdHash = itemHash();
    const reads = Promise.all([
      readSubject().then((s) => {
        this.subject = s;
      }),
      readBodyHtml().then((b) => {
        this.body = b;
      }),
      readRecipients().then((r) => {
        this.recipients = r;
      }),
      listAttachments().then((a) => {
        this.attachments = a;
      }),
      readGrant().then((g) => {
        this.grant = g;
      }),
    ]);
    // Reading the item goes on while the policy is resolved; an early failure is handled after both.
    reads.then(undefined, () => undefined);
    this.choice = await resolvePolicy({ api: apiClient(), waitMs: POLICY_WAIT_MS, freshMs: POLICY_FRESH_MS });
    const policy = this.choice.policy;
    this.deadlineAt = Math.min(this.deadlineAt, this.startedAt + policy.limits.scanTimeoutMs);
    this.arm();
    await reads;
    if (this.stopped) {
      return;
    }
    this.text = scanMessage({ subject: this.subject ?? '', bodyHtml: this.body ?? '' }, policy);
    this.label = await readLabelFor(policy, readSensitivityLabel);
    await this.scanAttachments(policy);
  }

  private async scanAttachments(policy: Policy): Promise<void> {
    const attachments = this.attachments ?? [];
    if (attachments.length === 0) {
      return;
    }
    this.cache = await AttachmentCache.load();
    const budget = budgetFor({
      ...policy.limits,
      scanTimeoutMs: Math.max(0, this.deadlineAt - DECIDE_MARGIN_MS - Date.now()),
    });
    const options = sendExtractOptions(budget);
    for (let i = 0; i < attachments.length; i++) {
      if (this.stopped) {
        return;
      }
      const attachment = attachments[i] as AttachmentSummary;
      if (i >= policy.limits.maxAttachments) {
        this.scans.set(
          attachment.id,
          scanUnread(attachment, policy, {
            findings: [],
            unscannable: [{ location: locationOf(attachment), reason: 'too-large' }],
            definitive: false,
          }),
        );
        continue;
      }
      const cached = this.cache.lookup(attachment, this.choice.fingerprint);
      if (cached) {
        this.scans.set(attachment.id, cached);
        continue;
      }
      // One at a time: Outlook has returned empty content to parallel fetches (office-js #6581).
      const scan = await scanAttachment(attachment, policy, options);
      this.scans.set(attachment.id, scan);
      this.cache.put(attachment, this.choice.fingerprint, scan);
    }
  }

  /** The verdict from what is known now; whatever is not known is unscannable for the reason the run ended. */
  private judge(ending: Ending): Judgement {
    const policy = this.choice.policy;
    const missing: UnscannableReason = ending === 'timeout' ? 'timeout' : 'error';
    const findings: Finding[] = [];
    const unscannable: Unscannable[] = [];
    const attachmentFindings: CompactFinding[] = [];
    const scanned: { attachment: AttachmentSummary; findings: readonly CompactFinding[] }[] = [];

    let text = this.text;
    if (!text) {
      text = scanMessage(
        {
          ...(this.subject !== null ? { subject: this.subject } : {}),
          ...(this.body !== null ? { bodyHtml: this.body } : {}),
        },
        policy,
      );
      if (this.subject === null) {
        unscannable.push({ location: 'subject', reason: missing });
      }
      if (this.body === null) {
        unscannable.push({ location: 'body', reason: missing });
      }
    }
    findings.push(...text.findings);
    unscannable.push(...text.unscannable);

    const label = judgeLabel(policy, this.label, missing);
    findings.push(...label.findings);
    unscannable.push(...label.unscannable);

    if (this.attachments === null) {
      unscannable.push({ location: 'attachments', reason: missing });
    } else {
      for (const attachment of this.attachments) {
        // One not read by now is unscannable for why the run ended, but its name is still read: it costs nothing.
        const scan =
          this.scans.get(attachment.id) ??
          scanUnread(attachment, policy, {
            findings: [],
            unscannable: [{ location: locationOf(attachment), reason: missing }],
            definitive: false,
          });
        findings.push(...expandFindings(scan.findings));
        unscannable.push(...scan.unscannable);
        attachmentFindings.push(...scan.findings);
        scanned.push({ attachment, findings: scan.findings });
      }
    }
    if (ending === 'error') {
      unscannable.push({ location: 'message', reason: 'error' });
    }

    const recipients = this.recipients ? summariseRecipients(this.recipients, policy) : null;
    // Recipients not read are judged as external: the stricter scope of any sane policy, and the core's own default.
    const scope = recipients ? recipients.scope : 'external';
    const verdict = verdictFor(findings, unscannable, scope, policy);
    const stops = (level: Level): boolean => {
      const action = policy.actions[scope][level];
      return action === 'strip' || action === 'block';
    };
    const messageFindings = text.findings.concat(label.findings);
    return {
      verdict,
      findings: compactFindings(messageFindings).concat(attachmentFindings),
      unscannable: compactUnscannable(unscannable),
      recipients,
      removable: removability(stops, messageFindings, scanned),
    };
  }

  private finish(ending: Ending): void {
    if (this.stopped) {
      return;
    }
    this.finishing = true;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    let decision = FAIL_CLOSED;
    let judgement: Judgement | null = null;
    try {
      judgement = this.judge(ending);
      const v = judgement.verdict;
      decision = sendDecision(v, judgement, sendCapabilities(), pickLocale(displayLanguage()), {
        itemKind: itemKindOrMessage(),
        reasonGiven:
          v.verdict === 'warn' &&
          grantCovers(this.grant, this.choice.fingerprint, overrideSubject(v, v.findings, v.unscannable), Date.now()),
        mayPrompt: warnMayPrompt(this.choice.policy),
        removable: judgement.removable,
      });
    } catch {
      judgement = null;
    }
    // Queue the audit event before completing (the runtime may stop right after), but never wait long for it.
    const queued = this.queueAudit(ending, decision, judgement);
    within(queued, AUDIT_QUEUE_WAIT_MS)
      .then(undefined, () => undefined)
      .then(() => {
        const api = apiClient();
        background(queued.then(() => flushAuditQueue(api)));
        this.completion.complete(decision.options);
        if (this.cache) {
          background(this.cache.save());
        }
      });
  }

  private async queueAudit(ending: Ending, decision: SendDecision, judgement: Judgement | null): Promise<void> {
    const policy = this.choice.policy;
    const verdict: Verdict = judgement
      ? judgement.verdict
      : {
          verdict: 'block',
          level: null,
          findings: [],
          unscannable: [{ location: 'message', reason: 'error' }],
          scope: 'external',
          reasons: [],
        };
    const event = decisionEvent({
      kind: ending === 'error' || !judgement ? 'scan-error' : decision.auditKind,
      verdict,
      recipients: judgement ? judgement.recipients : null,
      attachmentCount: this.attachments ? this.attachments.length : 0,
      bodyBytes: this.body !== null ? utf8Length(this.body) : 0,
      messageIdHash: await within(this.messageIdHash, AUDIT_QUEUE_WAIT_MS).then((r) => (r.settled ? r.value : null)),
      policyVersion: policy.version,
      policySource: this.choice.source,
      policyFingerprint: this.choice.fingerprint,
    });
    await enqueueAudit(event, decision.itemMayLeave);
  }
}

function itemKindOrMessage(): 'message' | 'appointment' {
  try {
    return itemKind();
  } catch {
    return 'message';
  }
}

/** The OnMessageSend / OnAppointmentSend handler. Never throws; completes the event exactly once. */
export function enforceSend(event: LaunchEvent): void {
  new SendRun(event).start();
}
