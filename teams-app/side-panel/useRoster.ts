/**
 * The chair's live roster: the stream of acknowledgements (`followAcknowledgements`) plus a refetch of the roster and
 * the expected attendees on every (re)connect, since the stream does not replay what it missed.
 */
import * as React from 'react';

import type { ApiClient, InviteeList, RosterEntry, TokenProvider } from '../../src/shared/api';
import { followAcknowledgements } from '../../src/shared/events';
import { addAcknowledgement, mergeRoster } from '../shared/roster';

export type Connection = 'connecting' | 'live' | 'reconnecting';

export interface RosterState {
  readonly entries: readonly RosterEntry[];
  readonly invitees: InviteeList | null;
  readonly inviteesError: unknown;
  readonly rosterError: unknown;
  readonly connection: Connection;
  /** The latest arrival from the stream, for the screen-reader announcement. */
  readonly arrival: { readonly entry: RosterEntry; readonly seq: number } | null;
}

/** Invitees are refetched this long after an arrival (batched): the meeting chat or the chair's list may have changed. */
const INVITEE_REFRESH_MS = 2000;

export function useRoster(
  api: ApiClient,
  getToken: TokenProvider,
  origin: string,
  meetingId: string,
  /** The meeting's level and reminder: when the chair changes them, the roster is read again (who is now behind). */
  version: string,
): RosterState & { readonly retry: () => void; readonly showInvitees: (list: InviteeList) => void } {
  const [state, setState] = React.useState<RosterState>({
    entries: [],
    invitees: null,
    inviteesError: null,
    rosterError: null,
    connection: 'connecting',
    arrival: null,
  });
  const [generation, setGeneration] = React.useState(0);

  React.useEffect(() => {
    let stopped = false;
    let inviteeTimer: ReturnType<typeof setTimeout> | null = null;
    let seq = 0;
    const fetchRoster = (): void => {
      api.roster(meetingId).then(
        (fetched) =>
          !stopped && setState((s) => ({ ...s, entries: mergeRoster(s.entries, fetched), rosterError: null })),
        (rosterError: unknown) => !stopped && setState((s) => ({ ...s, rosterError })),
      );
    };
    const fetchInvitees = (): void => {
      inviteeTimer = null;
      api.invitees(meetingId).then(
        (invitees) => !stopped && setState((s) => ({ ...s, invitees, inviteesError: null })),
        (inviteesError: unknown) => !stopped && setState((s) => ({ ...s, inviteesError })),
      );
    };
    fetchRoster();
    fetchInvitees();
    const stop = followAcknowledgements(
      { baseUrl: origin, getToken, fetch: (url, init) => fetch(url, init) },
      meetingId,
      {
        onOpen: () => {
          if (stopped) {
            return;
          }
          setState((s) => ({ ...s, connection: 'live' }));
          fetchRoster();
          fetchInvitees();
        },
        onAcknowledgement: (event) => {
          if (stopped) {
            return;
          }
          const entry: RosterEntry = {
            oid: event.oid,
            name: event.name,
            upn: event.upn,
            acknowledgedAt: event.acknowledgedAt,
          };
          const arrivalSeq = ++seq;
          setState((s) => {
            const entries = addAcknowledgement(s.entries, entry);
            return entries === s.entries ? s : { ...s, entries, arrival: { entry, seq: arrivalSeq } };
          });
          inviteeTimer ??= setTimeout(fetchInvitees, INVITEE_REFRESH_MS);
        },
        onDisconnect: () => {
          if (!stopped) {
            setState((s) => ({ ...s, connection: 'reconnecting' }));
          }
        },
      },
    );
    return () => {
      stopped = true;
      stop();
      if (inviteeTimer) {
        clearTimeout(inviteeTimer);
      }
    };
  }, [api, getToken, origin, meetingId, generation, version]);

  const retry = React.useCallback(() => setGeneration((g) => g + 1), []);
  // The chair's saved list as the server answered it: shown at once, not at the next refetch.
  const showInvitees = React.useCallback(
    (invitees: InviteeList) => setState((s) => ({ ...s, invitees, inviteesError: null })),
    [],
  );
  return { ...state, retry, showInvitees };
}
