/**
 * The policy the send will be judged by: the server's, validated by the core's schema, or the built-in default when
 * the server cannot be reached or sends something invalid. The default is the strictest, so falling back never lets
 * more through; the pane says so.
 */
import { DEFAULT_POLICY, parsePolicy, type Policy } from '../../../src/core';
import type { ApiClient } from '../../../src/shared/api';

export type LoadedPolicy = {
  readonly policy: Policy;
  readonly source: 'server' | 'default';
  /** Why the default applies, for the user (never message content). */
  readonly problem?: string;
};

export async function loadPolicy(api: Pick<ApiClient, 'policy'>): Promise<LoadedPolicy> {
  try {
    return { policy: parsePolicy(await api.policy()), source: 'server' };
  } catch (e) {
    return { policy: DEFAULT_POLICY, source: 'default', problem: String((e as Error)?.message ?? e).slice(0, 300) };
  }
}
