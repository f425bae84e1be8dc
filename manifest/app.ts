/**
 * The product, described once: identities, strings, the Outlook events and their handlers, the task pane buttons, the
 * Teams meeting tab and the permissions. `unified.ts` renders it as the unified manifest (Teams app + Outlook add-in)
 * and `xml.ts` as the add-in only manifest Outlook on Mac needs; neither adds a name, URL or id of its own.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import { ADDIN_ACTIONS, APPOINTMENT_TASKPANE_COMMAND_ID, PAGE_PATHS, TASKPANE_COMMAND_ID } from '../src/shared/app-ids';
import { apiIdentifierUri } from '../src/shared/entra-registration';
import { defineMessages } from '../src/shared/i18n';

/** The unified manifest's app id (Teams app and Outlook add-in). Fixed: changing it makes a different app. */
export const APP_ID = 'b150e9b3-43cd-4259-8ed0-c514c1eb0d94';

/**
 * The add-in only manifest's `<Id>`. Microsoft asks for a different id from the unified app's, which then hides this
 * add-in (`alternates.hide`) wherever the unified app runs, so nobody sees two copies of the buttons.
 */
export const MAC_ADDIN_ID = '19df8bd9-de76-4855-96c5-f8eb68e198d9';

/** The product's version (package.json): the unified manifest's semver, and the add-in only manifest's four parts. */
export function appVersion(): string {
  const pkg = JSON.parse(readFileSync(path.resolve(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** The unified manifest schema, bundled in `@microsoft/app-manifest` so the tests validate offline. */
export const MANIFEST_SCHEMA_VERSION = '1.30';
export const SCHEMA_BASE = `https://developer.microsoft.com/json-schemas/teams/v${MANIFEST_SCHEMA_VERSION}`;

/** zh-TW is the default language of both manifests; English is the one localisation. */
export const DEFAULT_LANGUAGE = 'zh-TW';
export const ENGLISH_LANGUAGE = 'en-US';
export const ENGLISH_FILE = 'en-US.json';

/** The red of a 密 stamp; the Mac add-in's icons use the second colour so the two listings look different. */
export const ACCENT_COLOR = '#9B1C1C';
export const MAC_ACCENT_COLOR = '#1F3A68';

/** Where the generated files go, relative to `dist/` (the server serves `dist/` at PUBLIC_URL). */
export const OUTPUT = {
  unified: 'manifest/manifest.json',
  english: `manifest/${ENGLISH_FILE}`,
  xml: 'manifest/manifest.xml',
  supportPage: 'manifest/support.html',
  icons: 'manifest/icons',
} as const;

/** The package's icons, at the zip root as the Teams store requires. */
export const PACKAGE_ICONS = { color: 'color.png', outline: 'outline.png' } as const;

/** Ribbon icons (HTTPS URLs, not package files), and the Mac listing's icon pair. */
export const RIBBON_ICON_SIZES = [16, 32, 80] as const;
export const MAC_ICON_SIZES = { icon: 64, highResolution: 128 } as const;
export const ribbonIconPath = (size: number): string => `/${OUTPUT.icons}/ribbon-${size}.png`;
export const macIconPath = (size: number): string => `/${OUTPUT.icons}/mac-${size}.png`;

export const SUPPORT_PAGE = `/${OUTPUT.supportPage}`;

export const STRINGS = defineMessages({
  'zh-TW': {
    developerName: '機敏守門員專案',
    nameShort: '機敏守門員',
    nameFull: '機敏守門員：郵件與會議保密',
    macName: '機敏守門員（Mac 版）',
    descriptionShort: '寄出前攔下帶密等標示的郵件與邀請，並提醒與會人員保密。',
    descriptionFull:
      '依據「機敏會議資訊保密之道」：Outlook 寄出郵件或會議邀請前，檢查主旨、本文與每個附件中的密等標示' +
      '（絕對機密、極機密、機密、密）、機敏資料浮水印、【密】段落標示與敏感度標籤，依機關政策阻擋寄送或移除機敏內容後寄送；' +
      'Teams 會議由主席設定保密提醒，與會人員逐一確認，主席可即時查看名單並匯出簽到表。郵件內容不會離開使用者的電腦。',
    groupLabel: '機敏守門員',
    paneButtonLabel: '檢查機敏內容',
    paneButtonTitle: '開啟機敏守門員',
    paneButtonTooltip: '檢查主旨、本文與附件中的密等標示，並可移除機敏內容後寄送。',
  },
  en: {
    developerName: 'Secrecy Guard project',
    nameShort: 'Secrecy Guard',
    nameFull: 'Secrecy Guard: mail and meeting secrecy',
    macName: 'Secrecy Guard (Mac)',
    descriptionShort: 'Stops mail and invites with classification marks; meeting secrecy reminders.',
    descriptionFull:
      "Following the Agency Against Corruption's guidance on meeting secrecy: before Outlook sends a message or a " +
      'meeting invite, it checks the subject, body and every attachment for classification marks (絕對機密, 極機密, ' +
      '機密, 密), 機敏資料 watermarks, 【密】 portion marks and sensitivity labels, and blocks the send or removes the ' +
      "sensitive content before it goes, as the agency's policy says. In Teams meetings the chair sets a secrecy reminder, every attendee " +
      'acknowledges it, and the chair sees the live roster and exports a sign-in sheet. Message content never leaves ' +
      "the user's computer.",
    groupLabel: 'Secrecy Guard',
    paneButtonLabel: 'Check for marks',
    paneButtonTitle: 'Open Secrecy Guard',
    paneButtonTooltip:
      'Checks the subject, body and attachments for classification marks, and can remove sensitive content.',
  },
});

/** A Mailbox requirement-set version, compared numerically ("1.3" < "1.11"). */
export type MailboxVersion = `1.${number}`;
export const mailboxMinor = (v: MailboxVersion): number => Number(v.slice(2));
export const lowestMailbox = (versions: readonly MailboxVersion[]): MailboxVersion =>
  versions.reduce((a, b) => (mailboxMinor(b) < mailboxMinor(a) ? b : a));

export interface LaunchEventSpec {
  /** The unified manifest's event type. */
  readonly unified: string;
  /** The add-in only manifest's `LaunchEvent Type`. */
  readonly xml: string;
  /** The Mailbox requirement set that introduced the event. */
  readonly mailbox: MailboxVersion;
  /** Send events take the build's send mode; the others cannot. */
  readonly send: boolean;
}

/**
 * One event per handler in `ADDIN_ACTIONS`: the mapped type makes a handler without an event (or an event without a
 * handler) a compile error. The "changed" events pre-scan while the user writes, so the send check is fast.
 */
export const LAUNCH_EVENTS: { readonly [K in keyof typeof ADDIN_ACTIONS]: LaunchEventSpec } = {
  onMessageSend: { unified: 'messageSending', xml: 'OnMessageSend', mailbox: '1.12', send: true },
  onAppointmentSend: { unified: 'appointmentSending', xml: 'OnAppointmentSend', mailbox: '1.12', send: true },
  onMessageAttachmentsChanged: {
    unified: 'messageAttachmentsChanged',
    xml: 'OnMessageAttachmentsChanged',
    mailbox: '1.11',
    send: false,
  },
  onAppointmentAttachmentsChanged: {
    unified: 'appointmentAttachmentsChanged',
    xml: 'OnAppointmentAttachmentsChanged',
    mailbox: '1.11',
    send: false,
  },
  onMessageRecipientsChanged: {
    unified: 'messageRecipientsChanged',
    xml: 'OnMessageRecipientsChanged',
    mailbox: '1.11',
    send: false,
  },
};

export interface BoundLaunchEvent extends LaunchEventSpec {
  readonly functionName: string;
}

/** The events with their handler ids, in `ADDIN_ACTIONS` order. */
export const launchEvents = (): BoundLaunchEvent[] =>
  (Object.keys(ADDIN_ACTIONS) as (keyof typeof ADDIN_ACTIONS)[]).map((key) => ({
    ...LAUNCH_EVENTS[key],
    functionName: ADDIN_ACTIONS[key],
  }));

/**
 * The event handlers run in one short-lived runtime: the HTML page in browser-based Outlook (web, new Outlook, Mac),
 * the single script in classic Outlook's JS-only runtime.
 */
export const EVENT_RUNTIME = { id: 'SecrecyGuard.Events', page: PAGE_PATHS.commands, script: PAGE_PATHS.launchEvent };

/**
 * Add-in commands (a task pane button) need Mailbox 1.3; every client that has Smart Alerts has far more, but a
 * client without them still gets the pane to check a message by hand.
 */
export const TASKPANE_MAILBOX: MailboxVersion = '1.3';
export const TASKPANE_RUNTIME = { id: 'SecrecyGuard.TaskPane', page: PAGE_PATHS.taskpane, actionId: 'showTaskpane' };

export interface TaskPaneSurface {
  /** The unified ribbon context. */
  readonly context: 'mailCompose' | 'meetingDetailsOrganizer';
  /** The add-in only manifest's extension point. */
  readonly extensionPoint: 'MessageComposeCommandSurface' | 'AppointmentOrganizerCommandSurface';
  readonly groupId: string;
  readonly controlId: string;
}

/** The task pane button, on the message compose form and on the invite the user organizes. */
export const TASKPANE_SURFACES: readonly TaskPaneSurface[] = [
  {
    context: 'mailCompose',
    extensionPoint: 'MessageComposeCommandSurface',
    groupId: 'SecrecyGuard.MessageGroup',
    controlId: TASKPANE_COMMAND_ID,
  },
  {
    context: 'meetingDetailsOrganizer',
    extensionPoint: 'AppointmentOrganizerCommandSurface',
    groupId: 'SecrecyGuard.AppointmentGroup',
    controlId: APPOINTMENT_TASKPANE_COMMAND_ID,
  },
];

/**
 * The meeting tab: the chair configures it in the meeting's details or chat, attendees meet it in the side panel, and
 * the chair shares it to the stage. `groupChat` covers scheduled, instant and call meetings; `team` channel meetings.
 */
export const TEAMS_TAB = {
  id: 'SecrecyGuard.MeetingTab',
  configurationPath: PAGE_PATHS.teamsConfig,
  contexts: ['meetingDetailsTab', 'meetingChatTab', 'meetingSidePanel', 'meetingStage'],
  scopes: ['groupChat', 'team'],
} as const;

/** The Outlook add-in's permission level in the unified manifest's names (XML: `ReadWriteItem`). */
export const ADDIN_PERMISSION = { unified: 'MailboxItem.ReadWrite.User', xml: 'ReadWriteItem' } as const;

/**
 * Resource-specific consent for the meeting extension: sharing to the stage (chats and, for channel meetings, teams),
 * and for the server, the meeting's details and participants (the chair's role, who is in the meeting).
 */
export const TEAMS_RSC_PERMISSIONS = [
  { name: 'MeetingStage.Write.Chat', type: 'Delegated' },
  { name: 'ChannelMeetingStage.Write.Group', type: 'Delegated' },
  { name: 'OnlineMeeting.ReadBasic.Chat', type: 'Application' },
  { name: 'OnlineMeetingParticipant.Read.Chat', type: 'Application' },
] as const;

/**
 * The SSO resource Teams and Outlook request tokens for: `api://<host>/<client id>`, the Application ID URI the
 * generated Entra registration declares (one definition, so the two cannot drift apart).
 */
export const ssoResource = apiIdentifierUri;

/** Scopes the add-in only manifest lists for `OfficeRuntime.auth` (SSO in the event handlers). */
export const SSO_SCOPES = ['openid', 'profile'] as const;
