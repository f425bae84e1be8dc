/**
 * The fake Teams host's page script. It runs in the top window at https://teams.microsoft.com (a Teams origin that
 * teams-js trusts and our CSP's frame-ancestors allows), frames our page, and answers teams-js' postMessage protocol
 * as teams-js 2.x speaks it:
 *
 * - requests from the app are `{ id, uuidAsString, func, args, apiVersionTag, … }`; replies are
 *   `{ id, uuidAsString, args }` posted back to the app's origin;
 * - host events are `{ func, args }` with no numeric id (`themeChange`, `settings.save`);
 * - `initialize` answers `[frameContext, hostClientType, runtimeConfig (JSON), clientSupportedSDKVersion]`;
 * - `getContext` answers `[legacyContext]` (teams-js turns it into `app.Context`);
 * - `authentication.getAuthToken` (args `[resources, claims, silent, tenantId]`) answers `[true, token]` or
 *   `[false, reason]`;
 * - `meeting.getAppContentStageSharingCapabilities` and `meeting.shareAppContentToStage` answer
 *   `[sdkError | null, result | null]`, with Teams' codes 500, 501 (also for a URL outside validDomains) and 1000,
 *   or never (teams-js then waits forever);
 * - `settings.setValidityState`, `registerHandler`, `settings.save.success|failure` and `appInitialization.*` are
 *   one-way; `settings.setSettings` answers `[true]` or `[false, reason]`.
 *
 * Nothing here imports anything: the file is compiled on its own and served as a module.
 */

export type FrameContext = 'content' | 'settings' | 'sidePanel' | 'meetingStage';
export type TeamsTheme = 'default' | 'dark' | 'contrast';
/** How `getAuthToken` behaves: hand out the token; refuse silently until asked with a prompt; or fail outright. */
export type AuthBehaviour = 'ok' | 'consent' | 'fail';
/** How `shareAppContentToStage` answers; `no-answer`: never (a client that does not implement it, or hangs). */
export type StageOutcome = 'ok' | 500 | 501 | 1000 | 'no-answer';
/** How `getAppContentStageSharingCapabilities` answers: with the permission, Teams' error 500, or never. */
export type CapabilityOutcome = 'answer' | 500 | 'no-answer';

export interface HostUser {
  readonly oid: string;
  readonly upn: string;
  readonly name: string;
  readonly tid: string;
}

export interface HostConfig {
  readonly appUrl: string;
  readonly frameContext: FrameContext;
  readonly locale: string;
  readonly theme: TeamsTheme;
  readonly user: HostUser;
  readonly meetingId: string | null;
  readonly entityId: string | null;
  readonly token: string;
  readonly auth: AuthBehaviour;
  readonly sharePermission: boolean;
  readonly stageOutcome: StageOutcome;
  readonly capabilityOutcome: CapabilityOutcome;
  /** The manifest's validDomains (host names); content and stage URLs must be on one of them. */
  readonly validDomains: readonly string[];
}

export interface HostCall {
  readonly func: string;
  readonly args: readonly unknown[];
}

export interface HostState {
  readonly initialized: boolean;
  readonly calls: readonly HostCall[];
  readonly registeredHandlers: readonly string[];
  readonly validity: boolean | null;
  readonly settings: Record<string, unknown> | null;
  readonly sharedToStage: readonly string[];
  readonly theme: TeamsTheme;
  readonly appSignal: 'loaded' | 'success' | 'failure' | null;
}

export type SaveResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface TeamsHostControl {
  setTheme(theme: TeamsTheme): void;
  setToken(token: string): void;
  setAuth(auth: AuthBehaviour): void;
  setStage(options: { sharePermission?: boolean; stageOutcome?: StageOutcome }): void;
  /** Presses Teams' Save button: refused while the page has not declared itself valid. */
  save(timeoutMs?: number): Promise<SaveResult>;
  state(): HostState;
}

/** Matches the teams-js version bundled in the pages; Teams sends the highest SDK version it supports. */
const CLIENT_SUPPORTED_SDK_VERSION = '2.58.0';

/** A Teams-like runtime: meeting apps get pages (with config), dialogs, stage view and the basics. */
const RUNTIME = {
  apiVersion: 4,
  hostVersionsInfo: { adaptiveCardSchemaVersion: { majorVersion: 1, minorVersion: 5 } },
  isLegacyTeams: false,
  supports: {
    appInstallDialog: {},
    calendar: {},
    call: {},
    chat: {},
    dialog: { card: { bot: {} }, url: { bot: {} }, update: {} },
    interactive: {},
    menus: {},
    pages: { appButton: {}, backStack: {}, config: {}, currentApp: {}, fullTrust: {}, tabs: {} },
    people: {},
    profile: {},
    sharing: {},
    stageView: {},
    teamsCore: {},
    webStorage: {},
  },
};

export function startTeamsHost(initial: HostConfig): TeamsHostControl {
  let config: HostConfig = { ...initial };
  let appOrigin: string | null = null;
  const calls: HostCall[] = [];
  const registered = new Set<string>();
  let validity: boolean | null = null;
  let settings: Record<string, unknown> | null = null;
  let initialized = false;
  let appSignal: HostState['appSignal'] = null;
  const sharedToStage: string[] = [];
  let pendingSave: ((result: SaveResult) => void) | null = null;

  const frame = document.createElement('iframe');
  frame.id = 'app';
  frame.title = 'App';
  frame.src = config.appUrl;

  const onDomain = (url: unknown): boolean => {
    try {
      const u = new URL(String(url));
      return u.protocol === 'https:' && config.validDomains.includes(u.host);
    } catch {
      return false;
    }
  };

  const post = (message: Record<string, unknown>): void => {
    if (frame.contentWindow && appOrigin) {
      frame.contentWindow.postMessage(message, appOrigin);
    }
  };

  const legacyContext = (): Record<string, unknown> => ({
    locale: config.locale,
    theme: config.theme,
    frameContext: config.frameContext,
    entityId: config.entityId ?? undefined,
    meetingId: config.meetingId ?? undefined,
    userObjectId: config.user.oid,
    userPrincipalName: config.user.upn,
    loginHint: config.user.upn,
    userDisplayName: config.user.name,
    tid: config.user.tid,
    userLicenseType: 'Unknown',
    hostClientType: 'web',
    hostName: 'Teams',
    appSessionId: 'a0b1c2d3-0000-4000-8000-00000000f4ce',
    sessionId: 'f4ce0000-0000-4000-8000-00000000a0b1',
    isFullScreen: false,
  });

  const sdkError = (errorCode: number, message: string): Record<string, unknown> => ({ errorCode, message });

  window.addEventListener('message', (evt: MessageEvent) => {
    if (evt.source !== frame.contentWindow) {
      return;
    }
    const msg = evt.data as { id?: number; uuidAsString?: string; func?: unknown; args?: unknown[] } | null;
    if (!msg || typeof msg !== 'object' || typeof msg.func !== 'string') {
      return;
    }
    appOrigin = evt.origin;
    const args = Array.isArray(msg.args) ? msg.args : [];
    calls.push({ func: msg.func, args });
    const respond = (...responseArgs: unknown[]): void =>
      post({ id: msg.id, uuidAsString: msg.uuidAsString, args: responseArgs });

    switch (msg.func) {
      case 'initialize':
        initialized = true;
        respond(config.frameContext, 'web', JSON.stringify(RUNTIME), CLIENT_SUPPORTED_SDK_VERSION);
        return;
      case 'getContext':
        respond(legacyContext());
        return;
      case 'authentication.getAuthToken': {
        const silent = args[2];
        if (config.auth === 'fail') {
          respond(false, 'CancelledByUser');
        } else if (config.auth === 'consent' && silent !== false) {
          respond(false, 'resourceRequiresConsent');
        } else {
          respond(true, config.token);
        }
        return;
      }
      case 'registerHandler':
        registered.add(String(args[0]));
        return;
      case 'settings.setValidityState':
        validity = args[0] === true;
        return;
      case 'settings.setSettings': {
        const instance = (args[0] ?? {}) as Record<string, unknown>;
        if (!onDomain(instance.contentUrl)) {
          respond(false, 'contentUrl is not on one of the app\u2019s validDomains');
        } else {
          settings = instance;
          respond(true);
        }
        return;
      }
      case 'settings.save.success':
        pendingSave?.({ ok: true });
        pendingSave = null;
        return;
      case 'settings.save.failure':
        pendingSave?.({ ok: false, reason: String(args[0] ?? '') });
        pendingSave = null;
        return;
      case 'meeting.getAppContentStageSharingCapabilities':
        if (config.capabilityOutcome === 500) {
          respond(sdkError(500, 'Internal error'), null);
        } else if (config.capabilityOutcome === 'answer') {
          respond(null, { doesAppHaveSharePermission: config.sharePermission });
        }
        return;
      case 'meeting.shareAppContentToStage': {
        const outcome = config.stageOutcome;
        if (!config.sharePermission) {
          respond(sdkError(1000, 'App does not have permission to share to stage'), null);
        } else if (!onDomain(args[0])) {
          respond(sdkError(501, 'Provided URL is invalid'), null);
        } else if (outcome === 'no-answer') {
          return;
        } else if (outcome === 'ok') {
          sharedToStage.push(String(args[0]));
          respond(null, true);
        } else if (outcome === 500) {
          respond(sdkError(500, 'Internal error'), null);
        } else if (outcome === 501) {
          respond(sdkError(501, 'This call is not supported in the current context'), null);
        } else {
          respond(sdkError(1000, 'Permission denied'), null);
        }
        return;
      }
      case 'appInitialization.appLoaded':
        appSignal = 'loaded';
        return;
      case 'appInitialization.success':
        appSignal = 'success';
        return;
      case 'appInitialization.failure':
        appSignal = 'failure';
        return;
      default:
        // Unknown to this host: recorded in `calls`, not answered (as a host without the capability would).
        return;
    }
  });

  document.body.appendChild(frame);

  return {
    setTheme(theme) {
      config = { ...config, theme };
      post({ func: 'themeChange', args: [theme] });
    },
    setToken(token) {
      config = { ...config, token };
    },
    setAuth(auth) {
      config = { ...config, auth };
    },
    setStage(options) {
      config = { ...config, ...options };
    },
    save(timeoutMs = 10000) {
      if (validity !== true) {
        return Promise.reject(new Error('Save is disabled: the page has not set a valid state'));
      }
      if (pendingSave) {
        return Promise.reject(new Error('A save is already in progress'));
      }
      return new Promise<SaveResult>((resolve, reject) => {
        const timer = setTimeout(() => {
          pendingSave = null;
          reject(new Error('The page did not notify success or failure'));
        }, timeoutMs);
        pendingSave = (result) => {
          clearTimeout(timer);
          resolve(result);
        };
        post({ func: 'settings.save', args: [{}] });
      });
    },
    state() {
      return {
        initialized,
        calls: [...calls],
        registeredHandlers: [...registered],
        validity,
        settings,
        sharedToStage: [...sharedToStage],
        theme: config.theme,
        appSignal,
      };
    },
  };
}
