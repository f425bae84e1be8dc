import { isFresh, needsInteractiveRetry, RENEW_BEFORE_MS, tokenExpiresAt } from '../../../teams-app/teams/token';

const jwt = (payload: object): string =>
  `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;

describe('SSO token bookkeeping', () => {
  it('reads the expiry, and only the expiry', () => {
    expect(tokenExpiresAt(jwt({ exp: 1_800_000_000, name: '王主席' }))).toBe(1_800_000_000_000);
    expect(tokenExpiresAt(jwt({ name: 'no exp' }))).toBeNull();
    expect(tokenExpiresAt('not-a-jwt')).toBeNull();
    expect(tokenExpiresAt('a.%%%.c')).toBeNull();
  });

  it('renews a token shortly before it expires', () => {
    const exp = 1_800_000_000;
    const token = jwt({ exp });
    expect(isFresh(token, exp * 1000 - RENEW_BEFORE_MS - 1)).toBe(true);
    expect(isFresh(token, exp * 1000 - RENEW_BEFORE_MS)).toBe(false);
    expect(isFresh('opaque', 0)).toBe(false);
  });

  it('asks again with a prompt only when a prompt can help', () => {
    for (const reason of [
      'resourceRequiresConsent',
      'consent_required',
      'interaction_required',
      'resourceRequiresMfa',
    ]) {
      expect(needsInteractiveRetry(reason)).toBe(true);
    }
    for (const reason of ['CancelledByUser', 'FailedToOpenWindow', 'Timeout', 'resourceDisabled']) {
      expect(needsInteractiveRetry(reason)).toBe(false);
    }
  });
});
