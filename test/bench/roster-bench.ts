/**
 * Click-to-roster: the time from an attendee's click on 「我已知悉並同意保密」 to that attendee's row in the chair's live
 * roster, with the built Teams pages in real Chromium inside the Teams host fake, against the real server (PGlite,
 * in-process, on a free port). The Teams browser test asserts only that the row appears; how fast is measured here.
 *
 * The baseline, in the same run and the same browser: one plain round trip from an attendee's page to the server
 * (`fetch('/healthz')`), then a look at the chair's page, each driven from here as the click is. The ratio is what the
 * acknowledgement's path adds (the POST, the store, the event bus, the chair's event stream and React's render) over
 * the cost of driving the browser at all, so it means the same on a loaded machine and an idle one.
 * Run: npm run bench -- roster
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import type { BrowserContext, Frame } from 'playwright-core';

import { readConfig } from '../../src/server/config';
import { startServer } from '../../src/server/main';
import { DEFAULT_REMINDER } from '../../src/shared/api';
import { PAGE_PATHS } from '../../src/shared/app-ids';
import { AUDIENCE, CLIENT_ID, startFakeEntra, TENANT } from '../fakes/entra';
import { type HostUser, openInTeams } from '../fakes/teams-host';
import { launchChromium } from '../support/browser';
import { freePort } from '../support/net';
import { DIST, ensureWebBuild } from '../support/web-build';

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};
const person = (i: number): HostUser => ({
  oid: `00000000-0000-0000-0000-0000000b${String(i).padStart(4, '0')}`,
  name: `與會者${i}`,
  upn: `attendee${i}@example.gov.tw`,
  tid: TENANT,
});

export async function rosterBench(attendeeCount = 8): Promise<void> {
  await ensureWebBuild();
  const entra = await startFakeEntra();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sg-bench-roster-'));
  const server = await startServer(
    readConfig({
      AUTH_JWKS_URL: entra.jwksUrl,
      AUTH_ISSUER: entra.issuer,
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_TENANT_IDS: TENANT,
      AUTH_CLIENT_ID: CLIENT_ID,
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
    }),
    { staticDir: DIST, logger: false },
  );
  const browser = await launchChromium();
  const insecure = new Agent({ rejectUnauthorized: false });
  const contexts: BrowserContext[] = [];
  try {
    const chairUser: HostUser = {
      oid: '00000000-0000-0000-0000-00000000c4a1',
      name: '王主席',
      upn: 'chair@example.gov.tw',
      tid: TENANT,
    };
    const tokenFor = (u: HostUser): Promise<string> => entra.token({ oid: u.oid, name: u.name, upn: u.upn });
    const thread = `19:meeting_bench${Date.now()}@thread.v2`;
    const meetingId = Buffer.from(`0#${thread}#0`).toString('base64');
    const chairToken = await tokenFor(chairUser);
    const body = JSON.stringify({ title: '基準會議', level: '機密', reminder: DEFAULT_REMINDER });
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${server.url}/api/meetings/${encodeURIComponent(meetingId)}`,
        {
          agent: insecure,
          method: 'PUT',
          headers: {
            authorization: `Bearer ${chairToken}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    if (status !== 201) {
      throw new Error(`the meeting was not configured (${status})`);
    }
    const open = async (user: HostUser): Promise<Frame> => {
      const context = await browser.newContext({ viewport: { width: 320, height: 900 } });
      contexts.push(context);
      context.setDefaultTimeout(120_000);
      const host = await openInTeams(context, {
        appUrl: `${server.url}${PAGE_PATHS.teamsSidePanel}`,
        frameContext: 'sidePanel',
        user,
        meetingId,
        entityId: 'secrecy-guard-reminder',
        token: await tokenFor(user),
      });
      await host.ready();
      return host.app();
    };

    const chair = await open(chairUser);
    await chair.getByTestId('roster-connection').getByText('即時更新中').waitFor();
    const people = Array.from({ length: attendeeCount }, (_, i) => person(i + 1));
    const frames: Frame[] = [];
    for (const p of people) {
      const frame = await open(p);
      await frame.getByRole('button', { name: '我已知悉並同意保密' }).waitFor();
      frames.push(frame);
    }

    const roster: number[] = [];
    const baseline: number[] = [];
    for (const [i, frame] of frames.entries()) {
      // The baseline first, on the same page and the same connection to the chair's frame.
      const b0 = performance.now();
      await frame.evaluate(() => fetch('/healthz').then((r) => r.text()));
      await chair.locator('body').waitFor();
      baseline.push(performance.now() - b0);

      const t0 = performance.now();
      await frame.getByRole('button', { name: '我已知悉並同意保密' }).click();
      await chair
        .locator(`[data-testid="roster-acknowledged"] li[data-oid="${(people[i] as HostUser).oid}"]`)
        .waitFor();
      roster.push(performance.now() - t0);
    }
    const r = median(roster);
    const b = median(baseline);
    console.log(
      `\nclick → chair's roster (${attendeeCount} attendees, one at a time): p50 ${r.toFixed(0)} ms ` +
        `[${roster.map((x) => x.toFixed(0)).join(', ')}]; page round trip (fetch /healthz + a look at the chair's page) ` +
        `p50 ${b.toFixed(0)} ms [${baseline.map((x) => x.toFixed(0)).join(', ')}] → ratio ${(r / b).toFixed(1)}×`,
    );
  } finally {
    await Promise.all(contexts.map((c) => c.close()));
    await browser.close();
    await server.close();
    await entra.close();
    insecure.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
