/// <reference types="office-js" />
/**
 * The two stores the event runtime has (classic Outlook has no `localStorage` and no `OfficeRuntime.storage`):
 * `item.sessionData`, per item and add-in, shared with the task pane, gone when the item is sent or closed; and
 * `roamingSettings`, per mailbox and add-in, 32 KB, kept across items.
 */
import { officeAsync } from './async';
import { OFFICE_ERRORS, OfficeApiError } from './errors';
import { composeItem, supportsMailbox } from './host';

/** Characters the whole sessionData object may hold: 50,000 up to Mailbox 1.15, 2,621,440 from 1.16. */
export function sessionDataLimit(): number {
  return supportsMailbox('1.16') ? 2621440 : 50000;
}

function session(): Office.SessionData {
  const data = supportsMailbox('1.11') ? (composeItem() as { sessionData?: Office.SessionData }).sessionData : null;
  // Some Windows builds that claim 1.11 have had a sessionData object without its methods (office-js #4154).
  if (!data || typeof data.getAsync !== 'function' || typeof data.setAsync !== 'function') {
    throw new OfficeApiError('sessionData', null, null, 'sessionData needs Mailbox 1.11');
  }
  return data;
}

const isKeyNotFound = (e: unknown): boolean =>
  e instanceof OfficeApiError && (e.code === OFFICE_ERRORS.KeyNotFound || e.officeName === 'KeyNotFound');

export const sessionData = {
  supported(): boolean {
    try {
      session();
      return true;
    } catch {
      return false;
    }
  },
  /** The value of `key`, or null when it is not set. */
  get(key: string): Promise<string | null> {
    return officeAsync<string>('sessionData.getAsync', (cb) => session().getAsync(key, cb)).then(
      (v) => (typeof v === 'string' ? v : null),
      (e: unknown) => {
        if (isKeyNotFound(e)) {
          return null;
        }
        throw e;
      },
    );
  },
  /** Fails with `SessionObjectMaxLengthExceeded` (9051) when the object would outgrow {@link sessionDataLimit}. */
  set(key: string, value: string): Promise<void> {
    return officeAsync<void>('sessionData.setAsync', (cb) => session().setAsync(key, value, cb));
  },
  remove(key: string): Promise<void> {
    return officeAsync<void>('sessionData.removeAsync', (cb) => session().removeAsync(key, cb)).then(
      () => undefined,
      (e: unknown) => {
        if (!isKeyNotFound(e)) {
          throw e;
        }
      },
    );
  },
  getAll(): Promise<Record<string, string>> {
    // An empty sessionData has been answered as the string '{}' (office-js #5353).
    return officeAsync<object | string>('sessionData.getAllAsync', (cb) => session().getAllAsync(cb)).then((all) =>
      typeof all === 'string'
        ? (JSON.parse(all || '{}') as Record<string, string>)
        : ((all || {}) as Record<string, string>),
    );
  },
};

/** Characters all roaming settings together may take once serialised. */
export const ROAMING_SETTINGS_LIMIT = 32 * 1024;

function roaming(): Office.RoamingSettings {
  const settings = Office.context && Office.context.roamingSettings;
  if (!settings) {
    // Reported missing in classic Outlook's OnAppointmentSend (office-js #6106).
    throw new OfficeApiError('roamingSettings', null, null, 'roamingSettings is not available');
  }
  return settings;
}

export const roamingSettings = {
  supported(): boolean {
    try {
      roaming();
      return true;
    } catch {
      return false;
    }
  },
  /** The setting, or null when it is not set. */
  get(name: string): unknown {
    const value: unknown = roaming().get(name);
    return value === undefined ? null : value;
  },
  set(name: string, value: unknown): void {
    roaming().set(name, value);
  },
  remove(name: string): void {
    roaming().remove(name);
  },
  /** Stores the settings in the mailbox; fails with `GenericSettingsError` (9019) past {@link ROAMING_SETTINGS_LIMIT}. */
  save(): Promise<void> {
    return officeAsync<void>('roamingSettings.saveAsync', (cb) => roaming().saveAsync(cb)).then(() => undefined);
  },
};
