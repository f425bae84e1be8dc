/**
 * Token bookkeeping that needs no host: when a cached SSO token should be renewed, and which `getAuthToken` failures
 * a consent prompt can cure. The token is read only for its expiry, never for who the user is: the server verifies
 * the signature and takes identity from there.
 */

/** Milliseconds since the epoch when the token expires, or null when it carries no readable `exp`. */
export function tokenExpiresAt(token: string): number | null {
  const payload = token.split('.')[1];
  if (!payload) {
    return null;
  }
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const json = JSON.parse(atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4))) as { exp?: unknown };
    return typeof json.exp === 'number' ? json.exp * 1000 : null;
  } catch {
    return null;
  }
}

/** A cached token is renewed this long before it expires, so a request never leaves with one about to lapse. */
export const RENEW_BEFORE_MS = 2 * 60 * 1000;

export function isFresh(token: string, now: number): boolean {
  const exp = tokenExpiresAt(token);
  return exp !== null && exp - now > RENEW_BEFORE_MS;
}

/**
 * Failures that asking again with a prompt can cure: the user has not consented yet (`resourceRequiresConsent`,
 * TJS#691), or Entra wants an interaction (MFA, `interaction_required`, `consent_required`).
 */
export function needsInteractiveRetry(reason: string): boolean {
  return /consent|interaction[_ ]?required|requires?mfa|login[_ ]?required/i.test(reason);
}
