/**
 * What the task pane's 「移除機敏內容」 could take out of a mail the send stops, judged as the pane judges it (its
 * check view offers the strip when a body passage is strippable or an attachment is marked; the strip plan removes
 * every marked attachment but a cloud one, a link the add-in cannot remove). What stays is the sender's to change:
 * the subject, the sensitivity label, a mark on the whole message, a cloud attachment. Only marks whose level the
 * policy stops (strip or block, for the recipients' scope) count: the others do not keep the mail from going.
 */
import type { Finding, Level } from '../../src/core';
import type { AttachmentSummary } from '../office';
import type { CompactFinding } from './attachment-scan';

export interface Removability {
  /** The pane can take out at least one mark that stops the send. */
  readonly removable: boolean;
  /** At least one mark that stops the send is one the pane cannot take out. */
  readonly unremovable: boolean;
}

export function removability(
  stops: (level: Level) => boolean,
  message: readonly Pick<Finding, 'level' | 'strippable'>[],
  attachments: readonly {
    readonly attachment: Pick<AttachmentSummary, 'attachmentType'>;
    readonly findings: readonly Pick<CompactFinding, 'level'>[];
  }[],
): Removability {
  let removable = false;
  let unremovable = false;
  for (const f of message) {
    if (stops(f.level)) {
      if (f.strippable) {
        removable = true;
      } else {
        unremovable = true;
      }
    }
  }
  for (const a of attachments) {
    if (a.findings.some((f) => stops(f.level))) {
      if (a.attachment.attachmentType === 'cloud') {
        unremovable = true;
      } else {
        removable = true;
      }
    }
  }
  return { removable, unremovable };
}
