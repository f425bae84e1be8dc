/**
 * The policy the send will be judged by, got the way the send handler gets it: the server's, validated by the core's
 * schema and never older than the one in force, then kept in roaming settings where the send handler reads it (so a
 * policy change reaches both at once, and what the pane shares is judged under the same policy at send); else the
 * one in roaming settings; else the built-in default, the strictest, so falling back never lets more through. The pane
 * says which.
 */
import { DEFAULT_POLICY, type Policy } from '../../../src/core';
import type { ApiClient } from '../../../src/shared/api';
import { acceptServerPolicy } from '../../on-send/policy-source';
import type { PaneHost } from '../host';

export type LoadedPolicy = {
  readonly policy: Policy;
  readonly source: 'server' | 'cached' | 'default';
  /** Why the server's policy does not apply, for the user (never message content). */
  readonly problem?: string;
};

export async function loadPolicy(
  api: Pick<ApiClient, 'policy'>,
  cache: Pick<PaneHost, 'cachedPolicy' | 'cachePolicy'>,
): Promise<LoadedPolicy> {
  const cached = cache.cachedPolicy();
  let problem: string;
  try {
    const policy = acceptServerPolicy(await api.policy(), cached ? cached.policy.version : 0);
    try {
      cache.cachePolicy(policy);
    } catch {
      // Not kept this time: the send handler asks the server itself, and gets this same policy.
    }
    return { policy, source: 'server' };
  } catch (e) {
    problem = String((e as Error)?.message ?? e).slice(0, 300);
  }
  return cached
    ? { policy: cached.policy, source: 'cached', problem }
    : { policy: DEFAULT_POLICY, source: 'default', problem };
}
