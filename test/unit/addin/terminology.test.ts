/**
 * One word for one thing (README 「用語 / Glossary」): the README, the scanner's output and help, the task pane, the
 * send dialog and the add-in's manifest texts say 本文 (not 內文), 書面 (not 紙本) and 移除機敏內容 / Remove sensitive
 * content (not 移除標示段落 / Remove marked parts). The catalogues are read as source, so an entry no test renders is
 * checked too, and the dialog is also rendered, since it assembles its text from pieces.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import { cancelLabel, dialogText } from '../../../addin/on-send/messages';
import { messages } from '../../../addin/taskpane/messages';
import { type Verdict } from '../../../src/core';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** The words not used, each with the one used instead. */
const NOT_USED: readonly (readonly [RegExp, string])[] = [
  [/內文/, '本文'],
  [/紙本/, '書面'],
  [/移除標示段落/, '移除機敏內容'],
  [/remove (the )?marked parts/i, 'Remove sensitive content'],
];

/** The texts users read: message catalogues and the files that hold user-facing strings. */
const CATALOGUES = [
  'addin/taskpane/messages.ts',
  'addin/on-send/messages.ts',
  'addin/on-send/enforce.ts',
  'addin/taskpane/model/strip-plan.ts',
  'src/cli/format.ts',
  'src/cli/main.ts',
  'src/core/decide.ts',
  'src/core/strip.ts',
  'manifest/app.ts',
  'manifest/support-page.ts',
  'teams-app/shared/messages.ts',
  'src/server/receipt-print.ts',
  'src/server/sign-in-sheet-pdf.ts',
  'src/server/sign-in-sheet-csv.ts',
];

const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');

/** The README without its glossary, which names the words not used. */
function readmeOutsideGlossary(): string {
  const text = read('README.md');
  const start = text.indexOf('## 用語 / Glossary');
  expect(start).toBeGreaterThan(-1);
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(0, start) + (end === -1 ? '' : text.slice(end));
}

function offending(text: string): string[] {
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    for (const [word, instead] of NOT_USED) {
      if (word.test(line)) {
        out.push(`line ${i + 1}: ${word.source} (say ${instead}): ${line.trim().slice(0, 120)}`);
      }
    }
  });
  return out;
}

describe('one word for one thing', () => {
  it.each(CATALOGUES)('%s uses the glossary’s words', (file) => {
    expect(offending(read(file))).toEqual([]);
  });

  it('the README uses the glossary’s words outside the glossary', () => {
    expect(offending(readmeOutsideGlossary())).toEqual([]);
  });

  it('the glossary names each chosen word with its English and the words it replaces', () => {
    const text = read('README.md');
    const glossary = text.slice(text.indexOf('## 用語 / Glossary'), text.indexOf('\n## ', text.indexOf('## 用語')));
    for (const row of [
      /\| 本文 +\| body +\|.*\| 內文 +\|/,
      /\| 書面 +\| on paper +\|.*\| 紙本 +\|/,
      /\| 移除機敏內容 +\| Remove sensitive content +\|.*\| 移除標示段落, Remove marked parts +\|/,
      /\| 移除機敏內容後寄送 +\| Remove sensitive content, then send +\|/,
    ]) {
      expect(glossary).toMatch(row);
    }
  });

  it('the pane and the send dialog say the same thing for the body, paper and the strip action', () => {
    const verdict: Verdict = {
      verdict: 'strip',
      level: '密',
      findings: [],
      unscannable: [],
      scope: 'external',
      reasons: [],
    };
    const finding = { location: 'body', rule: 'portion', level: '密' as const, count: 1, strippable: true };
    for (const locale of ['zh-TW', 'en'] as const) {
      const dialog = dialogText(
        { kind: 'strip', verdict, findings: [finding], unscannable: [], paneButton: true },
        locale,
      );
      const pane = messages(locale);
      const shown = [dialog.plain, dialog.markdown, cancelLabel(locale, 'strip'), pane.tabStrip, pane.verdict('strip')];
      expect(shown.flatMap(offending)).toEqual([]);
      if (locale === 'zh-TW') {
        expect(dialog.plain).toContain('本文：段落標示（密）');
        expect(pane.location('body')).toBe('本文');
        expect(dialog.plain).toContain('書面');
        expect(cancelLabel(locale, 'strip')).toBe(pane.tabStrip);
        expect(pane.verdict('strip')).toContain('移除機敏內容後寄送');
      } else {
        expect(dialog.plain).toContain('Body: portion mark');
        expect(pane.location('body')).toBe('Body');
        expect(pane.tabStrip).toBe('Remove sensitive content');
        // The dialog's button is the same words, cut to Outlook's 20 characters.
        expect(pane.tabStrip.startsWith(cancelLabel(locale, 'strip'))).toBe(true);
        expect(pane.verdict('strip')).toBe('Remove sensitive content, then send');
      }
    }
  });
});
