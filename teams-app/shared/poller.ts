/**
 * Loads something now and then again every `intervalMs` while the page is visible: one loop only, whatever order the
 * first load, a visibility change and a refresh come in. Loads never overlap (a refresh asked for while one is in
 * flight runs right after it, so it sees what changed), at most one timer waits, and a hidden page waits until it is
 * shown and then catches up at once.
 */
export interface PollerOptions {
  /** Omitted or 0: load once, and again only on `refresh`. */
  readonly intervalMs?: number;
  readonly isVisible: () => boolean;
  /** Subscribes to visibility changes; returns the unsubscribe. */
  readonly onVisibilityChange: (listener: () => void) => () => void;
}

export interface Poller {
  /** Loads again now (or as soon as the load in flight ends) and restarts the interval. */
  readonly refresh: () => void;
  readonly stop: () => void;
}

/** `load(quiet)`: `quiet` is false only for the first load, whose failure the page shows in place of the content. */
export function startPoller(load: (quiet: boolean) => Promise<void>, options: PollerOptions): Poller {
  const { intervalMs, isVisible } = options;
  let stopped = false;
  let inFlight = false;
  let again = false;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const clearTimer = (): void => {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
  };
  const run = (quiet: boolean): void => {
    clearTimer();
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    void load(quiet)
      .catch(() => undefined)
      .then(() => {
        inFlight = false;
        if (stopped) {
          return;
        }
        if (again) {
          again = false;
          run(true);
        } else if (intervalMs) {
          timer = setTimeout(tick, intervalMs);
        }
      });
  };
  const tick = (): void => {
    timer = null;
    if (isVisible()) {
      run(true);
    }
  };
  const unsubscribe = options.onVisibilityChange(() => {
    if (intervalMs && !stopped && !inFlight && timer === null && isVisible()) {
      run(true);
    }
  });
  run(false);
  return {
    refresh: () => {
      if (!stopped) {
        run(true);
      }
    },
    stop: () => {
      stopped = true;
      clearTimer();
      unsubscribe();
    },
  };
}
