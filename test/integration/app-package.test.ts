import { mkdtempSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { readConfig } from '../../src/server/config';
import { APP_PACKAGE_DOWNLOAD_NAME, type RunningServer, startServer } from '../../src/server/main';
import { PAGE_PATHS } from '../../src/shared/app-ids';
import { freePort } from '../support/net';
import { DIST, ensureWebBuild, WEB_BUILD_TIMEOUT_MS } from '../support/web-build';

const insecure = new Agent({ rejectUnauthorized: false });

function get(url: string): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { agent: insecure }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

let server: RunningServer;
beforeAll(async () => {
  await ensureWebBuild();
  const config = readConfig({
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'sg-pkg-')),
  });
  server = await startServer(config, { logger: false });
}, WEB_BUILD_TIMEOUT_MS);
afterAll(async () => {
  await server.close();
  insecure.destroy();
});

describe('the server serves the manifests', () => {
  it('serves the app package as a zip download, byte for byte', async () => {
    const res = await get(`${server.url}${PAGE_PATHS.appPackage}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${APP_PACKAGE_DOWNLOAD_NAME}"`);
    expect(res.body.equals(readFileSync(path.join(DIST, 'app-package.zip')))).toBe(true);
  });

  it.each([
    ['/manifest/manifest.xml', /^application\/xml\b/],
    ['/manifest/manifest.json', /^application\/json\b/],
    ['/manifest/en-US.json', /^application\/json\b/],
    ['/manifest/icons/ribbon-80.png', /^image\/png$/],
    ['/manifest/support.html', /^text\/html\b/],
  ])('serves %s as %s, inline', async (url, type) => {
    const res = await get(`${server.url}${url}`);
    expect(res.status).toBe(200);
    expect(String(res.headers['content-type'])).toMatch(type);
    expect(res.headers['content-disposition']).toBeUndefined();
    expect(res.body.equals(readFileSync(path.join(DIST, url)))).toBe(true);
  });
});

describe('static hosting headers and limits', () => {
  it('lets Outlook on the web load the ribbon icons from another origin, and the MSAL popup keep its opener', async () => {
    const icon = await get(`${server.url}/manifest/icons/ribbon-80.png`);
    expect(icon.headers['cross-origin-resource-policy']).toBe('cross-origin');
    const page = await get(`${server.url}${PAGE_PATHS.taskpane}`);
    expect(page.status).toBe(200);
    expect(page.headers['cross-origin-opener-policy']).toBe('same-origin-allow-popups');
    expect(page.headers['cross-origin-resource-policy']).toBe('cross-origin');
    // The API keeps its answers to its own origin.
    const api = await get(`${server.url}/api/policy`);
    expect(api.status).toBe(401);
    expect(api.headers['cross-origin-resource-policy']).toBe('same-origin');
  });

  it('does not count static files or the health check against the per-client request limit', async () => {
    // Behind an agency's NAT or load balancer every user shares one address: pages must not run out at 600 a minute.
    const statuses = new Map<number, number>();
    const keepAlive = new Agent({ rejectUnauthorized: false, keepAlive: true, maxSockets: 8 });
    try {
      const one = (url: string): Promise<number> =>
        new Promise((resolve, reject) => {
          request(url, { agent: keepAlive }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          })
            .on('error', reject)
            .end();
        });
      for (let i = 0; i < 660; i += 20) {
        const batch = await Promise.all(
          Array.from({ length: 20 }, (_, j) =>
            one(`${server.url}${(i + j) % 2 === 0 ? '/manifest/icons/ribbon-80.png' : '/healthz'}`),
          ),
        );
        batch.forEach((s) => statuses.set(s, (statuses.get(s) ?? 0) + 1));
      }
    } finally {
      keepAlive.destroy();
    }
    expect(Object.fromEntries(statuses)).toEqual({ 200: 660 });
  }, 120000);
});

describe('the landing page', () => {
  it('is served at the root, and every link on it answers 200', async () => {
    const res = await get(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(String(res.headers['content-type'])).toMatch(/^text\/html\b/);
    const html = res.body.toString('utf8');
    expect(html).toContain('本會議因具機敏性質，與會人員應行保密。');
    const links = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1] as string);
    expect(links).toEqual(expect.arrayContaining([PAGE_PATHS.appPackage, PAGE_PATHS.taskpane, PAGE_PATHS.teamsStage]));
    for (const link of links) {
      expect([link, (await get(`${server.url}${link}`)).status]).toEqual([link, 200]);
    }
  });
});
