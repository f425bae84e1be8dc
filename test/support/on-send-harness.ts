/**
 * End-to-end driving of the built on-send script: the real server (PGlite, listening on loopback HTTP, fake Entra
 * tokens, and the built well-known file classic Outlook reads before it hands out tokens) behind the script's own
 * absolute URL, the Office fake, and one JS-only runtime per event, loaded from the URL the built manifest names.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

import type { UnifiedManifest } from '../../manifest/unified';
import { buildApp, inProcessEventBus } from '../../src/server/app';
import type { Db } from '../../src/server/store/db';
import { migrate } from '../../src/server/store/migrations';
import { OFFICE_ADDINS_ALLOWED_PATH } from '../../src/shared/app-ids';
import { type FakeEntra, startFakeEntra } from '../fakes/entra';
import {
  createFakeItem,
  createFakeMailbox,
  createFakeOffice,
  type FakeEvent,
  type FakeItemState,
  type FakeMailboxState,
  type FakeMailboxVersion,
  type FakeOffice,
  type FakeOfficeError,
} from '../fakes/office';
import { type Runtime, startRuntime } from '../fakes/office/vm-runtime';
import { entraVerifier } from './entra-verifier';
import { openStore } from './stores';
import { DIST, ensureWebBuild } from './web-build';

export interface ServerRequest {
  readonly method: string;
  readonly path: string;
  readonly body: string | undefined;
}

export interface OnSendEnv {
  readonly script: string;
  /** Where Outlook loads the script from: the event runtime's `code.script` in the built unified manifest. */
  readonly scriptUrl: string;
  readonly db: Db;
  readonly entra: FakeEntra;
  readonly baseUrl: string;
  /** Every request the script made to the server, in order (including refused ones while down). */
  readonly requests: ServerRequest[];
  /** While true, the server cannot be reached (connection refused). */
  down: boolean;
  /** While true, the origin serves no well-known file (404), as a deployment that forgot it. */
  withoutWellKnown: boolean;
  /** Every event fired, for checks that hold for all of them (completed exactly once). */
  readonly runs: EventRun[];
  close(): Promise<void>;
}

export async function startOnSendEnv(): Promise<OnSendEnv> {
  await ensureWebBuild();
  const script = readFileSync(path.join(DIST, 'addin', 'launchevent.js'), 'utf8');
  const manifest = JSON.parse(readFileSync(path.join(DIST, 'manifest', 'manifest.json'), 'utf8')) as UnifiedManifest;
  const scriptUrl = manifest.extensions?.[0]?.runtimes?.find((r) => r.code.script)?.code.script;
  if (!scriptUrl) {
    throw new Error('the built unified manifest names no event runtime script');
  }
  const entra = await startFakeEntra();
  const db = await openStore('pglite');
  await migrate(db);
  const app: FastifyInstance = await buildApp({
    db,
    events: inProcessEventBus(),
    verifier: entraVerifier(entra),
  });
  // dist/ as the real server serves it (src/server/main.ts), for the well-known file the runtime reads.
  await app.register(fastifyStatic, { root: DIST, prefix: '/' });
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  const env: OnSendEnv = {
    script,
    scriptUrl,
    db,
    entra,
    baseUrl,
    requests: [],
    down: false,
    withoutWellKnown: false,
    runs: [],
    close: async () => {
      await app.close();
      await db.close();
      await entra.close();
    },
  };
  return env;
}

/**
 * The runtime's `fetch`: the script calls its build-time absolute URL (PUBLIC_URL); this sends the request to the test
 * server instead, as DNS would, and records it.
 */
export function serverFetch(env: OnSendEnv): (url: string, init?: RequestInit) => Promise<Response> {
  return async (url, init) => {
    const u = new URL(url);
    env.requests.push({
      method: init?.method ?? 'GET',
      path: u.pathname,
      body: typeof init?.body === 'string' ? init.body : undefined,
    });
    if (env.down) {
      throw new TypeError('fetch failed: connect ECONNREFUSED');
    }
    if (env.withoutWellKnown && u.pathname === OFFICE_ADDINS_ALLOWED_PATH) {
      return new Response('{"code":"not_found"}', { status: 404, headers: { 'content-type': 'application/json' } });
    }
    return fetch(`${env.baseUrl}${u.pathname}${u.search}`, init);
  };
}

export interface SendOptions {
  readonly mailboxVersion?: FakeMailboxVersion;
  readonly displayLanguage?: string;
  readonly mailbox?: FakeMailboxState;
  readonly accessToken?: (() => Promise<string>) | FakeOfficeError;
  readonly roamingSettings?: boolean;
  readonly eventType?: string;
  readonly eventFields?: Record<string, unknown>;
}

export interface EventRun {
  readonly event: FakeEvent;
  readonly office: FakeOffice;
  readonly runtime: Runtime;
  /**
   * The script's timers whose callbacks had run when the event completed, each as the time it was due, in ms after
   * firing, on the script's own clock (when it asked plus the delay it asked for). Which waits ended a run is a fact
   * of the script; how long the run took is a fact of the machine, so tests assert on these and never on a duration.
   */
  readonly timersRunBeforeCompletion: readonly { readonly dueMs: number; readonly delayMs: number }[];
}

/** Fires `actionId` in a fresh runtime and waits for the event to complete. */
export async function fireEvent(
  env: OnSendEnv,
  item: FakeItemState,
  actionId: string,
  options: SendOptions = {},
): Promise<EventRun> {
  const office = createFakeOffice({
    mailboxVersion: options.mailboxVersion ?? '1.15',
    item,
    mailbox: options.mailbox ?? createFakeMailbox(),
    displayLanguage: options.displayLanguage ?? 'zh-TW',
    accessToken:
      options.accessToken ?? (() => env.entra.token({ oid: 'sender-1', name: '王承辦', upn: 'wang@example.gov.tw' })),
    ...(options.roamingSettings !== undefined ? { roamingSettings: options.roamingSettings } : {}),
  });
  const runtime = startRuntime({ script: env.script, scriptUrl: env.scriptUrl, office, fetch: serverFetch(env) });
  const event = office.event(options.eventType ?? 'OnMessageSend', options.eventFields);
  const fired = Date.now();
  runtime.fire(actionId, event);
  await event.whenCompleted();
  // No macrotask runs between `completed()` and here, so no timer can have run in between.
  const timersRunBeforeCompletion = runtime.timers
    .filter((t) => t.ran)
    .map((t) => ({ dueMs: t.requestedAt + t.delayMs - fired, delayMs: t.delayMs }));
  const run = { event, office, runtime, timersRunBeforeCompletion };
  env.runs.push(run);
  return run;
}

/**
 * Waits until the runtime has no timer left and no request in flight (the background audit flush). It returns as
 * soon as the runtime is quiet; the bound is only for a runtime that never is, and holds at a load average of 10.
 */
export async function settle(run: EventRun, maxMs = 60_000): Promise<void> {
  const until = Date.now() + maxMs;
  let quiet = 0;
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, 20));
    // Requests count too: on a loaded machine the audit flush's POST can take longer than the quiet period, and a
    // check made then found no audit event though one was on its way.
    quiet = run.runtime.pendingTimers() === 0 && run.runtime.pendingRequests() === 0 ? quiet + 1 : 0;
    if (quiet >= 10) {
      return;
    }
  }
}

export { createFakeItem };
