import { MAX_CHAIR_INVITEES } from '../../src/server/invitees';
import type { InviteeList } from '../../src/shared/api';
import { type FakeEntra, FOREIGN_TENANT, startFakeEntra, TENANT } from '../fakes/entra';
import { type FakeGraph, type FakeMember, startFakeGraph } from '../fakes/graph';
import { CHAIR, graphOptions, meetingSettings, teamsMeetingId, useMeetingTest } from '../support/meeting-app';
import { STORES } from '../support/stores';

const THREAD = '19:meeting_NTI4MjA3OGUtYzM3YS00YTBmLTkyOGMtNjNhZTJhOTk0NWQx@thread.v2';
const MEETING = teamsMeetingId(THREAD);
const url = `/api/meetings/${encodeURIComponent(MEETING)}`;
const SEEN_OID = '00000000-0000-0000-0000-0000000005ee';

/** 應到 (expected) on the CSV sign-in sheet. */
const expectedOf = (csv: string): string | undefined => /應到[^,\r\n]*,(\d+)/.exec(csv)?.[1];
const ACK_OID = '00000000-0000-0000-0000-000000000ac7';

const MEMBERS: FakeMember[] = [
  { userId: CHAIR, displayName: '王主席', email: 'chair@example.gov.tw' },
  { userId: ACK_OID, displayName: '陳委員', email: 'chen@example.gov.tw' },
  { userId: '00000000-0000-0000-0000-00000000000a', displayName: '林科長', email: 'lin@example.gov.tw' },
  { userId: '00000000-0000-0000-0000-00000000000b', displayName: '張專員', email: null },
  { userId: '00000000-0000-0000-0000-00000000000c', displayName: '黃顧問', email: 'huang@partner.example.com' },
];

let entra: FakeEntra;
let graph: FakeGraph;
beforeAll(async () => {
  entra = await startFakeEntra();
  graph = await startFakeGraph(entra);
});
afterAll(async () => {
  await graph.close();
  await entra.close();
});

describe.each(STORES)('invitees on %s', (kind) => {
  const t = useMeetingTest(kind, () => ({ entra, graph, thread: THREAD, members: MEMBERS, meetingUrl: url }));

  const invitees = async (token = t.chair): Promise<InviteeList> => {
    const res = await t.call('GET', `${url}/invitees`, token);
    expect(res.statusCode).toBe(200);
    return res.json() as InviteeList;
  };
  /** One attendee opens the meeting, another acknowledges: neither is thereby invited. */
  const participate = async (): Promise<void> => {
    await t.call('GET', url, await entra.token({ oid: SEEN_OID, name: '周秘書', upn: 'chou@example.gov.tw' }));
    await t.call(
      'POST',
      `${url}/acknowledgements`,
      await entra.token({ oid: ACK_OID, name: '陳委員', upn: 'chen@example.gov.tw' }),
      {},
    );
  };
  /** The list the chair gives when Graph cannot be asked. */
  const LISTED = [
    { oid: ACK_OID, name: '陳委員', upn: 'chen@example.gov.tw' },
    { oid: null, name: '林科長', upn: 'lin@example.gov.tw' },
    { oid: null, name: '張專員', upn: null },
  ];
  const list = async (invitees: readonly object[] = LISTED, token = t.chair) =>
    t.call('PUT', `${url}/invitees`, token, {
      invitees: invitees.map((i) => Object.fromEntries(Object.entries(i).filter(([, v]) => v !== null))),
    });
  /** Everyone who took part, then the chair's list: only the list is who was invited. */
  const participateAndList = async (): Promise<void> => {
    await participate();
    expect((await list()).statusCode).toBe(200);
  };
  const CHAIRS = { source: 'chair', invitees: LISTED };

  it('reads the meeting chat members from Graph on behalf of the chair, following every page', async () => {
    graph.pageSize = 2;
    const before = graph.requests.length;
    const list = await invitees();
    expect(list).toEqual({
      source: 'graph',
      invitees: MEMBERS.map((m) => ({ oid: m.userId, name: m.displayName, upn: m.email })),
    });
    const pages = graph.requests.slice(before);
    expect(pages).toHaveLength(3);
    expect(pages[0]?.url).toContain(`/v1.0/chats/${encodeURIComponent(THREAD)}/members`);
    expect(pages[2]?.url).toContain('$skiptoken=');
    // Graph got a Graph token from the exchange, never the chair's own API token.
    for (const p of pages) {
      expect(p.authorization).toMatch(/^Bearer /);
      expect(p.authorization).not.toBe(`Bearer ${t.chair}`);
    }
  });

  it("Graph's names and addresses are shown as a token's are: a NUL or a lone surrogate as U+FFFD, never a pair cut", async () => {
    const long = `${'名'.repeat(199)}𠮷`; // 201 UTF-16 units: the cut at 200 falls inside the pair
    graph.setChat(THREAD, [
      { userId: CHAIR, displayName: '王主席', email: 'chair@example.gov.tw' },
      {
        userId: '00000000-0000-0000-0000-0000000000d1',
        displayName: '陳\u0000委員',
        email: 'chen\ud800@example.gov.tw',
      },
      { userId: '00000000-0000-0000-0000-0000000000d2', displayName: '林\udc00科長', email: null },
      { userId: '00000000-0000-0000-0000-0000000000d3', displayName: long, email: 'long@example.gov.tw' },
      // An id that is not clean text names nobody: the member stays, by address.
      { userId: 'bad\u0000id', displayName: '張專員', email: 'chang@example.gov.tw' },
    ]);
    expect((await invitees()).invitees).toEqual([
      { oid: CHAIR, name: '王主席', upn: 'chair@example.gov.tw' },
      { oid: '00000000-0000-0000-0000-0000000000d1', name: '陳\ufffd委員', upn: 'chen\ufffd@example.gov.tw' },
      { oid: '00000000-0000-0000-0000-0000000000d2', name: '林\ufffd科長', upn: null },
      { oid: '00000000-0000-0000-0000-0000000000d3', name: '名'.repeat(199), upn: 'long@example.gov.tw' },
      { oid: null, name: '張專員', upn: 'chang@example.gov.tw' },
    ]);
    // The sign-in sheet lists them too, and PostgreSQL would have refused a NUL there.
    await participate();
    const csv = await t.call('GET', `${url}/sign-in-sheet.csv`, t.chair);
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain('陳\ufffd委員');
    expect(csv.body).not.toContain('\u0000');
  });

  it('a member list longer than the bound on pages is marked as cut off (a complete one is not: above)', async () => {
    // The chair first: Graph lists a chat's members only to one of them.
    const many: FakeMember[] = [
      MEMBERS[0] as FakeMember,
      ...Array.from({ length: 60 }, (_, i) => ({
        userId: `00000000-0000-0000-0000-${String(i + 1).padStart(12, '0')}`,
        displayName: `與會者${i + 1}`,
        email: null,
      })),
    ];
    graph.setChat(THREAD, many);
    graph.pageSize = 1;
    const cut = await invitees();
    expect(cut.source).toBe('graph');
    expect(cut.truncated).toBe(true);
    expect(cut.invitees.length).toBeLessThan(many.length);
    expect(cut.invitees).toEqual(
      many.slice(0, cut.invitees.length).map((m) => ({ oid: m.userId, name: m.displayName, upn: m.email })),
    );
  });

  it('keeps a Graph answer briefly: a second look asks neither Entra nor Graph', async () => {
    await invitees();
    const graphBefore = graph.requests.length;
    const tokensBefore = entra.tokenRequests();
    expect((await invitees()).source).toBe('graph');
    expect(graph.requests.length).toBe(graphBefore);
    expect(entra.tokenRequests()).toBe(tokensBefore);
  });

  it('accepts a bare meeting-chat thread id as well as the base64 Teams id', async () => {
    const bare = `/api/meetings/${encodeURIComponent(THREAD)}`;
    expect((await t.call('PUT', bare, t.chair, meetingSettings)).statusCode).toBe(201);
    const res = await t.call('GET', `${bare}/invitees`, t.chair);
    expect(res.json()).toMatchObject({ source: 'graph' });
  });

  it('without Graph configured, the invitees are the chair’s list; opening the meeting or acknowledging adds nobody', async () => {
    await t.start({ graph: null });
    await participate();
    await participate();
    // Nobody was named: taking part does not make anyone an invitee, and 應到 is 0.
    expect(await invitees()).toEqual({ source: 'chair', invitees: [] });
    const sheet = await t.call('GET', `${url}/sign-in-sheet.csv`, t.chair);
    expect(sheet.statusCode).toBe(200);
    expect(expectedOf(sheet.body)).toBe('0');
    // The chair names them; the list stands as given, in order, whoever opens the meeting afterwards.
    expect((await list()).json()).toEqual(CHAIRS);
    await t.call('GET', url, await entra.token({ oid: '00000000-0000-0000-0000-0000000000ff', name: '路人' }));
    await participate();
    expect(await invitees()).toEqual(CHAIRS);
    expect(expectedOf((await t.call('GET', `${url}/sign-in-sheet.csv`, t.chair)).body)).toBe('3');
    // A new list replaces the old one, an empty one clears it.
    expect((await list(LISTED.slice(1))).statusCode).toBe(200);
    expect((await invitees()).invitees).toEqual(LISTED.slice(1));
    expect((await list([])).statusCode).toBe(200);
    expect(await invitees()).toEqual({ source: 'chair', invitees: [] });
  });

  it('tells everyone how many are expected (應到) once the chair’s list or Graph’s says, never who', async () => {
    const attendee = await entra.token({ oid: SEEN_OID, name: '周秘書', upn: 'chou@example.gov.tw' });
    const view = async (): Promise<Record<string, unknown>> => (await t.call('GET', url, attendee)).json();
    // Graph was not read for the chair yet, and the chair named nobody: unknown, so no number.
    expect(await view()).not.toHaveProperty('inviteeCount');
    await participate();
    // Graph's member list as the chair reads it: five, whoever opens the meeting.
    await invitees();
    expect(await view()).toMatchObject({ acknowledgementCount: 1, inviteeCount: MEMBERS.length });
    expect(JSON.stringify(await view())).not.toMatch(/林科長|lin@example/);

    // Without Graph: the chair's list.
    await t.start({ graph: null });
    expect(await view()).not.toHaveProperty('inviteeCount');
    expect((await list()).statusCode).toBe(200);
    expect(await view()).toMatchObject({ inviteeCount: LISTED.length });
    expect((await list([])).statusCode).toBe(200);
    expect(await view()).not.toHaveProperty('inviteeCount');
  });

  it('gives no 應到 number when Graph’s member list was cut off', async () => {
    graph.setChat(THREAD, [
      MEMBERS[0] as FakeMember,
      ...Array.from({ length: 60 }, (_, i) => ({
        userId: `00000000-0000-0000-0000-${String(i + 1).padStart(12, '0')}`,
        displayName: `與會者${i + 1}`,
        email: null,
      })),
    ]);
    graph.pageSize = 1;
    expect((await invitees()).truncated).toBe(true);
    const attendee = await entra.token({ oid: SEEN_OID, name: '周秘書' });
    expect((await t.call('GET', url, attendee)).json()).not.toHaveProperty('inviteeCount');
  });

  it('only the chair gives the list, with names that are one clean line and addresses in shape', async () => {
    await t.start({ graph: null });
    const attendee = await entra.token({ oid: ACK_OID, name: '陳委員' });
    expect((await list(LISTED, attendee)).json()).toMatchObject({ code: 'not_chair' });
    for (const bad of ['陳\u200b委員', '陳委員\u202e', '陳\n委員', '陳\u{e0061}委員', '']) {
      const res = await list([{ name: bad }]);
      expect([bad, res.statusCode]).toEqual([bad, 400]);
    }
    expect((await list([{ name: '陳委員', upn: 'chen @example.gov.tw' }])).statusCode).toBe(400);
    expect((await list([{ name: '陳委員', upn: 'chen\u200b@example.gov.tw' }])).statusCode).toBe(400);
    const tooMany = Array.from({ length: MAX_CHAIR_INVITEES + 1 }, (_, i) => ({ name: `與會者${i}` }));
    expect((await list(tooMany)).statusCode).toBe(400);
    // A full list with addresses fits the route's body limit.
    const full = Array.from({ length: MAX_CHAIR_INVITEES }, (_, i) => ({
      name: `與會者${i}`,
      upn: `attendee-${i}@example.gov.tw`,
    }));
    expect((await list(full)).statusCode).toBe(200);
    expect((await invitees()).invitees).toHaveLength(MAX_CHAIR_INVITEES);
    expect((await list([])).statusCode).toBe(200);
    expect(await invitees()).toEqual({ source: 'chair', invitees: [] });
    // Setting the list is on the audit trail (how many, not who), in the chain in the same transaction.
    const { rows } = await t.db.query<{ data: unknown }>(
      "SELECT data FROM audit_pending WHERE kind = 'meeting.invitees-set' UNION ALL SELECT data FROM audit_events WHERE kind = 'meeting.invitees-set'",
    );
    expect(rows).toHaveLength(2);
    expect((await list()).statusCode).toBe(200);
    const after = await t.db.query<{ data: unknown }>(
      "SELECT data FROM audit_events WHERE kind = 'meeting.invitees-set' ORDER BY seq",
    );
    expect(after.rows.map((r) => (typeof r.data === 'string' ? JSON.parse(r.data) : r.data))).toEqual([
      { meetingId: MEETING, count: MAX_CHAIR_INVITEES },
      { meetingId: MEETING, count: 0 },
      { meetingId: MEETING, count: 3 },
    ]);
  });

  it('a meeting id that is not a Teams meeting falls back without asking Entra or Graph', async () => {
    const plain = '/api/meetings/ad-hoc-briefing-2025';
    expect((await t.call('PUT', plain, t.chair, meetingSettings)).statusCode).toBe(201);
    const tokensBefore = entra.tokenRequests();
    const res = await t.call('GET', `${plain}/invitees`, t.chair);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ source: 'chair', invitees: [] });
    expect(entra.tokenRequests()).toBe(tokensBefore);
  });

  describe('every Graph failure falls back to the chair’s list, never a 500', () => {
    beforeEach(participateAndList);

    it.each([403, 404, 500, 503] as const)('Graph %i', async (status) => {
      graph.fail(status);
      const before = graph.requests.length;
      expect(await invitees()).toEqual(CHAIRS);
      expect(graph.requests.length - before).toBe(1);
    });

    it('the chair is not a member of the meeting chat: Graph says 403', async () => {
      graph.setChat(THREAD, MEMBERS.slice(1));
      expect(await invitees()).toEqual(CHAIRS);
    });

    it('Graph 429: falls back, and does not ask again within Retry-After', async () => {
      graph.fail(429, { retryAfter: 30 });
      const before = graph.requests.length;
      expect(await invitees()).toEqual(CHAIRS);
      const after = graph.requests.length;
      expect(after - before).toBe(1);
      expect((await invitees()).source).toBe('chair');
      expect(graph.requests.length).toBe(after);
    });

    it('Graph too slow: the deadline ends the wait', async () => {
      await t.start({ graph: graphOptions(entra, graph, 300) });
      // Graph does not answer until the test lets it: the answer below can only have come from the deadline. Without
      // one the request waits for Graph, and the test's own timeout ends it.
      const release = graph.hold();
      try {
        expect(await invitees()).toEqual(CHAIRS);
      } finally {
        release();
      }
    });

    it('the user has not consented: the on-behalf-of exchange is refused', async () => {
      const oid = '00000000-0000-0000-0000-00000000c0c0';
      entra.requireConsent(oid);
      const other = await entra.token({ oid, name: '許主席' });
      const id = teamsMeetingId('19:meeting_Y29uc2VudA@thread.v2');
      const meeting = `/api/meetings/${encodeURIComponent(id)}`;
      expect((await t.call('PUT', meeting, other, meetingSettings)).statusCode).toBe(201);
      const before = { graph: graph.requests.length, entra: entra.tokenRequests() };
      const res = await t.call('GET', `${meeting}/invitees`, other);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ source: 'chair', invitees: [] });
      expect(entra.tokenRequests() - before.entra).toBe(1);
      expect(graph.requests.length).toBe(before.graph);
    });

    it('a wrong client secret: Entra refuses the client', async () => {
      await t.start({ graph: { ...graphOptions(entra, graph), clientSecret: 'not-the-secret' } });
      const before = graph.requests.length;
      expect(await invitees()).toEqual(CHAIRS);
      expect(graph.requests.length).toBe(before);
    });

    it('the token endpoint is down', async () => {
      await t.start({
        graph: { ...graphOptions(entra, graph), tokenUrl: 'http://127.0.0.1:9/{tenantid}/oauth2/v2.0/token' },
      });
      expect(await invitees()).toEqual(CHAIRS);
    });

    it('an answer too large is not read, whether it says its length or comes in chunks without one', async () => {
      graph.padBytes = 9 * 1024 * 1024; // past the 8 MB any real page stays far below
      expect(await invitees()).toEqual(CHAIRS);
      graph.chunked = true;
      await t.start({ graph: graphOptions(entra, graph) }); // a fresh app: the refusal above is remembered a minute
      expect(await invitees()).toEqual(CHAIRS);
      // A chunked page of ordinary size is read as usual.
      graph.padBytes = 256 * 1024;
      await t.start({ graph: graphOptions(entra, graph) });
      expect((await invitees()).source).toBe('graph');
    });

    it('a paging link to another origin is not followed, so the Graph token goes nowhere else', async () => {
      graph.pageSize = 2;
      graph.nextLinkOrigin = 'http://127.0.0.1:9';
      const before = graph.requests.length;
      const list = await invitees();
      expect(list.source).toBe('graph');
      expect(list.invitees).toHaveLength(2);
      expect(list.truncated).toBe(true);
      expect(graph.requests.length - before).toBe(1);
    });
  });

  it('only the chair: an attendee gets 403, another tenant 404, no token 401', async () => {
    await t.start({ graph: graphOptions(entra, graph), tenantIds: [TENANT, FOREIGN_TENANT] });
    const attendee = await entra.token({ oid: ACK_OID, name: '陳委員' });
    expect((await t.call('GET', `${url}/invitees`, attendee)).json()).toMatchObject({ code: 'not_chair' });
    const outsider = await entra.token({ oid: CHAIR, tid: FOREIGN_TENANT });
    expect((await t.call('GET', `${url}/invitees`, outsider)).statusCode).toBe(404);
    expect((await t.call('GET', `${url}/invitees`)).statusCode).toBe(401);
  });
});
