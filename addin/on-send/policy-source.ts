/**
 * The policy a decision is made under: the server's (`GET /api/policy`), validated with `parsePolicy`; else the one
 * cached in roaming settings; else the bundled default. A send never waits long for the server, and nothing the
 * server sends can weaken the policy in force: a malformed document, or an older version than the cached one, is
 * ignored.
 */
import { DEFAULT_POLICY, parsePolicy, type Policy, sha256Hex, utf8Bytes } from '../../src/core';
import type { ApiClient } from '../../src/shared/api';
import { roamingSettings } from '../office';
import { measuredEntryLength, POLICY_ROAMING_MAX_CHARS } from './storage-budget';
import { background, within } from './timing';

export const POLICY_SETTING = 'sg.policy';

export type PolicySource = 'server' | 'cached' | 'default';

export interface PolicyChoice {
  readonly policy: Policy;
  readonly source: PolicySource;
  /** Identifies this exact policy: cached scan results are only reused under the same one. */
  readonly fingerprint: string;
}

interface CachedPolicy {
  readonly policy: Policy;
  readonly fetchedAt: number;
}

const fingerprints = new WeakMap<Policy, string>();

export function policyFingerprint(policy: Policy): string {
  let fp = fingerprints.get(policy);
  if (!fp) {
    fp = sha256Hex(utf8Bytes(JSON.stringify(policy))).slice(0, 16);
    fingerprints.set(policy, fp);
  }
  return fp;
}

const choice = (policy: Policy, source: PolicySource): PolicyChoice => ({
  policy,
  source,
  fingerprint: policyFingerprint(policy),
});

/** The cached policy, re-validated (roaming settings are the user's to edit), or null. */
export function cachedPolicy(): CachedPolicy | null {
  try {
    if (!roamingSettings.supported()) {
      return null;
    }
    const raw = roamingSettings.get(POLICY_SETTING) as { policy?: unknown; fetchedAt?: unknown } | null;
    if (!raw || typeof raw !== 'object' || typeof raw.fetchedAt !== 'number') {
      return null;
    }
    return { policy: parsePolicy(raw.policy), fetchedAt: raw.fetchedAt };
  } catch {
    return null;
  }
}

/**
 * Keeps `policy` in roaming settings, where every runtime of this add-in (the send handler, the other events, the task
 * pane) finds it: the send is judged by the policy the pane showed. Throws what the host throws.
 */
export function storePolicy(policy: Policy, now: number): void {
  if (!roamingSettings.supported()) {
    return;
  }
  const value = { version: policy.version, fetchedAt: now, policy };
  if (measuredEntryLength(POLICY_SETTING, value) > POLICY_ROAMING_MAX_CHARS) {
    // Too big to keep: a stale copy must not outlive the server's newer one, so none is kept.
    roamingSettings.remove(POLICY_SETTING);
  } else {
    roamingSettings.set(POLICY_SETTING, value);
  }
  background(roamingSettings.save());
}

/**
 * The server's policy document as a policy that may replace the one in force: valid (`parsePolicy`) and at least as
 * new as `atLeastVersion`, so nothing the server sends can weaken the policy by going back.
 * @throws {Error} saying why it may not.
 */
export function acceptServerPolicy(document: unknown, atLeastVersion: number): Policy {
  const policy = parsePolicy(document);
  if (policy.version < atLeastVersion) {
    throw new Error(
      `the server's policy (version ${policy.version}) is older than the one in force (${atLeastVersion})`,
    );
  }
  return policy;
}

/**
 * Fetches and validates the server's policy and caches it. Resolves to the policy, or null when the server cannot
 * be reached or sends something that is not a valid policy at least as new as `atLeastVersion`. Never rejects.
 */
export function fetchPolicy(api: ApiClient, atLeastVersion: number, now: () => number): Promise<Policy | null> {
  return api.policy().then(
    (document) => {
      let policy: Policy;
      try {
        policy = acceptServerPolicy(document, atLeastVersion);
      } catch {
        return null;
      }
      try {
        storePolicy(policy, now());
      } catch {
        // Not cached this time; it still applies now.
      }
      return policy;
    },
    () => null,
  );
}

export interface ResolveOptions {
  readonly api: ApiClient;
  /** How long to wait for the server when the cached policy is stale or missing. */
  readonly waitMs: number;
  /** A cached policy younger than this is used at once. */
  readonly freshMs: number;
  readonly now?: () => number;
}

/**
 * The policy to decide under. A cached policy younger than `freshMs` is used as it is, without asking the server;
 * otherwise the server is asked and waited for at most `waitMs` (its answer is still cached if it comes later).
 * Never rejects.
 */
export async function resolvePolicy(options: ResolveOptions): Promise<PolicyChoice> {
  const now = options.now ?? (() => Date.now());
  const cached = cachedPolicy();
  if (cached && now() - cached.fetchedAt < options.freshMs) {
    return choice(cached.policy, 'cached');
  }
  const fromServer = await within(fetchPolicy(options.api, cached ? cached.policy.version : 0, now), options.waitMs);
  if (fromServer.settled && fromServer.value) {
    return choice(fromServer.value, 'server');
  }
  return cached ? choice(cached.policy, 'cached') : choice(DEFAULT_POLICY, 'default');
}
