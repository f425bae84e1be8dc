/**
 * The local-mode playground end to end, as a newcomer meets it after `npm start`: the real server in local mode (no
 * AUTH_* setting, PGlite, the development issuer), the built pages in real Chromium. From the landing page's link,
 * a marked mail is blocked by the built on-send script, stripped in the real task pane with a receipt, and sent; then
 * in the simulated meeting the chair sets up the meeting, three attendees acknowledge, and the chair's roster shows
 * them. Every step is driven through the playground's own controls.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import type { Browser, BrowserContext, Frame, FrameLocator, Page } from 'playwright-core';

import { ATTENDEES, SENDER } from '../../src/dev/playground/people';
import { readConfig } from '../../src/server/config';
import { type RunningServer, startServer } from '../../src/server/main';
import { DEFAULT_REMINDER } from '../../src/shared/api';
import { launchChromium, runAxe, screenshot, seriousViolations } from '../support/browser';
import { freePort } from '../support/net';
import { DIST, ensureWebBuild } from '../support/web-build';

jest.setTimeout(900_000);

/** Generous waits for a loaded machine: they bound a hang, they measure nothing. */
const WAIT = { timeout: 180_000 };

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let dataDir: string;

beforeAll(async () => {
  await ensureWebBuild();
  dataDir = mkdtempSync(path.join(tmpdir(), 'sg-playground-'));
  // As `npm start` reads it: no AUTH_* at all.
  const config = readConfig({ PORT: String(await freePort()), HOST: '127.0.0.1', DATA_DIR: dataDir });
  expect(config.localMode).toBe(true);
  server = await startServer(config, { staticDir: DIST, logger: false });
  browser = await launchChromium();
  context = await browser.newContext({
    viewport: { width: 1440, height: 1000 },
    ignoreHTTPSErrors: true,
    locale: 'zh-TW',
  });
  context.setDefaultTimeout(WAIT.timeout);
  page = await context.newPage();
}, 900_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
  if (dataDir) {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

const pane = (): FrameLocator => page.frameLocator('#pane');

async function frameOf(selector: string): Promise<Frame> {
  const handle = await page.locator(selector).elementHandle();
  const frame = await handle?.contentFrame();
  if (!frame) {
    throw new Error(`no frame at ${selector}`);
  }
  return frame;
}

/** One person's meeting page: the app inside their fake Teams host. */
const meetingPage = (person: string): FrameLocator =>
  page.frameLocator(`[data-person="${person}"] iframe.host`).frameLocator('#app');

describe('the playground', () => {
  it('is linked from the landing page and accessible by keyboard', async () => {
    await page.goto(`${server.url}/`);
    await page.getByRole('link', { name: /開啟試用環境/ }).click();
    await page.waitForURL(/\/playground\/$/);
    await page.getByRole('heading', { name: /機敏守門員 試用環境/ }).waitFor();
    const serious = seriousViolations(await runAxe(page));
    expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.html).join(' | ')}`)).toEqual([]);
    // The tabs follow the ARIA tab pattern: arrow keys move between them.
    await page.getByRole('tab', { name: /Outlook/ }).focus();
    await page.keyboard.press('ArrowRight');
    await expect(page.getByRole('tab', { name: /Teams/ }).getAttribute('aria-selected')).resolves.toBe('true');
    await page.keyboard.press('ArrowLeft');
    await expect(page.getByRole('tab', { name: /Outlook/ }).getAttribute('aria-selected')).resolves.toBe('true');
  });

  it('Outlook: a marked mail is blocked, stripped with a receipt, then sent', async () => {
    // The real pane has started in its frame, on the (empty) mail.
    await pane().locator('[data-verdict]').first().waitFor(WAIT);

    await page.getByLabel(/^收件者/).fill('wang@example.gov.tw');
    await page.getByLabel(/^副本/).fill('陳顧問 <chen@partner.com.tw>');
    await page.getByLabel(/^主旨/).fill('第三季預算協調會議結論');
    await page
      .getByRole('textbox', { name: /本文/ })
      .fill('會議結論：〔機密〕甲案金額為新臺幣三千萬元〔/機密〕其餘照案通過。');
    // An attachment picked from disk, read by the pane and the send check like the body (it carries no mark).
    await page.getByLabel(/選擇附加檔案/).setInputFiles({
      name: '議程.docx',
      mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      buffer: readFileSync(path.join(__dirname, '..', 'fixtures', 'docs', 'plain.docx')),
    });
    await page.locator('#attachments [data-attachment="議程.docx"]').waitFor();
    await pane()
      .locator('[data-attachment="議程.docx"]', { hasText: /未發現標示/ })
      .waitFor(WAIT);
    // And one dropped on the compose window.
    const dropped = await page.evaluateHandle(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(['會議時間另行通知。'], '通知.txt', { type: 'text/plain' }));
      return transfer;
    });
    await page.locator('#drop').dispatchEvent('drop', { dataTransfer: dropped });
    await page.locator('#attachments [data-attachment="通知.txt"]').waitFor();
    await pane()
      .locator('[data-attachment="通知.txt"]', { hasText: /未發現標示/ })
      .waitFor(WAIT);

    // 1. Send: the built on-send script stops it, and the Smart Alert offers the strip.
    await page.getByRole('button', { name: /^傳送/ }).click();
    const alert = page.getByRole('dialog');
    await alert.waitFor(WAIT);
    await expect(page.locator('#send-status').getAttribute('data-send-result')).resolves.toBe('blocked');
    await expect(alert.textContent()).resolves.toMatch(/機密/);
    await screenshot(page, 'playground-outlook-blocked');
    // The Smart Alert's own button (cancelLabel + commandId): the pane opens with the send check's contextData.
    await alert.getByRole('button', { name: '移除機敏內容' }).press('Enter');
    await alert.waitFor({ state: 'hidden' });

    // 2. The pane opens on the strip; the strip leaves a receipt number in the mail.
    await pane().getByRole('button', { name: '移除並建立簽收單' }).click(WAIT);
    const done = pane().getByText(/已移除機敏內容。簽收單號：/);
    await done.waitFor(WAIT);
    const receiptId = /簽收單號：(SG-\d{8}-[0-9A-Z]{6})/.exec((await done.textContent()) ?? '')?.[1] ?? '';
    expect(receiptId).toMatch(/^SG-/);
    const body = page.getByRole('textbox', { name: /本文/ });
    await body
      .getByText(new RegExp(`簽收單號：${receiptId}`))
      .first()
      .waitFor();
    expect(await body.textContent()).not.toContain('三千萬');
    // Unmarked attachments stay with the mail.
    await page.locator('#attachments [data-attachment="議程.docx"]').waitFor();
    await page.locator('#attachments [data-attachment="通知.txt"]').waitFor();

    // 3. Send again: allowed.
    await page.getByRole('button', { name: /^傳送/ }).click();
    await page.locator('#send-status[data-send-result="sent"]').waitFor(WAIT);
    await page.locator('#sent-items li', { hasText: '第三季預算協調會議結論' }).waitFor();
    await screenshot(page, 'playground-outlook-sent');

    // The receipt is on the server, the sender's, under the development tenant.
    const token = await server.localIssuer?.issue(SENDER);
    const receipts = (await (
      await page.request.get(`${server.url}/api/receipts`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { receipts: { id: string; recipients: string[] }[] };
    expect(receipts.receipts.find((r) => r.id === receiptId)?.recipients).toEqual([
      'wang@example.gov.tw',
      'chen@partner.com.tw',
    ]);
  });

  it("Teams: the chair sets up the meeting, three attendees acknowledge, and the chair's roster updates", async () => {
    await page.getByRole('tab', { name: /Teams/ }).click();
    const setup = meetingPage('chair');
    await setup.getByLabel('會議名稱').fill('○○經營地區劃分及調整工作會議', WAIT);
    await setup.getByRole('radio', { name: '機密', exact: true }).check();
    const chairHost = await frameOf('[data-person="chair"] iframe.host');
    await chairHost.waitForFunction(
      () => (window as unknown as { teamsHost: { state(): { validity: boolean | null } } }).teamsHost.state().validity,
      null,
      WAIT,
    );
    await page.getByRole('button', { name: '儲存 Save' }).click();
    await page.getByText(/已儲存，會議已加入機敏守門員/).waitFor(WAIT);

    // The chair is on the side panel now, with the live roster.
    const chair = meetingPage('chair');
    await chair.getByTestId('roster-connection').getByText('即時更新中').waitFor(WAIT);
    expect(await chair.locator('[data-testid="roster-acknowledged"] li').count()).toBe(0);

    for (const [i, person] of ATTENDEES.entries()) {
      const attendee = meetingPage(String(i));
      await attendee.getByText(DEFAULT_REMINDER).first().waitFor(WAIT);
      await attendee.getByRole('button', { name: '我已知悉並同意保密' }).click(WAIT);
      await attendee.getByText(/您已於 .*確認知悉並同意保密。/).waitFor(WAIT);
      await chair.locator(`[data-testid="roster-acknowledged"] li[data-oid="${person.oid}"]`).waitFor(WAIT);
    }
    expect(await chair.locator('[data-testid="roster-acknowledged"] li').count()).toBe(3);
    for (const person of ATTENDEES) {
      await chair.getByTestId('roster-acknowledged').getByText(person.name).waitFor();
    }
    expect(await chair.getByTestId('chair-tools').count()).toBe(1);
    expect(await meetingPage('0').getByTestId('chair-tools').count()).toBe(0);

    // The stage, switched to from an attendee's window: the reminder for everyone.
    await page
      .getByRole('group', { name: new RegExp(`${ATTENDEES[1]?.name}看到的頁面`) })
      .getByRole('button', { name: /會議舞台/ })
      .click();
    await meetingPage('1').getByText(DEFAULT_REMINDER).first().waitFor(WAIT);
    await expect(
      page
        .locator('[data-person="1"]')
        .getByRole('button', { name: /會議舞台/ })
        .getAttribute('aria-pressed'),
    ).resolves.toBe('true');
    await screenshot(page, 'playground-teams');
  });
});
