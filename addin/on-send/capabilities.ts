import { supportsMailbox } from '../office';

/** What this Outlook can do with a send decision (`outlook-platform.md` §5). */
export interface SendCapabilities {
  /** `sendModeOverride: promptUser`: Outlook's Send Anyway on a warning (Mailbox 1.14). */
  readonly promptUser: boolean;
  /** `cancelLabel`, `commandId` and `contextData`: a dialog button that opens the task pane (Mailbox 1.14). */
  readonly paneButton: boolean;
  /** `errorMessageMarkdown` (Mailbox 1.15). */
  readonly markdown: boolean;
}

export function sendCapabilities(): SendCapabilities {
  const v114 = supportsMailbox('1.14');
  return { promptUser: v114, paneButton: v114, markdown: supportsMailbox('1.15') };
}
