/**
 * The pane's findings show the marked span highlighted inside its excerpt: a `<mark>` around exactly the span the
 * core reports, with its start and end said to screen readers, and the excerpt around it unchanged.
 */
import * as React from 'react';
import { renderToStaticMarkup } from 'react-dom/server';

import { FindingsList } from '../../../../addin/taskpane/components/FindingsList';
import { PaneContext, type PaneServices } from '../../../../addin/taskpane/context';
import { messages } from '../../../../addin/taskpane/messages';
import { groupFindings } from '../../../../addin/taskpane/model/findings';
import { detectSegment, type Finding } from '../../../../src/core';
import type { Locale } from '../../../../src/shared/i18n';

function render(findings: readonly Finding[], locale: Locale = 'zh-TW'): string {
  const services = { locale, m: messages(locale) } as unknown as PaneServices;
  return renderToStaticMarkup(
    React.createElement(
      PaneContext.Provider,
      { value: services },
      React.createElement(FindingsList, { groups: groupFindings(findings, []) }),
    ),
  );
}

/** Each `<mark>`'s content: what is shown, and the hidden words around it. */
function marks(html: string): { shown: string; hidden: string[] }[] {
  return [...html.matchAll(/<mark\b[^>]*>(.*?)<\/mark>/g)].map((m) => {
    const inner = m[1] as string;
    const hidden = [...inner.matchAll(/<span class="[^"]*">([^<]*)<\/span>/g)].map((h) => h[1] as string);
    return { shown: inner.replace(/<span class="[^"]*">[^<]*<\/span>/g, '').replace(/<[^>]+>/g, ''), hidden };
  });
}
const blockquoteText = (html: string): string[] =>
  [...html.matchAll(/<blockquote\b[^>]*>(.*?)<\/blockquote>/g)].map((m) =>
    (m[1] as string).replace(/<span class="[^"]*">[^<]*<\/span>/g, '').replace(/<[^>]+>/g, ''),
  );

describe('the pane highlights the marked span in each excerpt', () => {
  const text = '會議紀錄如下。\n\n說明：本案【密】甲案預算三千萬元，請勿外流。\n\n散會。';
  const findings = detectSegment({ location: 'body', text, position: 'body' });

  it.each(['zh-TW', 'en'] as const)('%s: one <mark> around exactly the span, labelled for screen readers', (locale) => {
    const html = render(findings, locale);
    const m = messages(locale);
    expect(marks(html)).toEqual([{ shown: '【密】', hidden: [m.excerptMarkStart, m.excerptMarkEnd] }]);
    // The excerpt reads as before around it, and stops at its paragraph.
    expect(blockquoteText(html)).toEqual(['說明：本案【密】甲案預算三千萬元，請勿外流。']);
  });

  it('highlights a span after characters outside the BMP at the right place', () => {
    const astral = detectSegment({ location: 'body', text: '說明：𠀋𡈽本案列為【機】，不得外流。', position: 'body' });
    expect(marks(render(astral)).map((m) => m.shown)).toEqual(['【機】']);
  });

  it('shows the excerpt as plain text when the span is not known or does not fit it', () => {
    const base: Finding = {
      rule: 'label.sensitivity',
      level: '機密',
      location: 'label',
      excerpt: '機密標籤',
      strippable: false,
    };
    for (const f of [
      base,
      { ...base, excerptSpan: { start: 2, length: 9 } },
      { ...base, excerptSpan: { start: 0, length: 0 } },
    ]) {
      const html = render([f]);
      expect(marks(html)).toEqual([]);
      expect(blockquoteText(html)).toEqual(['機密標籤']);
    }
  });
});
