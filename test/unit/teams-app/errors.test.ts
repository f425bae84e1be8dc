import { ApiError } from '../../../src/shared/api';
import { describeError, describeStageError } from '../../../teams-app/shared/errors';
import { teamsMessages } from '../../../teams-app/shared/messages';

const zh = teamsMessages('zh-TW');
const en = teamsMessages('en');

describe('errors people can act on', () => {
  it.each([
    [new ApiError(0, 'unreachable', 'x'), zh.errUnreachable],
    [new ApiError(401, 'invalid_token', 'x'), zh.errTokenRefused],
    [new ApiError(403, 'not_chair', 'x'), zh.errNotChair],
    [new ApiError(404, 'meeting_not_found', 'x'), zh.errNotConfigured],
    [new ApiError(429, 'rate_limited', 'x'), zh.errRateLimited],
    [new ApiError(500, 'internal', 'x'), zh.errServer(500)],
  ])('%s', (error, expected) => {
    expect(describeError(error, zh)).toBe(expected);
  });

  it('a token Teams would not give: consent is named as such, anything else with its reason', () => {
    const consent = new ApiError(
      401,
      'no_token',
      '無法取得登入權杖 / Could not get a sign-in token: TeamsAuthError: resourceRequiresConsent',
    );
    expect(describeError(consent, en)).toBe(en.errConsent);
    const cancelled = new ApiError(401, 'no_token', '… : TeamsAuthError: CancelledByUser');
    expect(describeError(cancelled, en)).toBe(en.errAuth('CancelledByUser'));
  });

  it('stage sharing codes 500, 501 and 1000, and Teams not answering, each have their own sentence, in both languages', () => {
    for (const t of [zh, en]) {
      const texts = [500, 501, 1000, 'timeout' as const].map((code) => describeStageError(code, t));
      expect(new Set(texts).size).toBe(4);
      expect(describeStageError(7000, t)).toContain('7000');
    }
    expect(describeStageError(1000, zh)).toContain('簡報者');
    expect(describeStageError(1000, en)).toContain('presenter');
  });
});
