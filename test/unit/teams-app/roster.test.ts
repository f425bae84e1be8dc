import fc from 'fast-check';

import type { InviteeList, RosterEntry } from '../../../src/shared/api';
import { addAcknowledgement, buildRoster, mergeRoster } from '../../../teams-app/shared/roster';

const ack = (oid: string, name: string, at: string, upn: string | null = `${oid}@example.gov.tw`): RosterEntry => ({
  oid,
  name,
  upn,
  acknowledgedAt: at,
});

describe('roster: acknowledgements from the stream and the refetch', () => {
  it('adds a new person and ignores a repeat of the same acknowledgement', () => {
    const one = addAcknowledgement([], ack('a', '陳委員', '2025-05-14T02:00:01.000Z'));
    expect(one).toHaveLength(1);
    const same = addAcknowledgement(one, ack('a', '陳委員', '2025-05-14T02:00:01.000Z'));
    expect(same).toBe(one);
  });

  it('a renewal (a later time, after the chair changed the reminder) replaces the earlier acknowledgement', () => {
    const earlier = [{ ...ack('a', '陳委員', '2025-05-14T02:00:01.000Z'), current: false }];
    const renewed = addAcknowledgement(earlier, ack('a', '陳委員', '2025-05-14T02:09:00.000Z'));
    expect(renewed).toEqual([ack('a', '陳委員', '2025-05-14T02:09:00.000Z')]);
    // A refetch that left before the renewal does not bring the earlier one back.
    expect(addAcknowledgement(renewed, earlier[0] as RosterEntry)).toBe(renewed);
  });

  it('a refetch after the chair changed the reminder marks the same acknowledgement as an earlier version', () => {
    const streamed = [ack('a', '陳委員', '2025-05-14T02:00:01.000Z')];
    const refetched = mergeRoster(streamed, [{ ...ack('a', '陳委員', '2025-05-14T02:00:01.000Z'), current: false }]);
    expect(refetched).toEqual([{ ...ack('a', '陳委員', '2025-05-14T02:00:01.000Z'), current: false }]);
    expect(buildRoster(refetched, null)).toMatchObject({
      acknowledged: [{ key: 'a', current: false }],
      counts: { acknowledged: 1, earlier: 1 },
    });
  });

  it('a refetch after a reconnect fills the gap and never drops what the stream delivered', () => {
    const streamed = [ack('c', '張專員', '2025-05-14T02:00:09.000Z')];
    const fetched = [ack('a', '陳委員', '2025-05-14T02:00:01.000Z'), ack('b', '林科長', '2025-05-14T02:00:03.000Z')];
    expect(mergeRoster(streamed, fetched).map((e) => e.oid)).toEqual(['c', 'a', 'b']);
  });

  it('merging is order-independent and idempotent (property)', () => {
    const entry = fc.record({
      oid: fc.constantFrom('a', 'b', 'c', 'd'),
      name: fc.constantFrom('陳委員', '林科長'),
      upn: fc.constant(null),
      acknowledgedAt: fc.integer({ min: 0, max: 10_000 }).map((ms) => new Date(1_747_000_000_000 + ms).toISOString()),
    });
    fc.assert(
      fc.property(fc.array(entry), fc.array(entry), (x, y) => {
        const key = (list: readonly RosterEntry[]): string[] => list.map((e) => `${e.oid}@${e.acknowledgedAt}`).sort();
        const xy = mergeRoster(mergeRoster([], x), y);
        const yx = mergeRoster(mergeRoster([], y), x);
        expect(key(xy)).toEqual(key(yx));
        expect(key(mergeRoster(xy, xy))).toEqual(key(xy));
        expect(new Set(xy.map((e) => e.oid)).size).toBe(xy.length);
      }),
    );
  });
});

describe('roster: joined with the expected attendees', () => {
  const invitees: InviteeList = {
    source: 'graph',
    invitees: [
      { oid: 'a', name: '陳委員', upn: 'chen@example.gov.tw' },
      { oid: null, name: '林科長', upn: 'Lin@Example.gov.tw' },
      { oid: 'c', name: '張專員', upn: null },
    ],
  };

  it('matches by object id, or by UPN regardless of case, and lists who has not acknowledged', () => {
    const view = buildRoster(
      [
        ack('b', '林科長', '2025-05-14T02:00:03.000Z', 'lin@example.gov.tw'),
        ack('a', '陳委員', '2025-05-14T02:00:01.000Z'),
      ],
      invitees,
    );
    expect(view.acknowledged.map((r) => [r.name, r.expected])).toEqual([
      ['陳委員', true],
      ['林科長', true],
    ]);
    expect(view.pending.map((r) => r.name)).toEqual(['張專員']);
    expect(view.counts).toEqual({ acknowledged: 2, earlier: 0, pending: 1, expected: 3 });
    expect(view.source).toBe('graph');
  });

  it('someone who acknowledged without being on the list counts, flagged as not expected', () => {
    const view = buildRoster([ack('z', '訪客', '2025-05-14T02:00:01.000Z', 'guest@other.example')], invitees);
    expect(view.acknowledged).toEqual([
      expect.objectContaining({ name: '訪客', expected: false, acknowledgedAt: '2025-05-14T02:00:01.000Z' }),
    ]);
    expect(view.counts).toEqual({ acknowledged: 1, earlier: 0, pending: 3, expected: 3 });
  });

  it('without an expected list there is nothing pending and no expected count', () => {
    const view = buildRoster([ack('a', '陳委員', '2025-05-14T02:00:01.000Z')], null);
    expect(view).toMatchObject({
      pending: [],
      source: null,
      counts: { acknowledged: 1, earlier: 0, pending: 0, expected: null },
    });
  });

  it('a list that was cut off says so, even when everyone on it has acknowledged', () => {
    const cut: InviteeList = { ...invitees, truncated: true };
    const all = [
      ack('a', '陳委員', '2025-05-14T02:00:01.000Z'),
      ack('b', '林科長', '2025-05-14T02:00:02.000Z', 'lin@example.gov.tw'),
      ack('c', '張專員', '2025-05-14T02:00:03.000Z'),
    ];
    const view = buildRoster(all, cut);
    expect(view.pending).toEqual([]);
    expect(view.truncated).toBe(true);
    expect(buildRoster(all, invitees).truncated).toBe(false);
    expect(buildRoster(all, null).truncated).toBe(false);
  });

  it("keeps the source of the chair's list so the page can label it", () => {
    const listed: InviteeList = { source: 'chair', invitees: [{ oid: 'q', name: '黃秘書', upn: null }] };
    const view = buildRoster([], listed);
    expect(view.source).toBe('chair');
    expect(view.pending).toEqual([{ key: 'q', name: '黃秘書', upn: null }]);
  });

  it('one invitee is matched by at most one acknowledgement', () => {
    const twice: InviteeList = {
      source: 'graph',
      invitees: [{ oid: null, name: '共用', upn: 'shared@example.gov.tw' }],
    };
    const view = buildRoster(
      [
        ack('x', '甲', '2025-05-14T02:00:01.000Z', 'shared@example.gov.tw'),
        ack('y', '乙', '2025-05-14T02:00:02.000Z', 'shared@example.gov.tw'),
      ],
      twice,
    );
    expect(view.acknowledged.map((r) => r.expected)).toEqual([true, false]);
    expect(view.counts.pending).toBe(0);
  });
});
