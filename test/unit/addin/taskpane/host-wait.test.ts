/**
 * The pane opened outside Outlook says so after a short bound on its own clock, instead of a blank page until
 * office.js gives up (it never does where its helper script is missing); a host that arrives late still gets the pane.
 * Timers are a fake clock here: no test waits on the wall clock.
 */
import { messages } from '../../../../addin/taskpane/messages';
import {
  HOST_TIMEOUT_MS,
  hostSigns,
  type HostView,
  type HostWaitState,
  NO_HOST_AFTER_MS,
  waitForHost,
} from '../../../../addin/taskpane/model/host-wait';
import { STRINGS } from '../../../../manifest/app';

/** A fake clock: timers run only when the test moves time on. */
function fakeClock(): {
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (h: unknown) => void;
  advance: (ms: number) => Promise<void>;
  pending: () => number;
} {
  let now = 0;
  let next = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    setTimer: (fn, ms) => {
      timers.set(++next, { at: now + ms, fn });
      return next;
    },
    clearTimer: (h) => timers.delete(h as number),
    advance: async (ms) => {
      const until = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) {
          break;
        }
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
        await flush();
      }
      now = until;
      await flush();
    },
    pending: () => timers.size,
  };
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) {
    await Promise.resolve();
  }
};

/** A promise the test settles when it likes, as Office.onReady would. */
function deferred(): { promise: Promise<string | null>; resolve: (h: string | null) => void; reject: () => void } {
  let resolve!: (h: string | null) => void;
  let reject!: () => void;
  const promise = new Promise<string | null>((res, rej) => {
    resolve = res;
    reject = () => rej(new Error('office.js is not loaded'));
  });
  return { promise, resolve, reject };
}

function start(hostLikely: boolean): {
  states: HostWaitState[];
  clock: ReturnType<typeof fakeClock>;
  office: ReturnType<typeof deferred>;
} {
  const clock = fakeClock();
  const office = deferred();
  const states: HostWaitState[] = [];
  waitForHost({
    ready: office.promise,
    hostLikely,
    onState: (s) => states.push(s),
    setTimer: clock.setTimer,
    clearTimer: clock.clearTimer,
  });
  return { states, clock, office };
}

describe('waiting for Outlook', () => {
  it('outside any host, when office.js never answers: loading, then at the bound the message, not before', async () => {
    const { states, clock } = start(false);
    expect(states).toEqual(['waiting']);
    await clock.advance(NO_HOST_AFTER_MS - 1);
    expect(states).toEqual(['waiting']);
    await clock.advance(1);
    expect(states).toEqual(['waiting', 'no-host']);
    expect(NO_HOST_AFTER_MS).toBeLessThan(2000);
    // And it stays said: nothing later turns it into "Outlook could not be reached".
    await clock.advance(HOST_TIMEOUT_MS * 2);
    expect(states).toEqual(['waiting', 'no-host']);
  });

  it('a host that arrives after the message replaces it with the pane', async () => {
    const { states, clock, office } = start(false);
    await clock.advance(NO_HOST_AFTER_MS);
    expect(states).toEqual(['waiting', 'no-host']);
    office.resolve('Outlook');
    await flush();
    expect(states).toEqual(['waiting', 'no-host', 'ready']);
  });

  it('office.js saying there is no host is believed at once, before the bound', async () => {
    const { states, clock, office } = start(false);
    office.resolve(null);
    await flush();
    expect(states).toEqual(['waiting', 'no-host']);
    expect(clock.pending()).toBe(0);
  });

  it('a host other than Outlook is no host for this pane', async () => {
    const { states, office } = start(true);
    office.resolve('Word');
    await flush();
    expect(states).toEqual(['waiting', 'no-host']);
  });

  it('with signs of a host, a slow host never sees the "open in Outlook" message; the pane starts when it is ready', async () => {
    const { states, clock, office } = start(true);
    await clock.advance(HOST_TIMEOUT_MS - 1);
    expect(states).toEqual(['waiting']);
    office.resolve('Outlook');
    await flush();
    expect(states).toEqual(['waiting', 'ready']);
    expect(clock.pending()).toBe(0);
  });

  it('with signs of a host that never answers: "Outlook could not be reached" at the long bound, replaced if it comes', async () => {
    const { states, clock, office } = start(true);
    await clock.advance(HOST_TIMEOUT_MS);
    expect(states).toEqual(['waiting', 'not-reached']);
    office.resolve('Outlook');
    await flush();
    expect(states).toEqual(['waiting', 'not-reached', 'ready']);
  });

  it('office.js missing: "open in Outlook" outside a host, "not reached" inside one', async () => {
    const outside = start(false);
    outside.office.reject();
    await flush();
    expect(outside.states).toEqual(['waiting', 'no-host']);
    const inside = start(true);
    inside.office.reject();
    await flush();
    expect(inside.states).toEqual(['waiting', 'not-reached']);
  });
});

describe('signs of a host', () => {
  const top: HostView = { name: '', location: { search: '', hash: '' }, external: {}, sessionStorage: null };
  const plain = { ...top, self: top, parent: top } as HostView;
  (plain as { self: unknown }).self = plain;
  (plain as { parent: unknown }).parent = plain;

  it('a plain browser tab has none', () => {
    expect(hostSigns(plain)).toBe(false);
  });

  it.each<[string, Partial<HostView> & Record<string, unknown>]>([
    ['a parent frame (Outlook on the web, new Outlook)', { parent: {} }],
    ['_host_Info in the address (desktop Outlook)', { location: { search: '?_host_Info=Outlook$Win32$16.02$zh-TW' } }],
    ['hostInfo in the window name', { name: '{"hostInfo":"Outlook|Mac|16.00"}' }],
    ['the host object office.js reads', { agaveHost: { GetHostInfo: () => '' } }],
    ['window.external.GetContext (desktop)', { external: { GetContext: () => ({}) } }],
    ['the Mac host’s message handler', { webkit: { messageHandlers: { Agave: {} } } }],
    [
      'office.js’s stored host info',
      { sessionStorage: { getItem: (k: string) => (k === 'hostInfoValue' ? 'x' : null) } },
    ],
  ])('%s is one', (_, over) => {
    expect(hostSigns({ ...plain, ...over } as HostView)).toBe(true);
  });

  it('a window that refuses to be read (a cross-origin parent) counts as framed', () => {
    const framed = {
      ...plain,
      get parent(): unknown {
        throw new Error('SecurityError');
      },
    } as HostView;
    expect(hostSigns(framed)).toBe(true);
  });
});

describe('the message', () => {
  it.each(['zh-TW', 'en'] as const)('%s: says to open the pane in Outlook, naming the ribbon button', (locale) => {
    const m = messages(locale);
    expect(m.openInOutlook).toContain(STRINGS(locale).paneButtonLabel);
    expect(m.openInOutlook).toMatch(locale === 'zh-TW' ? /請在 Outlook 中開啟此窗格/ : /Open this pane in Outlook/);
  });
});
