/// <reference types="office-runtime" />
import { OfficeApiError, toOfficeApiError } from './errors';

/**
 * An SSO access token for our API from `OfficeRuntime.auth`, the one auth API event handlers may use. Never prompts:
 * an event handler cannot show sign-in or consent UI, so a user who must sign in gets an error here instead.
 * @throws {OfficeApiError} with Office's code (13001 not signed in, 13002 consent …).
 */
export function getAccessToken(): Promise<string> {
  if (typeof OfficeRuntime === 'undefined' || !OfficeRuntime.auth) {
    return Promise.reject(new OfficeApiError('OfficeRuntime.auth', null, null, 'OfficeRuntime.auth is not available'));
  }
  try {
    return OfficeRuntime.auth
      .getAccessToken({ allowSignInPrompt: false, allowConsentPrompt: false })
      .then(undefined, (e: unknown) => Promise.reject(toOfficeApiError('getAccessToken', e)));
  } catch (e) {
    return Promise.reject(toOfficeApiError('getAccessToken', e));
  }
}
