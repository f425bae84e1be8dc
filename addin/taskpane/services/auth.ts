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
};

declare const SECRECY_GUARD_AUTH: AuthSettings | undefined;

/** The settings webpack's DefinePlugin wrote into the bundle. */
export function buildAuthSettings(): AuthSettings {
  return typeof SECRECY_GUARD_AUTH === 'undefined' ? { clientId: '', scopes: [] } : SECRECY_GUARD_AUTH;
}

type NestableClient = {
  getActiveAccount(): unknown;
  getAllAccounts(): unknown[];
  acquireTokenSilent(request: object): Promise<{ accessToken: string }>;
  acquireTokenPopup(request: object): Promise<{ accessToken: string }>;
};

export function createTokenProvider(
  host: Pick<PaneHost, 'supportsNestedAppAuth' | 'getSsoToken'>,
  settings: AuthSettings,
): TokenProvider {
  let naa: Promise<NestableClient> | null = null;
  let naaFailed = false;
  const nestable = (): Promise<NestableClient> => {
    naa ??= import(/* webpackChunkName: "msal" */ '@azure/msal-browser').then(
      (msal) =>
        msal.createNestablePublicClientApplication({
          auth: {
            clientId: settings.clientId,
            authority: settings.authority ?? 'https://login.microsoftonline.com/common',
          },
        }) as unknown as Promise<NestableClient>,
    );
    return naa;
  };
  const viaNaa = async (forceRefresh: boolean): Promise<string> => {
    const pca = await nestable();
    const account = pca.getActiveAccount() ?? pca.getAllAccounts()[0];
    const request = { scopes: [...settings.scopes], ...(account ? { account } : {}), forceRefresh };
    try {
      return (await pca.acquireTokenSilent(request)).accessToken;
    } catch {
      return (await pca.acquireTokenPopup({ scopes: [...settings.scopes] })).accessToken;
    }
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
