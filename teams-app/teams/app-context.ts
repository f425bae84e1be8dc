/**
 * Starting teams-js and reading the host context. `app.getContext()` gives the meeting id, the frame the page is in,
 * the theme and the locale: hints for the page, never identity (identity is the SSO token, which the server verifies;
 * see `auth.ts`).
 */
import { app, FrameContexts } from '@microsoft/teams-js';

/** The frames our pages run in; anything else is `other`. */
export const PAGE_FRAMES = ['content', 'settings', 'sidePanel', 'meetingStage'] as const;
export type PageFrame = (typeof PAGE_FRAMES)[number] | 'other';

/** What a page needs from the host context. */
export interface HostContext {
  readonly frame: PageFrame;
  /** The Teams meeting id; null outside a meeting (a plain chat or channel tab). */
  readonly meetingId: string | null;
  /** Teams' theme name: `default`, `dark` or `contrast`. */
  readonly theme: string;
  /** The host's language tag, e.g. `zh-tw` or `en-us`. */
  readonly locale: string;
  /** The tab's entity id, when the tab is configured. */
  readonly entityId: string | null;
}

/** The page is not running inside a Teams host (opened directly, or the host never answered). */
export class TeamsUnavailableError extends Error {
  constructor(
    readonly reason: 'no-host' | 'timeout' | 'failed',
    message: string,
  ) {
    super(message);
    this.name = 'TeamsUnavailableError';
  }
}

type TeamsState =
  | { readonly phase: 'stopped'; readonly starting?: never; readonly context?: never }
  | { readonly phase: 'starting'; readonly starting: Promise<HostContext>; readonly context?: never }
  | { readonly phase: 'started'; readonly starting?: never; readonly context: HostContext };

let state: TeamsState = { phase: 'stopped' };

const FRAME_NAMES: Readonly<Record<string, PageFrame>> = {
  [FrameContexts.content]: 'content',
  [FrameContexts.settings]: 'settings',
  [FrameContexts.sidePanel]: 'sidePanel',
  [FrameContexts.meetingStage]: 'meetingStage',
};

function toHostContext(context: app.Context): HostContext {
  return {
    frame: FRAME_NAMES[context.page.frameContext] ?? 'other',
    meetingId: context.meeting?.id ?? null,
    theme: context.app.theme || 'default',
    locale: context.app.locale || '',
    entityId: context.page.id || null,
  };
}

/**
 * Initialises teams-js once and reads the context; later calls return the same context. teams-js waits 60 s for a
 * host that never answers, so this gives up sooner with a clear reason.
 * @default timeoutMs 15000
 */
export function startTeams(timeoutMs = 15000): Promise<HostContext> {
  if (state.phase === 'started') {
    return Promise.resolve(state.context);
  }
  if (state.phase === 'starting') {
    return state.starting;
  }
  const starting = (async (): Promise<HostContext> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new TeamsUnavailableError('timeout', 'Microsoft Teams did not answer')),
        timeoutMs,
      );
    });
    try {
      await Promise.race([app.initialize(), timeout]);
      const context = toHostContext(await Promise.race([app.getContext(), timeout]));
      state = { phase: 'started', context };
      return context;
    } catch (e) {
      state = { phase: 'stopped' };
      if (e instanceof TeamsUnavailableError) {
        throw e;
      }
      const message = e instanceof Error ? e.message : String(e);
      throw new TeamsUnavailableError(/no parent window/i.test(message) ? 'no-host' : 'failed', message);
    } finally {
      clearTimeout(timer);
    }
  })();
  state = { phase: 'starting', starting };
  return starting;
}

/** The context of a started page. @throws when {@link startTeams} has not completed: a programming error. */
export function hostContext(api: string): HostContext {
  if (state.phase !== 'started') {
    throw new Error(`[${api}] Teams is not started: await startTeams() first`);
  }
  return state.context;
}

/** Tells Teams the page is ready (hides the host's loading indicator). */
export function notifyReady(): void {
  hostContext('notifyReady');
  void app.notifySuccess().catch(() => undefined);
}

/** Tells Teams the page could not load, with a reason the host may show. */
export function notifyLoadFailure(message: string): void {
  if (state.phase === 'started') {
    app.notifyFailure({ reason: app.FailedReason.Other, message });
  }
}
