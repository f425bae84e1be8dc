/**
 * Which view the pane opens on. Opened from the Smart Alerts dialog's button, it gets the `contextData` the send
 * handler passed (Mailbox 1.14: a string; older classic builds pass strings only): the strip view (「移除機敏內容」),
 * the check view (「在窗格中檢查」, a PDF to read) or the reason to send a warned mail (「填寫理由」, the check view with
 * the reason in focus). Opened from the ribbon, it gets none and shows the check.
 */
export const PANE_VIEWS = ['check', 'strip', 'receipts'] as const;
export type PaneView = (typeof PANE_VIEWS)[number];

/** A view, or the reason form on the check view. */
export const OPENING_VIEWS = [...PANE_VIEWS, 'override'] as const;
export type OpeningView = (typeof OPENING_VIEWS)[number];

const isOpeningView = (value: unknown): value is OpeningView =>
  typeof value === 'string' && (OPENING_VIEWS as readonly string[]).includes(value);

export function viewFromContext(contextData: string | null | undefined): OpeningView {
  if (contextData === null || contextData === undefined || contextData.trim() === '') {
    return 'check';
  }
  try {
    const parsed: unknown = JSON.parse(contextData);
    const view = parsed && typeof parsed === 'object' ? (parsed as { view?: unknown }).view : parsed;
    if (isOpeningView(view)) {
      return view;
    }
  } catch {
    if (isOpeningView(contextData.trim())) {
      return contextData.trim() as OpeningView;
    }
  }
  // Any other context still means the send was stopped for this mail: the strip view is what the user came for.
  return 'strip';
}

/** The tab an opening view shows. */
export const tabOf = (view: OpeningView): PaneView => (view === 'override' ? 'check' : view);
