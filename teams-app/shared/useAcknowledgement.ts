/**
 * Acknowledging: one request at a time, the outcome kept until the next try. An acknowledgement is of one version of
 * the reminder (the level and the text's hash): when the chair changes either, the attendee is asked again, and the
 * request names the version the page showed, so the server refuses it (409) if the chair changed it meanwhile.
 */
import * as React from 'react';

import { type ApiClient, isApiError, type MeetingView, type ReminderVersion } from '../../src/shared/api';
import { type UseMeeting, useMeeting } from './useMeeting';

export type AcknowledgementState =
  | { readonly phase: 'idle'; readonly acknowledgedAt?: never; readonly error?: never }
  | { readonly phase: 'sending'; readonly acknowledgedAt?: never; readonly error?: never }
  | { readonly phase: 'done'; readonly acknowledgedAt: string; readonly error?: never }
  | { readonly phase: 'failed'; readonly acknowledgedAt?: never; readonly error: unknown };

export interface UseAcknowledgement {
  readonly state: AcknowledgementState;
  readonly acknowledge: () => void;
  /** When the caller acknowledged an earlier level or reminder, and has not acknowledged the current one yet. */
  readonly earlierAcknowledgedAt: string | null;
}

const versionKey = (v: ReminderVersion): string => `${v.level}\u0000${v.reminderSha256}`;

type Local =
  | { readonly phase: 'idle' | 'sending' }
  | { readonly phase: 'done'; readonly acknowledgedAt: string; readonly version: string }
  | { readonly phase: 'failed'; readonly error: unknown };

export function useAcknowledgement(
  api: ApiClient,
  meetingId: string,
  meeting: MeetingView | null,
  onAcknowledged: (acknowledgedAt: string, version: ReminderVersion) => void,
  /** The chair changed the reminder since the page loaded it: load it again. */
  onStale: () => void,
): UseAcknowledgement {
  const [local, setLocal] = React.useState<Local>({ phase: 'idle' });
  const inFlight = React.useRef(false);
  const level = meeting?.level;
  const sha256 = meeting?.reminderSha256;
  const shown = React.useMemo<ReminderVersion | null>(
    () => (level && sha256 ? { level, reminderSha256: sha256 } : null),
    [level, sha256],
  );
  const key = shown ? versionKey(shown) : null;

  const acknowledge = React.useCallback(() => {
    // The server is idempotent, but a second click while the first is in flight is simply ignored.
    if (inFlight.current || !shown) {
      return;
    }
    inFlight.current = true;
    setLocal({ phase: 'sending' });
    api.acknowledge(meetingId, shown).then(
      (result) => {
        inFlight.current = false;
        setLocal({ phase: 'done', acknowledgedAt: result.acknowledgedAt, version: versionKey(shown) });
        onAcknowledged(result.acknowledgedAt, shown);
      },
      (error: unknown) => {
        inFlight.current = false;
        setLocal({ phase: 'failed', error });
        if (isApiError(error) && error.code === 'meeting_changed') {
          onStale();
        }
      },
    );
  }, [api, meetingId, shown, onAcknowledged, onStale]);

  const mine = meeting?.acknowledgement ?? null;
  let state: AcknowledgementState;
  if (mine?.current) {
    state = { phase: 'done', acknowledgedAt: mine.acknowledgedAt };
  } else if (local.phase === 'done') {
    // Done here for the version on screen (a poll that left before the click may not know yet); for another
    // version, the attendee is asked again.
    state = local.version === key ? { phase: 'done', acknowledgedAt: local.acknowledgedAt } : { phase: 'idle' };
  } else if (local.phase === 'failed') {
    state = { phase: 'failed', error: local.error };
  } else {
    state = { phase: local.phase };
  }
  const earlierAcknowledgedAt = state.phase !== 'done' && mine && !mine.current ? mine.acknowledgedAt : null;
  return { state, acknowledge, earlierAcknowledgedAt };
}

/** The meeting as the caller sees it, and the caller's acknowledgement of it: what a page with the reminder needs. */
export function useMeetingAcknowledgement(
  api: ApiClient,
  meetingId: string,
  options: { readonly pollMs?: number } = {},
): UseMeeting & { readonly ack: UseAcknowledgement } {
  const meeting = useMeeting(api, meetingId, options);
  const shown = meeting.state.phase === 'ready' ? meeting.state.meeting : null;
  const ack = useAcknowledgement(api, meetingId, shown, meeting.markAcknowledged, meeting.refresh);
  return { ...meeting, ack };
}
