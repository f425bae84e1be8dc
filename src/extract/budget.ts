/**
 * The scan budget of one message, from the policy: a deadline on the caller's clock and the size limits. The
 * on-send handler stops when it runs out and fails closed; the task pane shows progress against it.
 */
import type { PolicyLimits } from '../core';
import type { ExtractLimits } from './extract';

export interface Budget {
  readonly limits: ExtractLimits;
  readonly expired: () => boolean;
  /** Milliseconds left, never negative. */
  readonly remainingMs: () => number;
  /**
   * Runs set-up that does not depend on the content (loading the PDF reader) off the clock: the deadline moves by
   * the time it took. The budget bounds what content can make us spend; a busy machine starting a reader is not
   * that, and charging it blocked clean one-page PDFs as timeouts.
   */
  readonly offClock: <T>(work: () => Promise<T>) => Promise<T>;
}

export function budgetFor(limits: PolicyLimits, now: () => number = () => Date.now()): Budget {
  let deadline = now() + limits.scanTimeoutMs;
  return {
    limits: {
      maxFileBytes: limits.maxFileBytes,
      maxMessageBytes: limits.maxMessageBytes,
      maxArchiveDepth: limits.maxArchiveDepth,
      maxArchiveEntries: limits.maxArchiveEntries,
    },
    expired: () => now() >= deadline,
    remainingMs: () => Math.max(0, deadline - now()),
    offClock: async (work) => {
      const started = now();
      try {
        return await work();
      } finally {
        deadline += now() - started;
      }
    },
  };
}
