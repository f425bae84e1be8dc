import { supportsMailbox } from '../office';

/** What this Outlook can do with a send decision (`outlook-platform.md` §5). */
export interface SendCapabilities {
  /** `cancelLabel`, `commandId` and `contextData`: a dialog button that opens the task pane (Mailbox 1.14). */
  readonly paneButton: boolean;
  /** `errorMessageMarkdown` (Mailbox 1.15). */
  readonly markdown: boolean;
}

export function sendCapabilities(): SendCapabilities {
  return { paneButton: supportsMailbox('1.14'), markdown: supportsMailbox('1.15') };
}
