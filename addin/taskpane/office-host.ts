/**
 * The pane's host, made of the Office adapter's functions (`addin/office`, the only code that touches `Office.*`).
 */
import {
  addFileAttachment,
  displayLanguage,
  getPaneAccessToken,
  listAttachments,
  officeTheme,
  onInitializationContextChange,
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
  sessionData,
  supportsNestedAppAuth,
  writeBody,
} from '../office';
import { AttachmentCache } from '../on-send/attachment-cache';
import { compactFindings, compactUnscannable, isDefinitive } from '../on-send/attachment-scan';
import { itemHash } from '../on-send/item-key';
import { grantFor, overrideSubject, writeGrant } from '../on-send/override';
import { cachedPolicy, policyFingerprint, storePolicy } from '../on-send/policy-source';
import type { PaneHost, SharedAttachmentScan } from './host';

async function shareAttachmentScans(
  scans: readonly SharedAttachmentScan[],
  policy: Parameters<PaneHost['shareAttachmentScans']>[1],
): Promise<void> {
  try {
    const cache = await AttachmentCache.load();
    const fingerprint = policyFingerprint(policy);
    for (const s of scans) {
      const unscannable = compactUnscannable(s.unscannable);
      // Results another try could change are not shared, by the send handler's own rule for its cache.
      cache.put(s.attachment, fingerprint, {
        findings: compactFindings(s.findings),
        unscannable,
        definitive: isDefinitive(unscannable),
      });
    }
    await cache.save();
  } catch {
    // Only a missed head start: the send handler scans what it does not find.
  }
}

export function officePaneHost(): PaneHost {
  return {
    readSubject,
    bodyFormat: readBodyType,
    readBody,
    writeBody,
    readRecipients: async () =>
      (await readRecipients()).map((r) => ({
        emailAddress: r.emailAddress,
        displayName: r.displayName,
        recipientType: r.recipientType,
      })),
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
    initializationContext: readInitializationContext,
    onInitializationContextChange,
    onChange: onItemChange,
    officeTheme,
    onThemeChange,
    displayLanguage,
    supportsNestedAppAuth,
    getSsoToken: getPaneAccessToken,
    shareAttachmentScans,
    itemHash,
    cachedPolicy,
    cachePolicy: (policy) => storePolicy(policy, Date.now()),
    canGrantOverride: () => sessionData.supported(),
    grantOverride: (policy, verdict) =>
      writeGrant(
        grantFor(
          policyFingerprint(policy),
          overrideSubject(verdict, verdict.findings, verdict.unscannable),
          Date.now(),
        ),
      ),
  };
}
