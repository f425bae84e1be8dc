/**
 * Override with a justification: the reason is logged on the server first (the audit log is where the 政風 officer
 * finds it), and only then handed to the send handler as a grant for exactly this warning. A reason the server did not
 * record lets nothing through.
 */
import { type ApiClient, type AuditPolicySource, auditRules } from '../../../src/shared/api';
import { policyFingerprint } from '../../on-send/policy-source';
import type { PaneHost } from '../host';
import type { ScanOutcome } from './scanner';

export type OverrideOutcome =
  | { readonly status: 'granted' }
  | { readonly status: 'not-logged'; readonly message: string }
  | { readonly status: 'not-granted'; readonly message: string };

export type OverrideDeps = {
  readonly api: Pick<ApiClient, 'audit'>;
  readonly host: Pick<PaneHost, 'itemHash' | 'grantOverride'>;
  /** Names the add-in in audit events. */
  readonly client: string;
  /** Where the outcome's policy came from, for the audit event. */
  readonly policySource?: AuditPolicySource;
};

const messageOf = (e: unknown): string => String((e as Error)?.message ?? e).slice(0, 200);

/** Logs `reason` (already checked with `checkJustification`) for the warning in `outcome`, then grants the send. */
export async function recordOverride(
  deps: OverrideDeps,
  outcome: ScanOutcome,
  reason: string,
): Promise<OverrideOutcome> {
  const v = outcome.verdict;
  try {
    const messageIdHash = await deps.host.itemHash();
    await deps.api.audit({
      kind: 'override',
      verdict: v.verdict,
      level: v.level,
      scope: v.scope,
      rules: auditRules(v.findings.map((f) => f.rule)),
      unscannable: [...new Set(v.unscannable.map((u) => u.reason))],
      findingCount: v.findings.length,
      attachmentCount: outcome.attachments.length,
      recipientCount: outcome.recipients.length,
      policyVersion: outcome.policy.version,
      policyFingerprint: policyFingerprint(outcome.policy),
      ...(deps.policySource ? { policySource: deps.policySource } : {}),
      justification: reason.trim(),
      ...(messageIdHash ? { messageIdHash } : {}),
      client: deps.client,
    });
  } catch (e) {
    return { status: 'not-logged', message: messageOf(e) };
  }
  try {
    await deps.host.grantOverride(outcome.policy, v);
  } catch (e) {
    return { status: 'not-granted', message: messageOf(e) };
  }
  return { status: 'granted' };
}
