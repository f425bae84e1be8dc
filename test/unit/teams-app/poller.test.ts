import { startPoller } from '../../../teams-app/shared/poller';

/** A page whose visibility the test sets, and a load whose every call the test ends when it chooses. */
function harness(intervalMs: number | undefined) {
  let visible = true;
  const listeners = new Set<() => void>();
  const calls: { quiet: boolean; end: () => void }[] = [];
  let active = 0;
  let maxActive = 0;
  const load = (quiet: boolean): Promise<void> =>
    new Promise<void>((resolve) => {
      active += 1;
      maxActive = Math.max(maxActive, active);
      calls.push({
        quiet,
        end: () => {
          active -= 1;
          resolve();
        },
      });
    });
  const poller = startPoller(load, {
    intervalMs,
    isVisible: () => visible,
    onVisibilityChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  });
  return {
    poller,
    calls,
    maxActive: () => maxActive,
    listeners,
    setVisible(value: boolean) {
      visible = value;
      listeners.forEach((l) => l());
    },
    /** Ends the newest load and lets its continuation run. */
    async endLast() {
      calls[calls.length - 1]?.end();
      await Promise.resolve();
      await Promise.resolve();
      await Promise.resolve();
    },
  };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('startPoller: one loop, whatever comes first', () => {
  it('loads at once (not quietly), then once per interval while visible', async () => {
    const h = harness(1000);
    expect(h.calls.map((c) => c.quiet)).toEqual([false]);
    for (let i = 0; i < 3; i++) {
      await h.endLast();
      jest.advanceTimersByTime(1000);
    }
    expect(h.calls.map((c) => c.quiet)).toEqual([false, true, true, true]);
    h.poller.stop();
  });

  it('the page becoming visible during the first load does not start a second loop', async () => {
    const h = harness(1000);
    h.setVisible(false);
    h.setVisible(true); // shown again while the first load is still in flight
    expect(h.calls).toHaveLength(1);
    await h.endLast();
    for (let i = 0; i < 3; i++) {
      jest.advanceTimersByTime(1000);
      await h.endLast();
    }
    expect(h.calls).toHaveLength(4);
    expect(jest.getTimerCount()).toBe(1);
    expect(h.maxActive()).toBe(1);
    h.poller.stop();
  });

  it('a hidden page waits, and catches up once when shown', async () => {
    const h = harness(1000);
    await h.endLast();
    h.setVisible(false);
    jest.advanceTimersByTime(5000);
    expect(h.calls).toHaveLength(1);
    expect(jest.getTimerCount()).toBe(0);
    h.setVisible(true);
    h.setVisible(true);
    expect(h.calls).toHaveLength(2);
    await h.endLast();
    expect(jest.getTimerCount()).toBe(1);
    h.poller.stop();
  });

  it('a refresh while a load is in flight runs after it, never beside it, and keeps one loop', async () => {
    const h = harness(1000);
    h.poller.refresh();
    h.poller.refresh();
    expect(h.calls).toHaveLength(1);
    await h.endLast();
    expect(h.calls).toHaveLength(2); // the refresh, once
    await h.endLast();
    expect(h.maxActive()).toBe(1);
    expect(jest.getTimerCount()).toBe(1);
    h.poller.refresh(); // between loads: now, and the interval restarts
    expect(h.calls).toHaveLength(3);
    expect(jest.getTimerCount()).toBe(0);
    await h.endLast();
    jest.advanceTimersByTime(999);
    expect(h.calls).toHaveLength(3);
    jest.advanceTimersByTime(1);
    expect(h.calls).toHaveLength(4);
    h.poller.stop();
  });

  it('without an interval it loads once and on refresh only; stop ends everything', async () => {
    const h = harness(undefined);
    await h.endLast();
    jest.advanceTimersByTime(60_000);
    h.setVisible(false);
    h.setVisible(true);
    expect(h.calls).toHaveLength(1);
    h.poller.refresh();
    expect(h.calls).toHaveLength(2);

    const p = harness(1000);
    p.poller.stop();
    await p.endLast();
    expect(jest.getTimerCount()).toBe(0);
    expect(p.listeners.size).toBe(0);
  });
});
