/**
 * "Send anyway, with a reason", where the policy says `warn`. The reason is required and logged: the task pane takes
 * it, logs it on the server, and only then leaves a grant in the item's sessionData; the send handler lets a warned
 * mail go only with a grant that matches it: the same policy, the same verdict for the same rules at the same places
 * (a grant given for one mark does not cover another), and not expired. Without one it stops the send and points to
 * the pane. The grant holds a hash, never the marks or the reason.
 */
import { type Finding, SHA256_HEX_PATTERN, sha256Hex, type Unscannable, utf8Bytes, type Verdict } from '../../src/core';
import { sessionData } from '../office';

export const OVERRIDE_KEY = 'sg.override';

/** How long a reason given in the pane covers sends of the same mail. */
export const OVERRIDE_VALID_MS = 30 * 60 * 1000;

export interface OverrideGrant {
  readonly v: 1;
  /** The policy's fingerprint. */
  readonly p: string;
  /** {@link overrideSubject} of the verdict the reason was given for. */
  readonly h: string;
  /** Expires at (ms since the epoch). */
  readonly x: number;
}

/**
 * What a reason is given for, as a hash: the verdict with its level and scope, each rule at its level and place, and
 * each unscannable place with its reason, counted once each (the pane and the send handler count repeats apart).
 */
export function overrideSubject(
  verdict: Pick<Verdict, 'verdict' | 'level' | 'scope'>,
  findings: readonly Pick<Finding, 'rule' | 'level' | 'location'>[],
  unscannable: readonly Pick<Unscannable, 'location' | 'reason'>[],
): string {
  const unique = (list: string[]): string[] => list.filter((v, i) => list.indexOf(v) === i).sort();
  const parts = [
    `${verdict.verdict}\u0000${verdict.level || ''}\u0000${verdict.scope}`,
    ...unique(findings.map((f) => `f\u0000${f.rule}\u0000${f.level}\u0000${f.location}`)),
    ...unique(unscannable.map((u) => `u\u0000${u.location}\u0000${u.reason}`)),
  ];
  return sha256Hex(utf8Bytes(parts.join('\n')));
}

export function grantFor(policyFingerprint: string, subject: string, now: number): OverrideGrant {
  return { v: 1, p: policyFingerprint, h: subject, x: now + OVERRIDE_VALID_MS };
}

/** Leaves the grant where the send handler looks for it. */
export function writeGrant(grant: OverrideGrant): Promise<void> {
  return sessionData.set(OVERRIDE_KEY, JSON.stringify(grant));
}

/** A grant as the pane writes it, or null: anything else in the key (edited, truncated, another version) is none. */
export function parseGrant(raw: string | null): OverrideGrant | null {
  let g: unknown;
  try {
    g = raw ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
  if (!g || typeof g !== 'object') {
    return null;
  }
  const { v, p, h, x } = g as Record<string, unknown>;
  return v === 1 &&
    typeof p === 'string' &&
    p.length > 0 &&
    p.length <= 64 &&
    typeof h === 'string' &&
    SHA256_HEX_PATTERN.test(h) &&
    typeof x === 'number' &&
    isFinite(x)
    ? { v: 1, p, h, x }
    : null;
}

/** The grant in sessionData, or null (none, unreadable, malformed, or no sessionData). Never rejects. */
export function readGrant(): Promise<OverrideGrant | null> {
  if (!sessionData.supported()) {
    return Promise.resolve(null);
  }
  return sessionData.get(OVERRIDE_KEY).then(parseGrant, () => null);
}

/**
 * Whether `grant` covers this send's verdict under this policy, now. An expiry further ahead than a grant is ever
 * given for is not one the pane wrote: it covers nothing.
 */
export function grantCovers(
  grant: OverrideGrant | null,
  policyFingerprint: string,
  subject: string,
  now: number,
): boolean {
  return (
    !!grant &&
    grant.p === policyFingerprint &&
    grant.h === subject &&
    now < grant.x &&
    grant.x - now <= OVERRIDE_VALID_MS
  );
}
