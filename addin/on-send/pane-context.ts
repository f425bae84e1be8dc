/**
 * What the send dialog's button tells the task pane (`contextData`, read there with
 * `item.getInitializationContextAsync`). A JSON string, since classic Outlook before 2402 passes strings only.
 */
import type { VerdictKind } from '../../src/core';

/** The views the dialog's button opens the pane on: remove sensitive content, check (a PDF), give a reason to send. */
export type PaneContextView = 'strip' | 'check' | 'override';

export interface PaneContext {
  readonly source: 'on-send';
  /** The view the pane opens on. */
  readonly view: PaneContextView;
  readonly verdict: VerdictKind;
}

export function paneContext(view: PaneContextView, verdict: VerdictKind): string {
  const context: PaneContext = { source: 'on-send', view, verdict };
  return JSON.stringify(context);
}
