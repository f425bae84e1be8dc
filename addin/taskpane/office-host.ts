/**
 * The pane's host, made of the Office adapter's functions (`addin/office`, the only code that touches `Office.*`).
 */
import {
  addFileAttachment,
  canSendItem,
  displayLanguage,
  getPaneAccessToken,
  listAttachments,
  officeTheme,
  onItemChange,
  onThemeChange,
  readAttachmentContent,
  readBody,
  readBodyType,
  readContentIds,
  readInitializationContext,
  readRecipients,
  readSelection,
  readSensitivityLabel,
  readSubject,
  removeAttachment,
  replaceSelection,
  sendItem,
  supportsNestedAppAuth,
  writeBody,
} from '../office';
import type { PaneHost } from './host';

export function officePaneHost(): PaneHost {
  return {
    readSubject,
    bodyFormat: readBodyType,
    readBody,
    writeBody,
    readRecipients: async () =>
      (await readRecipients()).map((r) => ({ emailAddress: r.emailAddress, displayName: r.displayName })),
    listAttachments: async () => {
      const [list, contentIds] = await Promise.all([listAttachments(), readContentIds().catch(() => ({}))]);
      return list.map((a) => ({
        id: a.id,
        name: a.name,
        size: a.size,
        attachmentType: a.attachmentType,
        isInline: a.isInline,
        ...((contentIds as Record<string, string>)[a.id]
          ? { contentId: (contentIds as Record<string, string>)[a.id] }
          : {}),
      }));
    },
    readAttachmentContent,
    removeAttachment,
    addFileAttachment: async (base64, name, isInline) => {
      await addFileAttachment(base64, name, isInline);
    },
    readSensitivityLabel,
    readSelection,
    replaceSelection,
    canSend: canSendItem,
    send: sendItem,
    initializationContext: readInitializationContext,
    onChange: onItemChange,
    officeTheme,
    onThemeChange,
    displayLanguage,
    supportsNestedAppAuth,
    getSsoToken: getPaneAccessToken,
  };
}
