/**
 * Runs the built on-send script the way classic Outlook's JS-only runtime does: one script in a bare context with
 * ES2016's built-ins only (pruned to an allow-list, test/support/es2016.ts), `setTimeout`/`clearTimeout`, `fetch`,
 * and the fake `Office` and `OfficeRuntime`: no `TextDecoder`, `atob`, `Blob`, `File`, `localStorage`, `document`,
 * `window`, `console`, `process` or `require`. Code generation from strings is refused too, as under the add-in
 * pages' CSP. One runtime per event, as Outlook starts them, so nothing may be carried over in memory.
 *
 * As documented for this runtime (learn.microsoft.com/office/dev/add-ins/develop/use-sso-in-event-based-activation),
 * `OfficeRuntime.auth.getAccessToken` and `fetch` work only for a script that the origin it was loaded from lists in
 * `/.well-known/microsoft-officeaddins-allowed.json`: the runtime reads that file (through the same network) before
 * the first token or request, and refuses both when the script is not listed.
 */
import * as vm from 'node:vm';

import type { FakeOffice } from '../../../src/dev/fakes/office/office-host';
import { es2016Only } from '../../support/es2016';

/** What the runtime itself needs of a response (the script gets the response object as it is). */
export interface RuntimeResponse {
  readonly ok: boolean;
  text(): Promise<string>;
}

export type RuntimeFetch = (
  url: string,
  init?: { method?: string; headers?: Record<string, string>; body?: string },
) => Promise<RuntimeResponse>;

export interface RuntimeOptions {
  /** The built launchevent.js. */
  readonly script: string;
  /** The URL the script was loaded from: the manifest's `code.script` (`JSRuntime.Url`). */
  readonly scriptUrl: string;
  readonly office: FakeOffice;
  readonly fetch: RuntimeFetch;
}

/** Where the runtime looks for the scripts an origin allows SSO and CORS for. */
export const OFFICE_ADDINS_ALLOWED = '/.well-known/microsoft-officeaddins-allowed.json';

/**
 * What `getAccessToken` rejects with for a script its origin does not list. The documentation names no code for this
 * case [unverified]; 13006 (ClientError) is Office's generic SSO failure.
 */
export const NOT_ALLOWED_TOKEN_ERROR = {
  code: 13006,
  name: 'ClientError',
  message: `The script is not listed in ${OFFICE_ADDINS_ALLOWED}.`,
} as const;

/** Whether the script's origin lists it; read once per runtime, and any failure to read it means no. */
function allowedByOrigin(options: RuntimeOptions): () => Promise<boolean> {
  let answer: Promise<boolean> | null = null;
  return () =>
    (answer ??= options
      .fetch(new URL(OFFICE_ADDINS_ALLOWED, options.scriptUrl).href)
      .then(async (res) => {
        if (!res.ok) {
          return false;
        }
        const list = (JSON.parse(await res.text()) as { allowed?: unknown }).allowed;
        return Array.isArray(list) && list.includes(options.scriptUrl);
      })
      .catch(() => false));
}

export interface ScriptTimer {
  readonly delayMs: number;
  readonly requestedAt: number;
  ran: boolean;
}

export interface Runtime {
  /** Calls the handler registered for `actionId` with `event`, as Outlook does. */
  fire(actionId: string, event: unknown): void;
  /** Timers started by the script and not yet run or cleared. */
  pendingTimers(): number;
  /** The script's fetches and access-token requests not answered yet. */
  pendingRequests(): number;
  /**
   * Every timer the script started, in order: the delay it asked for, when it asked (`Date.now()`, the clock the
   * script computes its deadlines on) and whether its callback has run. Tests reason about what the script waited for
   * from these, not from how long a run took on this machine.
   */
  readonly timers: readonly ScriptTimer[];
  /** Clears every pending timer. */
  dispose(): void;
}

/** The globals a script sees, beyond the standard built-ins: nothing else. */
export const RUNTIME_GLOBALS = ['setTimeout', 'clearTimeout', 'fetch', 'Office', 'OfficeRuntime'] as const;

export function startRuntime(options: RuntimeOptions): Runtime {
  const pending = new Map<number, NodeJS.Timeout>();
  const allowed = allowedByOrigin(options);
  const officeAuth = (options.office.OfficeRuntime.auth ?? {}) as {
    getAccessToken: (o?: Record<string, unknown>) => Promise<string>;
  };
  const timers: ScriptTimer[] = [];
  let next = 1;
  /** Requests the script has made and not had answered: fetches and access tokens. */
  let requestsInFlight = 0;
  const tracked = <T>(request: Promise<T>): Promise<T> => {
    requestsInFlight++;
    const done = (): void => {
      requestsInFlight--;
    };
    request.then(done, done);
    return request;
  };
  const sandbox: Record<string, unknown> = {
    setTimeout: (fn: () => void, ms?: number) => {
      const id = next++;
      const timer: ScriptTimer = { delayMs: Math.max(0, Number(ms) || 0), requestedAt: Date.now(), ran: false };
      timers.push(timer);
      pending.set(
        id,
        setTimeout(() => {
          pending.delete(id);
          timer.ran = true;
          fn();
        }, ms ?? 0),
      );
      return id;
    },
    clearTimeout: (id: number) => {
      const t = pending.get(id);
      if (t) {
        clearTimeout(t);
        pending.delete(id);
      }
    },
    fetch: (url: string, init?: Parameters<RuntimeFetch>[1]) =>
      tracked(
        allowed().then((ok) => (ok ? options.fetch(url, init) : Promise.reject(new TypeError('Failed to fetch')))),
      ),
    Office: options.office.Office,
    OfficeRuntime: {
      ...options.office.OfficeRuntime,
      auth: {
        getAccessToken: (authOptions?: Record<string, unknown>) =>
          tracked(
            allowed().then((ok) =>
              ok ? officeAuth.getAccessToken(authOptions) : Promise.reject({ ...NOT_ALLOWED_TOKEN_ERROR }),
            ),
          ),
      },
    },
  };
  const context = vm.createContext(sandbox, { codeGeneration: { strings: false, wasm: false } });
  vm.runInContext(es2016Only(RUNTIME_GLOBALS), context);
  vm.runInContext(options.script, context, { filename: 'launchevent.js' });
  return {
    fire(actionId, event) {
      const handler = options.office.handlers.get(actionId);
      if (!handler) {
        throw new Error(`No handler registered for ${actionId}`);
      }
      handler(event);
    },
    pendingTimers: () => pending.size,
    pendingRequests: () => requestsInFlight,
    timers,
    dispose() {
      pending.forEach((t) => clearTimeout(t));
      pending.clear();
    },
  };
}
