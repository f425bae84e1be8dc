/**
 * What the playground page shares with the frames it starts: the task pane's and each send check's fake Office work
 * on the one item the compose window edits, as Outlook's runtimes all see one item. The frames are same-origin, so
 * they reach it through `window.parent`.
 */
import type { FakeItemState, FakeMailboxState, FakeMailboxVersion, FakeOffice } from '../fakes/office/office-host';
import type { TaskPaneController } from '../fakes/office/task-pane';
import type { PlaygroundUser } from './people';

export interface PlaygroundBridge {
  readonly item: FakeItemState;
  readonly mailbox: FakeMailboxState;
  readonly mailboxVersion: FakeMailboxVersion;
  readonly displayLanguage: string;
  readonly sender: PlaygroundUser;
  token(user: PlaygroundUser): Promise<string>;
  /** The Smart Alerts `contextData` the next pane starts with; null when opened from the ribbon. */
  readonly paneContext: string | null;
  /** The pane's fake host is installed: the compose window acts as the user through it from now on. */
  paneAttached(controller: TaskPaneController): void;
  /** A send check's runtime has its fake host installed and the on-send script is about to load. */
  runtimeStarted(office: FakeOffice): void;
}

const KEY = '__secrecyGuardPlayground';

export function publishBridge(bridge: PlaygroundBridge): void {
  (window as unknown as Record<string, PlaygroundBridge>)[KEY] = bridge;
}

/** The bridge, from inside a frame the playground started. */
export function parentBridge(): PlaygroundBridge {
  const bridge = (window.parent as unknown as Record<string, PlaygroundBridge | undefined>)[KEY];
  if (window.parent === window || !bridge) {
    throw new Error('This page runs only inside the Secrecy Guard playground (/playground/).');
  }
  return bridge;
}
