/**
 * The Teams meeting pages end to end: the built pages (dist/teams) in real Chromium, inside the fake Teams host
 * (test/fakes/teams-host), against the real server started in-process with PGlite and the fake Entra issuer. Each
 * person has their own browser context and their own token.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import type { Browser, BrowserContext, Frame } from 'playwright-core';

import { readConfig } from '../../src/server/config';
import { type RunningServer, startServer } from '../../src/server/main';
import { DEFAULT_REMINDER } from '../../src/shared/api';
import { PAGE_PATHS } from '../../src/shared/app-ids';
import { SIDE_PANEL_REFRESH_MS } from '../../teams-app/shared/useMeeting';
import { STAGE_CALL_TIMEOUT_MS } from '../../teams-app/teams/stage';
import { AUDIENCE, CLIENT_ID, CLIENT_SECRET, type FakeEntra, startFakeEntra, TENANT } from '../fakes/entra';
import { type FakeGraph, startFakeGraph } from '../fakes/graph';
import { type FrameContext, type HostUser, openInTeams, type OpenOptions, type TeamsHost } from '../fakes/teams-host';
import { launchChromium, runAxe, screenshot, seriousViolations } from '../support/browser';
import { freePort } from '../support/net';
import { DIST, ensureWebBuild } from '../support/web-build';

const CHAIR: HostUser = {
  oid: '00000000-0000-0000-0000-00000000c4a1',
  name: '王主席',
  upn: 'chair@example.gov.tw',
  tid: TENANT,
};
const ATTENDEES: readonly HostUser[] = [
  { oid: '00000000-0000-0000-0000-0000000a0001', name: '陳委員', upn: 'chen@example.gov.tw', tid: TENANT },
  { oid: '00000000-0000-0000-0000-0000000a0002', name: '林科長', upn: 'lin@example.gov.tw', tid: TENANT },
  { oid: '00000000-0000-0000-0000-0000000a0003', name: '張專員', upn: 'chang@example.gov.tw', tid: TENANT },
];
const TITLE = '○○經營地區劃分及調整工作會議';
const SIDE_PANEL = { width: 320, height: 900 };
const STAGE = { width: 1280, height: 720 };

jest.setTimeout(300_000);

let entra: FakeEntra;
let graph: FakeGraph;
let server: RunningServer;
let browser: Browser;
let dataDir: string;
const insecure = new Agent({ rejectUnauthorized: false });
const contexts: BrowserContext[] = [];
let meetingSeq = 0;

/** A fresh meeting per test: its chat thread, and the id Teams gives pages for it (base64 of the thread id). */
function newMeeting(): { readonly id: string; readonly thread: string } {
  const thread = `19:meeting_e2e${++meetingSeq}x${Date.now()}@thread.v2`;
  return { id: Buffer.from(`0#${thread}#0`).toString('base64'), thread };
}
const newMeetingId = (): string => newMeeting().id;

const tokenFor = (user: HostUser): Promise<string> => entra.token({ oid: user.oid, name: user.name, upn: user.upn });

async function open(
  user: HostUser,
  page: 'config' | 'side-panel' | 'stage',
  frameContext: FrameContext,
  meetingId: string | null,
  options: Partial<OpenOptions> & {
    viewport?: { width: number; height: number };
    /** Playwright's clock in every frame: time runs as usual until the test moves it ahead. */
    clock?: boolean;
    /** Another server than the suite's. */
    at?: RunningServer;
  } = {},
): Promise<TeamsHost> {
  const context = await browser.newContext({ viewport: options.viewport ?? SIDE_PANEL, acceptDownloads: true });
  contexts.push(context);
  // Playwright's waits only end a wait that never would: 60 s leaves room at a load average of 10 on 2 cores.
  context.setDefaultTimeout(60_000);
  if (options.clock) {
    await context.clock.install();
  }
  const paths = {
    config: PAGE_PATHS.teamsConfig,
    'side-panel': PAGE_PATHS.teamsSidePanel,
    stage: PAGE_PATHS.teamsStage,
  };
  const host = await openInTeams(context, {
    appUrl: `${(options.at ?? server).url}${paths[page]}`,
    frameContext,
    user,
    meetingId,
    ...options,
    token: options.token ?? (await tokenFor(user)),
  });
  await host.ready();
  return host;
}

function api(
  method: string,
  urlPath: string,
  token: string,
  body?: unknown,
  at: RunningServer = server,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      `${at.url}${urlPath}`,
      {
        agent: insecure,
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const meetingPath = (id: string): string => `/api/meetings/${encodeURIComponent(id)}`;

/** Saves the meeting as the chair: 201 the first time, 200 for a change. */
async function configureByApi(meetingId: string, extra: Record<string, unknown> = {}, status = 201): Promise<void> {
  const res = await api('PUT', meetingPath(meetingId), await tokenFor(CHAIR), {
    title: TITLE,
    level: '機密',
    reminder: DEFAULT_REMINDER,
    spokesperson: '李發言人',
    ...extra,
  });
  expect(res.status).toBe(status);
}

/**
 * Waits until `read` gives `expected` (the page works asynchronously; the host's state is polled). The bound only
 * turns a wait that never ends into a readable failure, so it is far above what a load average of 10 costs.
 */
async function until<T>(read: () => Promise<T>, expected: T, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!Object.is(last, expected) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    last = await read();
  }
  expect(last).toBe(expected);
}

const ackButton = (frame: Frame) => frame.getByRole('button', { name: '我已知悉並同意保密' });

/** The server's settings: the fake Entra and Graph, its own data folder and port. */
function serverConfig(dir: string, port: number): ReturnType<typeof readConfig> {
  return readConfig({
    AUTH_JWKS_URL: entra.jwksUrl,
    AUTH_ISSUER: entra.issuer,
    AUTH_AUDIENCE: AUDIENCE,
    AUTH_TENANT_IDS: TENANT,
    AUTH_CLIENT_ID: CLIENT_ID,
    AUTH_CLIENT_SECRET: CLIENT_SECRET,
    AUTH_TOKEN_URL: entra.tokenUrl,
    GRAPH_BASE_URL: graph.baseUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dir,
  });
}

beforeAll(async () => {
  await ensureWebBuild();
  entra = await startFakeEntra();
  graph = await startFakeGraph(entra);
  dataDir = mkdtempSync(path.join(tmpdir(), 'sg-teams-e2e-'));
  server = await startServer(serverConfig(dataDir, await freePort()), { staticDir: DIST, logger: false });
  browser = await launchChromium();
}, 600_000);

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await graph?.close();
  await entra?.close();
  insecure.destroy();
  if (dataDir) {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

describe('Teams meeting pages in the fake Teams host', () => {
  it('the chair configures and saves; three attendees acknowledge; the roster shows each without a reload; an attendee cannot read it', async () => {
    const { id: meetingId, thread } = newMeeting();
    // The meeting chat's members, as Graph lists them: the chair, the three attendees and one who never acknowledges.
    graph.setChat(thread, [
      ...[CHAIR, ...ATTENDEES].map((p) => ({ userId: p.oid, displayName: p.name, email: p.upn })),
      { userId: '00000000-0000-0000-0000-0000000a0009', displayName: '黃秘書', email: 'huang@example.gov.tw' },
    ]);

    // 1. The chair configures the meeting on the configuration page; Save completes through the save handler.
    const config = await open(CHAIR, 'config', 'settings', meetingId);
    const form = config.app();
    await until(async () => (await config.state()).validity, false);
    await form.getByLabel('會議名稱').fill(TITLE);
    await form.getByRole('radio', { name: '機密', exact: true }).check();
    await form.getByLabel('對外發言人（選填）').fill('李發言人');
    await until(async () => (await config.state()).validity, true);
    expect(await config.save()).toEqual({ ok: true });
    const saved = await config.state();
    expect(saved.settings).toEqual({
      contentUrl: `${server.url}${PAGE_PATHS.teamsSidePanel}`,
      websiteUrl: `${server.url}${PAGE_PATHS.teamsSidePanel}`,
      entityId: 'secrecy-guard-reminder',
      suggestedDisplayName: '保密提醒',
    });
    expect(saved.registeredHandlers).toEqual(expect.arrayContaining(['save', 'themeChange']));
    await form.getByText('已儲存設定。').waitFor();
    const stored = JSON.parse((await api('GET', meetingPath(meetingId), await tokenFor(CHAIR))).body) as Record<
      string,
      unknown
    >;
    expect(stored).toMatchObject({ title: TITLE, level: '機密', reminder: DEFAULT_REMINDER, spokesperson: '李發言人' });
    expect(stored).toMatchObject({ sensitive: true, isChair: true });

    // The chair's side panel: the roster goes live.
    const chair = await open(CHAIR, 'side-panel', 'sidePanel', meetingId, { entityId: 'secrecy-guard-reminder' });
    const chairFrame = chair.app();
    await chairFrame.getByTestId('roster-connection').getByText('即時更新中').waitFor();
    await chairFrame.getByTestId('roster-summary').getByText('已知悉 0 人，尚未知悉 5 人').waitFor();
    await chairFrame.getByRole('heading', { name: '尚未知悉（5）' }).waitFor();

    // 2. Three attendees, each in their own browser context, see the reminder and acknowledge.
    const attendees = await Promise.all(ATTENDEES.map((a) => open(a, 'side-panel', 'sidePanel', meetingId)));
    for (const host of attendees) {
      const frame = host.app();
      await ackButton(frame).waitFor();
      await frame.getByText(DEFAULT_REMINDER).waitFor();
      await frame.getByText('對外發言人：李發言人').waitFor();
      expect(await frame.getByTestId('chair-tools').count()).toBe(0);
    }

    // 3. The chair's roster shows each without a reload. How fast is `npm run bench -- roster`'s to say: a loaded CI
    // machine is no measure of it (no wall-clock figures in npm test).
    for (const [i, host] of attendees.entries()) {
      const person = ATTENDEES[i] as HostUser;
      const frame = host.app();
      // A double click is harmless: the button ignores clicks while the first is in flight, the server is idempotent.
      await (i === 1 ? ackButton(frame).dblclick() : ackButton(frame).click());
      await chairFrame.locator(`[data-testid="roster-acknowledged"] li[data-oid="${person.oid}"]`).waitFor();
      await frame.getByText(/您已於 \d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d（臺北時間）確認知悉並同意保密。/).waitFor();
      await chairFrame.getByTestId('roster-announcement').getByText(`${person.name} 已確認知悉`).waitFor();
    }
    const rows = chairFrame.locator('[data-testid="roster-acknowledged"] li');
    expect(await rows.count()).toBe(3);
    expect(await chairFrame.getByTestId('roster-summary').textContent()).toBe('已知悉 3 人，尚未知悉 2 人');
    const pending = await chairFrame.getByTestId('roster-pending').locator('li').allInnerTexts();
    expect(pending.map((text) => text.split('\n')[0]).sort()).toEqual(['王主席', '黃秘書'].sort());
    for (const person of ATTENDEES) {
      await rows.filter({ hasText: person.name }).filter({ hasText: person.upn }).waitFor();
    }
    const roster = JSON.parse(
      (await api('GET', `${meetingPath(meetingId)}/acknowledgements`, await tokenFor(CHAIR))).body,
    ) as { acknowledgements: { oid: string }[] };
    expect(roster.acknowledgements.map((a) => a.oid).sort()).toEqual(ATTENDEES.map((a) => a.oid).sort());

    // Reopening the side panel shows the acknowledgement already made, not the button.
    const again = await open(ATTENDEES[0] as HostUser, 'side-panel', 'sidePanel', meetingId);
    await again
      .app()
      .getByText(/您已於 .*確認知悉並同意保密。/)
      .waitFor();
    expect(await ackButton(again.app()).count()).toBe(0);

    // 4. An attendee asking for the roster or the live stream with their own token is refused.
    const attendeeToken = await tokenFor(ATTENDEES[0] as HostUser);
    expect((await api('GET', `${meetingPath(meetingId)}/acknowledgements`, attendeeToken)).status).toBe(403);
    expect((await api('GET', `${meetingPath(meetingId)}/events`, attendeeToken)).status).toBe(403);
  });

  it('the configuration page is prefilled from Teams for the organizer, and says so; for anyone else, a quiet hint', async () => {
    const { id: meetingId, thread } = newMeeting();
    graph.setChat(
      thread,
      [CHAIR, ...ATTENDEES].map((p) => ({ userId: p.oid, displayName: p.name, email: p.upn })),
    );
    const startsAt = '2026-12-08T06:00:00.0000000Z';
    const endsAt = '2026-12-08T08:30:00.0000000Z';
    graph.setMeeting(thread, {
      topic: TITLE,
      organizerId: CHAIR.oid,
      subject: TITLE,
      startDateTime: startsAt,
      endDateTime: endsAt,
    });
    // The browser and this process share the machine's zone: the fields as the page shows them there.
    const local = (iso: string): { date: string; time: string } => {
      const d = new Date(iso);
      const p2 = (n: number): string => String(n).padStart(2, '0');
      return {
        date: `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}`,
        time: `${p2(d.getHours())}:${p2(d.getMinutes())}`,
      };
    };

    const config = await open(CHAIR, 'config', 'settings', meetingId);
    const form = config.app();
    await form.getByTestId('prefill-note').getByText('已自 Teams 帶入會議名稱或時間，請確認。').waitFor();
    expect(await form.getByLabel('會議名稱').inputValue()).toBe(TITLE);
    if (local(startsAt).date === local(endsAt).date) {
      expect(await form.getByLabel('日期', { exact: true }).inputValue()).toBe(local(startsAt).date);
      expect(await form.getByLabel('開始時間').inputValue()).toBe(local(startsAt).time);
      expect(await form.getByLabel('結束時間').inputValue()).toBe(local(endsAt).time);
    }
    await until(async () => (await config.state()).validity, true);

    // An attendee is not the organizer: nothing is filled, and a line says so (no error).
    const other = await open(ATTENDEES[0] as HostUser, 'config', 'settings', meetingId);
    await other.app().getByTestId('prefill-note').getByText('未能自 Teams 取得會議名稱與時間，請自行填寫。').waitFor();
    expect(await other.app().getByLabel('會議名稱').inputValue()).toBe('');
    expect(await other.app().getByRole('alert').count()).toBe(0);
  });

  it('identity is the SSO token only: a token Teams gives only after consent is asked for again with a prompt', async () => {
    const meetingId = newMeetingId();
    await configureByApi(meetingId);
    const host = await open(ATTENDEES[0] as HostUser, 'side-panel', 'sidePanel', meetingId, { auth: 'consent' });
    await ackButton(host.app()).waitFor();
    const tokenCalls = (await host.state()).calls.filter((c) => c.func === 'authentication.getAuthToken');
    expect(tokenCalls).toHaveLength(2);
    expect(tokenCalls[0]?.args[2]).not.toBe(false);
    expect(tokenCalls[1]?.args[2]).toBe(false);
  });

  it('identity is the SSO token only: the context’s user never makes anyone the chair, or stops the chair being one', async () => {
    const meetingId = newMeetingId();
    await configureByApi(meetingId);
    const attendee = ATTENDEES[0] as HostUser;
    // Teams' context says the chair; the token is the attendee's: an attendee's panel, and their acknowledgement.
    const posing = await open(CHAIR, 'side-panel', 'sidePanel', meetingId, { token: await tokenFor(attendee) });
    await ackButton(posing.app()).click();
    await posing
      .app()
      .getByText(/您已於 .*確認知悉並同意保密。/)
      .waitFor();
    expect(await posing.app().getByTestId('chair-tools').count()).toBe(0);
    const roster = JSON.parse(
      (await api('GET', `${meetingPath(meetingId)}/acknowledgements`, await tokenFor(CHAIR))).body,
    ) as {
      acknowledgements: { oid: string }[];
    };
    expect(roster.acknowledgements.map((a) => a.oid)).toEqual([attendee.oid]);
    // The reverse: the context says an attendee, the token is the chair's: the chair's tools.
    const chair = await open(attendee, 'side-panel', 'sidePanel', meetingId, { token: await tokenFor(CHAIR) });
    await chair.app().getByTestId('chair-tools').waitFor();
    await chair.app().locator(`[data-testid="roster-acknowledged"] li[data-oid="${attendee.oid}"]`).waitFor();
  });

  it('a token Teams refuses is shown with its reason and can be retried', async () => {
    const meetingId = newMeetingId();
    await configureByApi(meetingId);
    const host = await open(ATTENDEES[0] as HostUser, 'side-panel', 'sidePanel', meetingId, { auth: 'fail' });
    const frame = host.app();
    await frame
      .getByRole('alert')
      .getByText(/Teams 無法提供登入權杖（CancelledByUser）/)
      .waitFor();
    await host.setAuth('ok');
    await frame.getByRole('button', { name: '重試' }).click();
    await ackButton(frame).waitFor();
  });

  it('a failed acknowledgement is visible and can be retried: a refused token, then an unreachable server', async () => {
    const meetingId = newMeetingId();
    await configureByApi(meetingId);
    const person = ATTENDEES[1] as HostUser;
    // The page caches its token until shortly before it expires; this one is already due for renewal by the click.
    const minted = Date.now();
    const host = await open(person, 'side-panel', 'sidePanel', meetingId, {
      token: await entra.token({ oid: person.oid, name: person.name, upn: person.upn, expiresIn: 122 }),
    });
    const frame = host.app();
    await ackButton(frame).waitFor();

    // Teams hands out a token the server refuses (signed by a key it does not trust), now and on the forced retry.
    await host.setToken(await entra.foreignKeyToken({ oid: person.oid }));
    await new Promise((r) => setTimeout(r, Math.max(0, minted + 2500 - Date.now())));
    await ackButton(frame).click();
    await frame.getByRole('alert').getByText('伺服器不接受您的登入（權杖無效或已過期）。請再試一次。').waitFor();
    expect(await ackButton(frame).isEnabled()).toBe(true);

    // The network fails.
    await host.setToken(await tokenFor(person));
    const context = host.page.context();
    await context.route('**/acknowledgements', (route) => route.abort('connectionrefused'));
    await ackButton(frame).click();
    await frame
      .getByRole('alert')
      .getByText(/無法連線至伺服器/)
      .waitFor();
    await context.unroute('**/acknowledgements');

    // Pressing the same button again records it.
    await ackButton(frame).click();
    await frame.getByText(/您已於 .*確認知悉並同意保密。/).waitFor();
    expect(await frame.getByRole('alert').count()).toBe(0);
    const roster = JSON.parse(
      (await api('GET', `${meetingPath(meetingId)}/acknowledgements`, await tokenFor(CHAIR))).body,
    ) as { acknowledgements: { oid: string }[] };
    expect(roster.acknowledgements.map((a) => a.oid)).toEqual([person.oid]);
  });

  it('stage sharing: offered only with permission; Teams errors 500, 501 and 1000 each explained; success shares the stage page', async () => {
    const meetingId = newMeetingId();
    await configureByApi(meetingId);
    const presenter = await open(CHAIR, 'side-panel', 'sidePanel', meetingId, { stageOutcome: 500 });
    const frame = presenter.app();
    const share = frame.getByRole('button', { name: '將保密提醒分享到會議舞台' });
    const error = frame.getByTestId('stage-share-error');
    await share.click();
    await error.getByText('Teams 發生內部錯誤，未能分享到會議舞台。請稍後再試一次。').waitFor();
    await presenter.setStage({ stageOutcome: 501 });
    await share.click();
    await error.getByText(/目前的 Teams 不支援在此分享到會議舞台/).waitFor();
    await presenter.setStage({ stageOutcome: 1000 });
    await share.click();
    await error.getByText('您沒有分享到會議舞台的權限。請召集人將您設為簡報者後再試。').waitFor();
    await presenter.setStage({ stageOutcome: 'ok' });
    await share.click();
    await frame.getByText('已分享到會議舞台。').waitFor();
    expect((await presenter.state()).sharedToStage).toEqual([`${server.url}${PAGE_PATHS.teamsStage}`]);

    // A chair Teams does not let share (not a presenter) sees why, and no button.
    const viewer = await open(CHAIR, 'side-panel', 'sidePanel', meetingId, { sharePermission: false, locale: 'en-us' });
    await viewer
      .app()
      .getByTestId('stage-share-unavailable')
      .getByText('Only organizers and presenters can share to the meeting stage.')
      .waitFor();
    expect(
      await viewer
        .app()
        .getByRole('button', { name: /Share the reminder/ })
        .count(),
    ).toBe(0);
  });

  it('stage sharing: Teams that never answers, or cannot say who may share, is explained, and the button does not stay busy', async () => {
    const meetingId = newMeetingId();
    await configureByApi(meetingId);
    const presenter = await open(CHAIR, 'side-panel', 'sidePanel', meetingId, {
      stageOutcome: 'no-answer',
      clock: true,
    });
    const frame = presenter.app();
    const share = frame.getByRole('button', { name: '將保密提醒分享到會議舞台' });
    await share.click();
    await frame.getByRole('button', { name: '分享中…' }).waitFor();
    await presenter.page.clock.runFor(STAGE_CALL_TIMEOUT_MS);
    await frame
      .getByTestId('stage-share-error')
      .getByText('Teams 沒有回應分享到會議舞台的要求。若會議舞台上沒有出現保密提醒，請稍後再試一次。')
      .waitFor();
    await presenter.setStage({ stageOutcome: 'ok' });
    await share.click();
    await frame.getByText('已分享到會議舞台。').waitFor();

    // The capability question: Teams' own error is explained by its code; silence is a timeout, not a spinner.
    const failing = await open(CHAIR, 'side-panel', 'sidePanel', meetingId, { capabilityOutcome: 500 });
    await failing
      .app()
      .getByTestId('stage-share-unavailable')
      .getByText('Teams 發生內部錯誤，未能分享到會議舞台。請稍後再試一次。')
      .waitFor();
    const silent = await open(CHAIR, 'side-panel', 'sidePanel', meetingId, {
      capabilityOutcome: 'no-answer',
      clock: true,
      locale: 'en-us',
    });
    await silent.app().getByTestId('roster').waitFor();
    await silent.page.clock.runFor(STAGE_CALL_TIMEOUT_MS);
    await silent
      .app()
      .getByTestId('stage-share-unavailable')
      .getByText(/^Teams didn't answer the request to share to the stage\./)
      .waitFor();
  });

  it("without the invitation list (Graph has no such chat), the roster follows the chair's list, labelled; opening the app adds nobody", async () => {
    const meetingId = newMeetingId();
    await configureByApi(meetingId);
    const seen = await open(ATTENDEES[0] as HostUser, 'side-panel', 'sidePanel', meetingId);
    await ackButton(seen.app()).waitFor();
    await api('POST', `${meetingPath(meetingId)}/acknowledgements`, await tokenFor(ATTENDEES[1] as HostUser), {});
    const listed = [ATTENDEES[1], ATTENDEES[2]].map((p) => ({ oid: (p as HostUser).oid, name: (p as HostUser).name }));
    expect(
      (await api('PUT', `${meetingPath(meetingId)}/invitees`, await tokenFor(CHAIR), { invitees: listed })).status,
    ).toBe(200);
    const chair = await open(CHAIR, 'side-panel', 'sidePanel', meetingId);
    const frame = chair.app();
    await frame
      .getByText(
        '無法取得會議邀請名單；「尚未知悉」依主席提供的受邀名單，主席尚未提供時為空。開啟本應用程式不會使人列入名單。',
      )
      .waitFor();
    // 陳委員 opened the app but is not on the list; 林科長 acknowledged; 張專員 is listed and has not.
    await frame.getByRole('heading', { name: '尚未知悉（1）：主席提供之名單' }).waitFor();
    const pending = await frame.getByTestId('roster-pending').locator('li').allInnerTexts();
    expect(pending.map((text) => text.split('\n')[0])).toEqual(['張專員']);
    await frame
      .locator(`[data-testid="roster-acknowledged"] li[data-oid="${(ATTENDEES[1] as HostUser).oid}"]`)
      .waitFor();
  });

  it('without the invitation list, the chair pastes the expected attendees: a bad line is named and the text kept; three names give 應到 3', async () => {
    const meetingId = newMeetingId();
    await configureByApi(meetingId);
    const chair = await open(CHAIR, 'side-panel', 'sidePanel', meetingId);
    const frame = chair.app();
    await frame.getByRole('heading', { name: '尚未知悉（0）：主席提供之名單' }).waitFor();
    await frame.getByRole('button', { name: '設定應到人員' }).click();
    const box = frame.getByRole('textbox', { name: '應到人員（每行一人）' });
    // Focus goes to the box when it opens, so the chair can paste at once.
    await until(() => box.evaluate((el) => el === document.activeElement), true);

    // A line with a zero-width space (copied from a web page) is named, nothing is sent, and the text stays.
    const [chen, lin, chang] = ATTENDEES as [HostUser, HostUser, HostUser];
    const withBadLine = `${chen.name}\r\n林\u200b科長 <${lin.upn}>\r\n${chang.name}\t${chang.upn}\r\n`;
    await box.fill(withBadLine);
    await frame.getByTestId('invitee-preview').getByText('將設定應到 2 人').waitFor();
    await frame.getByRole('button', { name: '儲存應到人員' }).click();
    const problems = frame.getByTestId('invitee-problems');
    await problems.getByText('含看不見的字元 U+200B', { exact: false }).waitFor();
    expect(await problems.getAttribute('role')).toBe('alert');
    expect(await problems.getByRole('button').first().textContent()).toBe('第 2 行：');
    expect(await box.inputValue()).toBe(withBadLine.replace(/\r\n/g, '\n'));
    expect(await box.getAttribute('aria-invalid')).toBe('true');
    expect((await box.getAttribute('aria-describedby'))?.split(' ')).toContain(await problems.getAttribute('id'));
    // Focus is on the box, with the bad line selected.
    expect(
      await box.evaluate((el: HTMLTextAreaElement) => [
        el === document.activeElement,
        el.value.slice(el.selectionStart, el.selectionEnd),
      ]),
    ).toEqual([true, '林\u200b科長 <' + lin.upn + '>']);
    const stored = async (): Promise<number> =>
      (
        JSON.parse((await api('GET', `${meetingPath(meetingId)}/invitees`, await tokenFor(CHAIR))).body) as {
          invitees: unknown[];
        }
      ).invitees.length;
    expect(await stored()).toBe(0);
    // The open box with its problems, as assistive technology reads it.
    expect(seriousViolations(await runAxe(chair.page, 'iframe#app'))).toEqual([]);

    // A failed save keeps the text too.
    const context = chair.page.context();
    const refuse = '**/api/meetings/*/invitees';
    await context.route(refuse, (route) =>
      route.request().method() === 'PUT'
        ? route.fulfill({ status: 503, contentType: 'application/json', body: '{"code":"store_unavailable"}' })
        : route.fallback(),
    );
    const fixed = `${chen.name}\r\n${lin.name} <${lin.upn}>\r\n${chang.name}\t${chang.upn}\r\n`;
    await box.fill(fixed);
    await frame.getByTestId('invitee-preview').getByText('將設定應到 3 人').waitFor();
    await frame.getByRole('button', { name: '儲存應到人員' }).click();
    await frame
      .getByTestId('invitee-save-error')
      .getByText(/^未儲存應到人員：/)
      .waitFor();
    expect(await box.inputValue()).toBe(fixed.replace(/\r\n/g, '\n'));
    await context.unroute(refuse);

    // Saved: the roster counts three expected, all not yet acknowledged, without reloading.
    await frame.getByRole('button', { name: '儲存應到人員' }).click();
    await frame.getByTestId('invitee-saved').getByText('已設定應到 3 人。').waitFor();
    await frame.getByTestId('roster-expected').getByText('應到 3 人').waitFor();
    await frame.getByRole('heading', { name: '尚未知悉（3）：主席提供之名單' }).waitFor();
    expect(await frame.getByTestId('roster-summary').textContent()).toBe('已知悉 0 人，尚未知悉 3 人');
    expect(await stored()).toBe(3);
    // Focus returns to the button that opened the box.
    await until(
      () => frame.getByRole('button', { name: '設定應到人員' }).evaluate((el) => el === document.activeElement),
      true,
    );

    // An attendee with an address on the list is matched when they acknowledge.
    await api('POST', `${meetingPath(meetingId)}/acknowledgements`, await tokenFor(lin), {});
    await frame.getByTestId('roster-summary').getByText('已知悉 1 人，尚未知悉 2 人').waitFor();
  });

  it('an invitation list cut off at its bound is labelled, and never reads as everyone having acknowledged', async () => {
    const { id: meetingId, thread } = newMeeting();
    await configureByApi(meetingId);
    // The chair and one attendee, then more members than Graph's paging bound lets the server read one by one.
    const members = [CHAIR, ATTENDEES[0] as HostUser].map((p) => ({
      userId: p.oid,
      displayName: p.name,
      email: p.upn,
    }));
    graph.setChat(thread, [
      ...members,
      ...Array.from({ length: 60 }, (_, i) => ({
        userId: `00000000-0000-0000-0000-0000000b${String(i).padStart(4, '0')}`,
        displayName: `列席者${i + 1}`,
        email: null,
      })),
    ]);
    graph.pageSize = 1;
    try {
      for (const person of [CHAIR, ATTENDEES[0] as HostUser]) {
        await api('POST', `${meetingPath(meetingId)}/acknowledgements`, await tokenFor(person), {});
      }
      const chair = await open(CHAIR, 'side-panel', 'sidePanel', meetingId);
      const frame = chair.app();
      await frame
        .getByTestId('roster-truncated')
        .getByText(/預計與會名單過長，僅取得一部分/)
        .waitFor();
      await frame
        .getByTestId('roster-summary')
        .getByText(/^已知悉 2 人，尚未知悉至少 \d+ 人$/)
        .waitFor();
      expect(await frame.getByText('預計與會者皆已確認知悉。').count()).toBe(0);
    } finally {
      graph.pageSize = 100;
    }
  });

  it('the stage: the reminder large, each viewer acknowledges, and every viewer sees the live count', async () => {
    const meetingId = newMeetingId();
    await configureByApi(meetingId, { level: '極機密' });
    const first = await open(ATTENDEES[0] as HostUser, 'stage', 'meetingStage', meetingId, { viewport: STAGE });
    const second = await open(ATTENDEES[1] as HostUser, 'stage', 'meetingStage', meetingId, {
      viewport: STAGE,
      locale: 'en-us',
    });
    const count = (host: TeamsHost) => host.app().getByTestId('stage-count');
    await count(first).getByText('已有 0 人確認知悉並同意保密').waitFor();
    await count(second).getByText('0 people have acknowledged').waitFor();
    const reminderSize = await first
      .app()
      .getByText(DEFAULT_REMINDER)
      .evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(reminderSize).toBeGreaterThanOrEqual(40);
    // The level's badge follows the viewer's language: Chinese alone on a zh-TW page, with its English on an English one.
    await first.app().getByText('極機密', { exact: true }).first().waitFor();
    expect(await first.app().getByText('極機密 · Secret').count()).toBe(0);
    await second.app().getByText('極機密 · Secret').waitFor();

    await ackButton(first.app()).click();
    await count(first).getByText('已有 1 人確認知悉並同意保密').waitFor();
    // The other viewer, who is not the chair, sees the count move without reloading.
    await count(second).getByText('1 person has acknowledged').waitFor();
    await second.app().getByRole('button', { name: 'I acknowledge and will keep this confidential' }).click();
    await count(second).getByText('2 people have acknowledged').waitFor();
    await second
      .app()
      .getByText(/You acknowledged and agreed to keep this confidential on .* \(Taipei time\)\./)
      .waitFor();
  });

  it('the stage: once the invitees are known, the count says how many of them, in both languages', async () => {
    const { id: meetingId, thread } = newMeeting();
    await configureByApi(meetingId);
    const first = await open(ATTENDEES[0] as HostUser, 'stage', 'meetingStage', meetingId, { viewport: STAGE });
    const count = (host: TeamsHost) => host.app().getByTestId('stage-count');
    // Nobody knows yet who was invited: the plain count.
    await count(first).getByText('已有 0 人確認知悉並同意保密').waitFor();
    // Graph lists five members, read as the chair (the chair's side panel does this).
    graph.setChat(thread, [
      ...[CHAIR, ...ATTENDEES].map((p) => ({ userId: p.oid, displayName: p.name, email: p.upn })),
      { userId: '00000000-0000-0000-0000-0000000a0009', displayName: '黃秘書', email: 'huang@example.gov.tw' },
    ]);
    expect((await api('GET', `${meetingPath(meetingId)}/invitees`, await tokenFor(CHAIR))).status).toBe(200);
    await count(first).getByText('已確認 0／應到 5').waitFor();
    const second = await open(ATTENDEES[1] as HostUser, 'stage', 'meetingStage', meetingId, {
      viewport: STAGE,
      locale: 'en-us',
    });
    await count(second).getByText('0 of 5 have acknowledged').waitFor();
    await ackButton(first.app()).click();
    await count(first).getByText('已確認 1／應到 5').waitFor();
    await count(second).getByText('1 of 5 have acknowledged').waitFor();
  });

  it('screen readers hear the level in the page’s language, the roster’s full date, and the connection’s changes', async () => {
    const meetingId = newMeetingId();
    await configureByApi(meetingId);
    await api('POST', `${meetingPath(meetingId)}/acknowledgements`, await tokenFor(ATTENDEES[0] as HostUser), {});

    // English: the level's English name is on screen beside the Chinese one, and spoken as a phrase in English.
    const english = await open(ATTENDEES[1] as HostUser, 'side-panel', 'sidePanel', meetingId, { locale: 'en-us' });
    const card = english.app().getByRole('region', { name: 'Secrecy reminder' });
    await card.getByText('機密 · Confidential').waitFor();
    expect(await card.ariaSnapshot()).toMatch(/Classification level: 機密\s*Confidential/);

    // Chinese: the badge says what the word is (密等), without English.
    const chair = await open(CHAIR, 'side-panel', 'sidePanel', meetingId);
    const frame = chair.app();
    const zhCard = frame.getByRole('region', { name: '保密提醒' });
    await zhCard.waitFor();
    const zhSnapshot = await zhCard.ariaSnapshot();
    expect(zhSnapshot).toMatch(/密等 機密/);
    expect(zhSnapshot).not.toMatch(/Confidential/);

    // The roster's time of day shows; the full date and zone is text a screen reader reads, not a title.
    const row = frame.locator(`[data-testid="roster-acknowledged"] li[data-oid="${(ATTENDEES[0] as HostUser).oid}"]`);
    await row.waitFor();
    expect(await row.locator('[title]').count()).toBe(0);
    expect(await row.ariaSnapshot()).toMatch(/\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d（臺北時間）/);
    expect(await row.innerText()).toMatch(/^\S+\n\d\d:\d\d:\d\d\n/);

    // The connection badge is a polite live region, so "reconnecting" is heard when it happens.
    const connection = frame.getByTestId('roster-connection');
    await connection.getByText('即時更新中').waitFor();
    expect(await frame.getByRole('status').filter({ hasText: '即時更新中' }).count()).toBe(1);
    expect(await connection.getAttribute('aria-live')).toBe('polite');
  });

  it('the side panel reads the meeting again every minute while visible: a meeting configured later appears, and the chair’s change shows', async () => {
    const meetingId = newMeetingId();
    const host = await open(ATTENDEES[0] as HostUser, 'side-panel', 'sidePanel', meetingId, { clock: true });
    const frame = host.app();
    await frame.getByText('主席尚未設定此會議的保密提醒。').waitFor();

    await configureByApi(meetingId);
    await host.page.clock.runFor(SIDE_PANEL_REFRESH_MS - 5_000);
    expect(await ackButton(frame).count()).toBe(0); // not before the minute is up
    await host.page.clock.runFor(5_000);
    await ackButton(frame).waitFor();
    await frame.getByText('機密', { exact: true }).waitFor();

    await configureByApi(meetingId, { level: '極機密', reminder: `${DEFAULT_REMINDER}會後資料請交回。` }, 200);
    await host.page.clock.runFor(SIDE_PANEL_REFRESH_MS);
    await frame.getByText('極機密', { exact: true }).waitFor();
    await frame.getByText(`${DEFAULT_REMINDER}會後資料請交回。`).waitFor();
  });

  it('a meeting the chair has not marked sensitive: the stage, like the side panel, asks nothing', async () => {
    const meetingId = newMeetingId();
    await configureByApi(meetingId, { sensitive: false });
    for (const [page, frameContext, viewport] of [
      ['stage', 'meetingStage', STAGE],
      ['side-panel', 'sidePanel', SIDE_PANEL],
    ] as const) {
      const host = await open(ATTENDEES[0] as HostUser, page, frameContext, meetingId, { viewport });
      await host.app().getByText('主席未將此會議標示為機敏會議，無須確認。').waitFor();
      expect(await ackButton(host.app()).count()).toBe(0);
      expect(await host.app().getByTestId('stage-count').count()).toBe(0);
    }
  });

  it('Teams’ own Share to stage puts the tab’s side-panel page on the stage: it renders the stage, never the chair’s tools', async () => {
    const meetingId = newMeetingId();
    await configureByApi(meetingId);
    // The tab's contentUrl is the side panel's; Teams loads that same URL in the meetingStage frame.
    const stage = await open(CHAIR, 'side-panel', 'meetingStage', meetingId, { viewport: STAGE });
    const frame = stage.app();
    await frame.getByTestId('stage-count').getByText('已有 0 人確認知悉並同意保密').waitFor();
    expect(await frame.getByTestId('chair-tools').count()).toBe(0);
    expect(await frame.getByTestId('roster').count()).toBe(0);
    const reminderSize = await frame
      .getByText(DEFAULT_REMINDER)
      .evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(reminderSize).toBeGreaterThanOrEqual(40);
    await ackButton(frame).click();
    await frame.getByTestId('stage-count').getByText('已有 1 人確認知悉並同意保密').waitFor();
  });

  it('when the chair changes the level or the reminder, attendees are asked again, and a page showing the old one cannot acknowledge the new', async () => {
    const meetingId = newMeetingId();
    await configureByApi(meetingId);
    const person = ATTENDEES[0] as HostUser;
    const host = await open(person, 'side-panel', 'sidePanel', meetingId);
    const frame = host.app();
    await ackButton(frame).click();
    await frame.getByText(/您已於 .*確認知悉並同意保密。/).waitFor();

    // The chair raises the level: reopening the panel shows the new level with the button again, and why.
    const chairToken = await tokenFor(CHAIR);
    const change = (extra: Record<string, unknown>) =>
      api('PUT', meetingPath(meetingId), chairToken, {
        title: TITLE,
        level: '機密',
        reminder: DEFAULT_REMINDER,
        spokesperson: '李發言人',
        ...extra,
      });
    expect((await change({ level: '絕對機密' })).status).toBe(200);
    const again = await open(person, 'side-panel', 'sidePanel', meetingId);
    const panel = again.app();
    await panel
      .getByTestId('ack-renew')
      .getByText(/主席已更新密等或提醒內容（您曾於 .*確認先前的版本）/)
      .waitFor();
    await panel.getByText('絕對機密', { exact: true }).waitFor();

    // While the page shows that, the chair rewrites the reminder: the click is refused, the new text comes up.
    const rewritten = '會議資料一律不得攜出會場。';
    expect((await change({ level: '絕對機密', reminder: rewritten })).status).toBe(200);
    await ackButton(panel).click();
    await panel
      .getByRole('alert')
      .getByText('主席剛更新了密等或提醒內容，上方已顯示新的內容；請閱讀後再確認。')
      .waitFor();
    await panel.getByText(rewritten).waitFor();
    const before = JSON.parse((await api('GET', `${meetingPath(meetingId)}/acknowledgements`, chairToken)).body) as {
      acknowledgements: { current: boolean }[];
    };
    expect(before.acknowledgements).toMatchObject([{ current: false }]);
    const chair = await open(CHAIR, 'side-panel', 'sidePanel', meetingId);
    await chair
      .app()
      .locator(`[data-testid="roster-acknowledged"] li[data-oid="${person.oid}"]`)
      .getByTestId('roster-earlier-version')
      .getByText('確認的是先前版本（密等或提醒已更新），尚待重新確認')
      .waitFor();

    // Read, acknowledged: recorded for the current version.
    await ackButton(panel).click();
    await panel.getByText(/您已於 .*確認知悉並同意保密。/).waitFor();
    expect(await panel.getByTestId('ack-renew').count()).toBe(0);
    const after = JSON.parse((await api('GET', `${meetingPath(meetingId)}/acknowledgements`, chairToken)).body) as {
      acknowledgements: { current: boolean }[];
    };
    expect(after.acknowledgements).toMatchObject([{ current: true }]);
  });

  it('the configuration page: existing settings load; someone else is refused clearly and keeps what they typed', async () => {
    const meetingId = newMeetingId();
    // Someone (the would-be chair) starts filling in a new meeting …
    const late = await open(ATTENDEES[2] as HostUser, 'config', 'settings', meetingId);
    const form = late.app();
    await form.getByLabel('會議名稱').fill('我的會議');
    await form.getByLabel('對外發言人（選填）').fill('張發言人');
    // … while the chair configures it first.
    await configureByApi(meetingId);
    await until(async () => (await late.state()).validity, true);
    const result = await late.save();
    expect(result.ok).toBe(false);
    await form
      .getByTestId('config-save-error')
      .getByText(/此會議已由其他人設定為主席；僅該主席可以修改設定。/)
      .waitFor();
    expect(await form.getByLabel('會議名稱').inputValue()).toBe('我的會議');
    expect(await form.getByLabel('對外發言人（選填）').inputValue()).toBe('張發言人');
    expect((await late.state()).validity).toBe(false);
    expect((await late.state()).settings).toBeNull();

    // The chair reopening the configuration sees the stored settings.
    const chair = await open(CHAIR, 'config', 'settings', meetingId);
    await chair.app().getByText('已載入此會議目前的設定。').waitFor();
    expect(await chair.app().getByLabel('會議名稱').inputValue()).toBe(TITLE);
    expect(await chair.app().getByRole('radio', { name: '機密', exact: true }).isChecked()).toBe(true);
    expect(await chair.app().getByLabel('對外發言人（選填）').inputValue()).toBe('李發言人');
  });

  it('works by keyboard: Tab reaches the button, Enter acknowledges, focus moves to the confirmation', async () => {
    const meetingId = newMeetingId();
    await configureByApi(meetingId);
    const host = await open(ATTENDEES[2] as HostUser, 'side-panel', 'sidePanel', meetingId);
    const frame = host.app();
    await ackButton(frame).waitFor();
    await host.page.keyboard.press('Tab');
    expect(await frame.evaluate(() => document.activeElement?.textContent)).toBe('我已知悉並同意保密');
    await host.page.keyboard.press('Enter');
    await frame.getByText(/您已於 .*確認知悉並同意保密。/).waitFor();
    expect(await frame.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('status');
    expect(await frame.evaluate(() => document.activeElement?.textContent)).toMatch(/確認知悉並同意保密。$/);
  });

  it('Save is enabled only while the form is valid; someone who is not the chair sees why and cannot save', async () => {
    const meetingId = newMeetingId();
    const config = await open(CHAIR, 'config', 'settings', meetingId, { locale: 'en-us' });
    const form = config.app();
    await until(async () => (await config.state()).validity, false);
    await form.getByLabel('Meeting title').fill('Budget review');
    await until(async () => (await config.state()).validity, true);
    await form.getByLabel('Secrecy reminder').fill('   ');
    await form.getByLabel('Secrecy reminder').blur();
    await until(async () => (await config.state()).validity, false);
    await form.getByText('Required.').waitFor();
    await form.getByRole('button', { name: 'Restore the default text' }).click();
    expect(await form.getByLabel('Secrecy reminder').inputValue()).toBe(DEFAULT_REMINDER);
    await until(async () => (await config.state()).validity, true);
    expect(await config.save()).toEqual({ ok: true });

    const other = await open(ATTENDEES[0] as HostUser, 'config', 'settings', meetingId);
    await other
      .app()
      .getByTestId('config-other-chair')
      .getByText('此會議已由其他人設定為主席；僅該主席可以修改設定。')
      .waitFor();
    expect(await other.app().getByLabel('會議名稱').isDisabled()).toBe(true);
    expect((await other.state()).validity).toBe(false);
    await expect(other.save()).rejects.toThrow(/Save is disabled/);
  });

  it('outside a meeting, or outside Teams, the pages say where they work', async () => {
    const noMeeting = await open(CHAIR, 'side-panel', 'content', null);
    await noMeeting.app().getByRole('alert').getByText('此頁僅能在 Teams 會議中使用。').waitFor();
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${server.url}${PAGE_PATHS.teamsSidePanel}`);
    await page
      .getByRole('alert')
      .getByText(/^(請在 Microsoft Teams 會議中開啟此頁。|Open this page in a Microsoft Teams meeting\.)$/)
      .waitFor();
  });

  it('a theme switch in Teams changes the colours, live', async () => {
    const meetingId = newMeetingId();
    await configureByApi(meetingId);
    const host = await open(CHAIR, 'side-panel', 'sidePanel', meetingId);
    const frame = host.app();
    const colours = () =>
      frame.locator('[data-theme]').evaluate((el) => {
        const heading = el.querySelector('h1');
        const button = el.querySelector('button');
        return {
          theme: el.getAttribute('data-theme'),
          background: getComputedStyle(el).backgroundColor,
          text: heading ? getComputedStyle(heading).color : '',
          button: button ? getComputedStyle(button).backgroundColor : '',
        };
      });
    /** The colours once the theme has applied and Fluent's colour transitions have finished. */
    const settled = async (theme: string) => {
      await until(async () => (await colours()).theme, theme);
      let previous = JSON.stringify(await colours());
      for (;;) {
        await new Promise((r) => setTimeout(r, 150));
        const now = JSON.stringify(await colours());
        if (now === previous) {
          return JSON.parse(now) as Awaited<ReturnType<typeof colours>>;
        }
        previous = now;
      }
    };
    await ackButton(frame).waitFor();
    const light = await settled('light');
    expect(light.background).toBe('rgb(255, 255, 255)');
    await host.setTheme('dark');
    const dark = await settled('dark');
    expect(dark.background).not.toBe(light.background);
    expect(dark.text).not.toBe(light.text);
    await host.setTheme('contrast');
    const contrast = await settled('contrast');
    expect(contrast.background).toBe('rgb(0, 0, 0)');
    expect(contrast.button).not.toBe(dark.button);
    expect(new Set([light.button, dark.button, contrast.button]).size).toBe(3);
  });

  it('axe finds no serious or critical violations on any page', async () => {
    const meetingId = newMeetingId();
    await configureByApi(meetingId);
    await api('POST', `${meetingPath(meetingId)}/acknowledgements`, await tokenFor(ATTENDEES[0] as HostUser), {});
    const pages: [string, TeamsHost][] = [
      ['config (new meeting)', await open(CHAIR, 'config', 'settings', newMeetingId())],
      ['config (existing)', await open(CHAIR, 'config', 'settings', meetingId)],
      ['side panel (attendee)', await open(ATTENDEES[1] as HostUser, 'side-panel', 'sidePanel', meetingId)],
      ['side panel (chair)', await open(CHAIR, 'side-panel', 'sidePanel', meetingId)],
      ['stage', await open(ATTENDEES[2] as HostUser, 'stage', 'meetingStage', meetingId, { viewport: STAGE })],
      ['stage (dark)', await open(ATTENDEES[1] as HostUser, 'stage', 'meetingStage', meetingId, { theme: 'dark' })],
      ['side panel (contrast)', await open(CHAIR, 'side-panel', 'sidePanel', meetingId, { theme: 'contrast' })],
    ];
    await pages[3]?.[1].app().locator('[data-testid="roster-acknowledged"] li').first().waitFor();
    for (const [name, host] of pages) {
      await host.app().locator('main').first().waitFor();
      await host.app().locator('[role="progressbar"]').waitFor({ state: 'detached' });
      const serious = seriousViolations(await runAxe(host.page, 'iframe#app'));
      expect({ name, serious }).toEqual({ name, serious: [] });
    }
  });

  it('the sign-in sheet: PDF with the names and the secrecy sentence, and CSV, downloaded under the server’s file name', async () => {
    const meetingId = newMeetingId();
    await configureByApi(meetingId);
    for (const person of ATTENDEES) {
      expect((await api('POST', `${meetingPath(meetingId)}/acknowledgements`, await tokenFor(person), {})).status).toBe(
        201,
      );
    }
    const host = await open(CHAIR, 'side-panel', 'sidePanel', meetingId);
    const frame = host.app();
    // The server's names (its content-disposition), not names the page makes up.
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Taipei' }).format(new Date()).replace(/-/g, '');

    const [pdf] = await Promise.all([host.page.waitForEvent('download'), frame.getByTestId('export-pdf').click()]);
    expect(pdf.suggestedFilename()).toBe(`簽到表-${TITLE}-${day}.pdf`);
    const pdfPath = path.join(dataDir, 'sheet.pdf');
    await pdf.saveAs(pdfPath);
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', pdfPath, '-'], { encoding: 'utf8' });
    expect(text.replace(/\s+/g, '')).toContain(DEFAULT_REMINDER);
    for (const person of ATTENDEES) {
      expect(text).toContain(person.name);
    }
    await frame.getByText(`已下載「簽到表-${TITLE}-${day}.pdf」。`).waitFor();

    const [csv] = await Promise.all([host.page.waitForEvent('download'), frame.getByTestId('export-csv').click()]);
    expect(csv.suggestedFilename()).toBe(`簽到表-${TITLE}-${day}.csv`);
    const csvPath = path.join(dataDir, 'sheet.csv');
    await csv.saveAs(csvPath);
    const csvText = readFileSync(csvPath, 'utf8');
    for (const person of ATTENDEES) {
      expect(csvText).toContain(person.name);
      expect(csvText).toContain(person.upn);
    }

    // A server without the export (an older version: its 404) or without a Chinese font (503) is said plainly.
    const context = host.page.context();
    await context.route('**/sign-in-sheet.pdf', (route) =>
      route.fulfill({
        status: 404,
        contentType: 'application/json',
        body: '{"code":"not_found","message":"找不到 / Not found"}',
      }),
    );
    await frame.getByTestId('export-pdf').click();
    await frame.getByTestId('export-error').getByText('此伺服器尚未提供簽到表下載。').waitFor();
    await context.unroute('**/sign-in-sheet.pdf');

    // A real server that found no Chinese font: its own 503 pdf_font_missing and reason, and the CSV still works.
    const fontlessDir = mkdtempSync(path.join(tmpdir(), 'sg-teams-e2e-nofont-'));
    const fontless = await startServer(serverConfig(fontlessDir, await freePort()), {
      staticDir: DIST,
      logger: false,
      pdfFonts: { status: 'none', searched: ['/usr/share/fonts/truetype/arphic/uming.ttc'] },
    });
    try {
      const put = await api(
        'PUT',
        meetingPath(meetingId),
        await tokenFor(CHAIR),
        { title: TITLE, level: '機密', reminder: DEFAULT_REMINDER },
        fontless,
      );
      expect(put.status).toBe(201);
      const direct = await api(
        'GET',
        `${meetingPath(meetingId)}/sign-in-sheet.pdf`,
        await tokenFor(CHAIR),
        undefined,
        fontless,
      );
      expect(direct.status).toBe(503);
      expect(JSON.parse(direct.body)).toMatchObject({ code: 'pdf_font_missing' });
      const noFont = await open(CHAIR, 'side-panel', 'sidePanel', meetingId, { at: fontless });
      const panel = noFont.app();
      await panel.getByTestId('export-pdf').click();
      await panel
        .getByTestId('export-error')
        .getByText(/^未能下載簽到表：伺服器未安裝中文字型，無法產生 PDF；CSV 仍可下載。.*No Chinese font is installed/)
        .waitFor();
      expect(await panel.getByTestId('export-pdf').isEnabled()).toBe(true);
      const [fontlessCsv] = await Promise.all([
        noFont.page.waitForEvent('download'),
        panel.getByTestId('export-csv').click(),
      ]);
      expect(fontlessCsv.suggestedFilename()).toBe(`簽到表-${TITLE}-${day}.csv`);
    } finally {
      await Promise.all(contexts.splice(0).map((c) => c.close()));
      await fontless.close();
      rmSync(fontlessDir, { recursive: true, force: true });
    }
  });

  it('fits the side panel (320 px) and the stage (1280×720) in light, dark and high contrast, with screenshots', async () => {
    const { id: meetingId, thread } = newMeeting();
    graph.setChat(
      thread,
      [CHAIR, ...ATTENDEES].map((p) => ({ userId: p.oid, displayName: p.name, email: p.upn })),
    );
    await configureByApi(meetingId, { reminder: `${DEFAULT_REMINDER}會議資料及內容不得任意發表或提供外界。` });
    for (const person of ATTENDEES.slice(0, 2)) {
      await api('POST', `${meetingPath(meetingId)}/acknowledgements`, await tokenFor(person), {});
    }
    const shots: string[] = [];
    /** Grows the window to the page's height, so the screenshot shows all of it, and checks nothing is cut off. */
    const capture = async (host: TeamsHost, name: string, width: number): Promise<void> => {
      const frame = host.app();
      await frame.locator('[role="progressbar"]').waitFor({ state: 'detached' });
      const size = await frame.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
        height: document.documentElement.scrollHeight,
      }));
      // Nothing wider than the panel: no sideways scrolling, no text running off the edge.
      expect({ name, overflow: size.scrollWidth - size.clientWidth }).toEqual({ name, overflow: 0 });
      const clipped = await frame.evaluate(() =>
        [...document.querySelectorAll('p, h1, h2, h3, h4, button, li, label')]
          .filter((el) => el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === 'hidden')
          .map((el) => el.textContent),
      );
      expect({ name, clipped }).toEqual({ name, clipped: [] });
      if (width === SIDE_PANEL.width) {
        await host.page.setViewportSize({ width, height: Math.max(size.height, 600) });
      }
      shots.push(await screenshot(host.page, name));
    };
    for (const theme of ['default', 'dark', 'contrast'] as const) {
      const label = theme === 'default' ? 'light' : theme;
      const attendee = await open(ATTENDEES[2] as HostUser, 'side-panel', 'sidePanel', meetingId, { theme });
      await ackButton(attendee.app()).waitFor();
      await capture(attendee, `teams-side-panel-attendee-${label}`, SIDE_PANEL.width);
      const done = await open(ATTENDEES[0] as HostUser, 'side-panel', 'sidePanel', meetingId, { theme });
      await done
        .app()
        .getByText(/您已於 .*確認知悉並同意保密。/)
        .waitFor();
      await capture(done, `teams-side-panel-acknowledged-${label}`, SIDE_PANEL.width);
      const chair = await open(CHAIR, 'side-panel', 'sidePanel', meetingId, { theme });
      await chair.app().getByTestId('roster-pending').waitFor();
      await capture(chair, `teams-side-panel-chair-${label}`, SIDE_PANEL.width);
      const config = await open(CHAIR, 'config', 'settings', meetingId, { theme });
      await config.app().getByText('已載入此會議目前的設定。').waitFor();
      await capture(config, `teams-config-${label}`, SIDE_PANEL.width);
      const stage = await open(ATTENDEES[2] as HostUser, 'stage', 'meetingStage', meetingId, {
        theme,
        viewport: STAGE,
      });
      await stage.app().getByTestId('stage-count').waitFor();
      await capture(stage, `teams-stage-${label}`, STAGE.width);
      // What Teams' own Share to stage shows: the tab's side-panel page in the stage frame, as the chair sees it.
      const shared = await open(CHAIR, 'side-panel', 'meetingStage', meetingId, { theme, viewport: STAGE });
      await shared.app().getByTestId('stage-count').waitFor();
      await capture(shared, `teams-stage-from-side-panel-${label}`, STAGE.width);
      await Promise.all(contexts.splice(0).map((c) => c.close()));
    }
    const english = await open(CHAIR, 'side-panel', 'sidePanel', meetingId, { locale: 'en-us' });
    await english.app().getByTestId('roster-pending').waitFor();
    await capture(english, 'teams-side-panel-chair-en', SIDE_PANEL.width);
    const englishStage = await open(ATTENDEES[1] as HostUser, 'stage', 'meetingStage', meetingId, {
      locale: 'en-us',
      viewport: STAGE,
    });
    await englishStage.app().getByTestId('stage-count').waitFor();
    await capture(englishStage, 'teams-stage-en', STAGE.width);
    console.log(`screenshots:\n${shots.join('\n')}`);
  });
});
