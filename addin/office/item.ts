/// <reference types="office-js" />
/**
 * Readers of the item being composed. Each returns plain data (no Office types), so callers and tests need nothing
 * of office-js. Writers (body, attachments, send) belong beside these, in their own module.
 */
import { officeAsync } from './async';
import { OfficeApiError } from './errors';
import { composeItem, itemKind, supportsMailbox } from './host';

export function readSubject(): Promise<string> {
  const item = composeItem();
  return officeAsync<string>('subject.getAsync', (cb) => item.subject.getAsync(cb)).then((s) => s || '');
}

/** The body as HTML: the only coercion Outlook on the web reads reliably (`outlook-platform.md` §8). */
export function readBodyHtml(): Promise<string> {
  const item = composeItem();
  return officeAsync<string>('body.getAsync', (cb) => item.body.getAsync(Office.CoercionType.Html, cb)).then(
    (s) => s || '',
  );
}

export const RECIPIENT_KINDS = ['user', 'externalUser', 'distributionList', 'other'] as const;
export type RecipientKind = (typeof RECIPIENT_KINDS)[number];

export type RecipientField = 'to' | 'cc' | 'bcc' | 'requiredAttendees' | 'optionalAttendees';

export interface Recipient {
  readonly field: RecipientField;
  readonly emailAddress: string;
  readonly displayName: string;
  /** What Exchange resolved the address to; a distribution list is not expanded here. */
  readonly recipientType: RecipientKind;
}

const MESSAGE_FIELDS: readonly RecipientField[] = ['to', 'cc', 'bcc'];
const APPOINTMENT_FIELDS: readonly RecipientField[] = ['requiredAttendees', 'optionalAttendees'];

/** Every recipient: to/cc/bcc of a message, required and optional attendees of an appointment. */
export function readRecipients(): Promise<Recipient[]> {
  const item = composeItem() as unknown as Record<RecipientField, Office.Recipients | undefined>;
  const fields = itemKind() === 'appointment' ? APPOINTMENT_FIELDS : MESSAGE_FIELDS;
  return Promise.all(
    fields.map((field) => {
      const recipients = item[field];
      if (!recipients) {
        return Promise.resolve([] as Recipient[]);
      }
      return officeAsync<Office.EmailAddressDetails[]>(`${field}.getAsync`, (cb) => recipients.getAsync(cb)).then(
        (list) =>
          (list || []).map((r): Recipient => ({
            field,
            emailAddress: r.emailAddress || '',
            displayName: r.displayName || '',
            recipientType: (RECIPIENT_KINDS as readonly string[]).includes(r.recipientType as string)
              ? (r.recipientType as RecipientKind)
              : 'other',
          })),
      );
    }),
  ).then((lists) => ([] as Recipient[]).concat(...lists));
}

export const ATTACHMENT_TYPES = ['file', 'item', 'cloud'] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];

export interface AttachmentSummary {
  /** Session-scoped: valid only while this item is open. */
  readonly id: string;
  readonly name: string;
  readonly size: number;
  readonly attachmentType: AttachmentType;
  readonly isInline: boolean;
}

/** The attachments as Outlook lists them (no MIME type: sniff the bytes). Mailbox 1.8. */
export function listAttachments(): Promise<AttachmentSummary[]> {
  const item = composeItem();
  return officeAsync<Office.AttachmentDetailsCompose[]>('getAttachmentsAsync', (cb) =>
    item.getAttachmentsAsync(cb),
  ).then((list) =>
    (list || []).map((a): AttachmentSummary => ({
      id: a.id,
      name: a.name || '',
      size: typeof a.size === 'number' ? a.size : -1,
      attachmentType: (ATTACHMENT_TYPES as readonly string[]).includes(a.attachmentType as string)
        ? (a.attachmentType as AttachmentType)
        : 'file',
      isInline: a.isInline === true,
    })),
  );
}

export const ATTACHMENT_FORMATS = ['base64', 'eml', 'iCalendar', 'url'] as const;
export type AttachmentFormat = (typeof ATTACHMENT_FORMATS)[number];

export interface AttachmentContent {
  /** `base64` for files, `eml` for attached items, `iCalendar` for meetings, `url` for cloud files. */
  readonly format: AttachmentFormat | 'unknown';
  readonly content: string;
}

/** The fetch in flight, if any: the next one starts only when it has answered. */
let fetching: Promise<unknown> = Promise.resolve();

/** One `getAttachmentContentAsync`, after the fetch before it has answered. */
function fetchAttachmentContent(id: string): Promise<AttachmentContent> {
  const fetch = (): Promise<Office.AttachmentContent> => {
    const item = composeItem();
    return officeAsync<Office.AttachmentContent>('getAttachmentContentAsync', (cb) =>
      item.getAttachmentContentAsync(id, cb),
    );
  };
  const answer = fetching.then(fetch, fetch);
  fetching = answer.then(
    () => undefined,
    () => undefined,
  );
  return answer.then((c) => ({
    format: (ATTACHMENT_FORMATS as readonly string[]).includes(c && (c.format as string))
      ? (c.format as AttachmentFormat)
      : 'unknown',
    content: c && typeof c.content === 'string' ? c.content : '',
  }));
}

/**
 * One attachment's content. Fetches go one at a time whoever asks (a live scan, a strip, a re-scan): parallel
 * fetches have come back empty (office-js #6581), so each waits for the one before it to answer. An answer that
 * Succeeded with no content is asked for once more before it stands: Outlook has reported success with empty content
 * for attachments whose bytes a second fetch delivered (office-js #6098, #5614). A second empty answer stands, and the
 * caller judges it unreadable (never an empty clean file).
 */
export function readAttachmentContent(id: string): Promise<AttachmentContent> {
  return fetchAttachmentContent(id).then((first) =>
    first.content === '' && first.format !== 'url' ? fetchAttachmentContent(id) : first,
  );
}

/**
 * The sensitivity label's GUID, or null when the item has none (Mailbox 1.13). Rejects where the label cannot be
 * read at all (a host below 1.13, an item without the label API): that is not the same as "no label".
 */
export function readSensitivityLabel(): Promise<string | null> {
  const item = supportsMailbox('1.13') ? (composeItem() as { sensitivityLabel?: Office.SensitivityLabel }) : null;
  const label = item ? item.sensitivityLabel : undefined;
  if (!label || typeof label.getAsync !== 'function') {
    return Promise.reject(
      new OfficeApiError('sensitivityLabel.getAsync', null, null, 'sensitivityLabel needs Mailbox 1.13'),
    );
  }
  return officeAsync<string>('sensitivityLabel.getAsync', (cb) => label.getAsync(cb)).then((id) => id || null);
}

/** The item's id (Mailbox 1.9); fails with `ItemNotSaved` for a draft Exchange has not stored yet. */
export function readItemId(): Promise<string> {
  const item = composeItem() as { getItemIdAsync?: (cb: (r: Office.AsyncResult<string>) => void) => void };
  const getItemId = item.getItemIdAsync;
  if (!supportsMailbox('1.9') || typeof getItemId !== 'function') {
    return Promise.reject(new Error('getItemIdAsync is not available'));
  }
  return officeAsync<string>('getItemIdAsync', (cb) => getItemId.call(item, cb));
}
