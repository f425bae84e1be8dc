/// <reference types="office-js" />
import { OfficeApiError } from './errors';

/** Mailbox requirement sets this add-in tells apart (`outlook-platform.md` §5). */
export const MAILBOX_VERSIONS = ['1.8', '1.9', '1.10', '1.11', '1.12', '1.13', '1.14', '1.15', '1.16'] as const;
export type MailboxVersion = (typeof MAILBOX_VERSIONS)[number];

/** The compose item: a message or an appointment being organised. */
export type ComposeItem = Office.MessageCompose | Office.AppointmentCompose;

export type ItemKind = 'message' | 'appointment';

function office(): typeof Office {
  if (typeof Office === 'undefined') {
    throw new OfficeApiError('Office', null, null, 'Office is not loaded');
  }
  return Office;
}

/** The item being composed. */
export function composeItem(): ComposeItem {
  const mailbox = office().context && office().context.mailbox;
  const item = mailbox ? mailbox.item : null;
  if (!item) {
    throw new OfficeApiError('mailbox.item', null, null, 'There is no item');
  }
  return item as unknown as ComposeItem;
}

export function itemKind(): ItemKind {
  return (composeItem() as { itemType?: unknown }).itemType === Office.MailboxEnums.ItemType.Appointment
    ? 'appointment'
    : 'message';
}

/** True when the host supports the Mailbox requirement set `version`; false when it says no or cannot say. */
export function supportsMailbox(version: MailboxVersion): boolean {
  try {
    return office().context.requirements.isSetSupported('Mailbox', version) === true;
  } catch {
    return false;
  }
}

/** The Office display language (`zh-TW`, `en-US` …), or '' when the host does not say. */
export function displayLanguage(): string {
  try {
    return office().context.displayLanguage || '';
  } catch {
    return '';
  }
}
