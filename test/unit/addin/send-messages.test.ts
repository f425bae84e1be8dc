/**
 * The send dialog's words (addin/on-send/messages.ts): Markdown escapes only what Outlook's subset would read as
 * formatting, and the English dialog has English punctuation and names each level once.
 */
import { cancelLabel, dialogText, type MessageInput } from '../../../addin/on-send/messages';
import { DEFAULT_POLICY, type Finding, verdictFor } from '../../../src/core';

const NAME = '會議_紀錄 [v1.2]-final*(2).odt';

function input(level: Finding['level'], location = `attachment:${NAME}`): MessageInput {
  const finding: Finding = { rule: 'label.standalone', level, location, excerpt: '', strippable: false };
  return {
    kind: 'warn',
    verdict: verdictFor([finding], [], 'internal', DEFAULT_POLICY),
    findings: [{ rule: finding.rule, level, location, strippable: false, count: 1 }],
    unscannable: [],
    paneButton: true,
  };
}

describe('the Markdown message', () => {
  it('escapes emphasis, link and code characters in a file name, and nothing else', () => {
    const { plain, markdown } = dialogText(input('機敏'), 'zh-TW');
    expect(plain).toContain(NAME);
    expect(markdown).toContain('會議\\_紀錄 \\[v1.2\\]-final\\*(2).odt');
    // Dots, hyphens and brackets that the subset does not treat as formatting stay as they are.
    expect(markdown).not.toMatch(/\\[.()\-#!]/);
  });

  it('escapes a backslash and a backtick', () => {
    const { markdown } = dialogText(input('機敏', 'attachment:a\\b`c.odt'), 'en');
    expect(markdown).toContain('a\\\\b\\`c.odt');
  });

  it('keeps its own formatting: a bold opening and list items', () => {
    const { markdown } = dialogText(input('機敏'), 'zh-TW');
    expect(markdown).toMatch(/^\*\*[^*]+\*\*/);
    expect(markdown).toMatch(/\n- /);
  });
});

describe('the English dialog', () => {
  it('names each level once, with English punctuation', () => {
    const { plain, markdown } = dialogText(input('密', 'body'), 'en');
    expect(plain).toContain('(密 Official secret)');
    for (const text of [plain, markdown]) {
      expect(text).not.toMatch(/[（）、：「」]|\(密\)/);
    }
    expect(cancelLabel('en', 'override')).toBe('Give a reason');
    expect(cancelLabel('zh-TW', 'override')).toBe('填寫理由');
  });
});
