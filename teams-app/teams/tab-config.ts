/**
 * The configuration page's side of `pages.config`: telling Teams whether Save may be pressed, and completing the
 * save. Teams shows its own Save button; pressing it calls the handler registered here, which must end with exactly
 * one `notifySuccess` or `notifyFailure`.
 */
import { FrameContexts, pages } from '@microsoft/teams-js';

import { hostContext } from './app-context';

/** What Teams stores for the tab: where its content lives, and its name in the tab strip. */
export interface TabConfig {
  readonly contentUrl: string;
  readonly websiteUrl: string;
  readonly entityId: string;
  readonly suggestedDisplayName: string;
}

export type SaveOutcome = { readonly ok: true } | { readonly ok: false; readonly error: unknown };

function ensureSettingsFrame(api: string): void {
  const { frame } = hostContext(api);
  if (frame !== FrameContexts.settings) {
    throw new Error(`[${api}] only on the configuration page (frame "settings"), not "${frame}"`);
  }
  if (!pages.config.isSupported()) {
    throw new Error(`[${api}] this Teams client does not support tab configuration`);
  }
}

/** Enables or disables Teams' Save button. */
export function setSaveEnabled(valid: boolean): void {
  ensureSettingsFrame('setSaveEnabled');
  pages.config.setValidityState(valid);
}

/**
 * Registers what happens when the user presses Save: `save` does our part (store the settings on the server) and
 * returns the tab configuration; then Teams is given the configuration and told the outcome. `report` hears the
 * outcome, so the page can show it; on failure the page keeps every value the user typed.
 */
export function onSave(save: () => Promise<TabConfig>, report: (outcome: SaveOutcome) => void): void {
  ensureSettingsFrame('onSave');
  pages.config.registerOnSaveHandler((saveEvent) => {
    void (async () => {
      try {
        const config = await save();
        await pages.config.setConfig({ ...config });
        saveEvent.notifySuccess();
        report({ ok: true });
      } catch (error) {
        saveEvent.notifyFailure(error instanceof Error ? error.message : String(error));
        report({ ok: false, error });
      }
    })();
  });
}
