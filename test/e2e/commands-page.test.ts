/**
 * The event runtime page as web, new Outlook and Mac load it: served by the real server with its CSP, in Chromium.
 * office.js and every file it asks for come from Microsoft's CDN (the build's default), answered here from the
 * installed package since this machine has no network; launchevent.js runs under the CSP (no eval) and registers
 * every handler. The one other request office.js makes (MicrosoftAjax.js from ajax.aspnetcdn.com) fails to connect;
 * it must not be refused by our CSP.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import type { Browser } from 'playwright-core';

import { readConfig } from '../../src/server/config';
import { type RunningServer, startServer } from '../../src/server/main';
import { ADDIN_ACTIONS } from '../../src/shared/app-ids';
import { launchChromium } from '../support/browser';
import { freePort } from '../support/net';
import { OFFICE_JS_CDN_BASE, routeOfficeJsCdn } from '../support/office-js-cdn';
import { DIST, ensureWebBuild, WEB_BUILD_TIMEOUT_MS } from '../support/web-build';

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  await ensureWebBuild();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sg-commands-'));
  server = await startServer(readConfig({ PORT: String(await freePort()), HOST: '127.0.0.1', DATA_DIR: dataDir }), {
    logger: false,
    staticDir: DIST,
  });
  browser = await launchChromium();
}, WEB_BUILD_TIMEOUT_MS);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it.each([
  [
    'Outlook on the web / new Outlook',
    'Outlook$Web$16.01$zh-TW$$$$0',
    ['outlook-web-16.01.js', 'zh-tw/office_strings.js'],
  ],
  ['Outlook on Mac', 'Outlook$Mac$16.00$en-US$$$$0', ['outlook-mac-16.00.js', 'en-us/office_strings.js']],
])('%s: office.js from the CDN, then launchevent.js registers every handler', async (_client, hostInfo, files) => {
  const page = await browser.newPage();
  await routeOfficeJsCdn(page);
  const ours: { url: string; status: number }[] = [];
  const cdn: { url: string; status: number }[] = [];
  const elsewhere: { url: string; error: string }[] = [];
  const cspViolations: string[] = [];
  page.on('response', (r) => {
    if (r.url().startsWith(server.url)) {
      ours.push({ url: r.url().slice(server.url.length), status: r.status() });
    } else if (r.url().startsWith(OFFICE_JS_CDN_BASE)) {
      cdn.push({ url: r.url().slice(OFFICE_JS_CDN_BASE.length), status: r.status() });
    }
  });
  page.on('requestfailed', (r) => {
    elsewhere.push({ url: r.url(), error: r.failure()?.errorText ?? '' });
  });
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) {
      cspViolations.push(m.text());
    }
  });
  await page.goto(`${server.url}/addin/commands.html?_host_Info=${encodeURIComponent(hostInfo)}`);
  await page.waitForFunction(() => typeof (globalThis as { Office?: unknown }).Office === 'object');
  await page.waitForTimeout(1500);

  const registered = await page.evaluate(() => {
    const office = (globalThis as { Office?: { actions?: { _association?: { mappings?: object } } } }).Office;
    return Object.keys(office?.actions?._association?.mappings ?? {});
  });
  expect(registered.sort()).toEqual(
    Object.values(ADDIN_ACTIONS)
      .map((id) => id.toUpperCase())
      .sort(),
  );

  for (const file of ['office.js', ...files]) {
    expect(cdn).toContainEqual({ url: file, status: 200 });
  }
  expect(cdn.filter((r) => r.status >= 400)).toEqual([]);
  expect(ours.filter((r) => r.status >= 400)).toEqual([]);
  expect(cspViolations).toEqual([]);
  // Nothing but MicrosoftAjax.js is asked of another origin, and that fails for want of a network, not by our CSP.
  expect(elsewhere.map((r) => r.url)).toEqual(
    elsewhere.length ? ['https://ajax.aspnetcdn.com/ajax/3.5/MicrosoftAjax.js'] : [],
  );
  expect(elsewhere.map((r) => r.error)).not.toContain('csp');
  await page.close();
});
