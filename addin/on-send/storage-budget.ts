/**
 * How much of the two small stores each of our keys may take, measured the way Office measures them, so that every
 * key at its largest still fits beside the others:
 * - roaming settings (32 KB): office-js serialises every value with `JSON.stringify`, then the whole object, and
 *   refuses the save (9019) past 32,768 characters; the policy and the audit queue share it;
 * - `item.sessionData` (50,000 characters up to Mailbox 1.15): the whole object, keys and (string) values, as JSON;
 *   the attachment cache, the audit queue, the item key and an override grant share it, and the task pane writes too.
 * Quotes and backslashes in a stored JSON document are escaped again when Office measures it, so a document takes
 * more room than its own length.
 */
import { ROAMING_SETTINGS_LIMIT, sessionDataLimit } from '../office';

/** What one value adds to the measured length of its store, key and punctuation included. */
export function measuredEntryLength(key: string, value: unknown): number {
  const stored = typeof value === 'string' ? value : JSON.stringify(value);
  return JSON.stringify(key).length + 1 + JSON.stringify(stored).length + 1;
}

/** The length office-js checks before saving roaming settings: every value JSON-encoded, then the whole object. */
export function roamingSettingsLength(settings: Readonly<Record<string, unknown>>): number {
  const serialised: Record<string, string> = {};
  for (const key of Object.keys(settings)) {
    serialised[key] = JSON.stringify(settings[key]);
  }
  return JSON.stringify(serialised).length;
}

/** The length of the whole sessionData object, as the host checks it. */
export function sessionDataLength(data: Readonly<Record<string, string>>): number {
  return JSON.stringify(data).length;
}

/** The most the cached policy may add to roaming settings; a larger policy is not cached (the server is asked). */
export const POLICY_ROAMING_MAX_CHARS = Math.floor(ROAMING_SETTINGS_LIMIT * 0.7);

/** The most the audit queue may add to roaming settings: the rest, less the object's own braces. */
export const AUDIT_ROAMING_MAX_CHARS = ROAMING_SETTINGS_LIMIT - POLICY_ROAMING_MAX_CHARS - 2;

/** The most the audit queue may add to sessionData. */
export const AUDIT_SESSION_MAX_CHARS = 8000;

/** sessionData kept for what is not the attachment cache: the audit queue, the item key, an override grant. */
export const SESSION_RESERVED_CHARS = AUDIT_SESSION_MAX_CHARS + 2000;

/** The most the attachment cache may add to sessionData on this host. */
export function attachmentCacheBudget(): number {
  return sessionDataLimit() - SESSION_RESERVED_CHARS;
}
