/**
 * PDFs in the built task pane, in real Chromium with the real pdfjs worker (issue 11 §8, §9): a long PDF is read where
 * marks live and no further than its verdict needs, and a pdfjs worker that hangs or crashes on one PDF fails that PDF
 * closed and is replaced, so the next PDF of the same pane session is read instead of timing out as well.
 *
 * The faults are made by serving the pane a worker script with a listener put in front of pdfjs's own: it swallows
 * every page request (a hung page) or throws on it (a crashed worker). The pane's code is the shipped build.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import { PDFDocument } from 'pdf-lib';
import type { BrowserContext, Page } from 'playwright-core';

import type { FakeAttachment } from '../fakes/office';
import { type PaneEnv, startPaneEnv, tokenFor } from '../support/taskpane-harness';
import type { FakeOutlookConfig } from './taskpane/fake-office-entry';

jest.setTimeout(600_000);

const SENDER = { oid: '00000000-0000-0000-0000-0000000005f1', name: '林承辦', upn: 'lin@example.gov.tw' };
const fixture = (name: string): Buffer => readFileSync(path.join(__dirname, '..', 'fixtures', 'docs', name));

/** A PDF of the given pages: a page of plain.pdf (no mark) or of header-mark.pdf (a 機密 header). */
async function pdfOf(pages: ReadonlyArray<'plain' | 'marked'>): Promise<Buffer> {
  const plain = await PDFDocument.load(fixture('plain.pdf'));
  const marked = await PDFDocument.load(fixture('header-mark.pdf'));
  const out = await PDFDocument.create();
  for (const p of pages) {
    const [page] = await out.copyPages(p === 'plain' ? plain : marked, [0]);
    out.addPage(page as Parameters<PDFDocument['addPage']>[0]);
  }
  return Buffer.from(await out.save());
}

let ids = 0;
const attachment = (name: string, bytes: Buffer): FakeAttachment => ({
  id: `att-pdf-${++ids}`,
  name,
  size: bytes.length,
  attachmentType: 'file',
  content: { format: 'base64', content: bytes.toString('base64') },
});

async function config(attachments: FakeAttachment[], oid: string): Promise<FakeOutlookConfig> {
  return {
    mailboxVersion: '1.16',
    displayLanguage: 'zh-TW',
    item: {
      subject: '會議資料',
      bodyHtml: '<p>附件如附</p>',
      to: [{ emailAddress: 'wang@example.gov.tw', displayName: '王科長' }],
      attachments,
    },
    pane: { paneAccessToken: await tokenFor(env, { ...SENDER, oid }) },
  };
}

type Fault = 'hang' | 'crash';

/**
 * Serves the pdfjs worker script, the first ones with `faults` (one per worker started, in order; the rest are the
 * real script); returns how many worker scripts were fetched so far.
 */
async function faultyWorkers(context: BrowserContext, faults: Fault[]): Promise<() => number> {
  let fetched = 0;
  await context.route('**/addin/taskpane/pdf.worker.min.mjs', async (route) => {
    fetched++;
    const fault = faults.shift();
    if (!fault) {
      await route.continue();
      return;
    }
    const response = await route.fetch();
    // Registered before pdfjs's own listener, so it sees each request first and can keep pdfjs from answering.
    const prefix =
      `self.addEventListener('message', (event) => {\n` +
      `  if (event.data && event.data.action === 'GetPage') {\n` +
      `    event.stopImmediatePropagation();\n` +
      (fault === 'crash' ? `    throw new Error('test: the PDF worker crashed');\n` : '') +
      `  }\n` +
      `});\n`;
    await route.fulfill({ response, body: prefix + (await response.text()) });
  });
  return () => fetched;
}

const row = (page: Page, name: string): ReturnType<Page['locator']> => page.locator(`[data-attachment="${name}"]`);

let env: PaneEnv;
beforeAll(async () => {
  env = await startPaneEnv();
});
afterAll(async () => {
  await env?.close();
});

describe('PDFs in the task pane', () => {
  it('finds a mark on the last of 40 pages, reading the edges first and stopping once the verdict is decided', async () => {
    const long = await pdfOf([...Array.from({ length: 39 }, () => 'plain' as const), 'marked']);
    const { page } = await env.openPane(
      await config([attachment('報告.pdf', long)], '00000000-0000-0000-0000-0000000005f2'),
    );
    const report = row(page, '報告.pdf');
    await report.filter({ hasText: /處標示/ }).waitFor({ timeout: 120_000 });
    await expect(report.textContent()).resolves.toContain('機密');
    // Pages 1 and 40 were read; the other 38 could not have changed a verdict that already blocks, and the row says so.
    await expect(report.locator('[data-pdf-pages-decided]').getAttribute('data-pdf-pages-decided')).resolves.toBe(
      '2/40',
    );
    await expect(report.textContent()).resolves.toContain('讀 2 / 40 頁即已判定阻擋，其餘頁面未讀');
  });

  it('a worker that hangs on a page fails that PDF as a timeout, and the next PDF gets a new worker', async () => {
    let fetched: () => number = () => 0;
    const { page } = await env.openPane(
      await config([attachment('甲.pdf', await pdfOf(['plain']))], '00000000-0000-0000-0000-0000000005f3'),
      {
        beforeOpen: async (context) => {
          fetched = await faultyWorkers(context, ['hang']);
          // The pane gives a PDF two minutes; the test moves the page's clock instead of waiting them out.
          await context.clock.install();
        },
      },
    );
    const first = row(page, '甲.pdf');
    // The document is open and its page asked for: from here nothing will answer.
    await first.locator('[data-pdf-pages="0/1"]').waitFor({ timeout: 120_000 });
    await page.clock.fastForward(130_000);
    await first.filter({ hasText: '無法檢查：檢查逾時' }).waitFor({ timeout: 60_000 });

    // Later in the same pane session the sender attaches another (clean) PDF: it is read by a new worker.
    const second = attachment('乙.pdf', await pdfOf(['plain']));
    await page.evaluate(
      (a) =>
        (
          window as unknown as { __fakeOutlook: { controller: { addAttachment(x: unknown): void } } }
        ).__fakeOutlook.controller.addAttachment(a),
      second,
    );
    await row(page, '乙.pdf').filter({ hasText: '未發現標示' }).waitFor({ timeout: 120_000 });
    // The PDF that met the hung worker stays unscannable: never allowed.
    await expect(first.textContent()).resolves.toContain('無法檢查：檢查逾時');
    await expect(page.locator('[data-verdict]').first().getAttribute('data-verdict')).resolves.not.toBe('allow');
    expect(fetched()).toBe(2);
  });

  it('a worker that crashes fails that PDF at once, and the next PDF in the same scan is read by a new worker', async () => {
    let fetched: () => number = () => 0;
    const { page } = await env.openPane(
      await config(
        [attachment('甲.pdf', await pdfOf(['plain'])), attachment('乙.pdf', await pdfOf(['plain']))],
        '00000000-0000-0000-0000-0000000005f4',
      ),
      {
        beforeOpen: async (context) => {
          fetched = await faultyWorkers(context, ['crash']);
        },
      },
    );
    await row(page, '乙.pdf').filter({ hasText: '未發現標示' }).waitFor({ timeout: 120_000 });
    await expect(row(page, '甲.pdf').textContent()).resolves.toContain('無法檢查：檢查時發生錯誤');
    await expect(page.locator('[data-verdict]').first().getAttribute('data-verdict')).resolves.not.toBe('allow');
    expect(fetched()).toBe(2);
  });
});
