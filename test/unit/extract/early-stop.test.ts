/**
 * The early stop the CLI and the task pane share (src/extract/early-stop.ts): a page that already blocks the
 * attachment ends the read, for the scopes the host says the result must hold under, and the page counts reported
 * along the way say how far the read went, including that it ended on purpose.
 */
import { DEFAULT_POLICY, type Policy, type TextSegment } from '../../../src/core';
import { blocksWhatIsLeft, EVERY_SCOPE, extractFile, type PdfPages } from '../../../src/extract';
import { fakePdfJs } from '../../support/fake-pdfjs';

const seg = (text: string, n = 1): TextSegment[] => [
  { location: `attachment:a.pdf/page${n}#text`, text, position: 'body' },
];

/** An agency that warns about 機密 among colleagues and blocks it outside; 絕對機密 is blocked for everyone. */
const SCOPED: Policy = {
  ...DEFAULT_POLICY,
  internalDomains: ['example.gov.tw'],
  actions: {
    internal: { ...DEFAULT_POLICY.actions.internal, 機密: 'warn', 絕對機密: 'block' },
    external: { ...DEFAULT_POLICY.actions.external, 機密: 'block', 絕對機密: 'block' },
  },
};

describe('blocksWhatIsLeft: when the rest of an attachment cannot change its verdict', () => {
  it('is conclusive when a page blocks under every scope asked about, and only then', () => {
    const every = blocksWhatIsLeft('a.pdf', SCOPED, EVERY_SCOPE);
    expect(every(seg('絕對機密'))).toBe(true);
    // Blocks for outsiders only: among colleagues the next page could still hold a 絕對機密 that blocks them too.
    expect(every(seg('機密'))).toBe(false);
    expect(blocksWhatIsLeft('a.pdf', SCOPED, ['external'])(seg('機密'))).toBe(true);
    expect(blocksWhatIsLeft('a.pdf', SCOPED, ['internal'])(seg('機密'))).toBe(false);
  });

  it('is never conclusive on a page without a mark, nor with no scope to hold under', () => {
    expect(blocksWhatIsLeft('a.pdf', SCOPED, EVERY_SCOPE)(seg('第三頁：會議紀錄，討論事項依序辦理。'))).toBe(false);
    expect(blocksWhatIsLeft('a.pdf', SCOPED, [])(seg('絕對機密'))).toBe(false);
  });

  it('counts the attachment’s name: a file named as classified blocks on its first page, whatever the page says', () => {
    const stop = blocksWhatIsLeft('【絕對機密】115年度作戰計畫.pdf', SCOPED, EVERY_SCOPE);
    expect(stop(seg('第一頁：目錄'))).toBe(true);
    expect(blocksWhatIsLeft('115年度作戰計畫.pdf', SCOPED, EVERY_SCOPE)(seg('第一頁：目錄'))).toBe(false);
  });

  it('under the default policy (strip everywhere), an attachment’s mark blocks: it cannot be stripped', () => {
    expect(blocksWhatIsLeft('a.pdf', DEFAULT_POLICY, EVERY_SCOPE)(seg('【密】'))).toBe(true);
  });
});

describe('PDF page progress', () => {
  const pdfBytes = new TextEncoder().encode('%PDF-1.7\n');
  const prose = (n: number): string => `第${n}頁：會議紀錄，討論事項依序辦理。`;

  it('reports each page read out of all of them, and a stop that decided the file as decided', async () => {
    const pages = Array.from({ length: 30 }, (_, i) => prose(i + 1));
    pages[29] = '絕對機密';
    const read: number[] = [];
    const seen: PdfPages[] = [];
    await extractFile('a.pdf', pdfBytes, {
      limits: DEFAULT_POLICY.limits,
      pdf: { load: async () => fakePdfJs(pages, read) },
      conclusive: blocksWhatIsLeft('a.pdf', SCOPED, EVERY_SCOPE),
      onProgress: (p) => {
        if (p.pages) {
          seen.push(p.pages);
        }
      },
    });
    expect(read).toEqual([1, 30]);
    expect(seen).toEqual([
      { read: 0, total: 30 },
      { read: 1, total: 30 },
      { read: 2, total: 30, decided: true },
    ]);
  });

  it('a mark on the only (or the last unread) page ends the read as usual: nothing was left unread', async () => {
    const read: number[] = [];
    const seen: PdfPages[] = [];
    let asked = 0;
    const stop = blocksWhatIsLeft('a.pdf', SCOPED, EVERY_SCOPE);
    await extractFile('a.pdf', pdfBytes, {
      limits: DEFAULT_POLICY.limits,
      pdf: { load: async () => fakePdfJs(['絕對機密'], read) },
      conclusive: (segments) => {
        asked++;
        return stop(segments);
      },
      onProgress: (p) => {
        if (p.pages) {
          seen.push(p.pages);
        }
      },
    });
    expect(read).toEqual([1]);
    expect(asked).toBe(0);
    expect(seen).toEqual([
      { read: 0, total: 1 },
      { read: 1, total: 1 },
    ]);
  });

  it('a read that goes to the end reports every page and never says decided', async () => {
    const read: number[] = [];
    const seen: PdfPages[] = [];
    await extractFile('a.pdf', pdfBytes, {
      limits: DEFAULT_POLICY.limits,
      pdf: { load: async () => fakePdfJs([prose(1), '機密', prose(3)], read) },
      // 機密 blocks only outsiders here, so a pane (every scope) reads on.
      conclusive: blocksWhatIsLeft('a.pdf', SCOPED, EVERY_SCOPE),
      onProgress: (p) => {
        if (p.pages) {
          seen.push(p.pages);
        }
      },
    });
    expect(read).toEqual([1, 3, 2]);
    expect(seen.at(-1)).toEqual({ read: 3, total: 3 });
    expect(seen.some((p) => p.decided)).toBe(false);
  });
});
