/**
 * Sign-in for the API: nested app authentication (MSAL's nestable client, which borrows Outlook's own sign-in) where
 * the host offers it, and Office SSO (`Office.auth.getAccessToken`) where it does not or NAA fails. MSAL is loaded
 * only when NAA is used. The client id and scopes are fixed at build time (`ADDIN_CLIENT_ID`, `ADDIN_API_SCOPE`).
 */
import type { TokenProvider } from '../../../src/shared/api';
import type { PaneHost } from '../host';

export type AuthSettings = {
  /** The Entra app registration of the add-in; empty when the build had none (NAA is then not tried). */
  readonly clientId: string;
  readonly scopes: readonly string[];
  /** @default 'https://login.microsoftonline.com/common' */
  readonly authority?: string;
  /** @default NAA_TIMEOUT_MS */
  readonly naaTimeoutMs?: number;
};

declare const SECRECY_GUARD_AUTH: AuthSettings | undefined;

/** The settings webpack's DefinePlugin wrote into the bundle. */
export function buildAuthSettings(): AuthSettings {
  return typeof SECRECY_GUARD_AUTH === 'undefined' ? { clientId: '', scopes: [] } : SECRECY_GUARD_AUTH;
}

/**
 * How long nested app authentication may take without the user before Office SSO is tried instead (a host may never
 * answer): loading MSAL, reaching the host's bridge and the silent attempt. A sign-in prompt the user has in front of
 * them is not timed: they may be typing a password or approving on their phone.
 */
export const NAA_TIMEOUT_MS = 15_000;

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

type NestableClient = {
  getActiveAccount(): unknown;
  getAllAccounts(): unknown[];
  acquireTokenSilent(request: object): Promise<{ accessToken: string }>;
  acquireTokenPopup(request: object): Promise<{ accessToken: string }>;
};

/** What is used of MSAL: its nestable client factory (loaded lazily; a parameter so it can be replaced in tests). */
export type MsalLoader = () => Promise<{
  createNestablePublicClientApplication(configuration: {
    auth: { clientId: string; authority: string };
  }): Promise<unknown>;
}>;

const loadMsal: MsalLoader = () => import(/* webpackChunkName: "msal" */ '@azure/msal-browser');

export function createTokenProvider(
  host: Pick<PaneHost, 'supportsNestedAppAuth' | 'getSsoToken'>,
  settings: AuthSettings,
  msal: MsalLoader = loadMsal,
): TokenProvider {
  let naa: Promise<NestableClient> | null = null;
  let naaFailed = false;
  const nestable = (): Promise<NestableClient> => {
    naa ??= msal().then(
      (m) =>
        m.createNestablePublicClientApplication({
          auth: {
            clientId: settings.clientId,
            authority: settings.authority ?? 'https://login.microsoftonline.com/common',
          },
        }) as Promise<NestableClient>,
    );
    return naa;
  };
  /** The token if it comes silently, else the client to prompt with. */
  const silently = async (forceRefresh: boolean): Promise<{ token: string } | { prompt: NestableClient }> => {
    const pca = await nestable();
    const account = pca.getActiveAccount() ?? pca.getAllAccounts()[0];
    const request = { scopes: [...settings.scopes], ...(account ? { account } : {}), forceRefresh };
    try {
      return { token: (await pca.acquireTokenSilent(request)).accessToken };
    } catch {
      return { prompt: pca };
    }
  };
  const viaNaa = async (forceRefresh: boolean): Promise<string> => {
    const silent = await within(silently(forceRefresh), settings.naaTimeoutMs ?? NAA_TIMEOUT_MS);
    if ('token' in silent) {
      return silent.token;
    }
    return (await silent.prompt.acquireTokenPopup({ scopes: [...settings.scopes] })).accessToken;
  };
  return async ({ forceRefresh }) => {
    if (!naaFailed && settings.clientId && settings.scopes.length > 0 && host.supportsNestedAppAuth()) {
      try {
        return await viaNaa(forceRefresh);
      } catch {
        // NAA is offered but not working here (an older host, an app registration without the NAA redirect URI):
        // Office SSO is the documented fallback.
        naaFailed = true;
      }
    }
    return host.getSsoToken();
  };
}
