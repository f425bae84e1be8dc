/**
 * `GET /api/meetings/{id}/prefill`: the meeting's name and times from Microsoft Graph, read on behalf of the chair
 * (before the meeting is configured: its organizer), for the configuration page. Every Graph failure is a quiet
 * `prefilled: false`, never an error.
 */
import { type MeetingPrefill } from '../../src/shared/api';
import { type FakeEntra, FOREIGN_TENANT, startFakeEntra } from '../fakes/entra';
import { type FakeGraph, type FakeMeeting, type FakeMember, startFakeGraph } from '../fakes/graph';
import { CHAIR, graphOptions, teamsMeetingId, useMeetingTest } from '../support/meeting-app';
import { STORES } from '../support/stores';

const THREAD = '19:meeting_OTAxNzU3ZTgtZTE1Yi00ZjdlLWI0NjItMTQ3Yjg5YjdmNTQx@thread.v2';
const MEETING = teamsMeetingId(THREAD);
const url = `/api/meetings/${encodeURIComponent(MEETING)}`;
/** A second meeting nobody has configured yet, organized by ORGANIZER. */
const NEW_THREAD = '19:meeting_NzI0ZjE2NTQtYmQ1MC00OTc0LWE0ZTQtOWQ3ZmE0ZjJiNWU3@thread.v2';
const NEW_URL = `/api/meetings/${encodeURIComponent(teamsMeetingId(NEW_THREAD))}`;
const ORGANIZER = '00000000-0000-0000-0000-0000000000a9';
const ATTENDEE = '00000000-0000-0000-0000-0000000000a1';

const MEMBERS: FakeMember[] = [
  { userId: CHAIR, displayName: '王主席', email: 'chair@example.gov.tw' },
  { userId: ORGANIZER, displayName: '林秘書', email: 'lin@example.gov.tw' },
  { userId: ATTENDEE, displayName: '陳委員', email: 'chen@example.gov.tw' },
];
const MEETING_DETAILS: FakeMeeting = {
  topic: '第三季預算協調會議',
  organizerId: CHAIR,
  subject: '第三季預算協調會議（第二次）',
  startDateTime: '2026-12-08T06:00:00.0000000Z',
  endDateTime: '2026-12-08T08:30:00.0000000Z',
};

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

describe.each(STORES)('prefilling the configuration page on %s', (kind) => {
  const t = useMeetingTest(kind, () => ({ entra, graph, thread: THREAD, members: MEMBERS, meetingUrl: url }));
  beforeEach(() => {
    graph.setMeeting(THREAD, MEETING_DETAILS);
    graph.setChat(NEW_THREAD, MEMBERS);
    graph.setMeeting(NEW_THREAD, { ...MEETING_DETAILS, organizerId: ORGANIZER, subject: '新會議' });
  });

  const prefill = async (token: string, at = url): Promise<MeetingPrefill> => {
    const res = await t.call('GET', `${at}/prefill`, token);
    expect(res.statusCode).toBe(200);
    return res.json() as MeetingPrefill;
  };

  it('gives the chair the meeting’s subject and times, read with Chat.ReadBasic and OnlineMeetings.Read', async () => {
    const before = graph.requests.length;
    expect(await prefill(t.chair)).toEqual({
      prefilled: true,
      title: '第三季預算協調會議（第二次）',
      startsAt: '2026-12-08T06:00:00.000Z',
      endsAt: '2026-12-08T08:30:00.000Z',
    });
    const asked = graph.requests
      .slice(before)
      .map((r) => decodeURIComponent(new URL(r.url).pathname + new URL(r.url).search));
    expect(asked).toEqual([
      `/v1.0/chats/${THREAD}`,
      expect.stringMatching(
        /^\/v1\.0\/me\/onlineMeetings\?\$filter=JoinWebUrl eq 'https:\/\/teams\.microsoft\.com\/l\/meetup-join\//,
      ),
    ]);
    for (const r of graph.requests.slice(before)) {
      expect(r.authorization).not.toBe(`Bearer ${t.chair}`);
    }
  });

  it('before the meeting is configured, only its organizer gets anything', async () => {
    const organizer = await entra.token({ oid: ORGANIZER });
    expect(await prefill(organizer, NEW_URL)).toMatchObject({ prefilled: true, title: '新會議' });
    const attendee = await entra.token({ oid: ATTENDEE });
    expect(await prefill(attendee, NEW_URL)).toEqual({ prefilled: false, reason: 'not_organizer' });
    // Once configured, the chair only: the organizer who is not the chair gets 403 like any attendee.
    expect((await t.call('GET', `${url}/prefill`, organizer)).statusCode).toBe(403);
    expect((await t.call('GET', `${url}/prefill`, attendee)).statusCode).toBe(403);
    expect((await t.call('GET', `${url}/prefill`)).statusCode).toBe(401);
    const foreign = await entra.token({ oid: CHAIR, tid: FOREIGN_TENANT });
    expect((await t.call('GET', `${url}/prefill`, foreign)).statusCode).toBe(401);
  });

  it('keeps the chat’s topic when the meeting itself cannot be read (not the organizer’s, per Graph)', async () => {
    graph.setMeeting(THREAD, { ...MEETING_DETAILS, organizerId: ORGANIZER });
    // The chair configured it, so the chair may ask; Graph's /me/onlineMeetings holds only the organizer's own.
    expect(await prefill(t.chair)).toEqual({
      prefilled: true,
      title: '第三季預算協調會議',
      startsAt: null,
      endsAt: null,
    });
  });

  it.each([
    [403, 'forbidden'],
    [404, 'not_found'],
    [429, 'throttled'],
    [503, 'unavailable'],
  ] as const)('Graph %i: not prefilled (%s), no error', async (status, reason) => {
    graph.fail(status);
    expect(await prefill(t.chair)).toEqual({ prefilled: false, reason });
  });

  it('no consent to the permissions: not prefilled (the exchange is refused), no error', async () => {
    // A user of its own: the fake keeps a refusal for good, and the other tests' users must still get through.
    const unconsented = `00000000-0000-0000-0000-0000000000${kind === 'pglite' ? 'c1' : 'c2'}`;
    entra.requireConsent(unconsented);
    expect(await prefill(await entra.token({ oid: unconsented }), NEW_URL)).toEqual({
      prefilled: false,
      reason: 'obo_refused',
    });
  });

  it('a chat with no meeting behind it, or a name the page would refuse, prefills nothing', async () => {
    graph.setMeeting(THREAD, { ...MEETING_DETAILS, topic: null, subject: '會議\u202e名稱', organizerId: ORGANIZER });
    expect(await prefill(t.chair)).toEqual({ prefilled: false, reason: 'nothing_known' });
  });

  it('without Graph configured: not prefilled', async () => {
    await t.start({ graph: null });
    expect(await prefill(t.chair)).toEqual({ prefilled: false, reason: 'not_configured' });
    await t.start({ graph: graphOptions(entra, graph) });
  });
});
