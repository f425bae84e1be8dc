/** Follows the Teams theme as the user changes it while the page is open. */
import { app } from '@microsoft/teams-js';

import { hostContext } from './app-context';

const listeners = new Set<(theme: string) => void>();
let registered = false;

/**
 * Calls `listener` with Teams' theme name (`default`, `dark`, `contrast`) on every change. teams-js keeps a single
 * handler, so one handler here fans out to every listener. Returns the function that stops listening.
 */
export function onThemeChange(listener: (theme: string) => void): () => void {
  hostContext('onThemeChange');
  listeners.add(listener);
  if (!registered) {
    registered = true;
    app.registerOnThemeChangeHandler((theme) => listeners.forEach((l) => l(theme)));
  }
  return () => {
    listeners.delete(listener);
  };
}
