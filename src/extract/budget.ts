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
}

export function budgetFor(limits: PolicyLimits, now: () => number = () => Date.now()): Budget {
  const deadline = now() + limits.scanTimeoutMs;
  return {
    limits: {
      maxFileBytes: limits.maxFileBytes,
      maxMessageBytes: limits.maxMessageBytes,
      maxArchiveDepth: limits.maxArchiveDepth,
      maxArchiveEntries: limits.maxArchiveEntries,
    },
    expired: () => now() >= deadline,
    remainingMs: () => Math.max(0, deadline - now()),
  };
}
