/**
 * What the task pane needs from Outlook, as plain data and promises. `office-host.ts` builds it from the adapter in
 * `addin/office` (the only code that touches `Office.*`); everything else in the pane depends on this type only.
 */
import type { Finding, Policy, Unscannable, Verdict } from '../../src/core';
import type { BodyFormat } from './model/strip-plan';

/**
 * Which body: the whole message with the quoted thread (`full`), or what the host shows as the current reply
 * (`current`, Office's `HostConfig`). On the web and new Outlook, writing the full body replaces the thread the host
 * keeps apart, so the pane writes `current` where it can (`outlook-platform.md` §9).
 */
export type BodyMode = 'full' | 'current';

export type PaneRecipient = {
  readonly emailAddress: string;
  readonly displayName: string;
  /** What Exchange resolved the address to: a distribution list or an external user counts as external. */
  readonly recipientType: 'user' | 'externalUser' | 'distributionList' | 'other';
};

export type PaneAttachment = {
  readonly id: string;
  readonly name: string;
  /** Bytes; -1 when the host does not say. */
  readonly size: number;
  readonly attachmentType: 'file' | 'item' | 'cloud';
  readonly isInline: boolean;
  /** The `cid:` of an inline image (Mailbox 1.16); undefined before. */
  readonly contentId?: string;
};

export type PaneAttachmentContent = {
  readonly format: 'base64' | 'eml' | 'iCalendar' | 'url' | 'unknown';
  readonly content: string;
};

export type ItemChange = 'item' | 'recipients' | 'attachments';

export type PaneSelection = {
  readonly data: string;
  readonly source: 'body' | 'subject';
};

/** One attachment's result, as the pane hands it to the send handler's cache. */
export type SharedAttachmentScan = {
  readonly attachment: PaneAttachment;
  readonly findings: readonly Finding[];
  readonly unscannable: readonly Unscannable[];
};

export type PaneHost = {
  readSubject(): Promise<string>;
  bodyFormat(): Promise<BodyFormat>;
  readBody(format: BodyFormat, mode: BodyMode): Promise<string>;
  writeBody(content: string, format: BodyFormat, mode: BodyMode): Promise<void>;
  readRecipients(): Promise<PaneRecipient[]>;
  listAttachments(): Promise<PaneAttachment[]>;
  readAttachmentContent(id: string): Promise<PaneAttachmentContent>;
  removeAttachment(id: string): Promise<void>;
  /** Puts a file back (Mailbox 1.8), to undo a strip. */
  addFileAttachment(base64: string, name: string, isInline: boolean): Promise<void>;
  /** The label's GUID, null for none; rejects where the label cannot be read (below Mailbox 1.13). */
  readSensitivityLabel(): Promise<string | null>;
  /** The selection in the body or subject (HTML for an HTML body). */
  readSelection(format: BodyFormat): Promise<PaneSelection>;
  replaceSelection(data: string, format: BodyFormat): Promise<void>;
  /** The Smart Alerts `contextData` the pane was opened with, or null when it was opened from the ribbon. */
  initializationContext(): Promise<string | null>;
  /**
   * Listens for a new Smart Alerts `contextData` while the pane is open (the user chose the dialog's button again;
   * Mailbox 1.15 `InitializationContextChanged`, which replaces a reload); returns the function that stops listening.
   */
  onInitializationContextChange(listener: (contextData: string | null) => void): Promise<() => void>;
  /** Listens for item changes Office reports; returns the function that stops listening. */
  onChange(listener: (change: ItemChange) => void): Promise<() => void>;
  /** Office's body background colour, for the theme; null when the host does not say. */
  officeTheme(): { readonly bodyBackgroundColor?: string; readonly bodyForegroundColor?: string } | null;
  onThemeChange(listener: () => void): Promise<() => void>;
  displayLanguage(): string;
  /** Nested app authentication is available (Office's `NestedAppAuth` requirement set). */
  supportsNestedAppAuth(): boolean;
  /** An SSO token for our API from `Office.auth.getAccessToken`, which may prompt in a task pane. */
  getSsoToken(): Promise<string>;
  /**
   * Hands the pane's attachment results to the send handler (its cache in the item's sessionData), so what the pane
   * read (PDFs above all, which the send handler leaves to the pane) counts when the mail is sent. Never rejects.
   */
  shareAttachmentScans(scans: readonly SharedAttachmentScan[], policy: Policy): Promise<void>;
  /** The hash that joins this mail's audit events (the send handler's), or null. Never rejects. */
  itemHash(): Promise<string | null>;
  /** The policy the send handler holds in roaming settings, re-validated, or null. */
  cachedPolicy(): { readonly policy: Policy; readonly fetchedAt: number } | null;
  /** Puts a policy where the send handler reads it, so the send is judged by the policy the pane shows. */
  cachePolicy(policy: Policy): void;
  /** The send handler can be told of a reason given here (the item has sessionData). */
  canGrantOverride(): boolean;
  /**
   * Tells the send handler the sender gave a reason for this warning under this policy: it then lets the mail go
   * while its verdict stays the same (addin/on-send/override.ts).
   */
  grantOverride(policy: Policy, verdict: Verdict): Promise<void>;
};
