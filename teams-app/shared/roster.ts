/**
 * The chair's roster as a pure computation: acknowledgements (from the roster route and the live stream) joined with
 * the expected attendees (the meeting's invitees from Graph, or the list the chair gave), and the counts.
 */
import type { Invitee, InviteeList, RosterEntry } from '../../src/shared/api';

export interface AcknowledgedRow {
  readonly key: string;
  readonly name: string;
  readonly upn: string | null;
  readonly acknowledgedAt: string;
  /** On the expected list (false for someone who acknowledged without being invited). */
  readonly expected: boolean;
  /** Given for the meeting's current level and reminder (false: an earlier version; they are asked again). */
  readonly current: boolean;
}

export interface PendingRow {
  readonly key: string;
  readonly name: string;
  readonly upn: string | null;
}

export interface RosterView {
  /** In the order they acknowledged, as on the sign-in sheet. */
  readonly acknowledged: readonly AcknowledgedRow[];
  /** Expected but not acknowledged yet, by name. */
  readonly pending: readonly PendingRow[];
  /** Where the expected list came from; null when it is not available. */
  readonly source: InviteeList['source'] | null;
  /** The expected list was cut off: people may be missing from `pending`, so no one can say all have acknowledged. */
  readonly truncated: boolean;
  readonly counts: {
    readonly acknowledged: number;
    /** Of `acknowledged`, those given for an earlier level or reminder. */
    readonly earlier: number;
    readonly pending: number;
    /** The length of the expected list; null when it is not available. */
    readonly expected: number | null;
  };
}

const lower = (s: string | null | undefined): string | null => (s ? s.trim().toLowerCase() : null);

/**
 * Adds an acknowledgement to the list, once per person. The same acknowledgement can arrive twice (the stream, then
 * the refetch after a reconnect): it has the same time, and the later word on whether it is for the current version
 * counts (a refetch after the chair changed the reminder says it is not). A later time is a renewal, after the chair
 * changed the level or the reminder: it replaces the earlier one.
 */
export function addAcknowledgement(entries: readonly RosterEntry[], entry: RosterEntry): readonly RosterEntry[] {
  const existing = entries.find((e) => e.oid === entry.oid);
  if (!existing) {
    return [...entries, entry];
  }
  const [was, now] = [Date.parse(existing.acknowledgedAt), Date.parse(entry.acknowledgedAt)];
  const newerWord = now === was && entry.current !== undefined && entry.current !== existing.current;
  if (now > was || newerWord) {
    return entries.map((e) => (e.oid === entry.oid ? entry : e));
  }
  return entries;
}

/** Merges a refetched roster into what the stream has delivered since (nothing acknowledged is ever dropped). */
export function mergeRoster(current: readonly RosterEntry[], fetched: readonly RosterEntry[]): readonly RosterEntry[] {
  return fetched.reduce<readonly RosterEntry[]>((acc, e) => addAcknowledgement(acc, e), current);
}

function matches(invitee: Invitee, ack: RosterEntry): boolean {
  if (invitee.oid && invitee.oid === ack.oid) {
    return true;
  }
  const upn = lower(invitee.upn);
  return upn !== null && upn === lower(ack.upn);
}

const byTimeThenName = (a: AcknowledgedRow, b: AcknowledgedRow): number =>
  Date.parse(a.acknowledgedAt) - Date.parse(b.acknowledgedAt) || a.name.localeCompare(b.name, 'zh-Hant-TW');

/** Joins acknowledgements with the expected list. */
export function buildRoster(entries: readonly RosterEntry[], expected: InviteeList | null): RosterView {
  const invitees = expected?.invitees ?? [];
  const matched = new Set<number>();
  const acknowledged: AcknowledgedRow[] = entries.map((ack) => {
    const index = invitees.findIndex((inv, i) => !matched.has(i) && matches(inv, ack));
    if (index !== -1) {
      matched.add(index);
    }
    return {
      key: ack.oid,
      name: ack.name,
      upn: ack.upn,
      acknowledgedAt: ack.acknowledgedAt,
      expected: index !== -1,
      current: ack.current !== false,
    };
  });
  acknowledged.sort(byTimeThenName);
  const pending: PendingRow[] = invitees
    .map((inv, i) => ({ inv, i }))
    .filter(({ i }) => !matched.has(i))
    .map(({ inv, i }) => ({
      key: inv.oid ?? lower(inv.upn) ?? `invitee-${i}`,
      name: inv.name || inv.upn || '?',
      upn: inv.upn,
    }))
    .sort((a, b) => a.name.localeCompare(b.name, 'zh-Hant-TW'));
  return {
    acknowledged,
    pending,
    source: expected?.source ?? null,
    truncated: expected?.truncated === true,
    counts: {
      acknowledged: acknowledged.length,
      earlier: acknowledged.filter((a) => !a.current).length,
      pending: pending.length,
      expected: expected ? invitees.length : null,
    },
  };
}
