/**
 * Waiting for Outlook before the pane can start, and what the page says meanwhile.
 *
 * office.js outside any host (the page opened in a browser) answers `Office.onReady` with no host, but only once it
 * has loaded its own helper script from beside itself: where that script cannot be had (a self-hosted copy without
 * it, a blocked CDN path, a proxy), `onReady` never settles, and the page stayed blank until a 20 s bound ran out.
 * Inside Outlook the page always carries signs of its host from the start (a parent frame on the web and in new
 * Outlook, `_host_Info` in the address or the window name in the desktop clients, the host's script objects), so a
 * page with none of them says after a short bound that it must be opened in Outlook. It keeps listening: a host that
 * does arrive late replaces the message with the pane.
 */

/** A page without a sign of a host says it must be opened in Outlook after this long (the page's own clock). */
export const NO_HOST_AFTER_MS = 1500;
/** A page with signs of a host waits this long for it before saying Outlook could not be reached. */
export const HOST_TIMEOUT_MS = 20_000;

export type HostWaitState =
  /** Still waiting; nothing to say yet but that the pane is loading. */
  | 'waiting'
  /** Not in Outlook: office.js said so, or no sign of a host by `NO_HOST_AFTER_MS`. */
  | 'no-host'
  /** Signs of a host, but it did not answer by `HOST_TIMEOUT_MS`, or office.js is missing there. */
  | 'not-reached'
  /** Outlook is ready: start the pane. */
  | 'ready';

/** What the page can see of a host before office.js has answered (a window, or a test's stand-in for one). */
export interface HostView {
  readonly self?: unknown;
  readonly parent?: unknown;
  readonly name?: string;
  readonly location?: { readonly search?: string; readonly hash?: string };
  readonly external?: unknown;
  readonly sessionStorage?: { getItem(key: string): string | null } | null;
  readonly [key: string]: unknown;
}

/**
 * Whether the page shows a sign of an Office host: the places office.js itself reads its host from
 * (`_retrieveHostInfo`: `window.external.GetHostInfo`, `agaveHost`, the `_host_Info` query parameter, the window
 * name's `hostInfo`, session storage's `hostInfoValue`), the Mac host's message handler, the desktop's
 * `window.external.GetContext`, or a parent frame (Outlook on the web and new Outlook host the pane in a frame).
 */
export function hostSigns(view: HostView): boolean {
  try {
    if (view.parent !== undefined && view.parent !== null && view.parent !== view.self) {
      return true;
    }
    if (/[?&#]_host_Info=/i.test(`${view.location?.search ?? ''}${view.location?.hash ?? ''}`)) {
      return true;
    }
    if (typeof view.name === 'string' && view.name.indexOf('hostInfo') !== -1) {
      return true;
    }
    if (view.agaveHost !== undefined) {
      return true;
    }
    const external = view.external as Record<string, unknown> | null | undefined;
    if (external && (typeof external.GetHostInfo === 'function' || typeof external.GetContext === 'function')) {
      return true;
    }
    const webkit = view.webkit as { messageHandlers?: Record<string, unknown> } | undefined;
    if (webkit?.messageHandlers?.Agave !== undefined) {
      return true;
    }
    return Boolean(view.sessionStorage?.getItem('hostInfoValue'));
  } catch {
    // A cross-origin parent or storage that throws is itself a sign of being framed or sandboxed by a host.
    return true;
  }
}

export interface HostWaitOptions {
  /**
   * Office's answer: the host's name once `Office.onReady` settles (`null` outside any host); rejects when office.js
   * is not there at all.
   */
  readonly ready: Promise<string | null>;
  /** Whether the page shows signs of a host ({@link hostSigns}). */
  readonly hostLikely: boolean;
  /** Called with each new state, the first at once. */
  readonly onState: (state: HostWaitState) => void;
  /** The page's timers (a test's fake clock, or the window's). */
  readonly setTimer: (fn: () => void, ms: number) => unknown;
  readonly clearTimer: (handle: unknown) => void;
  /** @default NO_HOST_AFTER_MS */
  readonly noHostAfterMs?: number;
  /** @default HOST_TIMEOUT_MS */
  readonly hostTimeoutMs?: number;
}

/**
 * Waits for Outlook, reporting what to show. `ready` always wins when it comes, whatever was shown before; a page
 * that Office itself says is outside any host, or one that is in a host other than Outlook, is `no-host` for good.
 */
export function waitForHost(options: HostWaitOptions): void {
  const { ready, hostLikely, onState, setTimer, clearTimer } = options;
  let state: HostWaitState | null = null;
  let settled = false;
  const timers: unknown[] = [];
  const set = (next: HostWaitState): void => {
    if (next !== state) {
      state = next;
      onState(next);
    }
  };
  const stopTimers = (): void => {
    for (const t of timers.splice(0)) {
      clearTimer(t);
    }
  };
  set('waiting');
  if (hostLikely) {
    timers.push(setTimer(() => !settled && set('not-reached'), options.hostTimeoutMs ?? HOST_TIMEOUT_MS));
  } else {
    timers.push(setTimer(() => !settled && set('no-host'), options.noHostAfterMs ?? NO_HOST_AFTER_MS));
  }
  ready.then(
    (host) => {
      settled = true;
      stopTimers();
      set(host === 'Outlook' ? 'ready' : 'no-host');
    },
    () => {
      // No office.js at all: a page outside any host is told to open in Outlook; one inside, that Outlook was not
      // reached.
      settled = true;
      stopTimers();
      set(hostLikely ? 'not-reached' : 'no-host');
    },
  );
}
