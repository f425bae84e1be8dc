/**
 * The unified manifest (Teams app + Outlook add-in in one package) and its English localisation, from `app.ts`.
 */
import type { TeamsManifestV1D30 } from '@microsoft/app-manifest';

import {
  ACCENT_COLOR,
  ADDIN_PERMISSION,
  APP_ID,
  appVersion,
  DEFAULT_LANGUAGE,
  ENGLISH_FILE,
  ENGLISH_LANGUAGE,
  EVENT_RUNTIME,
  launchEvents,
  lowestMailbox,
  MAC_ADDIN_ID,
  type MailboxVersion,
  MANIFEST_SCHEMA_VERSION,
  PACKAGE_ICONS,
  RIBBON_ICON_SIZES,
  ribbonIconPath,
  SCHEMA_BASE,
  ssoResource,
  STRINGS,
  SUPPORT_PAGE,
  TASKPANE_MAILBOX,
  TASKPANE_RUNTIME,
  TASKPANE_SURFACES,
  TEAMS_RSC_PERMISSIONS,
  TEAMS_TAB,
} from './app';
import { type ManifestOptions, publicUrl } from './options';

export type UnifiedManifest = TeamsManifestV1D30.TeamsManifestV1D30;

const mailbox = (minVersion: MailboxVersion): { capabilities: { name: string; minVersion: string }[] } => ({
  capabilities: [{ name: 'Mailbox', minVersion }],
});

export function unifiedManifest(options: ManifestOptions): UnifiedManifest {
  const zh = STRINGS('zh-TW');
  const url = (p: string): string => publicUrl(options, p);
  const events = launchEvents();
  const sendEvents = events.filter((e) => e.send);
  const changeEvents = events.filter((e) => !e.send);
  const eventsMailbox = lowestMailbox(events.map((e) => e.mailbox));
  const ribbonIcons = RIBBON_ICON_SIZES.map((size) => ({ size, url: url(ribbonIconPath(size)) }));
  return {
    $schema: `${SCHEMA_BASE}/MicrosoftTeams.schema.json`,
    manifestVersion: MANIFEST_SCHEMA_VERSION,
    version: appVersion(),
    id: APP_ID,
    localizationInfo: {
      defaultLanguageTag: DEFAULT_LANGUAGE,
      additionalLanguages: [{ languageTag: ENGLISH_LANGUAGE, file: ENGLISH_FILE }],
    },
    developer: {
      name: zh.developerName,
      websiteUrl: url(SUPPORT_PAGE),
      privacyUrl: url(`${SUPPORT_PAGE}#privacy`),
      termsOfUseUrl: url(`${SUPPORT_PAGE}#terms`),
    },
    name: { short: zh.nameShort, full: zh.nameFull },
    description: { short: zh.descriptionShort, full: zh.descriptionFull },
    icons: { color: PACKAGE_ICONS.color, outline: PACKAGE_ICONS.outline },
    accentColor: ACCENT_COLOR,
    configurableTabs: [
      {
        id: TEAMS_TAB.id,
        configurationUrl: url(TEAMS_TAB.configurationPath),
        canUpdateConfiguration: true,
        scopes: [...TEAMS_TAB.scopes],
        context: [...TEAMS_TAB.contexts],
      },
    ],
    validDomains: [options.host],
    webApplicationInfo: { id: options.clientId, resource: ssoResource(options.host, options.clientId) },
    defaultInstallScope: 'meetings',
    defaultGroupCapability: { meetings: 'tab', groupchat: 'tab', team: 'tab' },
    meetingExtensionDefinition: { supportsCustomShareToStage: true },
    authorization: {
      permissions: {
        resourceSpecific: [
          { name: ADDIN_PERMISSION.unified, type: 'Delegated' },
          ...TEAMS_RSC_PERMISSIONS.map((p) => ({ name: p.name, type: p.type })),
        ],
      },
    },
    extensions: [
      {
        requirements: { scopes: ['mail'], ...mailbox(lowestMailbox([TASKPANE_MAILBOX, eventsMailbox])) },
        runtimes: [
          {
            id: EVENT_RUNTIME.id,
            type: 'general',
            requirements: mailbox(eventsMailbox),
            code: { page: url(EVENT_RUNTIME.page), script: url(EVENT_RUNTIME.script) },
            lifetime: 'short',
            actions: events.map((e) => ({ id: e.functionName, type: 'executeFunction' })),
          },
          {
            id: TASKPANE_RUNTIME.id,
            type: 'general',
            requirements: mailbox(TASKPANE_MAILBOX),
            code: { page: url(TASKPANE_RUNTIME.page) },
            lifetime: 'short',
            actions: [{ id: TASKPANE_RUNTIME.actionId, type: 'openPage' }],
          },
        ],
        ribbons: TASKPANE_SURFACES.map((surface) => ({
          requirements: mailbox(TASKPANE_MAILBOX),
          contexts: [surface.context],
          tabs: [
            {
              builtInTabId: 'TabDefault',
              groups: [
                {
                  id: surface.groupId,
                  label: zh.groupLabel,
                  icons: ribbonIcons,
                  controls: [
                    {
                      id: surface.controlId,
                      type: 'button',
                      label: zh.paneButtonLabel,
                      icons: ribbonIcons,
                      supertip: { title: zh.paneButtonTitle, description: zh.paneButtonTooltip },
                      actionId: TASKPANE_RUNTIME.actionId,
                    },
                  ],
                },
              ],
            },
          ],
        })),
        autoRunEvents: [
          {
            requirements: mailbox(lowestMailbox(sendEvents.map((e) => e.mailbox))),
            events: sendEvents.map((e) => ({
              type: e.unified,
              actionId: e.functionName,
              options: { sendMode: options.sendMode },
            })),
          },
          {
            requirements: mailbox(lowestMailbox(changeEvents.map((e) => e.mailbox))),
            events: changeEvents.map((e) => ({ type: e.unified, actionId: e.functionName })),
          },
        ],
        // Outlook on Mac runs the add-in only manifest (its own id); where this app runs, that copy is hidden.
        alternates: [{ hide: { customOfficeAddin: { officeAddinId: MAC_ADDIN_ID } } }],
      },
    ],
  };
}

/** The English localisation: the same strings, keyed by their JSON path in the manifest. */
export function englishLocalisation(): Record<string, string> {
  const en = STRINGS('en');
  const strings: Record<string, string> = {
    $schema: `${SCHEMA_BASE}/MicrosoftTeams.Localization.schema.json`,
    'name.short': en.nameShort,
    'name.full': en.nameFull,
    'description.short': en.descriptionShort,
    'description.full': en.descriptionFull,
  };
  TASKPANE_SURFACES.forEach((_surface, i) => {
    const group = `extensions[0].ribbons[${i}].tabs[0].groups[0]`;
    strings[`${group}.label`] = en.groupLabel;
    strings[`${group}.controls[0].label`] = en.paneButtonLabel;
    strings[`${group}.controls[0].supertip.title`] = en.paneButtonTitle;
    strings[`${group}.controls[0].supertip.description`] = en.paneButtonTooltip;
  });
  return strings;
}
