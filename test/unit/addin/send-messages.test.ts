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

describe('the Markdown message in the form Outlook documents for the Smart Alerts dialog', () => {
  // learn.microsoft.com/office/dev/add-ins/outlook/onmessagesend-onappointmentsend-events, "Limitations to
  // formatting the dialog message using Markdown": a list item begins with `- ` and ends with `\r`; a new line is
  // `\n\n`.
  const many = (n: number): MessageInput => {
    const findings = Array.from({ length: n }, (_, i) => ({
      rule: 'label.standalone',
      level: '密' as const,
      location: `attachment:附件${i + 1}.docx`,
      strippable: false,
      count: 1,
    }));
    return {
      kind: 'block',
      verdict: verdictFor(
        findings.map((f) => ({ ...f, excerpt: '' })),
        [],
        'external',
        DEFAULT_POLICY,
      ),
      findings,
      unscannable: [{ location: 'attachment:掃描.pdf', reason: 'encrypted' }],
      paneButton: true,
    };
  };

  it.each([
    ['zh-TW', 2],
    ['en', 3],
    ['zh-TW', 40],
  ] as const)('%s, %i places: every list item ends with \\r, every new line is \\n\\n', (locale, n) => {
    const { markdown } = dialogText(many(n), locale);
    expect(markdown.length).toBeLessThanOrEqual(500);
    // No line break other than a paragraph's \n\n, and no \r outside a list item's end.
    expect(markdown).not.toMatch(/(^|[^\n])\n(?!\n)/);
    expect(markdown).not.toMatch(/\n\n\n/);
    const paragraphs = markdown.split('\n\n');
    const lists = paragraphs.filter((p) => p.startsWith('- '));
    for (const p of paragraphs) {
      if (p.startsWith('- ')) {
        expect(p).toMatch(/^(- [^\r\n]+\r)+$/);
      } else {
        expect(p).not.toMatch(/\r/);
      }
    }
    // The places, the unscannable file and (when cut) the count of the rest are all list items.
    const items = lists.join('').split('\r').filter(Boolean);
    expect(items.length).toBeGreaterThanOrEqual(2);
    expect(items.some((i) => i.includes('掃描.pdf') || /and \d+ more|及其他 \d+ 處/.test(i))).toBe(true);
  });

  it('the plain text keeps one \\n per line and no \\r', () => {
    const { plain } = dialogText(many(3), 'zh-TW');
    expect(plain).not.toMatch(/\r/);
    expect(plain).toMatch(/\n• /);
  });
});
