/** Acknowledging: one request at a time, the outcome kept until the next try. */
import * as React from 'react';

import type { ApiClient } from '../../src/shared/api';

export type AcknowledgementState =
  | { readonly phase: 'idle'; readonly acknowledgedAt?: never; readonly error?: never }
  | { readonly phase: 'sending'; readonly acknowledgedAt?: never; readonly error?: never }
  | { readonly phase: 'done'; readonly acknowledgedAt: string; readonly error?: never }
  | { readonly phase: 'failed'; readonly acknowledgedAt?: never; readonly error: unknown };

export function useAcknowledgement(
  api: ApiClient,
  meetingId: string,
  acknowledgedAt: string | null,
  onAcknowledged: (acknowledgedAt: string) => void,
): { readonly state: AcknowledgementState; readonly acknowledge: () => void } {
  const [state, setState] = React.useState<AcknowledgementState>(
    acknowledgedAt ? { phase: 'done', acknowledgedAt } : { phase: 'idle' },
  );
  const inFlight = React.useRef(false);

  React.useEffect(() => {
    if (acknowledgedAt) {
      setState((s) => (s.phase === 'done' ? s : { phase: 'done', acknowledgedAt }));
    }
  }, [acknowledgedAt]);

  const acknowledge = React.useCallback(() => {
    // The server is idempotent, but a second click while the first is in flight is simply ignored.
    if (inFlight.current) {
      return;
    }
    inFlight.current = true;
    setState({ phase: 'sending' });
    api.acknowledge(meetingId).then(
      (result) => {
        inFlight.current = false;
        setState({ phase: 'done', acknowledgedAt: result.acknowledgedAt });
        onAcknowledged(result.acknowledgedAt);
      },
      (error: unknown) => {
        inFlight.current = false;
        setState({ phase: 'failed', error });
      },
    );
  }, [api, meetingId, onAcknowledged]);

  return { state, acknowledge };
}
