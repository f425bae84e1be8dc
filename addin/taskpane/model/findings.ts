/**
 * Findings and unscannable parts grouped by where they are in the mail: the subject, the body, the sensitivity label,
 * and each attachment (with everything found inside it, however deep), in the order the user sees them in Outlook.
 */
import { type Finding, type Level, maxLevel, type Unscannable } from '../../../src/core';

export const LOCATION_KINDS = ['subject', 'body', 'label', 'header', 'attachment', 'other'] as const;
export type LocationKind = (typeof LOCATION_KINDS)[number];

export type GroupedFinding = Finding & {
  /** Where inside the attachment (`styles.xml#header`, `inner.zip/報告.odt`); empty for the attachment itself. */
  readonly part: string;
};

export type GroupedUnscannable = Unscannable & { readonly part: string };

export type FindingGroup = {
  /** Stable key for React and for tests: `subject`, `body`, `attachment:<name>`. */
  readonly key: string;
  readonly kind: LocationKind;
  /** The attachment's name, for attachment groups. */
  readonly attachmentName?: string;
  readonly findings: readonly GroupedFinding[];
  readonly unscannable: readonly GroupedUnscannable[];
  /** The highest level found here; null when only unscannable parts are. */
  readonly highest: Level | null;
};

const KIND_ORDER: Readonly<Record<LocationKind, number>> = {
  subject: 0,
  body: 1,
  label: 2,
  header: 3,
  attachment: 4,
  other: 5,
};

/**
 * Which group a location belongs to. Attachment names are matched against the item's attachments, longest first, so
 * a name with a slash in it (`會議/資料.odt`) is not cut at the slash.
 */
export function locate(
  location: string,
  attachmentNames: readonly string[],
): { key: string; kind: LocationKind; attachmentName?: string; part: string } {
  if (location === 'subject' || location === 'body' || location === 'label' || location === 'header') {
    return { key: location, kind: location, part: '' };
  }
  if (location.startsWith('attachment:')) {
    const rest = location.slice('attachment:'.length);
    const known = [...attachmentNames]
      .sort((a, b) => b.length - a.length)
      .find((n) => rest === n || rest.startsWith(`${n}/`) || rest.startsWith(`${n}#`));
    const name = known ?? rest.split(/[/#]/)[0] ?? rest;
    const part = rest.slice(name.length).replace(/^\//, '');
    return { key: `attachment:${name}`, kind: 'attachment', attachmentName: name, part };
  }
  return { key: location, kind: 'other', part: '' };
}

/** Groups findings and unscannable parts by location, ordered as the mail reads, attachments in the item's order. */
export function groupFindings(
  findings: readonly Finding[],
  unscannable: readonly Unscannable[],
  attachmentNames: readonly string[] = [],
): FindingGroup[] {
  const groups = new Map<
    string,
    {
      key: string;
      kind: LocationKind;
      attachmentName?: string;
      findings: GroupedFinding[];
      unscannable: GroupedUnscannable[];
      highest: Level | null;
    }
  >();
  const groupOf = (location: string): { group: NonNullable<ReturnType<typeof groups.get>>; part: string } => {
    const where = locate(location, attachmentNames);
    let group = groups.get(where.key);
    if (!group) {
      group = {
        key: where.key,
        kind: where.kind,
        ...(where.attachmentName !== undefined ? { attachmentName: where.attachmentName } : {}),
        findings: [],
        unscannable: [],
        highest: null,
      };
      groups.set(where.key, group);
    }
    return { group, part: where.part };
  };
  for (const f of findings) {
    const { group, part } = groupOf(f.location);
    group.findings.push({ ...f, part });
    group.highest = maxLevel(group.highest, f.level);
  }
  for (const u of unscannable) {
    const { group, part } = groupOf(u.location);
    group.unscannable.push({ ...u, part });
  }
  const attachmentRank = (g: { attachmentName?: string }): number => {
    const i = g.attachmentName === undefined ? -1 : attachmentNames.indexOf(g.attachmentName);
    return i === -1 ? attachmentNames.length : i;
  };
  return [...groups.values()].sort(
    (a, b) =>
      KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || attachmentRank(a) - attachmentRank(b) || a.key.localeCompare(b.key),
  );
}
