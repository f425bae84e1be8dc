/**
 * A verdict as Smart Alerts options, within what the host supports:
 * - `allow` sends;
 * - `warn` asks (`sendModeOverride: promptUser`, Mailbox 1.14), or stops the send where the host cannot ask;
 * - `strip` stops the send, with a 「移除機敏內容」 button that opens the task pane on the strip view (1.14);
 * - `block` stops the send, saying why and how to fix it.
 * Plain `errorMessage` always, `errorMessageMarkdown` too from 1.15.
 */
import type { Verdict } from '../../src/core';
import type { AuditDecisionEvent } from '../../src/shared/api';
import { TASKPANE_COMMAND_ID } from '../../src/shared/app-ids';
import type { Locale } from '../../src/shared/i18n';
import type { SendCompletion } from '../office';
import type { CompactFinding, CompactUnscannable } from './attachment-scan';
import type { SendCapabilities } from './capabilities';
import { cancelLabel, dialogText, type MessageKind } from './messages';
import { paneContext } from './pane-context';

export interface SendDecision {
  readonly options: SendCompletion;
  /** `override` when the user is offered to send anyway. */
  readonly auditKind: AuditDecisionEvent['kind'];
  /** Whether the item may still be sent after this (so a queue in sessionData would be lost with it). */
  readonly itemMayLeave: boolean;
}

export function sendDecision(
  verdict: Verdict,
  places: { readonly findings: readonly CompactFinding[]; readonly unscannable: readonly CompactUnscannable[] },
  caps: SendCapabilities,
  locale: Locale,
): SendDecision {
  if (verdict.verdict === 'allow') {
    return { options: { allowEvent: true }, auditKind: 'decision', itemMayLeave: true };
  }
  const kind: MessageKind =
    verdict.verdict === 'warn'
      ? caps.promptUser
        ? 'warn'
        : 'warn-blocked'
      : verdict.verdict === 'strip'
        ? 'strip'
        : 'block';
  const text = dialogText(
    { kind, verdict, findings: places.findings, unscannable: places.unscannable, paneButton: caps.paneButton },
    locale,
  );
  const options: SendCompletion = {
    allowEvent: false,
    errorMessage: text.plain,
    ...(caps.markdown ? { errorMessageMarkdown: text.markdown } : {}),
    ...(kind === 'warn' ? { promptUser: true } : {}),
    ...(kind === 'strip' && caps.paneButton
      ? { cancelLabel: cancelLabel(locale), commandId: TASKPANE_COMMAND_ID, contextData: paneContext(verdict.verdict) }
      : {}),
  };
  return {
    options,
    auditKind: kind === 'warn' ? 'override' : 'decision',
    itemMayLeave: kind === 'warn',
  };
}
