/**
 * When to stop reading an attachment early: the CLI and the task pane ask the same question, so it lives here and
 * not in each host. A verdict is the worst of its findings (and every finding in an attachment marks the whole file,
 * never strippable), so the verdict of part of a file is a lower bound on the whole file's: once part of it blocks,
 * reading the rest costs time and changes nothing.
 */
import { type Policy, type RecipientScope, scanMessage, type TextSegment, verdictFor } from '../core';

/** Every scope a message can have: a pane's result must hold whoever the recipients become. */
export const EVERY_SCOPE: readonly RecipientScope[] = ['internal', 'external'];

/**
 * ExtractOptions.conclusive for attachment `name`: true when these segments (one PDF page's) already block the
 * attachment under every scope in `scopes`. The CLI knows its recipients and passes their one scope. The task pane
 * passes EVERY_SCOPE: it keeps what it read across recipient changes and hands it to the send handler, so a stop
 * that held only for today's recipients would leave the rest of the file unread for tomorrow's.
 */
export function blocksWhatIsLeft(
  name: string,
  policy: Policy,
  scopes: readonly RecipientScope[],
): (segments: readonly TextSegment[]) => boolean {
  return (segments) => {
    if (scopes.length === 0) {
      return false;
    }
    const { findings, unscannable } = scanMessage({ attachments: [{ name, segments }] }, policy);
    return scopes.every((scope) => verdictFor(findings, unscannable, scope, policy).verdict === 'block');
  };
}
