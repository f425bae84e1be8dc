/**
 * The level badge on the meeting stage follows the page's language: a zh-TW stage showed 「機密·Confidential」. Each
 * language is rendered as the stage renders it.
 */
import * as React from 'react';
import { renderToStaticMarkup } from 'react-dom/server';

import type { Locale } from '../../../src/shared/i18n';
import { teamsMessages } from '../../../teams-app/shared/messages';
import { ReminderCard } from '../../../teams-app/shared/ReminderCard';

const meeting = {
  title: '第三季預算協調會議',
  level: '機密' as const,
  reminder: '本會議內容請勿外流。',
  spokesperson: '',
};

function card(locale: Locale, variant: 'stage' | 'panel'): string {
  return renderToStaticMarkup(
    React.createElement(ReminderCard, { meeting, locale, t: teamsMessages(locale), variant }),
  );
}

/** The badge's markup (Fluent's Badge root and what is inside it). */
const badge = (html: string): string => {
  const start = html.indexOf('fui-Badge');
  expect(start).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</div>', start));
};
/** What the badge shows on screen: its text without the visually hidden spans screen readers get. */
const shown = (html: string): string =>
  badge(html)
    .replace(/<span class="[^"]*" lang="[^"]*">[^<]*<\/span>/g, '')
    .replace(/<[^>]+>/g, '')
    .replace(/^[^>]*>/, '');

describe("the stage's level badge follows the page's language", () => {
  it.each(['stage', 'panel'] as const)('zh-TW %s: the mark alone, no English name', (variant) => {
    const html = card('zh-TW', variant);
    expect(shown(html).trim()).toBe('機密');
    expect(badge(html)).not.toContain('Confidential');
  });

  it.each(['stage', 'panel'] as const)('English %s: the mark with its English name', (variant) => {
    const html = card('en', variant);
    expect(shown(html)).toBe('機密 · Confidential');
    expect(badge(html)).toContain('Classification level: ');
  });
});
