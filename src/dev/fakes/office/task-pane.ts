/**
 * The task pane's side of the fake Outlook host, added onto {@link createFakeOffice}'s `Office`: what only a task pane
 * calls (writing the body, the selection, removing and adding attachments, `sendAsync`, the initialization context,
 * change events, the Office theme, `Office.onReady`, `Office.auth`), faithful to the documented API and to office-js:
 *
 * - the body has a current reply and, on the web and new Outlook with conversations on, a quoted thread the host
 *   keeps apart: `getAsync`/`setAsync` with `bodyMode: HostConfig` see only the reply, `FullBody` (the default) the
 *   whole; a FullBody write replaces the thread too (it becomes part of the body);
 * - `setAsync` with HTML into a plain-text body fails with `InvalidFormatError`; over 1,000,000 characters throws;
 * - the selection is a range of the body (or the subject); `getSelectedDataAsync` gives `{ data, sourceProperty }`,
 *   `setSelectedDataAsync` replaces it and leaves the cursor after the inserted text;
 * - `removeAttachmentAsync` fails with `InvalidAttachmentId` for an unknown id and does not remove inline images
 *   (`AttachmentDeleteGeneralFailure`); an attachment can be set to fail removal (office-js #4627, #1746);
 * - an inline image leaves when the body no longer references its `cid:`; `contentId` is listed from Mailbox 1.16;
 * - `sendAsync` exists from Mailbox 1.15 but needs the read/write mailbox permission (@types/office-js
 *   `MessageCompose.sendAsync`: "Minimum permission level: read/write mailbox"); below it office.js throws its
 *   `l_ElevatedPermissionNeededForMethod_Text` error, as for every method above the add-in's permission;
 * - `getInitializationContextAsync` answers the Smart Alerts `contextData`; from Mailbox 1.15 a new context (the user
 *   chose the dialog's button again while the pane was open) reaches the open pane as `InitializationContextChanged`
 *   on the item instead of reloading it (Office.InitializationContextChangedEventArgs, Mailbox 1.15);
 * - `RecipientsChanged` and `AttachmentsChanged` fire on the item, `ItemChanged` and `OfficeThemeChanged` on the
 *   mailbox, when the test (the "user") changes things through the returned controller.
 *
 * Plain TypeScript with no Node APIs: the browser tests bundle it as `/vendor/office-js/office.js`, and the local-mode
 * playground puts it in place of office.js around the real task pane.
 */
import {
  type FakeAttachment,
  type FakeItemState,
  type FakeOffice,
  type FakeOfficeError,
  type FakeRecipient,
} from './office-host';

/** Office's names for the events (office.js `Microsoft.Office.WebExtension.EventType`). */
export const FAKE_EVENT_TYPES = {
  ItemChanged: 'olkItemSelectedChanged',
  InitializationContextChanged: 'olkInitializationContextChanged',
  RecipientsChanged: 'olkRecipientsChanged',
  AttachmentsChanged: 'olkAttachmentsChanged',
  OfficeThemeChanged: 'officeThemeChanged',
} as const;

export const TASK_PANE_ERRORS = {
  InvalidAttachmentId: { code: 9003, name: 'InvalidAttachmentId', message: 'The attachment ID was invalid.' },
  AttachmentDeleteGeneralFailure: {
    code: 9009,
    name: 'AttachmentDeleteGeneralFailure',
    message: 'The attachment cannot be deleted from the item.',
  },
  InvalidSelection: { code: 9016, name: 'InvalidSelection', message: 'The selection is invalid.' },
  InvalidFormatError: {
    code: 2006,
    name: 'Invalid Format Error',
    message: 'The format of the specified data object is invalid.',
  },
  NoValidRecipientsProvided: {
    code: 9013,
    name: 'NoValidRecipientsProvided',
    message: 'No valid recipients provided.',
  },
  GenericTokenError: { code: 13006, name: 'ClientError', message: 'Client Error.' },
} as const satisfies Record<string, FakeOfficeError>;

export interface FakeOfficeTheme {
  readonly bodyBackgroundColor: string;
  readonly bodyForegroundColor: string;
  readonly controlBackgroundColor: string;
  readonly controlForegroundColor: string;
}

export const FAKE_THEMES = {
  colorful: {
    bodyBackgroundColor: '#ffffff',
    bodyForegroundColor: '#000000',
    controlBackgroundColor: '#f3f2f1',
    controlForegroundColor: '#323130',
  },
  black: {
    bodyBackgroundColor: '#1f1f1f',
    bodyForegroundColor: '#ffffff',
    controlBackgroundColor: '#292929',
    controlForegroundColor: '#ffffff',
  },
} as const satisfies Record<string, FakeOfficeTheme>;

export interface TaskPaneOptions {
  /** The quoted thread the host keeps apart from the reply (web and new Outlook, conversations on). @default '' */
  readonly thread?: string;
  /** The body's format. @default 'html' */
  readonly bodyType?: 'html' | 'text';
  /** Inline images' content ids, by attachment id (listed from Mailbox 1.16). */
  readonly contentIds?: Readonly<Record<string, string>>;
  /** Attachments whose removal fails, by id, with the error. */
  readonly removeErrors?: Readonly<Record<string, FakeOfficeError>>;
  /** A body write that fails, for the failure paths. */
  readonly setBodyError?: FakeOfficeError;
  /** What `getInitializationContextAsync` answers (the Smart Alerts `contextData`); null when opened from the ribbon. */
  readonly initializationContext?: string | null;
  /** `Office.context.officeTheme`. @default FAKE_THEMES.colorful */
  readonly officeTheme?: FakeOfficeTheme;
  /** What `Office.auth.getAccessToken` resolves with (or a function giving it), or the error it rejects with. */
  readonly paneAccessToken?: string | (() => Promise<string>) | FakeOfficeError;
  /**
   * The permission the add-in's manifest asks for. @default 'ReadWriteItem', what our manifests ask
   * (manifest/app.ts ADDIN_PERMISSION)
   */
  readonly permission?: 'Restricted' | 'ReadItem' | 'ReadWriteItem' | 'ReadWriteMailbox';
  /** Milliseconds each call takes. @default 0 */
  readonly latencyMs?: number;
  /** Milliseconds before `Office.onReady` answers: a host slow to start. @default latencyMs */
  readonly readyAfterMs?: number;
}

/** The "user" and the inspector of the fake pane host. */
export interface TaskPaneController {
  /** The full body (reply and thread), as it would leave. */
  fullBody(): string;
  /** The thread the host keeps apart ('' once a FullBody write took it in). */
  thread(): string;
  /** Selects the first occurrence of `text` in the body's HTML source, or in the subject. */
  select(text: string, where?: 'body' | 'subject'): void;
  /** Selects nothing (a caret in the body). */
  clearSelection(): void;
  /** The user types a new body. */
  setBody(html: string): void;
  setSubject(subject: string): void;
  addRecipient(field: 'to' | 'cc' | 'bcc', recipient: FakeRecipient): void;
  /** The user edits a whole recipient line. */
  setRecipients(field: 'to' | 'cc' | 'bcc', recipients: readonly FakeRecipient[]): void;
  addAttachment(attachment: FakeAttachment, contentId?: string): void;
  /** The user removes an attachment from the compose form. */
  removeAttachment(id: string): void;
  setTheme(theme: FakeOfficeTheme): void;
  /** Another item is selected in a pinned pane. */
  switchItem(): void;
  /**
   * The user picks the Smart Alerts dialog's button (`commandId`) again while the pane is open: from Mailbox 1.15 the
   * pane stays and gets `InitializationContextChanged` with the new `contextData`; before, Outlook reloads the pane
   * (the test opens a new page), and `getInitializationContextAsync` answers the new data either way.
   */
  reopenFromDialog(contextData: string): void;
  /** True once `sendAsync` succeeded. */
  sent(): boolean;
}

const succeeded = (value?: unknown) => ({ status: 'succeeded', value, error: null, asyncContext: undefined });
const failed = (error: FakeOfficeError) => ({
  status: 'failed',
  value: undefined,
  error: { ...error },
  asyncContext: undefined,
});

const versionAtLeast = (isSetSupported: (name: string, v: string) => boolean, v: string): boolean =>
  isSetSupported('Mailbox', v);

/** Inserts the thread before `</body>` of the reply, or after it. */
export function joinBody(reply: string, thread: string): string {
  if (!thread) {
    return reply;
  }
  const end = reply.search(/<\/body\s*>/i);
  return end === -1 ? reply + thread : reply.slice(0, end) + thread + reply.slice(end);
}

export function extendForTaskPane(
  fake: FakeOffice,
  item: FakeItemState,
  options: TaskPaneOptions = {},
): TaskPaneController {
  const Office = fake.Office as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const context = Office.context as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const compose = context.mailbox.item as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const supports = (v: string): boolean => versionAtLeast(context.requirements.isSetSupported, v);
  const latency = options.latencyMs ?? 0;
  const calls = fake.calls;
  let thread = options.thread ?? '';
  const bodyType = options.bodyType ?? 'html';
  const contentIds: Record<string, string> = { ...(options.contentIds ?? {}) };
  let selection: { where: 'body' | 'subject'; start: number; end: number } | null = null;
  let sent = false;
  let initializationContext = options.initializationContext ?? '';
  const permission = options.permission ?? 'ReadWriteItem';
  let theme: FakeOfficeTheme = options.officeTheme ?? FAKE_THEMES.colorful;
  const itemHandlers = new Map<string, Array<(args: unknown) => void>>();
  const mailboxHandlers = new Map<string, Array<(args: unknown) => void>>();

  type Callback = (result: unknown) => void;
  const callbackOf = (args: unknown[]): Callback | undefined =>
    [...args].reverse().find((a) => typeof a === 'function') as Callback | undefined;
  const optionsOf = (args: unknown[]): Record<string, unknown> =>
    (args.find((a) => a !== null && typeof a === 'object') as Record<string, unknown> | undefined) ?? {};
  const respond = (callback: Callback | undefined, result: unknown): void => {
    if (callback) {
      setTimeout(() => callback(result), latency);
    }
  };
  const fire = (handlers: Map<string, Array<(args: unknown) => void>>, type: string, args: object = {}): void => {
    for (const h of handlers.get(type) ?? []) {
      setTimeout(() => h({ type, ...args }), latency);
    }
  };
  const stripTags = (html: string): string =>
    html
      .replace(/<(script|style)[\s\S]*?<\/\1>/gi, '')
      .replace(/<br\s*\/?>|<\/(p|div|li|h[1-6]|tr)>/gi, '\n')
      .replace(/<[^>]*>/g, '')
      .replace(/&nbsp;/g, '\u00a0')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&');
  const isHostConfig = (o: Record<string, unknown>): boolean => o.bodyMode === 1;
  /** Inline images whose cid: the body no longer references leave, as in Outlook's editor. */
  const dropUnreferencedInline = (): void => {
    const full = joinBody(item.bodyHtml, thread).toLowerCase();
    const before = item.attachments.length;
    item.attachments = item.attachments.filter((a) => {
      const cid = contentIds[a.id];
      return !(a.isInline && cid && !full.includes(`cid:${cid.toLowerCase()}`));
    });
    if (item.attachments.length !== before) {
      fire(itemHandlers, FAKE_EVENT_TYPES.AttachmentsChanged, { attachmentStatus: 'removed' });
    }
  };

  // Enums and the Office namespace.
  Office.EventType = { ...FAKE_EVENT_TYPES };
  Office.MailboxEnums.BodyMode = { FullBody: 0, HostConfig: 1 };
  Office.MailboxEnums.AttachmentStatus = { Added: 'added', Removed: 'removed' };
  Office.HostType = { Outlook: 'Outlook' };
  Office.PlatformType = { OfficeOnline: 'OfficeOnline', PC: 'PC', Mac: 'Mac' };
  Office.onReady = (callback?: (info: unknown) => void) => {
    const info = { host: 'Outlook', platform: 'OfficeOnline' };
    return new Promise((resolve) => {
      setTimeout(() => {
        callback?.(info);
        resolve(info);
      }, options.readyAfterMs ?? latency);
    });
  };
  Object.defineProperty(context, 'officeTheme', { get: () => ({ ...theme }), configurable: true });
  Office.auth = {
    getAccessToken: (authOptions?: Record<string, unknown>) => {
      calls.push({ api: 'Office.auth.getAccessToken', detail: JSON.stringify(authOptions ?? {}) });
      const token = options.paneAccessToken ?? TASK_PANE_ERRORS.GenericTokenError;
      if (typeof token === 'function') {
        return token();
      }
      return typeof token === 'string' ? Promise.resolve(token) : Promise.reject({ ...token });
    },
  };
  const handlerApi = (
    handlers: Map<string, Array<(args: unknown) => void>>,
    allowed: readonly string[],
    name: string,
  ) => ({
    addHandlerAsync: (eventType: string, handler: (args: unknown) => void, ...rest: unknown[]) => {
      calls.push({ api: `${name}.addHandlerAsync`, detail: eventType });
      if (!allowed.includes(eventType)) {
        respond(
          callbackOf(rest),
          failed({ code: 5003, name: 'Event Registration Error', message: 'The event handler cannot be registered.' }),
        );
        return;
      }
      handlers.set(eventType, [...(handlers.get(eventType) ?? []), handler]);
      respond(callbackOf(rest), succeeded());
    },
    removeHandlerAsync: (eventType: string, ...rest: unknown[]) => {
      calls.push({ api: `${name}.removeHandlerAsync`, detail: eventType });
      handlers.delete(eventType);
      respond(callbackOf(rest), succeeded());
    },
  });
  Object.assign(
    context.mailbox,
    handlerApi(
      mailboxHandlers,
      [FAKE_EVENT_TYPES.ItemChanged, ...(supports('1.14') ? [FAKE_EVENT_TYPES.OfficeThemeChanged] : [])],
      'mailbox',
    ),
  );
  Object.assign(
    compose,
    handlerApi(
      itemHandlers,
      [
        FAKE_EVENT_TYPES.RecipientsChanged,
        FAKE_EVENT_TYPES.AttachmentsChanged,
        ...(supports('1.15') ? [FAKE_EVENT_TYPES.InitializationContextChanged] : []),
      ],
      'item',
    ),
  );

  // The body.
  compose.body = {
    getTypeAsync: (...args: unknown[]) => {
      calls.push({ api: 'body.getTypeAsync' });
      respond(callbackOf(args), succeeded(bodyType));
    },
    getAsync: (coercionType: string, ...rest: unknown[]) => {
      const o = optionsOf(rest);
      calls.push({ api: 'body.getAsync', detail: `${coercionType}${isHostConfig(o) ? ' HostConfig' : ''}` });
      if (coercionType !== 'html' && coercionType !== 'text') {
        throw new Error(`Sys.ArgumentException: coercionType ${coercionType}`);
      }
      const html = isHostConfig(o) ? item.bodyHtml : joinBody(item.bodyHtml, thread);
      respond(callbackOf(rest), succeeded(coercionType === 'html' && bodyType === 'html' ? html : stripTags(html)));
    },
    setAsync: (data: string, ...rest: unknown[]) => {
      const o = optionsOf(rest);
      calls.push({ api: 'body.setAsync', detail: `${String(o.coercionType)}${isHostConfig(o) ? ' HostConfig' : ''}` });
      if (typeof data !== 'string') {
        throw new Error('Sys.ArgumentTypeException: data');
      }
      if (data.length > 1000000) {
        throw new Error(`Sys.ArgumentOutOfRangeException: data (${data.length})`);
      }
      if (options.setBodyError) {
        respond(callbackOf(rest), failed(options.setBodyError));
        return;
      }
      if (o.coercionType === 'html' && bodyType === 'text') {
        respond(callbackOf(rest), failed(TASK_PANE_ERRORS.InvalidFormatError));
        return;
      }
      if (isHostConfig(o)) {
        item.bodyHtml = data;
      } else {
        // FullBody replaces the whole conversation: the thread is now part of the body the user edits.
        item.bodyHtml = data;
        thread = '';
      }
      selection = null;
      dropUnreferencedInline();
      respond(callbackOf(rest), succeeded());
    },
  };

  // The selection.
  compose.getSelectedDataAsync = (coercionType: string, ...rest: unknown[]) => {
    calls.push({ api: 'getSelectedDataAsync', detail: coercionType });
    if (coercionType !== 'html' && coercionType !== 'text') {
      throw new Error(`Sys.ArgumentException: coercionType ${coercionType}`);
    }
    if (!selection) {
      respond(callbackOf(rest), succeeded({ data: '', sourceProperty: 'body' }));
      return;
    }
    const source = selection.where === 'subject' ? item.subject : item.bodyHtml;
    const slice = source.slice(selection.start, selection.end);
    respond(
      callbackOf(rest),
      succeeded({
        data: coercionType === 'html' && selection.where === 'body' ? slice : stripTags(slice),
        sourceProperty: selection.where,
      }),
    );
  };
  compose.setSelectedDataAsync = (data: string, ...rest: unknown[]) => {
    calls.push({ api: 'setSelectedDataAsync' });
    if (typeof data !== 'string' || data.length > 1000000) {
      throw new Error('Sys.ArgumentOutOfRangeException: data');
    }
    const where = selection?.where ?? 'body';
    const start = selection?.start ?? item.bodyHtml.length;
    const end = selection?.end ?? start;
    if (where === 'subject') {
      item.subject = item.subject.slice(0, start) + stripTags(data) + item.subject.slice(end);
    } else {
      item.bodyHtml = item.bodyHtml.slice(0, start) + data + item.bodyHtml.slice(end);
    }
    const caret = start + data.length;
    selection = { where, start: caret, end: caret };
    respond(callbackOf(rest), succeeded());
  };

  // Attachments.
  compose.getAttachmentsAsync = (...args: unknown[]) => {
    calls.push({ api: 'getAttachmentsAsync' });
    respond(
      callbackOf(args),
      succeeded(
        item.attachments.map((a) => ({
          id: a.id,
          name: a.name,
          size: a.size,
          attachmentType: a.attachmentType,
          isInline: a.isInline ?? false,
          ...(supports('1.16') && contentIds[a.id] ? { contentId: contentIds[a.id] } : {}),
        })),
      ),
    );
  };
  compose.removeAttachmentAsync = (id: string, ...rest: unknown[]) => {
    calls.push({ api: 'removeAttachmentAsync', detail: id });
    if (typeof id !== 'string' || id.length === 0) {
      throw new Error('Sys.ArgumentException: attachmentId');
    }
    const a = item.attachments.find((x) => x.id === id);
    if (!a) {
      respond(callbackOf(rest), failed(TASK_PANE_ERRORS.InvalidAttachmentId));
      return;
    }
    const error =
      options.removeErrors?.[id] ?? (a.isInline ? TASK_PANE_ERRORS.AttachmentDeleteGeneralFailure : undefined);
    if (error) {
      respond(callbackOf(rest), failed(error));
      return;
    }
    item.attachments = item.attachments.filter((x) => x.id !== id);
    respond(callbackOf(rest), succeeded());
    fire(itemHandlers, FAKE_EVENT_TYPES.AttachmentsChanged, { attachmentStatus: 'removed' });
  };
  let added = 0;
  compose.addFileAttachmentFromBase64Async = (base64: string, name: string, ...rest: unknown[]) => {
    calls.push({ api: 'addFileAttachmentFromBase64Async', detail: name });
    const o = optionsOf(rest);
    const id = `added-${++added}`;
    const size = Math.floor((base64.replace(/=+$/, '').length * 3) / 4);
    item.attachments = [
      ...item.attachments,
      {
        id,
        name,
        size,
        attachmentType: 'file',
        isInline: o.isInline === true,
        content: { format: 'base64', content: base64 },
      },
    ];
    if (o.isInline === true) {
      contentIds[id] = name;
    }
    respond(callbackOf(rest), succeeded(id));
    fire(itemHandlers, FAKE_EVENT_TYPES.AttachmentsChanged, { attachmentStatus: 'added' });
  };

  // Sending and the Smart Alerts context.
  if (supports('1.15')) {
    compose.sendAsync = (...args: unknown[]) => {
      calls.push({ api: 'sendAsync' });
      if (permission !== 'ReadWriteMailbox') {
        throw new Error("Elevated permission is required to call the method: 'sendAsync'.");
      }
      const recipients = item.to.length + item.cc.length + item.bcc.length;
      if (recipients === 0) {
        respond(callbackOf(args), failed(TASK_PANE_ERRORS.NoValidRecipientsProvided));
        return;
      }
      sent = true;
      respond(callbackOf(args), succeeded());
    };
  }
  compose.getInitializationContextAsync = (...args: unknown[]) => {
    calls.push({ api: 'getInitializationContextAsync' });
    respond(callbackOf(args), succeeded(initializationContext));
  };

  const find = (text: string, where: 'body' | 'subject'): { start: number; end: number } => {
    const source = where === 'subject' ? item.subject : item.bodyHtml;
    const start = source.indexOf(text);
    if (start === -1) {
      throw new Error(`[fake select] "${text.slice(0, 40)}" is not in the ${where}`);
    }
    return { start, end: start + text.length };
  };
  return {
    fullBody: () => joinBody(item.bodyHtml, thread),
    thread: () => thread,
    select: (text, where = 'body') => {
      selection = { where, ...find(text, where) };
    },
    clearSelection: () => {
      selection = null;
    },
    setBody: (html) => {
      item.bodyHtml = html;
      selection = null;
    },
    setSubject: (subject) => {
      item.subject = subject;
    },
    addRecipient: (field, recipient) => {
      item[field] = [...item[field], recipient];
      fire(itemHandlers, FAKE_EVENT_TYPES.RecipientsChanged, { changedRecipientFields: { [field]: true } });
    },
    setRecipients: (field, recipients) => {
      item[field] = [...recipients];
      fire(itemHandlers, FAKE_EVENT_TYPES.RecipientsChanged, { changedRecipientFields: { [field]: true } });
    },
    addAttachment: (attachment, contentId) => {
      item.attachments = [...item.attachments, attachment];
      if (contentId) {
        contentIds[attachment.id] = contentId;
      }
      fire(itemHandlers, FAKE_EVENT_TYPES.AttachmentsChanged, { attachmentStatus: 'added' });
    },
    removeAttachment: (id) => {
      item.attachments = item.attachments.filter((a) => a.id !== id);
      fire(itemHandlers, FAKE_EVENT_TYPES.AttachmentsChanged, { attachmentStatus: 'removed' });
    },
    setTheme: (next) => {
      theme = next;
      fire(mailboxHandlers, FAKE_EVENT_TYPES.OfficeThemeChanged, { officeTheme: { ...next } });
    },
    switchItem: () => fire(mailboxHandlers, FAKE_EVENT_TYPES.ItemChanged),
    reopenFromDialog: (contextData) => {
      initializationContext = contextData;
      fire(itemHandlers, FAKE_EVENT_TYPES.InitializationContextChanged, { initializationContextData: contextData });
    },
    sent: () => sent,
  };
}
