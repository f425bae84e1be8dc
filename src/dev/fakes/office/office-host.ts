/**
 * A fake Outlook host: the slice of `Office` and `OfficeRuntime` the add-in uses, faithful to the documented API and
 * to what office-js itself does (error codes and names from `outlook-web-16.01.js`, the 50,000/2,621,440-character
 * sessionData limit, the 32 KB roaming-settings check in `saveAsync`), including its quirks: results arrive
 * asynchronously, a missing sessionData key fails with `KeyNotFound`, an empty sessionData reads back as the string
 * '{}' (office-js #5353), a second `completed()` is honoured (office-js #6656: the last call decides), and an
 * attachment fetched while another fetch is in flight comes back with empty content (office-js #6581).
 *
 * Plain TypeScript with no Node APIs, so the task pane's browser tests can bundle it. The item and mailbox states
 * are separate objects, so several runtimes (one per event, as in Outlook) can share one item and one mailbox.
 */

export const FAKE_MAILBOX_VERSIONS = ['1.8', '1.9', '1.10', '1.11', '1.12', '1.13', '1.14', '1.15', '1.16'] as const;
export type FakeMailboxVersion = (typeof FAKE_MAILBOX_VERSIONS)[number];

export interface FakeOfficeError {
  readonly code: number;
  readonly name: string;
  readonly message: string;
}

/** Office's own codes, names and (en-US) messages for the failures the fake produces. */
export const OFFICE_ERRORS = {
  InvalidAttachmentId: { code: 9003, name: 'InvalidAttachmentId', message: 'The attachment ID was invalid.' },
  GenericSettingsError: { code: 9019, name: 'GenericSettingsError', message: '' },
  NetworkError: { code: 9041, name: 'NetworkError', message: 'The user is no longer connected to the network.' },
  InternalServerError: { code: 9042, name: 'InternalServerError', message: 'The Exchange server returned an error.' },
  AttachmentTypeNotSupported: {
    code: 9043,
    name: 'AttachmentTypeNotSupported',
    message: 'The attachment type is not supported.',
  },
  ItemNotSaved: { code: 9046, name: 'ItemNotSaved', message: 'The id can’t be retrieved until the item is saved.' },
  KeyNotFound: { code: 9050, name: 'KeyNotFound', message: 'The specified key was not found.' },
  SessionObjectMaxLengthExceeded: {
    code: 9051,
    name: 'SessionObjectMaxLengthExceeded',
    message: "The 'sessionData' object surpassed its maximum length of '50000' characters.",
  },
  AttachmentDownloadFailed: {
    code: 9054,
    name: 'AttachmentDownloadFailed',
    message: 'Failed to download the attachment.',
  },
} as const satisfies Record<string, FakeOfficeError>;

/** `OfficeRuntime.auth.getAccessToken` failures (Office's SSO error codes). */
export const SSO_ERRORS = {
  UserNotSignedIn: { code: 13001, name: 'UserNotSignedIn', message: 'No user is signed into Office.' },
  UserAborted: { code: 13002, name: 'UserAborted', message: 'The user aborted the consent request.' },
  ClientError: { code: 13006, name: 'ClientError', message: 'Client Error.' },
} as const satisfies Record<string, FakeOfficeError>;

export type FakeAttachmentContent =
  | { readonly format: 'base64' | 'eml' | 'iCalendar' | 'url'; readonly content: string }
  | { readonly error: FakeOfficeError }
  /** Never answers, as a host that is stuck. */
  | { readonly hang: true };

export interface FakeAttachment {
  readonly id: string;
  readonly name: string;
  readonly size: number;
  readonly attachmentType: 'file' | 'item' | 'cloud';
  readonly isInline?: boolean;
  readonly content: FakeAttachmentContent;
  /** Milliseconds before `getAttachmentContentAsync` answers. */
  readonly delayMs?: number;
  /**
   * How many fetches answer Succeeded with empty content before the real content comes (office-js #6098, #5614:
   * Outlook reports success with no bytes, and a later fetch of the same attachment delivers them). @default 0
   */
  readonly emptyAnswers?: number;
}

export interface FakeRecipient {
  readonly emailAddress: string;
  readonly displayName?: string;
  readonly recipientType?: 'user' | 'externalUser' | 'distributionList' | 'other';
}

/** The item being composed, shared by every runtime that opens it. Mutable, as the user edits it. */
export interface FakeItemState {
  itemType: 'message' | 'appointment';
  subject: string;
  bodyHtml: string;
  to: FakeRecipient[];
  cc: FakeRecipient[];
  bcc: FakeRecipient[];
  requiredAttendees: FakeRecipient[];
  optionalAttendees: FakeRecipient[];
  attachments: FakeAttachment[];
  /** The label GUID, null for none, or the error `sensitivityLabel.getAsync` fails with. */
  sensitivityLabel: string | null | { readonly error: FakeOfficeError };
  /** Null until Exchange has saved the draft (`getItemIdAsync` fails with ItemNotSaved). */
  itemId: string | null;
  /** What `item.sessionData` holds for this add-in. */
  readonly sessionData: Record<string, string>;
}

export function createFakeItem(init: Partial<Omit<FakeItemState, 'sessionData'>> = {}): FakeItemState {
  return {
    itemType: 'message',
    subject: '',
    bodyHtml: '',
    to: [],
    cc: [],
    bcc: [],
    requiredAttendees: [],
    optionalAttendees: [],
    attachments: [],
    sensitivityLabel: null,
    itemId: null,
    ...init,
    sessionData: {},
  };
}

/** The mailbox: roaming settings as saved on Exchange, shared by every runtime. */
export interface FakeMailboxState {
  roamingSettings: Record<string, unknown>;
}

export function createFakeMailbox(): FakeMailboxState {
  return { roamingSettings: {} };
}

export interface FakeCall {
  readonly api: string;
  readonly detail?: string;
}

export interface FakeEvent {
  readonly type: string;
  /** Every `completed()` call's options, in order (undefined for a call without options). */
  readonly completions: readonly (Record<string, unknown> | undefined)[];
  /** Problems with the options given the host's requirement sets and Outlook's documented limits. */
  readonly violations: readonly string[];
  completed(options?: Record<string, unknown>): void;
  /** Resolves at the first `completed()`. */
  whenCompleted(): Promise<Record<string, unknown> | undefined>;
  readonly [field: string]: unknown;
}

export interface FakeOfficeOptions {
  /** The highest Mailbox requirement set the host supports. */
  readonly mailboxVersion: FakeMailboxVersion;
  readonly item: FakeItemState;
  readonly mailbox?: FakeMailboxState;
  /** `Office.context.displayLanguage`. @default 'zh-TW' */
  readonly displayLanguage?: string;
  /** What `OfficeRuntime.auth.getAccessToken` resolves with, or the error it rejects with. */
  readonly accessToken?: (() => Promise<string>) | FakeOfficeError;
  /** False for a host without `roamingSettings` (reported for classic OnAppointmentSend, office-js #6106). */
  readonly roamingSettings?: boolean;
  /** Milliseconds before each async call answers. @default 0 */
  readonly latencyMs?: number;
  /**
   * `completed()` throws, completing nothing, when given an option the host's requirement set lacks or does not know,
   * instead of accepting the call. The documentation does not say what a host does with such an option; the adapter
   * must still get the decision through, and this is how its fallback is tested. @default false
   */
  readonly completedRejectsUnsupportedOptions?: boolean;
}

export interface FakeOffice {
  /** The `Office` global. */
  readonly Office: Record<string, unknown>;
  /** The `OfficeRuntime` global. */
  readonly OfficeRuntime: Record<string, unknown>;
  /** Handlers registered with `Office.actions.associate`, by action id. */
  readonly handlers: ReadonlyMap<string, (event: unknown) => void>;
  /** Calls made, in order. */
  readonly calls: FakeCall[];
  /** A new event object of `type` (`OnMessageSend` …), with any event-specific fields. */
  event(type: string, fields?: Record<string, unknown>): FakeEvent;
}

const SUCCEEDED = 'succeeded';
const FAILED = 'failed';

function versionAtLeast(have: FakeMailboxVersion, want: string): boolean {
  const [hMajor, hMinor] = have.split('.').map(Number) as [number, number];
  const [wMajor, wMinor = 0] = want.split('.').map(Number) as [number, number?];
  return hMajor > wMajor || (hMajor === wMajor && hMinor >= wMinor);
}

const clone = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));

/** What office-js measures before saving roaming settings: every value JSON-encoded, then the whole. */
export function roamingSettingsLength(settings: Record<string, unknown>): number {
  const serialised: Record<string, string> = {};
  for (const key of Object.keys(settings)) {
    serialised[key] = JSON.stringify(settings[key]);
  }
  return JSON.stringify(serialised).length;
}

export function createFakeOffice(options: FakeOfficeOptions): FakeOffice {
  const item = options.item;
  const mailbox = options.mailbox ?? createFakeMailbox();
  const version = options.mailboxVersion;
  const calls: FakeCall[] = [];
  const handlers = new Map<string, (event: unknown) => void>();
  const latency = options.latencyMs ?? 0;
  const supports = (v: string): boolean => versionAtLeast(version, v);

  type Callback<T> = (result: Record<string, unknown> & { value?: T }) => void;
  const answer = <T>(callback: Callback<T> | undefined, outcome: { value?: T; error?: FakeOfficeError }, delay = 0) => {
    if (typeof callback !== 'function') {
      return;
    }
    const result = outcome.error
      ? { status: FAILED, error: { ...outcome.error }, value: undefined, asyncContext: undefined }
      : { status: SUCCEEDED, error: null, value: outcome.value, asyncContext: undefined };
    setTimeout(() => callback(result), latency + delay);
  };
  /** The callback of `(…, options?, callback?)` signatures. */
  const callbackOf = <T>(args: unknown[]): Callback<T> | undefined =>
    [...args].reverse().find((a) => typeof a === 'function') as Callback<T> | undefined;

  /** Attachment fetches not answered yet (a hung one stays in flight). */
  let fetchesInFlight = 0;
  /** Fetches answered so far, by attachment id (for `emptyAnswers`). */
  const fetchesServed = new Map<string, number>();

  const recipients = (field: keyof FakeItemState) => ({
    getAsync: (...args: unknown[]) => {
      calls.push({ api: `${String(field)}.getAsync` });
      answer(callbackOf(args), {
        value: (item[field] as FakeRecipient[]).map((r) => ({
          emailAddress: r.emailAddress,
          displayName: r.displayName ?? r.emailAddress,
          recipientType: r.recipientType ?? 'user',
        })),
      });
    },
  });

  const sessionLimit = supports('1.16') ? 2621440 : 50000;
  const sessionData = {
    getAsync: (name: string, callback: Callback<string>) => {
      calls.push({ api: 'sessionData.getAsync', detail: name });
      answer(
        callback,
        name in item.sessionData ? { value: item.sessionData[name] } : { error: OFFICE_ERRORS.KeyNotFound },
      );
    },
    setAsync: (name: string, value: string, ...rest: unknown[]) => {
      calls.push({ api: 'sessionData.setAsync', detail: name });
      const next = { ...item.sessionData, [name]: String(value) };
      if (JSON.stringify(next).length > sessionLimit) {
        answer(callbackOf(rest), {
          error: {
            ...OFFICE_ERRORS.SessionObjectMaxLengthExceeded,
            message: OFFICE_ERRORS.SessionObjectMaxLengthExceeded.message.replace('50000', String(sessionLimit)),
          },
        });
        return;
      }
      item.sessionData[name] = String(value);
      answer(callbackOf(rest), {});
    },
    getAllAsync: (callback: Callback<object | string>) => {
      calls.push({ api: 'sessionData.getAllAsync' });
      const all = { ...item.sessionData };
      answer(callback, { value: Object.keys(all).length === 0 ? '{}' : all });
    },
    removeAsync: (name: string, ...rest: unknown[]) => {
      calls.push({ api: 'sessionData.removeAsync', detail: name });
      if (!(name in item.sessionData)) {
        answer(callbackOf(rest), { error: OFFICE_ERRORS.KeyNotFound });
        return;
      }
      delete item.sessionData[name];
      answer(callbackOf(rest), {});
    },
    clearAsync: (...args: unknown[]) => {
      calls.push({ api: 'sessionData.clearAsync' });
      for (const key of Object.keys(item.sessionData)) {
        delete item.sessionData[key];
      }
      answer(callbackOf(args), {});
    },
  };

  // Each runtime reads the roaming settings once, when it starts; saveAsync writes them back to the mailbox.
  const roaming: Record<string, unknown> = clone(mailbox.roamingSettings);
  const roamingSettings = {
    get: (name: string) => (name in roaming ? clone(roaming[name]) : null),
    set: (name: string, value: unknown) => {
      calls.push({ api: 'roamingSettings.set', detail: name });
      roaming[name] = clone(value);
    },
    remove: (name: string) => {
      calls.push({ api: 'roamingSettings.remove', detail: name });
      delete roaming[name];
    },
    saveAsync: (...args: unknown[]) => {
      calls.push({ api: 'roamingSettings.saveAsync' });
      if (roamingSettingsLength(roaming) > 32 * 1024) {
        answer(callbackOf(args), { error: OFFICE_ERRORS.GenericSettingsError });
        return;
      }
      mailbox.roamingSettings = clone(roaming);
      answer(callbackOf(args), {});
    },
  };

  const compose: Record<string, unknown> = {
    get itemType() {
      return item.itemType;
    },
    subject: {
      getAsync: (...args: unknown[]) => {
        calls.push({ api: 'subject.getAsync' });
        answer(callbackOf<string>(args), { value: item.subject });
      },
    },
    body: {
      getAsync: (coercionType: string, ...rest: unknown[]) => {
        calls.push({ api: 'body.getAsync', detail: coercionType });
        if (coercionType !== 'html' && coercionType !== 'text') {
          throw new Error(`Sys.ArgumentException: coercionType ${coercionType}`);
        }
        answer(callbackOf<string>(rest), {
          value: coercionType === 'html' ? item.bodyHtml : item.bodyHtml.replace(/<[^>]*>/g, ''),
        });
      },
    },
    getAttachmentsAsync: (...args: unknown[]) => {
      calls.push({ api: 'getAttachmentsAsync' });
      answer(callbackOf(args), {
        value: item.attachments.map((a) => ({
          id: a.id,
          name: a.name,
          size: a.size,
          attachmentType: a.attachmentType,
          isInline: a.isInline ?? false,
        })),
      });
    },
    getAttachmentContentAsync: (id: string, ...rest: unknown[]) => {
      calls.push({ api: 'getAttachmentContentAsync', detail: id });
      const callback = callbackOf<{ format: string; content: string }>(rest);
      const attachment = item.attachments.find((a) => a.id === id);
      if (!attachment) {
        answer(callback, { error: OFFICE_ERRORS.InvalidAttachmentId });
        return;
      }
      const content = attachment.content;
      if ('hang' in content) {
        fetchesInFlight++;
        return;
      }
      const parallel = fetchesInFlight > 0;
      fetchesInFlight++;
      const done: Callback<{ format: string; content: string }> = (result) => {
        fetchesInFlight--;
        callback?.(result);
      };
      if ('error' in content) {
        answer(done, { error: content.error }, attachment.delayMs);
        return;
      }
      const served = (fetchesServed.get(id) ?? 0) + 1;
      fetchesServed.set(id, served);
      const empty = parallel || served <= (attachment.emptyAnswers ?? 0);
      answer(done, { value: { format: content.format, content: empty ? '' : content.content } }, attachment.delayMs);
    },
  };
  if (item.itemType === 'message') {
    compose.to = recipients('to');
    compose.cc = recipients('cc');
    compose.bcc = recipients('bcc');
  } else {
    compose.requiredAttendees = recipients('requiredAttendees');
    compose.optionalAttendees = recipients('optionalAttendees');
  }
  if (supports('1.9')) {
    compose.getItemIdAsync = (...args: unknown[]) => {
      calls.push({ api: 'getItemIdAsync' });
      answer(callbackOf<string>(args), item.itemId ? { value: item.itemId } : { error: OFFICE_ERRORS.ItemNotSaved });
    };
  }
  if (supports('1.11')) {
    compose.sessionData = sessionData;
  }
  if (supports('1.13')) {
    compose.sensitivityLabel = {
      getAsync: (...args: unknown[]) => {
        calls.push({ api: 'sensitivityLabel.getAsync' });
        const label = item.sensitivityLabel;
        answer(
          callbackOf<string>(args),
          label !== null && typeof label === 'object' ? { error: label.error } : { value: label ?? '' },
        );
      },
    };
  }

  const Office: Record<string, unknown> = {
    AsyncResultStatus: { Succeeded: SUCCEEDED, Failed: FAILED },
    CoercionType: { Html: 'html', Text: 'text' },
    MailboxEnums: {
      ItemType: { Message: 'message', Appointment: 'appointment' },
      AttachmentType: { File: 'file', Item: 'item', Cloud: 'cloud' },
      AttachmentContentFormat: { Base64: 'base64', Url: 'url', Eml: 'eml', ICalendar: 'iCalendar' },
      RecipientType: {
        DistributionList: 'distributionList',
        User: 'user',
        ExternalUser: 'externalUser',
        Other: 'other',
      },
      SendModeOverride: { PromptUser: 'promptUser' },
      AttachmentStatus: { Added: 'added', Removed: 'removed' },
    },
    actions: {
      associate: (id: string, handler: (event: unknown) => void) => {
        calls.push({ api: 'actions.associate', detail: id });
        handlers.set(id, handler);
      },
    },
    context: {
      displayLanguage: options.displayLanguage ?? 'zh-TW',
      requirements: {
        isSetSupported: (name: string, minVersion?: string) =>
          String(name).toLowerCase() === 'mailbox' && supports(minVersion ?? '1.1'),
      },
      ...(options.roamingSettings === false ? {} : { roamingSettings }),
      mailbox: { item: compose },
    },
  };

  const token = options.accessToken ?? (() => Promise.reject(SSO_ERRORS.ClientError));
  const OfficeRuntime: Record<string, unknown> = {
    auth: {
      getAccessToken: (authOptions?: Record<string, unknown>) => {
        calls.push({ api: 'OfficeRuntime.auth.getAccessToken', detail: JSON.stringify(authOptions ?? {}) });
        return typeof token === 'function' ? token() : Promise.reject({ ...token });
      },
    },
  };

  const event = (type: string, fields: Record<string, unknown> = {}): FakeEvent => {
    const completions: (Record<string, unknown> | undefined)[] = [];
    const violations: string[] = [];
    let resolveFirst: (options: Record<string, unknown> | undefined) => void = () => undefined;
    const first = new Promise<Record<string, unknown> | undefined>((resolve) => {
      resolveFirst = resolve;
    });
    /** Appends to `violations` what is wrong with `o`; returns whether an option is beyond the host. */
    const check = (o: Record<string, unknown>, violations: string[]): boolean => {
      let unsupported = false;
      const need: Record<string, string> = {
        errorMessage: '1.12',
        allowEvent: '1.12',
        cancelLabel: '1.14',
        commandId: '1.14',
        contextData: '1.14',
        sendModeOverride: '1.14',
        errorMessageMarkdown: '1.15',
      };
      for (const key of Object.keys(o)) {
        if (!need[key]) {
          violations.push(`unknown option ${key}`);
          unsupported = true;
        } else if (!supports(need[key] as string)) {
          violations.push(`${key} needs Mailbox ${need[key]}`);
          unsupported = true;
        }
      }
      for (const key of ['errorMessage', 'errorMessageMarkdown']) {
        if (typeof o[key] === 'string' && (o[key] as string).length > 500) {
          violations.push(`${key} is ${(o[key] as string).length} characters (max 500)`);
        }
      }
      if (typeof o.errorMessageMarkdown === 'string') {
        // Outlook's documented Markdown for the dialog: a new line is `\n\n`; a list item starts with `- `, `* ` or
        // `1.` and ends with `\r` (onmessagesend-onappointmentsend-events, "Limitations to formatting the dialog
        // message using Markdown"). A single `\n` or an item without its `\r` does not lay out as meant.
        const md = o.errorMessageMarkdown;
        if (/(^|[^\n])\n(?!\n)/.test(md)) {
          violations.push('errorMessageMarkdown has a single \\n (a new line is \\n\\n)');
        }
        for (const paragraph of md.split('\n\n')) {
          if (/^([-*]|\d+\.) /.test(paragraph) && !/^(([-*]|\d+\.) [^\r]+\r)+$/.test(paragraph)) {
            violations.push('errorMessageMarkdown has a list item not ended by \\r');
          }
        }
      }
      if (typeof o.cancelLabel === 'string' && o.cancelLabel.length > 20) {
        violations.push(`cancelLabel is ${o.cancelLabel.length} characters (max 20)`);
      }
      if (o.contextData !== undefined && o.commandId === undefined) {
        violations.push('contextData without commandId is ignored');
      }
      if (o.sendModeOverride !== undefined && o.sendModeOverride !== 'promptUser') {
        violations.push(`sendModeOverride ${String(o.sendModeOverride)} (only promptUser)`);
      }
      return unsupported;
    };
    const e: FakeEvent = {
      ...fields,
      type,
      completions,
      violations,
      completed: (o?: Record<string, unknown>) => {
        calls.push({ api: 'event.completed', detail: type });
        const copy = o === undefined ? undefined : clone(o);
        if (copy) {
          const found: string[] = [];
          if (check(copy, found) && options.completedRejectsUnsupportedOptions) {
            throw new Error(`completed: ${found.join('; ')}`);
          }
          violations.push(...found);
        }
        completions.push(copy);
        if (completions.length === 1) {
          resolveFirst(copy);
        }
      },
      whenCompleted: () => first,
    };
    return e;
  };

  return { Office, OfficeRuntime, handlers, calls, event };
}
