/**
 * The task pane reads PDFs as the CLI does (issue 11 §9): the edges first and no further than a verdict that cannot
 * get worse, whoever the recipients become; and its progress shows pages, not bytes, and never a read it skipped.
 */
import { strToU8, zipSync } from 'fflate';

import { officePaneHost } from '../../../../addin/taskpane/office-host';
import { ItemScanner, type ScanProgress } from '../../../../addin/taskpane/services/scanner';
import { DEFAULT_POLICY, type Policy } from '../../../../src/core';
import type { PdfOptions } from '../../../../src/extract';
import { createFakeItem, createFakeMailbox, createFakeOffice, type FakeAttachment } from '../../../fakes/office';
import { extendForTaskPane } from '../../../fakes/office/task-pane';
import { fakePdfJs } from '../../../support/fake-pdfjs';

const g = globalThis as unknown as Record<string, unknown>;
afterEach(() => {
  delete g.Office;
  delete g.OfficeRuntime;
});

/** 機密 is warned about among colleagues and blocked outside; 絕對機密 is blocked for everyone. */
const POLICY: Policy = {
  ...DEFAULT_POLICY,
  internalDomains: ['example.gov.tw'],
  actions: {
    internal: { ...DEFAULT_POLICY.actions.internal, 機密: 'warn', 絕對機密: 'block' },
    external: { ...DEFAULT_POLICY.actions.external, 機密: 'block', 絕對機密: 'block' },
  },
};

const prose = (n: number): string => `第${n}頁：會議紀錄，討論事項依序辦理。`;

/** The task pane's PDF reader over {@link fakePdfJs}. */
function fakePdf(pages: readonly string[], read: number[]): PdfOptions {
  return { load: async () => fakePdfJs(pages, read) };
}

let ids = 0;
function pdfAttachment(name: string): FakeAttachment {
  return fileAttachment(name, Buffer.from('%PDF-1.7\n%stand-in\n'));
}
function fileAttachment(name: string, bytes: Buffer): FakeAttachment {
  return {
    id: `att-${++ids}`,
    name,
    size: bytes.length,
    attachmentType: 'file',
    content: { format: 'base64', content: bytes.toString('base64') },
  };
}

function pane(to: string, attachments: FakeAttachment[]): void {
  const item = createFakeItem({ subject: '會議資料', bodyHtml: '<p>附件如附</p>', to: [{ emailAddress: to }] });
  item.attachments.push(...attachments);
  const office = createFakeOffice({ mailboxVersion: '1.15', item, mailbox: createFakeMailbox() });
  g.Office = office.Office;
  g.OfficeRuntime = office.OfficeRuntime;
  extendForTaskPane(office, item, {});
}

describe('the task pane reads a PDF as far as the verdict needs', () => {
  it('finds a mark on the last of 40 pages after reading two, says so, and shows page progress on the way', async () => {
    const pages = Array.from({ length: 40 }, (_, i) => prose(i + 1));
    pages[39] = '絕對機密';
    const read: number[] = [];
    pane('chen@example.gov.tw', [pdfAttachment('作戰計畫.pdf')]);
    const shown: ScanProgress[] = [];
    const outcome = await new ItemScanner(officePaneHost(), fakePdf(pages, read)).scan(POLICY, (p) => shown.push(p));
    expect(read).toEqual([1, 40]);
    expect(outcome.verdict.verdict).toBe('block');
    expect(outcome.verdict.level).toBe('絕對機密');
    expect(outcome.attachments[0]?.pagesDecided).toEqual({ read: 2, total: 40, decided: true });
    const pageCounts = shown.flatMap((p) => (p.current?.pages ? [p.current.pages] : []));
    expect(pageCounts).toEqual([
      { read: 0, total: 40 },
      { read: 1, total: 40 },
      { read: 2, total: 40, decided: true },
    ]);
    // The fraction is the pages', not the bytes' (all of which are counted before the first page).
    const fractions = shown.flatMap((p) => (p.current?.pages ? [p.current.fraction] : []));
    expect(fractions).toEqual([0, 1 / 40, 2 / 40]);
    // Once done, the row still says the read stopped early on purpose.
    expect(shown.at(-1)?.attachments[0]).toMatchObject({ state: 'done', pages: { read: 2, total: 40 } });
  });

  it('reads on past a mark that blocks only some recipients: the result is kept while the recipients change', async () => {
    const pages = Array.from({ length: 6 }, (_, i) => prose(i + 1));
    pages[0] = '機密';
    pages[3] = '絕對機密';
    const read: number[] = [];
    // External today: 機密 alone would block, but the pane keeps this read for tomorrow's internal recipients too.
    pane('someone@partner.com.tw', [pdfAttachment('簡報.pdf')]);
    const outcome = await new ItemScanner(officePaneHost(), fakePdf(pages, read)).scan(POLICY);
    expect(read).toEqual([1, 6, 2, 3, 4]);
    expect(outcome.verdict.level).toBe('絕對機密');
    expect(outcome.attachments[0]?.pagesDecided).toEqual({ read: 5, total: 6, decided: true });
  });

  it('a PDF decided early is read again under another policy, where the pages it skipped may count', async () => {
    const pages = [prose(1), prose(2), '機密'];
    const read: number[] = [];
    pane('chen@example.gov.tw', [pdfAttachment('簡報.pdf')]);
    const scanner = new ItemScanner(officePaneHost(), fakePdf(pages, read));
    await scanner.scan(DEFAULT_POLICY);
    expect(read).toEqual([1, 3]);
    const again = await scanner.scan(POLICY);
    expect(read).toEqual([1, 3, 1, 3, 2]);
    expect(again.attachments[0]?.pagesDecided).toBeUndefined();
  });
});

describe('the task pane’s own hooks reach every part of an attachment', () => {
  it('reads a mail saved inside a zip as a mail, as the send handler does, instead of calling it unreadable', async () => {
    const eml =
      'From: a@example.gov.tw\r\nSubject: 轉寄\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n機密\r\n本案預算如下。\r\n';
    const zip = Buffer.from(zipSync({ '轉寄.eml': strToU8(eml) }));
    pane('chen@example.gov.tw', [fileAttachment('資料.zip', zip)]);
    const outcome = await new ItemScanner(officePaneHost(), fakePdf([], [])).scan(POLICY);
    expect(outcome.verdict.unscannable).toEqual([]);
    expect(outcome.verdict.level).toBe('機密');
  });
});
