import { ADDIN_ACTIONS, APPOINTMENT_TASKPANE_COMMAND_ID, TASKPANE_COMMAND_ID } from '../../../src/shared/app-ids';
import { buildManifests } from '../../support/manifest-build';
import { descendants, parseStrictXml, type XmlNode } from '../../support/strict-xml';

/**
 * The child order Microsoft documents for a mail add-in ("How to find the proper order of manifest elements", and for
 * `Runtimes`, the Runtimes element reference: it precedes the form factors in a Host). Written out here so the test
 * does not trust the generator's own order. Elements with children that are not listed fail, so the table grows with
 * the manifest.
 */
function documentedOrder(node: XmlNode, parent: XmlNode | undefined): readonly string[] | null {
  const type = node.attributes['xsi:type'];
  switch (node.name) {
    case 'OfficeApp':
      return [
        'Id',
        'AlternateId',
        'Version',
        'ProviderName',
        'DefaultLocale',
        'DisplayName',
        'Description',
        'IconUrl',
        'HighResolutionIconUrl',
        'SupportUrl',
        'AppDomains',
        'Hosts',
        'Requirements',
        'FormSettings',
        'Permissions',
        'Rule',
        'DisableEntityHighlighting',
        'VersionOverrides',
      ];
    case 'VersionOverrides':
      return type === 'VersionOverridesV1_1'
        ? [
            'Description',
            'Requirements',
            'Hosts',
            'Resources',
            'WebApplicationInfo',
            'EquivalentAddins',
            'ConnectedServiceControls',
            'ExtendedPermissions',
          ]
        : ['Description', 'Requirements', 'Hosts', 'Resources', 'VersionOverrides'];
    case 'DisplayName':
    case 'Description':
      return parent?.name === 'OfficeApp' ? ['Override'] : null;
    case 'AppDomains':
      return ['AppDomain'];
    case 'Hosts':
      return ['Host'];
    case 'Host':
      return type === 'MailHost' ? ['Runtimes', 'DesktopFormFactor', 'MobileFormFactor'] : null;
    case 'Requirements':
      return parent?.name === 'OfficeApp' ? ['Sets'] : ['bt:Sets'];
    case 'Sets':
      return ['Set'];
    case 'bt:Sets':
      return ['bt:Set'];
    case 'FormSettings':
      return ['Form'];
    case 'Form':
      return ['DesktopSettings', 'TabletSettings', 'PhoneSettings'];
    case 'DesktopSettings':
      return ['SourceLocation', 'RequestedHeight'];
    case 'Rule':
      return type === 'RuleCollection' ? ['Rule'] : null;
    case 'Runtimes':
      return ['Runtime'];
    case 'Runtime':
      return ['Override'];
    case 'DesktopFormFactor':
      return ['GetStarted', 'FunctionFile', 'ExtensionPoint'];
    case 'ExtensionPoint':
      return type === 'LaunchEvent' ? ['LaunchEvents', 'SourceLocation'] : ['OfficeTab', 'CustomTab'];
    case 'LaunchEvents':
      return ['LaunchEvent'];
    case 'OfficeTab':
      return ['Group'];
    case 'Group':
      return ['Label', 'Tooltip', 'Control'];
    case 'Control':
      return ['Label', 'Supertip', 'Icon', 'Action'];
    case 'Supertip':
      return ['Title', 'Description'];
    case 'Icon':
      return ['bt:Image'];
    case 'Action':
      return ['TaskpaneId', 'SourceLocation', 'Title', 'FunctionName'];
    case 'Resources':
      return ['bt:Images', 'bt:Urls', 'bt:ShortStrings', 'bt:LongStrings'];
    case 'bt:Images':
      return ['bt:Image'];
    case 'bt:Urls':
      return ['bt:Url'];
    case 'bt:ShortStrings':
    case 'bt:LongStrings':
      return ['bt:String'];
    case 'bt:String':
      return ['bt:Override'];
    case 'WebApplicationInfo':
      return ['Id', 'Resource', 'Scopes'];
    case 'Scopes':
      return ['Scope'];
    default:
      return null;
  }
}

/** Every element whose children are out of the documented order, unknown there, or unknown altogether. */
function orderProblems(node: XmlNode, parent?: XmlNode): string[] {
  const problems: string[] = [];
  if (node.children.length > 0) {
    const order = documentedOrder(node, parent);
    if (!order) {
      problems.push(`<${node.name}> has children but no documented order in this test`);
    } else {
      let last = -1;
      for (const child of node.children) {
        const at = order.indexOf(child.name);
        if (at === -1) {
          problems.push(`<${child.name}> is not a documented child of <${node.name}>`);
        } else if (at < last) {
          problems.push(`<${child.name}> comes after <${order[last]}> in <${node.name}>`);
        } else {
          last = at;
        }
      }
    }
  }
  for (const child of node.children) {
    problems.push(...orderProblems(child, node));
  }
  return problems;
}

const all = (root: XmlNode, name: string): XmlNode[] => [...descendants(root)].filter((n) => n.name === name);
const one = (root: XmlNode, name: string): XmlNode => {
  const found = all(root, name);
  if (found.length !== 1) {
    throw new Error(`expected one <${name}>, found ${found.length}`);
  }
  return found[0] as XmlNode;
};
const child = (node: XmlNode, name: string): XmlNode | undefined => node.children.find((c) => c.name === name);

/** Resource id → [default value, en-US override], from `<Resources>`. */
function resources(root: XmlNode): Map<string, [string, string | undefined]> {
  const out = new Map<string, [string, string | undefined]>();
  for (const list of one(root, 'Resources').children) {
    for (const r of list.children) {
      const id = r.attributes.id as string;
      expect(out.has(id)).toBe(false);
      out.set(id, [r.attributes.DefaultValue as string, child(r, 'bt:Override')?.attributes.Value]);
    }
  }
  return out;
}

describe('add-in only manifest (Outlook on Mac)', () => {
  const { xml, manifest, english } = buildManifests();
  const root = parseStrictXml(xml);
  const res = resources(root);
  const resolve = (resid: string | undefined): string => {
    const found = res.get(resid ?? '');
    if (!found) {
      throw new Error(`resid ${resid} is not defined in <Resources>`);
    }
    return found[0];
  };
  const extension = manifest.extensions?.[0];

  it('is well-formed XML (and the checker rejects what is not)', () => {
    expect(root.name).toBe('OfficeApp');
    expect(root.attributes['xsi:type']).toBe('MailApp');
    expect(() => parseStrictXml(xml.replace('</Version>', '</Versoin>'))).toThrow(/does not match/);
    expect(() => parseStrictXml(xml.replace('Mode="Or"', 'Mode="Or" Mode="And"'))).toThrow(/duplicate attribute/);
    expect(() => parseStrictXml(xml.replace('機敏守門員專案', 'A & B'))).toThrow(/"&" not starting an entity/);
  });

  it('writes every element in the order the schema requires (and the check catches a swap)', () => {
    expect(orderProblems(root)).toEqual([]);
    const swapped = xml.replace(/(\s*<Id>[^<]*<\/Id>)(\s*<Version>[^<]*<\/Version>)/, '$2$1');
    expect(orderProblems(parseStrictXml(swapped))).toEqual(['<Id> comes after <Version> in <OfficeApp>']);
  });

  it('has the base elements a mail add-in must have, zh-TW by default with en-US overrides', () => {
    for (const name of ['Id', 'Version', 'ProviderName', 'DefaultLocale', 'DisplayName', 'Description', 'IconUrl']) {
      expect(child(root, name)).toBeDefined();
    }
    expect(child(root, 'DefaultLocale')?.text).toBe('zh-TW');
    expect(child(root, 'Version')?.text).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(child(root, 'Permissions')?.text).toBe('ReadWriteItem');
    for (const name of ['DisplayName', 'Description']) {
      expect(child(child(root, name) as XmlNode, 'Override')?.attributes).toMatchObject({ Locale: 'en-US' });
    }
    for (const [id, [zh, en]] of res) {
      if (
        one(root, 'Resources').children.some(
          (l) => l.name.endsWith('Strings') && l.children.some((s) => s.attributes.id === id),
        )
      ) {
        expect([id, /\p{Script=Han}/u.test(zh), en === undefined]).toEqual([id, true, false]);
      }
    }
  });

  it('is a different add-in id from the unified app, which hides it where the app runs', () => {
    const id = child(root, 'Id')?.text;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(id).not.toBe(manifest.id);
    expect(extension?.alternates).toEqual([{ hide: { customOfficeAddin: { officeAddinId: id } } }]);
  });

  it('has the same launch events, function names and send mode as the unified manifest', () => {
    const XML_TO_UNIFIED: Record<string, string> = {
      OnMessageSend: 'messageSending',
      OnAppointmentSend: 'appointmentSending',
      OnMessageAttachmentsChanged: 'messageAttachmentsChanged',
      OnAppointmentAttachmentsChanged: 'appointmentAttachmentsChanged',
      OnMessageRecipientsChanged: 'messageRecipientsChanged',
    };
    const fromXml = all(root, 'LaunchEvent')
      .map((e) => [
        XML_TO_UNIFIED[e.attributes.Type as string] ?? e.attributes.Type,
        e.attributes.FunctionName,
        e.attributes.SendMode?.replace(/^./, (c) => c.toLowerCase()),
      ])
      .sort();
    const fromUnified = (extension?.autoRunEvents ?? [])
      .flatMap((g) => g.events.map((e) => [e.type, e.actionId, e.options?.sendMode]))
      .sort();
    expect(fromXml).toEqual(fromUnified);
    expect(fromXml.map((e) => e[1]).sort()).toEqual(Object.values(ADDIN_ACTIONS).sort());
  });

  it('loads the same runtime: the HTML page, the JavaScript override for classic Outlook, and the events from it', () => {
    const runtime = one(root, 'Runtime');
    const code = extension?.runtimes?.find((r) => r.actions?.some((a) => a.type === 'executeFunction'))?.code;
    expect(resolve(runtime.attributes.resid)).toBe(code?.page);
    const override = child(runtime, 'Override');
    expect(override?.attributes.type).toBe('javascript');
    expect(resolve(override?.attributes.resid)).toBe(code?.script);
    const launchPoint = all(root, 'ExtensionPoint').find((e) => e.attributes['xsi:type'] === 'LaunchEvent');
    expect(child(launchPoint as XmlNode, 'SourceLocation')?.attributes.resid).toBe(runtime.attributes.resid);
    expect(resolve(one(root, 'FunctionFile').attributes.resid)).toBe(code?.page);
  });

  it('has the same task pane buttons: control ids, surfaces, page, icons and labels', () => {
    const SURFACE_TO_CONTEXT: Record<string, string> = {
      MessageComposeCommandSurface: 'mailCompose',
      AppointmentOrganizerCommandSurface: 'meetingDetailsOrganizer',
    };
    const panePage = extension?.runtimes?.find((r) => r.actions?.some((a) => a.type === 'openPage'))?.code.page;
    const fromXml = all(root, 'ExtensionPoint')
      .filter((e) => e.attributes['xsi:type'] !== 'LaunchEvent')
      .flatMap((point) =>
        all(point, 'Control').map((control) => ({
          context: SURFACE_TO_CONTEXT[point.attributes['xsi:type'] as string],
          id: control.attributes.id,
          page: resolve(child(child(control, 'Action') as XmlNode, 'SourceLocation')?.attributes.resid),
          action: child(control, 'Action')?.attributes['xsi:type'],
          icons: all(control, 'bt:Image').map((i) => [Number(i.attributes.size), resolve(i.attributes.resid)]),
          label: res.get(child(control, 'Label')?.attributes.resid ?? ''),
        })),
      );
    const fromUnified = (extension?.ribbons ?? []).flatMap((ribbon, r) =>
      (ribbon.tabs ?? []).flatMap((tab) =>
        (tab.groups ?? []).flatMap((group) =>
          (group.controls ?? []).map((control, c) => ({
            context: ribbon.contexts?.[0],
            id: control.id,
            page: panePage,
            action: 'ShowTaskpane',
            icons: control.icons.map((i) => [i.size, i.url]),
            label: [control.label, english[`extensions[0].ribbons[${r}].tabs[0].groups[0].controls[${c}].label`]],
          })),
        ),
      ),
    );
    expect(fromXml).toEqual(fromUnified);
    expect(fromXml.map((c) => c.id)).toEqual([TASKPANE_COMMAND_ID, APPOINTMENT_TASKPANE_COMMAND_ID]);
  });

  it('keeps every control id unique and every resid defined and at most 32 characters', () => {
    const ids = all(root, 'Control').map((c) => c.attributes.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const node of descendants(root)) {
      const resid = node.attributes.resid;
      if (resid !== undefined) {
        expect([resid, res.has(resid), resid.length <= 32]).toEqual([resid, true, true]);
      }
    }
  });

  it('signs in with the same Entra app as the unified manifest', () => {
    const info = one(root, 'WebApplicationInfo');
    expect(child(info, 'Id')?.text).toBe(manifest.webApplicationInfo?.id);
    expect(child(info, 'Resource')?.text).toBe(manifest.webApplicationInfo?.resource);
  });

  it('takes the send mode and URLs of the build options', () => {
    const pilot = parseStrictXml(
      buildManifests({ PUBLIC_URL: 'https://sg.example.gov.tw', SEND_MODE: 'softBlock' }).xml,
    );
    const sendModes = all(pilot, 'LaunchEvent').map((e) => [e.attributes.Type, e.attributes.SendMode]);
    expect(sendModes.filter(([, mode]) => mode !== undefined)).toEqual([
      ['OnMessageSend', 'SoftBlock'],
      ['OnAppointmentSend', 'SoftBlock'],
    ]);
    expect(
      all(root, 'LaunchEvent')
        .filter((e) => e.attributes.SendMode)
        .map((e) => e.attributes.SendMode),
    ).toEqual(['Block', 'Block']);
    const urls = [...resources(pilot).values()].map(([v]) => v).filter((v) => v.startsWith('https://'));
    expect(urls.length).toBeGreaterThanOrEqual(6);
    expect(urls.every((u) => u.startsWith('https://sg.example.gov.tw/'))).toBe(true);
  });
});
