/** Errors to sentences a person can act on, in the page's language. */
import { isApiError } from '../../src/shared/api';
import type { TeamsMessages } from './messages';

/** The reason Teams gave for not handing out a token, as the API client wraps it (`… TeamsAuthError: reason`). */
function tokenFailureReason(message: string): string {
  const m = /TeamsAuthError:\s*(.+)$/.exec(message);
  return (m?.[1] ?? message).trim().slice(0, 120);
}

/** A sentence for any failure of an API call. */
export function describeError(e: unknown, t: TeamsMessages): string {
  if (!isApiError(e)) {
    return t.errServer(0);
  }
  switch (true) {
    case e.status === 0:
      return t.errUnreachable;
    case e.code === 'meeting_changed':
      return t.errMeetingChanged;
    case e.code === 'no_token': {
      const reason = tokenFailureReason(e.message);
      return /consent/i.test(reason) ? t.errConsent : t.errAuth(reason);
    }
    case e.status === 401:
      return t.errTokenRefused;
    case e.status === 403:
      return t.errNotChair;
    case e.status === 404:
      return t.errNotConfigured;
    case e.status === 429:
      return t.errRateLimited;
    case e.status === 400:
      return t.errInvalid(e.message);
    default:
      return t.errServer(e.status);
  }
}

/** A sentence for a Teams stage-sharing error code (500, 501, 1000 are the documented ones), or Teams' silence. */
export function describeStageError(code: number | 'timeout', t: TeamsMessages): string {
  switch (code) {
    case 'timeout':
      return t.shareTimeout;
    case 500:
      return t.shareError500;
    case 501:
      return t.shareError501;
    case 1000:
      return t.shareError1000;
    default:
      return t.shareErrorOther(code);
  }
}
