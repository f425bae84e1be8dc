/**
 * The built task pane in real Chromium, served by the real server (HTTPS, PGlite in a temporary DATA_DIR, `dist/` as
 * static files, fake Entra settings), with the Office host fake in place of office.js (the CDN address the built page
 * names is answered by the test). Each pane is one page at the
 * width of a real Outlook pane; the test configures the item and then acts as the user through `window.__fakeOutlook`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import type { Browser, BrowserContext, Page } from 'playwright-core';

import { readConfig } from '../../src/server/config';
import { type RunningServer, startServer } from '../../src/server/main';
import type { FakeOutlookConfig } from '../e2e/taskpane/fake-office-entry';
import { AUDIENCE, type FakeEntra, startFakeEntra, TENANT, type TokenOptions } from '../fakes/entra';
import { launchChromium } from './browser';
import { fakeOfficeBundle } from './fake-office-bundle';
import { freePort } from './net';
import { OFFICE_JS_CDN_URL, routeOfficeJsCdn } from './office-js-cdn';
import { DIST, ensureWebBuild } from './web-build';

export const PANE_WIDTH = 350;
export const PANE_PATH = '/addin/taskpane/taskpane.html';

export interface PaneEnv {
  readonly server: RunningServer;
  readonly entra: FakeEntra;
  readonly browser: Browser;
  /** An API call to the server as `token`, parsed as JSON when it is JSON. */
  api(method: string, urlPath: string, token: string, body?: unknown): Promise<{ status: number; body: string }>;
  /** Opens the pane with the fake configured as `config`; the token is the one Office SSO hands out. */
  openPane(
    config: FakeOutlookConfig,
    options?: {
      forcedColors?: boolean;
      realOfficeJs?: boolean;
      /** Runs on the new context before the pane loads: routes and clocks that must be in place from the start. */
      beforeOpen?: (context: BrowserContext) => Promise<void>;
    },
  ): Promise<{ page: Page; context: BrowserContext }>;
  close(): Promise<void>;
}

export async function startPaneEnv(): Promise<PaneEnv> {
  await ensureWebBuild();
  const officeJs = await fakeOfficeBundle();
  const entra = await startFakeEntra();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sg-pane-'));
  const config = readConfig({
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    AUTH_TENANT_IDS: TENANT,
    AUTH_JWKS_URL: entra.jwksUrl,
    AUTH_ISSUER: entra.issuer,
    AUTH_AUDIENCE: AUDIENCE,
  });
  const server = await startServer(config, { staticDir: DIST, logger: false });
  const browser = await launchChromium();
  const agent = new Agent({ rejectUnauthorized: false });
  const contexts: BrowserContext[] = [];
  return {
    server,
    entra,
    browser,
    api: (method, urlPath, token, body) =>
      new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const req = request(
          `${server.url}${urlPath}`,
          {
            agent,
            method,
            headers: {
              authorization: `Bearer ${token}`,
              ...(payload ? { 'content-type': 'application/json' } : {}),
            },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (text += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          },
        );
        req.on('error', reject);
        req.end(payload);
      }),
    openPane: async (fakeConfig, options = {}) => {
      const context = await browser.newContext({
        viewport: { width: PANE_WIDTH, height: 900 },
        ignoreHTTPSErrors: true,
        locale: 'zh-TW',
        ...(options.forcedColors ? { forcedColors: 'active' as const } : {}),
      });
      contexts.push(context);
      if (options.realOfficeJs) {
        // Microsoft's CDN, answered from the installed package (no network here).
        await routeOfficeJsCdn(context);
      } else {
        // The fake in place of office.js, wherever the build told the page to load it from (the CDN by default).
        await context.route(
          (url) => url.href === OFFICE_JS_CDN_URL || url.pathname.endsWith('/vendor/office-js/office.js'),
          (route) =>
            route.fulfill({ status: 200, contentType: 'application/javascript; charset=utf-8', body: officeJs }),
        );
      }
      await options.beforeOpen?.(context);
      await context.addInitScript((c) => {
        const w = window as unknown as Record<string, unknown>;
        w.__FAKE_OUTLOOK_CONFIG__ = c;
        // Every CSP refusal, from the first script on, for the tests to assert there is none.
        const violations: string[] = [];
        w.__cspViolations = violations;
        document.addEventListener('securitypolicyviolation', (e) =>
          violations.push(`${e.violatedDirective} ${e.blockedURI}`),
        );
      }, fakeConfig);
      const page = await context.newPage();
      await page.goto(`${server.url}${PANE_PATH}`);
      return { page, context };
    },
    close: async () => {
      for (const c of contexts) {
        await c.close().catch(() => undefined);
      }
      await browser.close();
      await server.close();
      await entra.close();
      agent.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The CSP refusals the page has seen since it started loading. */
export const cspViolations = (page: Page): Promise<string[]> =>
  page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);

/** A token as the fake Entra issues it, for the pane's SSO and for the test's own API calls. */
export const tokenFor = (env: PaneEnv, options: TokenOptions): Promise<string> => env.entra.token(options);
