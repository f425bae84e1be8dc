/// <reference types="office-js" />
/**
 * Writers of the item being composed, and the reads only the task pane makes: the body in a given format and body
 * mode, the selection, attachment removal and re-adding. Plain data in and out, like the readers. Nothing here sends
 * the item: `sendAsync` needs the read/write mailbox permission, which the manifests do not ask for (the user presses
 * Outlook's own Send, which runs the send check).
 */
import { officeAsync } from './async';
import { OfficeApiError } from './errors';
import { composeItem, supportsMailbox } from './host';

export type BodyCoercion = 'html' | 'text';

/**
 * `full`: the whole body with the quoted thread (Office's FullBody, the default). `current`: what the host shows as
 * the current reply (HostConfig); on the web and new Outlook a write in `full` replaces the thread the host keeps
 * apart, so writes go in `current` where the thread need not change (`outlook-platform.md` §9).
 */
export type BodyModeName = 'full' | 'current';

/** Office's own limit for `body.setAsync` and `setSelectedDataAsync`. */
export const MAX_BODY_CHARACTERS = 1000000;

const coercion = (format: BodyCoercion): Office.CoercionType =>
  format === 'html' ? Office.CoercionType.Html : Office.CoercionType.Text;

function bodyMode(mode: BodyModeName): Office.MailboxEnums.BodyMode {
  const modes =
    Office.MailboxEnums && (Office.MailboxEnums as { BodyMode?: typeof Office.MailboxEnums.BodyMode }).BodyMode;
  // Hosts older than the BodyMode enum ignore the option; its documented values are 0 (FullBody) and 1 (HostConfig).
  return (
    modes ? (mode === 'full' ? modes.FullBody : modes.HostConfig) : mode === 'full' ? 0 : 1
  ) as Office.MailboxEnums.BodyMode;
}

/** The body's format: `html` or `text` (Mailbox 1.1). */
export function readBodyType(): Promise<BodyCoercion> {
  const item = composeItem();
  return officeAsync<Office.CoercionType>('body.getTypeAsync', (cb) => item.body.getTypeAsync(cb)).then((t) =>
    String(t) === 'text' ? 'text' : 'html',
  );
}

/** The body in `format`, in the given body mode. */
export function readBody(format: BodyCoercion, mode: BodyModeName): Promise<string> {
  const item = composeItem();
  return officeAsync<string>('body.getAsync', (cb) =>
    item.body.getAsync(coercion(format), { bodyMode: bodyMode(mode) } as Office.AsyncContextOptions, cb),
  ).then((s) => s || '');
}

/** Replaces the body (Mailbox 1.3). Fails with `InvalidFormatError` for HTML into a plain-text body. */
export function writeBody(content: string, format: BodyCoercion, mode: BodyModeName): Promise<void> {
  if (content.length > MAX_BODY_CHARACTERS) {
    return Promise.reject(
      new OfficeApiError(
        'body.setAsync',
        null,
        'DataExceedsMaximumSize',
        `body.setAsync: ${content.length} characters`,
      ),
    );
  }
  const item = composeItem();
  return officeAsync<void>('body.setAsync', (cb) =>
    item.body.setAsync(content, { coercionType: coercion(format), bodyMode: bodyMode(mode) }, cb),
  );
}

export interface SelectedData {
  readonly data: string;
  /** Where the selection is; Office says `body` or `subject`. */
  readonly source: 'body' | 'subject';
}

/** The selection in the body or subject (Mailbox 1.2): empty data when nothing is selected. */
export function readSelection(format: BodyCoercion): Promise<SelectedData> {
  const item = composeItem() as Office.MessageCompose;
  return officeAsync<{ data?: string; sourceProperty?: string }>('getSelectedDataAsync', (cb) =>
    item.getSelectedDataAsync(coercion(format), cb),
  ).then((v) => ({
    data: v && typeof v.data === 'string' ? v.data : '',
    source: v && v.sourceProperty === 'subject' ? 'subject' : 'body',
  }));
}

/** Replaces the selection with `data` (Mailbox 1.2). */
export function replaceSelection(data: string, format: BodyCoercion): Promise<void> {
  const item = composeItem() as Office.MessageCompose;
  return officeAsync<void>('setSelectedDataAsync', (cb) =>
    item.setSelectedDataAsync(data, { coercionType: coercion(format) }, cb),
  );
}

/** `contentId` of each inline attachment (Mailbox 1.16), by attachment id; empty before 1.16. */
export function readContentIds(): Promise<Record<string, string>> {
  if (!supportsMailbox('1.16')) {
    return Promise.resolve({});
  }
  const item = composeItem();
  return officeAsync<Office.AttachmentDetailsCompose[]>('getAttachmentsAsync', (cb) =>
    item.getAttachmentsAsync(cb),
  ).then((list) => {
    const ids: Record<string, string> = {};
    for (const a of list || []) {
      const contentId = (a as { contentId?: unknown }).contentId;
      if (a.isInline && typeof contentId === 'string' && contentId) {
        ids[a.id] = contentId.replace(/^<|>$/g, '');
      }
    }
    return ids;
  });
}

/** Removes an attachment (Mailbox 1.1). Inline images are not removed this way: edit their `cid:` out of the body. */
export function removeAttachment(id: string): Promise<void> {
  const item = composeItem();
  return officeAsync<void>('removeAttachmentAsync', (cb) => item.removeAttachmentAsync(id, cb));
}

/** Attaches a file from its bytes (Mailbox 1.8); returns the new attachment's id. */
export function addFileAttachment(base64: string, name: string, isInline: boolean): Promise<string> {
  const item = composeItem();
  return officeAsync<string>('addFileAttachmentFromBase64Async', (cb) =>
    item.addFileAttachmentFromBase64Async(base64, name, { isInline }, cb),
  );
}

/**
 * The `contextData` the pane was opened with from a Smart Alerts dialog (Mailbox 1.14), or null when it was opened
 * another way (the host then answers with an error or an empty value).
 */
export function readInitializationContext(): Promise<string | null> {
  if (!supportsMailbox('1.14')) {
    return Promise.resolve(null);
  }
  const item = composeItem() as {
    getInitializationContextAsync?: (cb: (r: Office.AsyncResult<string>) => void) => void;
  };
  const get = item.getInitializationContextAsync;
  if (typeof get !== 'function') {
    return Promise.resolve(null);
  }
  return officeAsync<string>('getInitializationContextAsync', (cb) => get.call(item, cb)).then(
    (v) => (typeof v === 'string' && v ? v : null),
    () => null,
  );
}
