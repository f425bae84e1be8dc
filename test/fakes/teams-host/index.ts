/**
 * The fake Teams host, test side. `openInTeams` opens a page at https://teams.microsoft.com (served by Playwright's
 * router, so nothing leaves the machine) whose script (`host-page.ts`) frames our page and answers teams-js. The test
 * mints the user's token with the fake Entra issuer and hands it over; it can then switch the theme, change what
 * `getAuthToken` and stage sharing answer, press Save, and read what the page asked of the host.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import { transformSync } from '@swc/core';
import type { BrowserContext, Frame, Page } from 'playwright-core';

import type {
  AuthBehaviour,
  CapabilityOutcome,
  FrameContext,
  HostConfig,
  HostState,
  HostUser,
  SaveResult,
  StageOutcome,
  TeamsHostControl,
  TeamsTheme,
} from '../../../src/dev/fakes/teams-host/host-page';

export type {
  AuthBehaviour,
  CapabilityOutcome,
  FrameContext,
  HostState,
  HostUser,
  SaveResult,
  StageOutcome,
  TeamsTheme,
};

/** Where the fake host lives: a Teams origin teams-js trusts and our frame-ancestors allow. */
export const HOST_ORIGIN = 'https://teams.microsoft.com';

export interface OpenOptions {
  readonly appUrl: string;
  readonly frameContext: FrameContext;
  readonly user: HostUser;
  readonly token: string;
  readonly meetingId: string | null;
  /** @default 'zh-tw' */
  readonly locale?: string;
  /** @default 'default' */
  readonly theme?: TeamsTheme;
  /** @default null (an unconfigured tab) */
  readonly entityId?: string | null;
  /** @default 'ok' */
  readonly auth?: AuthBehaviour;
  /** @default true (an organiser or presenter) */
  readonly sharePermission?: boolean;
  /** @default 'ok' */
  readonly stageOutcome?: StageOutcome;
  /** @default 'answer' */
  readonly capabilityOutcome?: CapabilityOutcome;
  /** @default the app URL's host */
  readonly validDomains?: readonly string[];
}

/** The host page's script: one fake Teams host, shared with the local-mode playground. */
const HOST_PAGE_SOURCE = path.join(__dirname, '..', '..', '..', 'src', 'dev', 'fakes', 'teams-host', 'host-page.ts');

let hostScript: string | null = null;
function compiledHostScript(): string {
  hostScript ??= transformSync(readFileSync(HOST_PAGE_SOURCE, 'utf8'), {
    filename: 'host-page.ts',
    jsc: { parser: { syntax: 'typescript' }, target: 'es2020' },
    module: { type: 'es6' },
  }).code;
  return hostScript;
}

let pageCounter = 0;

interface HostWindow {
  teamsHost: TeamsHostControl;
}

export class TeamsHost {
  constructor(
    readonly page: Page,
    private readonly path: string,
  ) {}

  /** Our page, inside the host's iframe. */
  app(): Frame {
    const frame = this.page.frames().find((f) => f.parentFrame() === this.page.mainFrame());
    if (!frame) {
      throw new Error('the app frame is not there');
    }
    return frame;
  }

  state(): Promise<HostState> {
    return this.page.evaluate(() => (window as unknown as HostWindow).teamsHost.state());
  }

  setTheme(theme: TeamsTheme): Promise<void> {
    return this.page.evaluate((t) => (window as unknown as HostWindow).teamsHost.setTheme(t), theme);
  }

  setToken(token: string): Promise<void> {
    return this.page.evaluate((t) => (window as unknown as HostWindow).teamsHost.setToken(t), token);
  }

  setAuth(auth: AuthBehaviour): Promise<void> {
    return this.page.evaluate((a) => (window as unknown as HostWindow).teamsHost.setAuth(a), auth);
  }

  setStage(options: { sharePermission?: boolean; stageOutcome?: StageOutcome }): Promise<void> {
    return this.page.evaluate((o) => (window as unknown as HostWindow).teamsHost.setStage(o), options);
  }

  /** Presses Teams' Save button and waits for the page's notifySuccess/notifyFailure. */
  save(): Promise<SaveResult> {
    return this.page.evaluate(() => (window as unknown as HostWindow).teamsHost.save());
  }

  /** Waits until the page has finished starting (teams-js initialised, context read, `notifySuccess`). */
  async ready(): Promise<void> {
    await this.page.waitForFunction(
      () => (window as unknown as Partial<HostWindow>).teamsHost?.state().appSignal === 'success',
    );
  }

  get url(): string {
    return `${HOST_ORIGIN}${this.path}`;
  }
}

/** Opens our page inside the fake Teams host in a new tab of `context`. */
export async function openInTeams(context: BrowserContext, options: OpenOptions): Promise<TeamsHost> {
  const config: HostConfig = {
    appUrl: options.appUrl,
    frameContext: options.frameContext,
    locale: options.locale ?? 'zh-tw',
    theme: options.theme ?? 'default',
    user: options.user,
    meetingId: options.meetingId,
    entityId: options.entityId ?? null,
    token: options.token,
    auth: options.auth ?? 'ok',
    sharePermission: options.sharePermission ?? true,
    stageOutcome: options.stageOutcome ?? 'ok',
    capabilityOutcome: options.capabilityOutcome ?? 'answer',
    validDomains: options.validDomains ?? [new URL(options.appUrl).host],
  };
  const id = ++pageCounter;
  const base = `/_fake-host/${id}`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Microsoft Teams (fake host)</title>
<style>html,body{margin:0;height:100%;background:#f5f5f5}#app{display:block;border:0;width:100%;height:100%}</style>
</head><body>
<script type="module">
import { startTeamsHost } from './host-page.js';
window.teamsHost = startTeamsHost(${JSON.stringify(config).replace(/</g, '\\u003c')});
</script>
</body></html>`;
  await context.route(`${HOST_ORIGIN}${base}/**`, (route) => {
    const url = new URL(route.request().url());
    if (url.pathname.endsWith('/host-page.js')) {
      return route.fulfill({ contentType: 'text/javascript', body: compiledHostScript() });
    }
    return route.fulfill({ contentType: 'text/html; charset=utf-8', body: html });
  });
  // Chromium's Local Network Access checks block a public origin (Teams) from framing a loopback one (the test
  // server); in production the pages are on a public HTTPS origin. Here the "user" allows it for Teams.
  await context.grantPermissions(['local-network-access'], { origin: HOST_ORIGIN });
  const page = await context.newPage();
  await page.goto(`${HOST_ORIGIN}${base}/index.html`);
  return new TeamsHost(page, `${base}/index.html`);
}
