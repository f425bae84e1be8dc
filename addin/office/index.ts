/**
 * The only code that touches `Office.*` and `OfficeRuntime.*`: promise wrappers, item readers, storage, auth and
 * event completion, all returning plain data.
 */
export { officeAsync } from './async';
export { getAccessToken } from './auth';
export {
  addFileAttachment,
  type BodyCoercion,
  type BodyModeName,
  MAX_BODY_CHARACTERS,
  readBody,
  readBodyType,
  readContentIds,
  readInitializationContext,
  readSelection,
  removeAttachment,
  replaceSelection,
  type SelectedData,
  writeBody,
} from './compose';
export { isOfficeApiError, OFFICE_ERRORS, OfficeApiError, toOfficeApiError } from './errors';
export { associateHandler, type Completion, completionOf, type LaunchEvent, type SendCompletion } from './events';
export {
  type ComposeItem,
  composeItem,
  displayLanguage,
  type ItemKind,
  itemKind,
  MAILBOX_VERSIONS,
  type MailboxVersion,
  supportsMailbox,
} from './host';
export {
  ATTACHMENT_FORMATS,
  ATTACHMENT_TYPES,
  type AttachmentContent,
  type AttachmentFormat,
  type AttachmentSummary,
  type AttachmentType,
  listAttachments,
  readAttachmentContent,
  readBodyHtml,
  readItemId,
  readRecipients,
  readSensitivityLabel,
  readSubject,
  type Recipient,
  RECIPIENT_KINDS,
  type RecipientField,
  type RecipientKind,
} from './item';
export {
  getPaneAccessToken,
  type ItemChangeKind,
  officeReadyHost,
  officeTheme,
  onInitializationContextChange,
  onItemChange,
  onThemeChange,
  supportsNestedAppAuth,
} from './pane';
export { ROAMING_SETTINGS_LIMIT, roamingSettings, sessionData, sessionDataLimit } from './storage';
