/**
 * Runs the built on-send script the way classic Outlook's JS-only runtime does: one script in a bare context with
 * standard built-ins only (ES2017+ ones deleted), `setTimeout`/`clearTimeout`, `fetch`, and the fake `Office` and
 * `OfficeRuntime`: no `TextDecoder`, `atob`, `Blob`, `File`, `localStorage`, `document`, `window`, `process` or
 * `require`. Code generation from strings is refused too, as under the add-in pages' CSP. One runtime per event, as
 * Outlook starts them, so nothing may be carried over in memory.
 */
import * as vm from 'node:vm';

import { ES2016_ONLY } from '../../support/es2016';
import type { FakeOffice } from './office-host';

export type RuntimeFetch = (
  url: string,
  init?: { method?: string; headers?: Record<string, string>; body?: string },
) => Promise<unknown>;

export interface RuntimeOptions {
  /** The built launchevent.js. */
  readonly script: string;
  readonly office: FakeOffice;
  readonly fetch: RuntimeFetch;
}

export interface Runtime {
  /** Calls the handler registered for `actionId` with `event`, as Outlook does. */
  fire(actionId: string, event: unknown): void;
  /** Timers started by the script and not yet run or cleared. */
  pendingTimers(): number;
  /** Timer callbacks that ran after `since` (ms from `Date.now()`). */
  readonly timerRuns: number[];
  /** Clears every pending timer. */
  dispose(): void;
}

/** The globals a script sees, beyond the standard built-ins: nothing else. */
export const RUNTIME_GLOBALS = ['setTimeout', 'clearTimeout', 'fetch', 'Office', 'OfficeRuntime'] as const;

export function startRuntime(options: RuntimeOptions): Runtime {
  const pending = new Map<number, NodeJS.Timeout>();
  const timerRuns: number[] = [];
  let next = 1;
  const sandbox: Record<string, unknown> = {
    setTimeout: (fn: () => void, ms?: number) => {
      const id = next++;
      pending.set(
        id,
        setTimeout(() => {
          pending.delete(id);
          timerRuns.push(Date.now());
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
    fetch: options.fetch,
    Office: options.office.Office,
    OfficeRuntime: options.office.OfficeRuntime,
  };
  const context = vm.createContext(sandbox, { codeGeneration: { strings: false, wasm: false } });
  vm.runInContext(ES2016_ONLY, context);
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
    timerRuns,
    dispose() {
      pending.forEach((t) => clearTimeout(t));
      pending.clear();
    },
  };
}
