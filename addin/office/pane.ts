/// <reference types="office-js" />
/**
 * What only a task pane has: Office's ready signal, change events on the item and the mailbox, the Office theme, and
 * sign-in with `Office.auth.getAccessToken` (which, unlike `OfficeRuntime.auth` in event handlers, may prompt).
 */
import { officeAsync } from './async';
import { OfficeApiError, toOfficeApiError } from './errors';
import { composeItem, supportsMailbox } from './host';

/**
 * Office's answer to `Office.onReady`: the host's name (`Outlook`), or null outside any host. It never settles while
 * office.js waits for a host, so the pane bounds the wait itself (`taskpane/model/host-wait.ts`). Rejects when office.js
 * is not loaded, or `onReady` fails.
 */
export function officeReadyHost(): Promise<string | null> {
  return new Promise<string | null>((resolve, reject) => {
    if (typeof Office === 'undefined' || typeof Office.onReady !== 'function') {
      reject(new OfficeApiError('Office.onReady', null, null, 'office.js is not loaded'));
      return;
    }
    Office.onReady().then(
      (info) => resolve(info && info.host ? String(info.host) : null),
      (e: unknown) => reject(toOfficeApiError('Office.onReady', e)),
    );
  });
}

export type ItemChangeKind = 'item' | 'recipients' | 'attachments';

/** The mailbox and the item as event sources, typed by what this module calls. */
interface HandlerTarget {
  addHandlerAsync?(
    eventType: Office.EventType,
    handler: (args: unknown) => void,
    callback: (result: Office.AsyncResult<void>) => void,
  ): void;
  removeHandlerAsync?(eventType: Office.EventType, callback?: (result: Office.AsyncResult<void>) => void): void;
}

/**
 * Calls `listener` when Office reports a change: another item selected in a pinned pane (`ItemChanged`, Mailbox
 * 1.5), recipients (`RecipientsChanged`, 1.7) or attachments (`AttachmentsChanged`, 1.8). Outlook has no event for
 * the body. Resolves with the function that removes the handlers; events the host lacks are skipped.
 */
export function onItemChange(listener: (kind: ItemChangeKind) => void): Promise<() => void> {
  const added: Array<() => Promise<void>> = [];
  const add = (
    target: HandlerTarget | null | undefined,
    eventType: Office.EventType | undefined,
    kind: ItemChangeKind,
    version: string,
  ): Promise<void> => {
    const addHandler = target ? target.addHandlerAsync : undefined;
    if (!target || typeof addHandler !== 'function' || eventType === undefined) {
      return Promise.resolve();
    }
    if (!supportsMailbox(version as Parameters<typeof supportsMailbox>[0])) {
      return Promise.resolve();
    }
    const handler = (): void => listener(kind);
    return officeAsync<void>(`addHandlerAsync(${String(eventType)})`, (cb) =>
      addHandler.call(target, eventType, handler, cb),
    ).then(
      () => {
        const removeHandler = target.removeHandlerAsync;
        if (typeof removeHandler === 'function') {
          added.push(() =>
            officeAsync<void>(`removeHandlerAsync(${String(eventType)})`, (cb) =>
              removeHandler.call(target, eventType, cb),
            ).then(undefined, () => undefined),
          );
        }
      },
      () => undefined,
    );
  };
  const events = Office.EventType || ({} as typeof Office.EventType);
  const mailbox = Office.context && Office.context.mailbox;
  let item: Office.MessageCompose | Office.AppointmentCompose | null = null;
  try {
    item = composeItem();
  } catch {
    item = null;
  }
  return Promise.all([
    add(mailbox as never, events.ItemChanged, 'item', '1.8'),
    add(item as never, events.RecipientsChanged, 'recipients', '1.8'),
    add(item as never, events.AttachmentsChanged, 'attachments', '1.8'),
  ]).then(() => () => {
    for (const remove of added) {
      void remove();
    }
  });
}

/**
 * Calls `listener` with the new `contextData` when the user picks the Smart Alerts dialog's button (「移除機敏內容」,
 * 「填寫理由」) while the pane is already open: from Mailbox 1.15 Outlook raises `InitializationContextChanged` on the
 * item instead of reloading the pane, so what the pane holds (the findings, a reason being typed) stays
 * (Office.EventType.InitializationContextChanged, Office.InitializationContextChangedEventArgs, Mailbox 1.15).
 * Resolves with the function that stops listening; a host without the event gives one that does nothing.
 */
export function onInitializationContextChange(listener: (contextData: string | null) => void): Promise<() => void> {
  let item: HandlerTarget | null = null;
  try {
    item = composeItem() as unknown as HandlerTarget;
  } catch {
    item = null;
  }
  const eventType = Office.EventType && Office.EventType.InitializationContextChanged;
  const addHandler = item ? item.addHandlerAsync : undefined;
  if (!item || typeof addHandler !== 'function' || eventType === undefined || !supportsMailbox('1.15')) {
    return Promise.resolve(() => undefined);
  }
  const target = item;
  const handler = (args: unknown): void => {
    const data = args && (args as { initializationContextData?: unknown }).initializationContextData;
    listener(typeof data === 'string' && data ? data : null);
  };
  return officeAsync<void>('addHandlerAsync(InitializationContextChanged)', (cb) =>
    addHandler.call(target, eventType, handler, cb),
  ).then(
    () => () => {
      const removeHandler = target.removeHandlerAsync;
      if (typeof removeHandler === 'function') {
        removeHandler.call(target, eventType, () => undefined);
      }
    },
    () => () => undefined,
  );
}

/** Office's theme colours, where the host gives them; null where it does not. */
export function officeTheme(): { readonly bodyBackgroundColor?: string; readonly bodyForegroundColor?: string } | null {
  try {
    const theme = Office.context && (Office.context as { officeTheme?: Office.OfficeTheme }).officeTheme;
    return theme
      ? { bodyBackgroundColor: theme.bodyBackgroundColor, bodyForegroundColor: theme.bodyForegroundColor }
      : null;
  } catch {
    return null;
  }
}

/** Calls `listener` when the Office theme changes (Mailbox 1.14); resolves with the function that stops it. */
export function onThemeChange(listener: () => void): Promise<() => void> {
  const mailbox = Office.context && (Office.context.mailbox as unknown as HandlerTarget);
  const eventType = Office.EventType && Office.EventType.OfficeThemeChanged;
  const addHandler = mailbox ? mailbox.addHandlerAsync : undefined;
  if (!mailbox || typeof addHandler !== 'function' || eventType === undefined || !supportsMailbox('1.14')) {
    return Promise.resolve(() => undefined);
  }
  return officeAsync<void>('addHandlerAsync(OfficeThemeChanged)', (cb) =>
    addHandler.call(mailbox, eventType, () => listener(), cb),
  ).then(
    () => () => {
      const removeHandler = mailbox.removeHandlerAsync;
      if (typeof removeHandler === 'function') {
        removeHandler.call(mailbox, eventType, () => undefined);
      }
    },
    () => () => undefined,
  );
}

/** True where the host supports nested app authentication (`NestedAppAuth` 1.1). */
export function supportsNestedAppAuth(): boolean {
  try {
    return Office.context.requirements.isSetSupported('NestedAppAuth', '1.1') === true;
  } catch {
    return false;
  }
}

/**
 * An SSO token for our API from `Office.auth.getAccessToken`: in a task pane it may ask the user to sign in or
 * consent. Rejects with Office's SSO error code (13001 not signed in, 13002 aborted, 13006 client error …).
 */
export function getPaneAccessToken(): Promise<string> {
  const auth = typeof Office !== 'undefined' ? (Office as { auth?: Office.Auth }).auth : undefined;
  if (!auth || typeof auth.getAccessToken !== 'function') {
    return Promise.reject(new OfficeApiError('Office.auth', null, null, 'Office.auth is not available'));
  }
  try {
    return auth
      .getAccessToken({ allowSignInPrompt: true, allowConsentPrompt: true, forMSGraphAccess: false })
      .then(undefined, (e: unknown) => Promise.reject(toOfficeApiError('Office.auth.getAccessToken', e)));
  } catch (e) {
    return Promise.reject(toOfficeApiError('Office.auth.getAccessToken', e));
  }
}
