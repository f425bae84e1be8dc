/**
 * The live scan's state: scans when the pane opens, again when Office reports a change to the item, recipients or
 * attachments, and when a gentle poll sees the body or subject change (Outlook has no body-changed event). Only one
 * scan runs at a time; a change during a scan queues one more.
 */
import * as React from 'react';

import { usePane } from './context';
import type { LoadedPolicy } from './services/policy';
import type { ScanOutcome, ScanProgress } from './services/scanner';

/** How often the body and subject are compared while the pane is visible. */
export const BODY_POLL_MS = 4000;

export type LiveScan = {
  readonly policy: LoadedPolicy | null;
  readonly outcome: ScanOutcome | null;
  readonly progress: ScanProgress | null;
  readonly scanning: boolean;
  readonly error: string | null;
  /** Scans now (after the current scan, if one is running). */
  readonly rescan: () => Promise<void>;
};

export function useLiveScan(): LiveScan {
  const { host, scanner, loadPolicy } = usePane();
  const [policy, setPolicy] = React.useState<LoadedPolicy | null>(null);
  const [outcome, setOutcome] = React.useState<ScanOutcome | null>(null);
  const [progress, setProgress] = React.useState<ScanProgress | null>(null);
  const [scanning, setScanning] = React.useState(false);
  const [error, setError] = React.useState<string | null>(null);
  const running = React.useRef<Promise<void> | null>(null);
  const again = React.useRef(false);
  const last = React.useRef<{ body: string; subject: string } | null>(null);
  const policyRef = React.useRef<LoadedPolicy | null>(null);

  const runOnce = React.useCallback(async (): Promise<void> => {
    setScanning(true);
    setError(null);
    try {
      if (!policyRef.current) {
        policyRef.current = await loadPolicy();
        setPolicy(policyRef.current);
      }
      const result = await scanner.scan(policyRef.current.policy, setProgress);
      last.current = { body: result.body, subject: result.subject };
      setOutcome(result);
    } catch (e) {
      setError(String((e as Error)?.message ?? e).slice(0, 300));
    } finally {
      setProgress(null);
      setScanning(false);
    }
  }, [loadPolicy, scanner]);

  const rescan = React.useCallback(async (): Promise<void> => {
    if (running.current) {
      again.current = true;
      return running.current;
    }
    const loop = async (): Promise<void> => {
      do {
        again.current = false;
        await runOnce();
      } while (again.current);
    };
    running.current = loop().finally(() => {
      running.current = null;
    });
    return running.current;
  }, [runOnce]);

  React.useEffect(() => {
    let stop: (() => void) | null = null;
    let cancelled = false;
    void rescan();
    void host
      .onChange((change) => {
        if (change === 'item') {
          scanner.reset();
        }
        void rescan();
      })
      .then((unsubscribe) => {
        if (cancelled) {
          unsubscribe();
        } else {
          stop = unsubscribe;
        }
      });
    const poll = async (): Promise<void> => {
      if (document.visibilityState !== 'visible' || running.current || !last.current) {
        return;
      }
      try {
        const format = await host.bodyFormat();
        const [body, subject] = await Promise.all([host.readBody(format, 'full'), host.readSubject()]);
        if (last.current && (body !== last.current.body || subject !== last.current.subject)) {
          void rescan();
        }
      } catch {
        // A failed poll is retried on the next tick; the last verdict stays on screen until then.
      }
    };
    const timer = window.setInterval(() => void poll(), BODY_POLL_MS);
    const onFocus = (): void => void poll();
    window.addEventListener('focus', onFocus);
    document.addEventListener('visibilitychange', onFocus);
    return () => {
      cancelled = true;
      stop?.();
      window.clearInterval(timer);
      window.removeEventListener('focus', onFocus);
      document.removeEventListener('visibilitychange', onFocus);
    };
  }, [host, rescan, scanner]);

  return { policy, outcome, progress, scanning, error, rescan };
}
