/**
 * A verdict as Smart Alerts options, within what the host supports:
 * - `allow` sends;
 * - `warn` sends when the sender has given a reason in the task pane for exactly this (an override grant); otherwise it
 *   stops the send with a 「填寫理由」 button that opens the pane on the reason (Mailbox 1.14), or names the ribbon.
 *   Outlook's own Send Anyway (`sendModeOverride: promptUser`) is not offered: it would let a warned mail go without
 *   the reason the policy requires;
 * - `strip` stops the send, with a 「移除機敏內容」 button that opens the task pane on the strip view (1.14);
 * - `block` stops the send, saying why and how to fix it; when the pane's 「移除機敏內容」 can take the marks out (a
 *   marked attachment, a strippable passage), the dialog says what that does and its button opens the strip view,
 *   as the pane itself offers the strip then;
 * - a PDF left to the pane (the send handler does not read PDFs) makes the button 「在窗格中檢查」, opening the pane on
 *   the check view, which reads it and hands the result back for the next send (1.14).
 * Plain `errorMessage` always, `errorMessageMarkdown` too from 1.15.
 */
import type { Verdict } from '../../src/core';
import type { AuditDecisionEvent } from '../../src/shared/api';
import { APPOINTMENT_TASKPANE_COMMAND_ID, TASKPANE_COMMAND_ID } from '../../src/shared/app-ids';
import type { Locale } from '../../src/shared/i18n';
import type { SendCompletion } from '../office';
import type { CompactFinding, CompactUnscannable } from './attachment-scan';
import type { SendCapabilities } from './capabilities';
import { cancelLabel, dialogText, leftToPane, type MessageKind } from './messages';
import { paneContext, type PaneContextView } from './pane-context';
import type { Removability } from './removable';

export interface SendDecision {
  readonly options: SendCompletion;
  /** `override` when a warned mail goes with the sender's reason. */
  readonly auditKind: AuditDecisionEvent['kind'];
  /** Whether the item may still be sent after this (so a queue in sessionData would be lost with it). */
  readonly itemMayLeave: boolean;
}

export function sendDecision(
  verdict: Verdict,
  places: { readonly findings: readonly CompactFinding[]; readonly unscannable: readonly CompactUnscannable[] },
  caps: SendCapabilities,
  locale: Locale,
  how: {
    /** The meeting form's pane button has its own id (control ids are unique per manifest). @default 'message' */
    readonly itemKind?: 'message' | 'appointment';
    /** The sender gave a reason for exactly this warning (a matching override grant). */
    readonly reasonGiven?: boolean;
    /** The policy lets a warning go by Outlook's Send Anyway too (`warnOverride: 'prompt'`, the default). */
    readonly mayPrompt?: boolean;
    /** What the pane's 「移除機敏內容」 could take out. @default nothing */
    readonly removable?: Removability;
  } = {},
): SendDecision {
  const { itemKind = 'message', reasonGiven = false, mayPrompt = false } = how;
  const removableBlock = verdict.verdict === 'block' && how.removable !== undefined && how.removable.removable;
  if (verdict.verdict === 'allow') {
    return { options: { allowEvent: true }, auditKind: 'decision', itemMayLeave: true };
  }
  if (verdict.verdict === 'warn' && reasonGiven) {
    return { options: { allowEvent: true }, auditKind: 'override', itemMayLeave: true };
  }
  const kind: MessageKind = verdict.verdict;
  const prompt = kind === 'warn' && mayPrompt && caps.promptUser;
  const text = dialogText(
    {
      kind,
      verdict,
      findings: places.findings,
      unscannable: places.unscannable,
      paneButton: caps.paneButton,
      prompt,
      removable: removableBlock,
      unremovable: how.removable === undefined || how.removable.unremovable,
    },
    locale,
  );
  // A PDF still to be read goes first: the check view reads it, and offers the strip there too.
  const paneView: PaneContextView | null =
    kind === 'strip'
      ? 'strip'
      : places.unscannable.some(leftToPane)
        ? 'check'
        : removableBlock
          ? 'strip'
          : kind === 'warn'
            ? 'override'
            : null;
  const options: SendCompletion = {
    allowEvent: false,
    errorMessage: text.plain,
    ...(caps.markdown ? { errorMessageMarkdown: text.markdown } : {}),
    ...(prompt ? { promptUser: true } : {}),
    ...(paneView && caps.paneButton
      ? {
          cancelLabel: cancelLabel(locale, paneView),
          commandId: itemKind === 'appointment' ? APPOINTMENT_TASKPANE_COMMAND_ID : TASKPANE_COMMAND_ID,
          contextData: paneContext(paneView, verdict.verdict),
        }
      : {}),
  };
  // Offered Send Anyway, the sender may take it: logged as an override, and the item may leave.
  return { options, auditKind: prompt ? 'override' : 'decision', itemMayLeave: prompt };
}
