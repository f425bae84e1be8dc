/**
 * Which view the pane opens on. Opened from the Smart Alerts dialog's button, it gets the `contextData` the send
 * handler passed (Mailbox 1.14: a string; older classic builds pass strings only) and goes straight to the strip view;
 * opened from the ribbon, it gets none and shows the check.
 */
export const PANE_VIEWS = ['check', 'strip', 'receipts'] as const;
export type PaneView = (typeof PANE_VIEWS)[number];

export function viewFromContext(contextData: string | null | undefined): PaneView {
  if (contextData === null || contextData === undefined || contextData.trim() === '') {
    return 'check';
  }
  try {
    const parsed: unknown = JSON.parse(contextData);
    const view = parsed && typeof parsed === 'object' ? (parsed as { view?: unknown }).view : parsed;
    if (typeof view === 'string' && (PANE_VIEWS as readonly string[]).includes(view)) {
      return view as PaneView;
    }
  } catch {
    if ((PANE_VIEWS as readonly string[]).includes(contextData.trim())) {
      return contextData.trim() as PaneView;
    }
  }
  // Any other context still means the send was stopped for this mail: the strip view is what the user came for.
  return 'strip';
}
