/**
 * What the send dialog's button tells the task pane (`contextData`, read there with
 * `item.getInitializationContextAsync`). A JSON string, since classic Outlook before 2402 passes strings only.
 */
import type { VerdictKind } from '../../src/core';

export interface PaneContext {
  readonly source: 'on-send';
  /** The view the pane opens on. */
  readonly view: 'strip';
  readonly verdict: VerdictKind;
}

export function paneContext(verdict: VerdictKind): string {
  const context: PaneContext = { source: 'on-send', view: 'strip', verdict };
  return JSON.stringify(context);
}

/** The context the pane was opened with, or null when it was not opened from the send dialog. */
export function parsePaneContext(data: unknown): PaneContext | null {
  try {
    const value = (typeof data === 'string' ? JSON.parse(data) : data) as Partial<PaneContext> | null;
    return value && value.source === 'on-send' && value.view === 'strip' && typeof value.verdict === 'string'
      ? (value as PaneContext)
      : null;
  } catch {
    return null;
  }
}
