/**
 * The store's health for `/healthz`: a write probe, run at most once per interval however often the load balancer
 * asks, and the last store failure any request met. Unhealthy while the probe fails, or once a request has failed on
 * the store since the last probe passed, until the next probe passes (a full disk fails writes that a small probe may
 * still squeeze through).
 */
import type { Db, StoreFailure } from './db';
import { type StoreErrorSummary, storeErrorSummary } from './failure';

export interface StoreHealth {
  readonly ok: boolean;
  /** When the write probe last ran. */
  readonly checkedAt: string;
  /** The probe's own failure, when it failed. */
  readonly probeError?: StoreErrorSummary;
  /** The last store failure a request met, however long ago. */
  readonly lastError?: StoreErrorSummary & { readonly at: string };
}

export function storeHealthCheck(
  db: Db,
  options: { readonly intervalMs?: number; readonly now?: () => number } = {},
): () => Promise<StoreHealth> {
  const intervalMs = options.intervalMs ?? 5000;
  const now = options.now ?? Date.now;
  // The store failure on record when the probe last passed: a later one means a request failed since.
  let last: { at: number; forgiven: StoreFailure | null; error?: StoreErrorSummary } | null = null;
  let running: Promise<void> | null = null;

  const probe = async (): Promise<void> => {
    const at = now();
    try {
      // A transaction that takes a transaction id commits a WAL record and flushes it: a write, of a few bytes,
      // that touches no table.
      await db.transaction((tx) => tx.query('SELECT txid_current()'));
      last = { at, forgiven: db.lastFailure() };
    } catch (e) {
      last = { at, forgiven: last?.forgiven ?? null, error: storeErrorSummary(e) };
    }
  };

  return async () => {
    if (!last || now() - last.at >= intervalMs) {
      running ??= probe().finally(() => {
        running = null;
      });
      await running;
    }
    const state = last as unknown as NonNullable<typeof last>;
    const failure: StoreFailure | null = db.lastFailure();
    const failedSinceProbe = failure !== state.forgiven;
    return {
      ok: !state.error && !failedSinceProbe,
      checkedAt: new Date(state.at).toISOString(),
      ...(state.error ? { probeError: state.error } : {}),
      ...(failure ? { lastError: { ...failure.error, at: failure.at.toISOString() } } : {}),
    };
  };
}
