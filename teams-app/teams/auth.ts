/**
 * Identity for the API: the Teams SSO token from `authentication.getAuthToken`, which the server verifies. Nothing
 * from `app.getContext()` stands in for it. A token the user has not consented to yet is asked for again with a
 * prompt (TJS#691); what still fails is a `TeamsAuthError` whose reason the page shows.
 */
import { authentication } from '@microsoft/teams-js';

import type { TokenProvider } from '../../src/shared/api';
import { hostContext } from './app-context';
import { isFresh, needsInteractiveRetry } from './token';

export class TeamsAuthError extends Error {
  constructor(
    /** What Teams said (`resourceRequiresConsent`, `CancelledByUser`, `FailedToOpenWindow` …). */
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'TeamsAuthError';
  }
}

const reasonOf = (e: unknown): string => (e instanceof Error ? e.message : String(e)) || 'unknown';

/** A {@link TokenProvider} over Teams SSO: cached until shortly before expiry, one request in flight at a time. */
export function teamsTokenProvider(now: () => number = Date.now): TokenProvider {
  let cached: string | null = null;
  let pending: Promise<string> | null = null;

  const acquire = async (): Promise<string> => {
    hostContext('teamsTokenProvider');
    try {
      return await authentication.getAuthToken();
    } catch (first) {
      if (!needsInteractiveRetry(reasonOf(first))) {
        throw new TeamsAuthError(reasonOf(first));
      }
      try {
        return await authentication.getAuthToken({ silent: false });
      } catch (second) {
        throw new TeamsAuthError(reasonOf(second));
      }
    }
  };

  return async ({ forceRefresh }) => {
    if (!forceRefresh && cached !== null && isFresh(cached, now())) {
      return cached;
    }
    if (forceRefresh) {
      cached = null;
    }
    if (!pending) {
      pending = acquire().then(
        (token) => {
          cached = token;
          pending = null;
          return token;
        },
        (e: unknown) => {
          pending = null;
          throw e;
        },
      );
    }
    return pending;
  };
}
