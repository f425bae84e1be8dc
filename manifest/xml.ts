/**
 * The add-in only (XML) manifest for Outlook on Mac, which does not run unified manifests. Same handlers, function
 * names, control ids and URLs as the unified one, all from `app.ts`. The schema is an `xs:sequence` at every level, so
 * the children below are written in Microsoft's documented order (`develop/manifest-element-ordering`).
 */
import {
  ADDIN_PERMISSION,
  appVersion,
  DEFAULT_LANGUAGE,
  ENGLISH_LANGUAGE,
  EVENT_RUNTIME,
  launchEvents,
  MAC_ADDIN_ID,
  MAC_ICON_SIZES,
  macIconPath,
  RIBBON_ICON_SIZES,
  ribbonIconPath,
  SSO_SCOPES,
  ssoResource,
  STRINGS,
  SUPPORT_PAGE,
  TASKPANE_RUNTIME,
  TASKPANE_SURFACES,
} from './app';
import { type ManifestOptions, publicUrl } from './options';

/** An element: name, attributes, children (elements or text). */
interface Node {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly (Node | string)[];
}

const el = (name: string, attributes: Record<string, string> = {}, ...children: (Node | string)[]): Node => ({
  name,
  attributes,
  children,
});

const escape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function serialise(node: Node, indent: string): string {
  const attributes = Object.entries(node.attributes)
    .map(([k, v]) => ` ${k}="${escape(v)}"`)
    .join('');
  if (node.children.length === 0) {
    return `${indent}<${node.name}${attributes}/>`;
  }
  if (node.children.every((c) => typeof c === 'string')) {
    return `${indent}<${node.name}${attributes}>${node.children.map((c) => escape(c as string)).join('')}</${node.name}>`;
  }
  const inner = node.children
    .map((c) => (typeof c === 'string' ? `${indent}  ${escape(c)}` : serialise(c, `${indent}  `)))
    .join('\n');
  return `${indent}<${node.name}${attributes}>\n${inner}\n${indent}</${node.name}>`;
}

/** Resource ids (`resid`, at most 32 characters). */
const RES = {
  commandsUrl: 'Commands.Url',
  scriptUrl: 'JSRuntime.Url',
  taskpaneUrl: 'Taskpane.Url',
  groupLabel: 'Group.Label',
  buttonLabel: 'PaneButton.Label',
  buttonTitle: 'PaneButton.Title',
  buttonTooltip: 'PaneButton.Tooltip',
  icon: (size: number): string => `Icon.${size}`,
} as const;

const XML_SEND_MODE = { block: 'Block', softBlock: 'SoftBlock' } as const;

/** A four-part version (`0.1.0` → `0.1.0.0`), the add-in only manifest's format. */
export const xmlVersion = (semver: string): string => {
  const parts = semver.split(/[.+-]/).slice(0, 3).map(Number);
  return [...parts, 0].join('.');
};

export function addinOnlyManifest(options: ManifestOptions): string {
  const zh = STRINGS('zh-TW');
  const en = STRINGS('en');
  const url = (p: string): string => publicUrl(options, p);
  const localised = (tag: string, zhValue: string, enValue: string): Node =>
    el(tag, { DefaultValue: zhValue }, el('Override', { Locale: ENGLISH_LANGUAGE, Value: enValue }));
  const resource = (tag: string, id: string, zhValue: string, enValue: string): Node =>
    el(tag, { id, DefaultValue: zhValue }, el('bt:Override', { Locale: ENGLISH_LANGUAGE, Value: enValue }));
  const plainResource = (tag: string, id: string, value: string): Node => el(tag, { id, DefaultValue: value });

  const paneButtons = TASKPANE_SURFACES.map((surface) =>
    el(
      'ExtensionPoint',
      { 'xsi:type': surface.extensionPoint },
      el(
        'OfficeTab',
        { id: 'TabDefault' },
        el(
          'Group',
          { id: surface.groupId },
          el('Label', { resid: RES.groupLabel }),
          el(
            'Control',
            { 'xsi:type': 'Button', id: surface.controlId },
            el('Label', { resid: RES.buttonLabel }),
            el(
              'Supertip',
              {},
              el('Title', { resid: RES.buttonTitle }),
              el('Description', { resid: RES.buttonTooltip }),
            ),
            el(
              'Icon',
              {},
              ...RIBBON_ICON_SIZES.map((size) => el('bt:Image', { size: String(size), resid: RES.icon(size) })),
            ),
            el('Action', { 'xsi:type': 'ShowTaskpane' }, el('SourceLocation', { resid: RES.taskpaneUrl })),
          ),
        ),
      ),
    ),
  );

  const launchEventPoint = el(
    'ExtensionPoint',
    { 'xsi:type': 'LaunchEvent' },
    el(
      'LaunchEvents',
      {},
      ...launchEvents().map((e) =>
        el('LaunchEvent', {
          Type: e.xml,
          FunctionName: e.functionName,
          ...(e.send ? { SendMode: XML_SEND_MODE[options.sendMode] } : {}),
        }),
      ),
    ),
    el('SourceLocation', { resid: RES.commandsUrl }),
  );

  const versionOverrides11 = el(
    'VersionOverrides',
    { xmlns: 'http://schemas.microsoft.com/office/mailappversionoverrides/1.1', 'xsi:type': 'VersionOverridesV1_1' },
    // Smart Alerts (OnMessageSend/OnAppointmentSend) came with Mailbox 1.12 (Outlook on Mac 16.65).
    el('Requirements', {}, el('bt:Sets', { DefaultMinVersion: '1.12' }, el('bt:Set', { Name: 'Mailbox' }))),
    el(
      'Hosts',
      {},
      el(
        'Host',
        { 'xsi:type': 'MailHost' },
        el(
          'Runtimes',
          {},
          el('Runtime', { resid: RES.commandsUrl }, el('Override', { type: 'javascript', resid: RES.scriptUrl })),
        ),
        el('DesktopFormFactor', {}, el('FunctionFile', { resid: RES.commandsUrl }), ...paneButtons, launchEventPoint),
      ),
    ),
    el(
      'Resources',
      {},
      el(
        'bt:Images',
        {},
        ...RIBBON_ICON_SIZES.map((size) => plainResource('bt:Image', RES.icon(size), url(ribbonIconPath(size)))),
      ),
      el(
        'bt:Urls',
        {},
        plainResource('bt:Url', RES.commandsUrl, url(EVENT_RUNTIME.page)),
        plainResource('bt:Url', RES.scriptUrl, url(EVENT_RUNTIME.script)),
        plainResource('bt:Url', RES.taskpaneUrl, url(TASKPANE_RUNTIME.page)),
      ),
      el(
        'bt:ShortStrings',
        {},
        resource('bt:String', RES.groupLabel, zh.groupLabel, en.groupLabel),
        resource('bt:String', RES.buttonLabel, zh.paneButtonLabel, en.paneButtonLabel),
        resource('bt:String', RES.buttonTitle, zh.paneButtonTitle, en.paneButtonTitle),
      ),
      el('bt:LongStrings', {}, resource('bt:String', RES.buttonTooltip, zh.paneButtonTooltip, en.paneButtonTooltip)),
    ),
    // SSO for the event handlers (OfficeRuntime.auth), with the same Entra app as the unified manifest.
    el(
      'WebApplicationInfo',
      {},
      el('Id', {}, options.clientId),
      el('Resource', {}, ssoResource(options.host, options.clientId)),
      el('Scopes', {}, ...SSO_SCOPES.map((scope) => el('Scope', {}, scope))),
    ),
  );

  const officeApp = el(
    'OfficeApp',
    {
      xmlns: 'http://schemas.microsoft.com/office/appforoffice/1.1',
      'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
      'xmlns:bt': 'http://schemas.microsoft.com/office/officeappbasictypes/1.0',
      'xmlns:mailappor': 'http://schemas.microsoft.com/office/mailappversionoverrides/1.0',
      'xsi:type': 'MailApp',
    },
    el('Id', {}, MAC_ADDIN_ID),
    el('Version', {}, xmlVersion(appVersion())),
    el('ProviderName', {}, zh.developerName),
    el('DefaultLocale', {}, DEFAULT_LANGUAGE),
    localised('DisplayName', zh.macName, en.macName),
    localised('Description', zh.descriptionShort, en.descriptionShort),
    el('IconUrl', { DefaultValue: url(macIconPath(MAC_ICON_SIZES.icon)) }),
    el('HighResolutionIconUrl', { DefaultValue: url(macIconPath(MAC_ICON_SIZES.highResolution)) }),
    el('SupportUrl', { DefaultValue: url(SUPPORT_PAGE) }),
    el('AppDomains', {}, el('AppDomain', {}, new URL(options.publicUrl).origin)),
    el('Hosts', {}, el('Host', { Name: 'Mailbox' })),
    el('Requirements', {}, el('Sets', {}, el('Set', { Name: 'Mailbox', MinVersion: '1.1' }))),
    // Clients without add-in commands still get the pane in compose from the base manifest.
    el(
      'FormSettings',
      {},
      el(
        'Form',
        { 'xsi:type': 'ItemEdit' },
        el('DesktopSettings', {}, el('SourceLocation', { DefaultValue: url(TASKPANE_RUNTIME.page) })),
      ),
    ),
    el('Permissions', {}, ADDIN_PERMISSION.xml),
    el(
      'Rule',
      { 'xsi:type': 'RuleCollection', Mode: 'Or' },
      el('Rule', { 'xsi:type': 'ItemIs', ItemType: 'Message', FormType: 'Edit' }),
      el('Rule', { 'xsi:type': 'ItemIs', ItemType: 'Appointment', FormType: 'Edit' }),
    ),
    el('DisableEntityHighlighting', {}, 'false'),
    el(
      'VersionOverrides',
      { xmlns: 'http://schemas.microsoft.com/office/mailappversionoverrides', 'xsi:type': 'VersionOverridesV1_0' },
      versionOverrides11,
    ),
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n${serialise(officeApp, '')}\n`;
}
