import { messages } from '../../../../addin/taskpane/messages';
import { recipientScope } from '../../../../src/core/decide';
import { DEFAULT_POLICY } from '../../../../src/core/policy';

const policy = { ...DEFAULT_POLICY, internalDomains: ['example.gov.tw'] };

/** The pane's recipients line for a mail addressed to `recipients`, as the verdict and the pane see them. */
const line = (locale: 'zh-TW' | 'en', recipients: string[]): string =>
  messages(locale).scope(recipientScope(recipients, policy), recipients.length);

describe("the pane's recipients line", () => {
  it('says there are no recipients yet when there are none, not that some are external', () => {
    expect(line('zh-TW', [])).toBe('尚無收件人：暫依外部收件人判斷');
    expect(line('en', [])).toBe('No recipients yet: judged as for external recipients');
  });

  it('says external only when a recipient is', () => {
    expect(line('zh-TW', ['a@example.gov.tw', 'b@gmail.com'])).toBe('有外部收件人');
    expect(line('en', ['b@gmail.com'])).toBe('External recipients');
    for (const l of ['zh-TW', 'en'] as const) {
      expect(line(l, ['b@gmail.com'])).not.toMatch(/尚無|none|No recipients/);
    }
  });

  it('says internal when every recipient is', () => {
    expect(line('zh-TW', ['a@example.gov.tw', 'b@example.gov.tw'])).toBe('收件人皆為機關內部');
    expect(line('en', ['a@example.gov.tw'])).toBe('All recipients are internal');
  });
});
