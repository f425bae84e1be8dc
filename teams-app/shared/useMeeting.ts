/** The meeting as the caller sees it (`GET /api/meetings/{id}`), optionally refreshed on an interval. */
import * as React from 'react';

import { type ApiClient, isApiError, type MeetingView, type ReminderVersion } from '../../src/shared/api';
import { startPoller } from './poller';

/**
 * The side panel reads the meeting again this often while it is visible, so attendees see the chair's changes (and a
 * meeting configured after the panel opened) without reopening it. Slow: only the chair's roster needs to be live.
 */
export const SIDE_PANEL_REFRESH_MS = 60_000;

export type MeetingState =
  | { readonly phase: 'loading'; readonly meeting?: never; readonly error?: never }
  | { readonly phase: 'ready'; readonly meeting: MeetingView; readonly error?: never }
  /** The chair has not configured the meeting yet (404). */
  | { readonly phase: 'not-configured'; readonly meeting?: never; readonly error?: never }
  | { readonly phase: 'failed'; readonly meeting?: never; readonly error: unknown };

export interface UseMeeting {
  readonly state: MeetingState;
  readonly reload: () => void;
  /** Loads the meeting again without leaving what is on screen (after the server said it changed). */
  readonly refresh: () => void;
  /** Records the caller's own acknowledgement of `version` without a round trip. */
  readonly markAcknowledged: (acknowledgedAt: string, version: ReminderVersion) => void;
}

export function useMeeting(api: ApiClient, meetingId: string, options: { readonly pollMs?: number } = {}): UseMeeting {
  const [state, setState] = React.useState<MeetingState>({ phase: 'loading' });
  const [generation, setGeneration] = React.useState(0);
  const refreshRef = React.useRef<() => void>(() => undefined);
  const { pollMs } = options;

  React.useEffect(() => {
    let cancelled = false;
    const load = async (quiet: boolean): Promise<void> => {
      try {
        const meeting = await api.getMeeting(meetingId);
        if (!cancelled) {
          setState({ phase: 'ready', meeting });
        }
      } catch (error) {
        if (cancelled) {
          return;
        }
        if (isApiError(error) && error.status === 404) {
          setState({ phase: 'not-configured' });
        } else if (!quiet) {
          setState({ phase: 'failed', error });
        }
        // A failed refresh keeps what is on screen; the next one may succeed.
      }
    };
    // A hidden page (minimised, another app on the stage) does not poll; it catches up as soon as it is shown.
    const poller = startPoller(load, {
      intervalMs: pollMs,
      isVisible: () => document.visibilityState !== 'hidden',
      onVisibilityChange: (listener) => {
        document.addEventListener('visibilitychange', listener);
        return () => document.removeEventListener('visibilitychange', listener);
      },
    });
    refreshRef.current = poller.refresh;
    return () => {
      cancelled = true;
      poller.stop();
    };
  }, [api, meetingId, pollMs, generation]);

  const reload = React.useCallback(() => {
    setState({ phase: 'loading' });
    setGeneration((g) => g + 1);
  }, []);
  const refresh = React.useCallback(() => refreshRef.current(), []);
  const markAcknowledged = React.useCallback((acknowledgedAt: string, version: ReminderVersion) => {
    setState((s) =>
      s.phase === 'ready' &&
      !s.meeting.acknowledgement?.current &&
      s.meeting.level === version.level &&
      s.meeting.reminderSha256 === version.reminderSha256
        ? {
            phase: 'ready',
            meeting: {
              ...s.meeting,
              acknowledgement: { acknowledgedAt, current: true },
              acknowledgementCount: (s.meeting.acknowledgementCount ?? 0) + 1,
            },
          }
        : s,
    );
  }, []);
  return { state, reload, refresh, markAcknowledged };
}
