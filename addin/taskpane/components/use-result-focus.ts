/**
 * Keyboard focus around work started from a button. While the work runs the button stays focusable (Fluent's
 * `disabledFocusable`: a disabled button drops the focus to the page, and a keyboard or screen-reader user loses their
 * place). When the result shows, the focus moves to its message, so it is read out, but only if the focus is still
 * on the button or was lost: a user who has moved on is not pulled back.
 */
import * as React from 'react';

export type ResultFocus<T extends HTMLElement> = {
  /** For the button that starts the work. */
  readonly trigger: React.RefObject<HTMLButtonElement>;
  /** For the result's message; give it `tabIndex={-1}` so it can take the focus. */
  readonly target: React.RefObject<T>;
};

export function useResultFocus<T extends HTMLElement = HTMLDivElement>(result: unknown): ResultFocus<T> {
  const trigger = React.useRef<HTMLButtonElement>(null);
  const target = React.useRef<T>(null);
  React.useEffect(() => {
    const active = document.activeElement;
    if (
      result !== null &&
      result !== undefined &&
      target.current &&
      (active === null || active === document.body || active === trigger.current)
    ) {
      target.current.focus();
    }
  }, [result]);
  return { trigger, target };
}
