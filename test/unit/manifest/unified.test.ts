import { existsSync } from 'node:fs';

import {
  ADDIN_ACTIONS,
  APPOINTMENT_TASKPANE_COMMAND_ID,
  PAGE_PATHS,
  TASKPANE_COMMAND_ID,
} from '../../../src/shared/app-ids';
import { buildManifests, jsonStrings } from '../../support/manifest-build';
import { bundledSchemaPath, validateLocalisation, validateUnifiedManifest } from '../../support/manifest-schema';

const CLIENT_ID = '3f6a8c2e-1b4d-4e7f-9a0b-5c6d7e8f9a0b';
const PILOT = { PUBLIC_URL: 'https://sg.example.gov.tw/', AUTH_CLIENT_ID: CLIENT_ID, SEND_MODE: 'softBlock' };

/**
 * What each handler must be wired to, from Microsoft's event-based activation table (unified event names, the Mailbox
 * set that introduced each): written out here, not imported, so the manifest source cannot agree with itself wrongly.
 */
const EXPECTED_EVENTS: Record<string, { type: string; mailbox: string; send: boolean }> = {
  [ADDIN_ACTIONS.onMessageSend]: { type: 'messageSending', mailbox: '1.12', send: true },
  [ADDIN_ACTIONS.onAppointmentSend]: { type: 'appointmentSending', mailbox: '1.12', send: true },
  [ADDIN_ACTIONS.onMessageAttachmentsChanged]: { type: 'messageAttachmentsChanged', mailbox: '1.11', send: false },
  [ADDIN_ACTIONS.onAppointmentAttachmentsChanged]: {
    type: 'appointmentAttachmentsChanged',
    mailbox: '1.11',
    send: false,
  },
  [ADDIN_ACTIONS.onMessageRecipientsChanged]: { type: 'messageRecipientsChanged', mailbox: '1.11', send: false },
};

/**
 * Resource-specific permission names Microsoft documents, with their type. The schema takes any string up to 128
 * characters, so a typo would deploy and then fail consent; this list catches it.
 */
const KNOWN_RSC: Readonly<Record<string, 'Application' | 'Delegated'>> = {
  // Outlook add-in permission levels (unified names of Restricted / ReadItem / ReadWriteItem / ReadWriteMailbox).
  'MailboxItem.Restricted.User': 'Delegated',
  'MailboxItem.Read.User': 'Delegated',
  'MailboxItem.ReadWrite.User': 'Delegated',
  'Mailbox.ReadWrite.User': 'Delegated',
  'Mailbox.AppendOnSend.User': 'Delegated',
  // Teams meetings and chats.
  'MeetingStage.Write.Chat': 'Delegated',
  'ChannelMeetingStage.Write.Group': 'Delegated',
  'OnlineMeetingParticipant.ToggleIncomingAudio.Chat': 'Delegated',
  'LiveShareSession.ReadWrite.Chat': 'Delegated',
  'OnlineMeeting.ReadBasic.Chat': 'Application',
  'OnlineMeetingParticipant.Read.Chat': 'Application',
  'OnlineMeetingNotification.Send.Chat': 'Application',
  'OnlineMeetingTranscript.Read.Chat': 'Application',
  'OnlineMeetingRecording.Read.Chat': 'Application',
  'ChannelMeeting.ReadBasic.Group': 'Application',
  'ChatMessage.Read.Chat': 'Application',
  'ChatMember.Read.Chat': 'Application',
  'TeamsActivity.Send.Chat': 'Application',
};

type Capabilities = { capabilities?: { name: string; minVersion?: string }[] } | undefined;
const mailboxOf = (requirements: Capabilities): string | undefined =>
  requirements?.capabilities?.find((c) => c.name === 'Mailbox')?.minVersion;

describe('unified manifest: schema', () => {
  it.each([
    ['the defaults', {}],
    ['a pilot build (softBlock, its own origin, a real client id)', PILOT],
  ])('validates offline against the bundled v1.30 schema: %s', async (_name, env) => {
    const { manifest } = buildManifests(env);
    expect(manifest.manifestVersion).toBe('1.30');
    expect(existsSync(bundledSchemaPath(manifest.$schema as string))).toBe(true);
    expect(await validateUnifiedManifest(manifest)).toEqual([]);
  });

  it('the validator does reject a broken manifest, naming where', async () => {
    const { manifest } = buildManifests();
    const broken = JSON.parse(JSON.stringify(manifest)) as typeof manifest;
    const extension = broken.extensions?.[0] as unknown as { autoRunEvents: { events: { options?: object }[] }[] };
    (extension.autoRunEvents[0]?.events[0] as { options?: object }).options = { sendMode: 'hardBlock' };
    (broken.configurableTabs?.[0] as unknown as { context: string[] }).context.push('meetingLobby');
    const errors = await validateUnifiedManifest(broken);
    expect(errors.join('\n')).toMatch(/autoRunEvents\/0\/events\/0\/options\/sendMode/);
    expect(errors.join('\n')).toMatch(/configurableTabs\/0\/context\/4/);
  });

  it('is zh-TW by default with an en-US localisation that validates against the bundled schema', () => {
    const { manifest, english } = buildManifests();
    expect(manifest.localizationInfo).toEqual({
      defaultLanguageTag: 'zh-TW',
      additionalLanguages: [{ languageTag: 'en-US', file: 'en-US.json' }],
    });
    expect(manifest.name.short).toBe('機敏守門員');
    expect(english['name.short']).toBe('Secrecy Guard');
    expect(validateLocalisation(english)).toEqual([]);
    expect(validateLocalisation({ ...english, 'extensions[0].ribbons[0].tabs[0].groups[0].lable': 'x' })).not.toEqual(
      [],
    );
  });

  it('every localised key names a Chinese string in the manifest, and translates it', () => {
    const { manifest, english } = buildManifests();
    const strings = new Map(jsonStrings(manifest));
    const keys = Object.keys(english).filter((k) => k !== '$schema');
    expect(keys.length).toBeGreaterThanOrEqual(12);
    for (const key of keys) {
      const chinese = strings.get(key);
      expect([key, chinese === undefined ? 'missing' : /\p{Script=Han}/u.test(chinese) ? 'zh' : chinese]).toEqual([
        key,
        'zh',
      ]);
      // English (it quotes the marks themselves in Chinese, so "has Latin words and differs" is the test).
      expect(english[key]).toMatch(/[A-Za-z]{3}/);
      expect(english[key]).not.toBe(chinese);
    }
    // Every Chinese string the user sees in Outlook or the Teams store has an English one.
    const untranslated = [...strings].filter(
      ([key, value]) => /\p{Script=Han}/u.test(value) && !(key in english) && key !== 'developer.name',
    );
    expect(untranslated).toEqual([]);
  });
});

describe('unified manifest: Outlook add-in', () => {
  const { manifest, options } = buildManifests();
  const extension = manifest.extensions?.[0];
  const url = (path: string): string => `https://localhost:3000${path}`;

  it('has one extension for mail, installable wherever add-in commands run (Mailbox 1.3)', () => {
    expect(manifest.extensions).toHaveLength(1);
    expect(extension?.requirements?.scopes).toEqual(['mail']);
    expect(mailboxOf(extension?.requirements)).toBe('1.3');
  });

  it('runs every handler in ADDIN_ACTIONS from one short-lived runtime: commands.html, or launchevent.js in classic', () => {
    const runtime = extension?.runtimes?.find((r) => r.actions?.some((a) => a.type === 'executeFunction'));
    expect(runtime).toMatchObject({
      type: 'general',
      lifetime: 'short',
      code: { page: url(PAGE_PATHS.commands), script: url(PAGE_PATHS.launchEvent) },
    });
    expect(runtime?.actions?.map((a) => [a.id, a.type]).sort()).toEqual(
      Object.values(ADDIN_ACTIONS)
        .map((id) => [id, 'executeFunction'])
        .sort(),
    );
    expect(mailboxOf(runtime?.requirements)).toBe('1.11');
  });

  it('wires each event to its handler with the right Mailbox minimum; only send events carry the send mode', () => {
    const wired = (extension?.autoRunEvents ?? []).flatMap((group) =>
      group.events.map((e) => ({
        handler: e.actionId,
        type: e.type,
        mailbox: mailboxOf(group.requirements),
        sendMode: e.options?.sendMode,
      })),
    );
    expect(wired.map((w) => w.handler).sort()).toEqual(Object.values(ADDIN_ACTIONS).sort());
    for (const w of wired) {
      const expected = EXPECTED_EVENTS[w.handler] as { type: string; mailbox: string; send: boolean };
      expect(w).toEqual({
        handler: w.handler,
        type: expected.type,
        mailbox: expected.mailbox,
        sendMode: expected.send ? 'block' : undefined,
      });
    }
    expect(options.sendMode).toBe('block');
  });

  it('puts the task pane button on message compose and on the organizer form, opening the task pane page', () => {
    const pane = extension?.runtimes?.find((r) => r.actions?.some((a) => a.type === 'openPage'));
    expect(pane?.code).toEqual({ page: url(PAGE_PATHS.taskpane) });
    const openPane = pane?.actions?.find((a) => a.type === 'openPage')?.id;
    expect(openPane).toBe('showTaskpane');
    const buttons = (extension?.ribbons ?? []).flatMap((ribbon) =>
      (ribbon.tabs ?? []).flatMap((tab) =>
        (tab.groups ?? []).flatMap((group) =>
          (group.controls ?? []).map((control) => ({
            contexts: ribbon.contexts,
            tab: tab.builtInTabId,
            id: control.id,
            type: control.type,
            actionId: control.actionId,
            icons: control.icons.map((i) => i.size),
          })),
        ),
      ),
    );
    expect(buttons).toEqual([
      {
        contexts: ['mailCompose'],
        tab: 'TabDefault',
        id: TASKPANE_COMMAND_ID,
        type: 'button',
        actionId: openPane,
        icons: [16, 32, 80],
      },
      {
        contexts: ['meetingDetailsOrganizer'],
        tab: 'TabDefault',
        id: APPOINTMENT_TASKPANE_COMMAND_ID,
        type: 'button',
        actionId: openPane,
        icons: [16, 32, 80],
      },
    ]);
  });

  it('asks for read/write item access under its unified name', () => {
    expect(manifest.authorization?.permissions?.resourceSpecific).toContainEqual({
      name: 'MailboxItem.ReadWrite.User',
      type: 'Delegated',
    });
  });
});

describe('unified manifest: Teams meeting extension', () => {
  it('has the meeting tab, stage sharing, SSO and the valid domain, all from PUBLIC_URL and AUTH_CLIENT_ID', () => {
    const { manifest } = buildManifests(PILOT);
    expect(manifest.configurableTabs).toEqual([
      expect.objectContaining({
        configurationUrl: `https://sg.example.gov.tw${PAGE_PATHS.teamsConfig}`,
        scopes: ['groupChat', 'team'],
        context: ['meetingDetailsTab', 'meetingChatTab', 'meetingSidePanel', 'meetingStage'],
      }),
    ]);
    expect(manifest.meetingExtensionDefinition).toEqual({ supportsCustomShareToStage: true });
    expect(manifest.webApplicationInfo).toEqual({
      id: CLIENT_ID,
      resource: `api://sg.example.gov.tw/${CLIENT_ID}`,
    });
    expect(manifest.validDomains).toEqual(['sg.example.gov.tw']);
  });

  it('keeps the port of a development origin in the valid domain and the SSO resource', () => {
    const { manifest, warnings } = buildManifests();
    expect(manifest.validDomains).toEqual(['localhost:3000']);
    expect(manifest.webApplicationInfo?.resource).toBe('api://localhost:3000/00000000-0000-0000-0000-000000000000');
    expect(warnings.join('\n')).toMatch(/AUTH_CLIENT_ID is not set.*placeholder/);
  });

  it('declares the meeting RSC permissions, every name and type on the allow-list', () => {
    const { manifest } = buildManifests();
    const permissions = manifest.authorization?.permissions?.resourceSpecific ?? [];
    expect(permissions.length).toBeLessThanOrEqual(16);
    expect(new Set(permissions.map((p) => p.name)).size).toBe(permissions.length);
    for (const p of permissions) {
      expect([p.name, p.type]).toEqual([p.name, KNOWN_RSC[p.name] ?? 'not a documented RSC permission']);
    }
    expect(permissions).toEqual(
      expect.arrayContaining([
        { name: 'MeetingStage.Write.Chat', type: 'Delegated' },
        { name: 'OnlineMeeting.ReadBasic.Chat', type: 'Application' },
        { name: 'OnlineMeetingParticipant.Read.Chat', type: 'Application' },
      ]),
    );
  });
});
