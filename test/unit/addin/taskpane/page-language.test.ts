/**
 * A zh-TW pane says zh-TW only and an English pane English only: the policy line once showed the built-in policy's
 * bilingual name whole (「政策：預設政策（…） / Default policy (AAC guidance)（第 1 版）」). Rendered as the pane renders it.
 */
import * as React from 'react';
import { renderToStaticMarkup } from 'react-dom/server';

import { VerdictSummary } from '../../../../addin/taskpane/components/VerdictSummary';
import { PaneContext, type PaneServices } from '../../../../addin/taskpane/context';
import { messages } from '../../../../addin/taskpane/messages';
import { decide, DEFAULT_POLICY } from '../../../../src/core';
import { type Locale, nameIn } from '../../../../src/shared/i18n';

/** The text a reader sees (tags dropped). */
const textOf = (html: string): string => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

function summary(locale: Locale, source: 'server' | 'cached'): string {
  const services = { locale, m: messages(locale) } as unknown as PaneServices;
  const verdict = decide({ bodyText: '會議資料如附件。', recipients: ['a@example.gov.tw'] }, DEFAULT_POLICY);
  return textOf(
    renderToStaticMarkup(
      React.createElement(
        PaneContext.Provider,
        { value: services },
        React.createElement(VerdictSummary, {
          policy: { policy: DEFAULT_POLICY, source },
          verdict,
          recipientCount: 1,
          removable: false,
        }),
      ),
    ),
  );
}

describe("the pane's policy line follows the page's language", () => {
  it.each(['server', 'cached'] as const)('zh-TW (%s policy): the Chinese name only', (source) => {
    const text = summary('zh-TW', source);
    expect(text).toContain('預設政策（依廉政署機敏會議資訊保密之道）（第 1 版）');
    expect(text).not.toMatch(/Default policy|AAC|[A-Za-z]{3,}/);
  });

  it.each(['server', 'cached'] as const)('English (%s policy): the English name only', (source) => {
    const text = summary('en', source);
    expect(text).toContain('Default policy (AAC guidance) (version 1)');
    expect(text).not.toMatch(/[\u3400-\u9fff]/);
  });

  it('takes one side only of a name written 「中文 / English」, and leaves any other name as it is', () => {
    expect(nameIn('本機關政策 / Agency policy', 'zh-TW')).toBe('本機關政策');
    expect(nameIn('本機關政策 / Agency policy', 'en')).toBe('Agency policy');
    for (const name of ['本機關政策', 'Agency policy', 'A / B', '甲 / 乙', '2026 / 本機關', '甲 / B / 丙']) {
      expect(nameIn(name, 'zh-TW')).toBe(name);
      expect(nameIn(name, 'en')).toBe(name);
    }
  });
});
