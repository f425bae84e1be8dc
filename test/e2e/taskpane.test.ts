/**
 * The built task pane, end to end: real Chromium at a pane's width, the real server with PGlite, the Office host fake
 * in place of office.js. The tests act as the user through the pane's own controls and read the mail back from the
 * fake, and the receipts and audit events back from the server.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import type { BrowserContext, Page } from 'playwright-core';

import { OVERRIDE_KEY } from '../../addin/on-send/override';
import { NO_HOST_AFTER_MS } from '../../addin/taskpane/model/host-wait';
import { ADDIN_ACTIONS } from '../../src/shared/app-ids';
import { checkValueGroups } from '../../src/shared/check-value';
import type { FakeAttachment, FakeItemState, FakeMailboxState } from '../fakes/office';
import { runAxe, screenshot, seriousViolations } from '../support/browser';
import { fireEvent, type OnSendEnv, settle, startOnSendEnv } from '../support/on-send-harness';
import { cspViolations, type PaneEnv, startPaneEnv, tokenFor } from '../support/taskpane-harness';
import type { FakeOutlookConfig } from './taskpane/fake-office-entry';

jest.setTimeout(600_000);

const SENDER = { oid: '00000000-0000-0000-0000-0000000005e1', name: '林承辦', upn: 'lin@example.gov.tw' };
const fixture = (name: string): string =>
  readFileSync(path.join(__dirname, '..', 'fixtures', 'docs', name)).toString('base64');
/** A file attachment with the bytes of a fixture. */
const fileFrom = (id: string, name: string, fixtureName: string): FakeAttachment => {
  const content = fixture(fixtureName);
  return {
    id,
    name,
    size: Buffer.from(content, 'base64').length,
    attachmentType: 'file',
    content: { format: 'base64', content },
  };
};
const PNG_1X1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

const THREAD =
  '<div id="divRplyFwdMsg"><p><b>From:</b> 王科長</p></div><blockquote><p>前次會議紀錄，無標示。</p></blockquote>';
const BODY =
  '<html><body><p style="color:#c00">各位好，</p><p>會議結論如下：</p>' +
  '<p>一、〔機密〕甲案金額為新臺幣三千萬元<img src="cid:chart001@sg" alt="圖表">〔/機密〕</p>' +
  '<p>二、人事調整之細節：王科長調任。</p><p>謝謝</p></body></html>';

type FakeWindow = {
  __fakeOutlook: {
    item: { bodyHtml: string; subject: string; attachments: { id: string; name: string }[] } & FakeItemState;
    mailbox: FakeMailboxState;
    controller: {
      fullBody(): string;
      thread(): string;
      select(text: string, where?: 'body' | 'subject'): void;
      clearSelection(): void;
      sent(): boolean;
      reopenFromDialog(contextData: string): void;
      setTheme(theme: Record<string, string>): void;
    };
    calls: { api: string; detail?: string }[];
  };
};

function itemConfig(token: string, over: Partial<FakeOutlookConfig> = {}): FakeOutlookConfig {
  return {
    mailboxVersion: '1.16',
    displayLanguage: 'zh-TW',
    item: {
      subject: '第三季預算協調會議結論',
      bodyHtml: BODY,
      to: [{ emailAddress: 'wang@example.gov.tw', displayName: '王科長' }],
      cc: [{ emailAddress: 'chen@partner.com.tw', displayName: '陳顧問' }],
      attachments: [
        fileFrom('att-docx', '會議資料.docx', 'header-mark.docx'),
        fileFrom('att-pdf-marked', '附件二.pdf', 'header-mark.pdf'),
        fileFrom('att-pdf-plain', '議程.pdf', 'plain.pdf'),
        {
          id: 'att-inline',
          name: 'chart001.png',
          size: 70,
          attachmentType: 'file',
          isInline: true,
          content: { format: 'base64', content: PNG_1X1 },
        },
      ],
    },
    pane: {
      thread: THREAD,
      contentIds: { 'att-inline': 'chart001@sg' },
      paneAccessToken: token,
    },
    ...over,
  };
}

/** postal-mime's chunk, as the task pane's build names it. */
const POSTAL_MIME_CHUNK = /\/postal-mime\.[0-9a-f]{8}\.js$/;
/** Everything the page has downloaded so far (its scripts among them). */
const scriptsLoaded = (page: Page): Promise<string[]> =>
  page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));

const fake = <T>(page: Page, fn: (f: FakeWindow['__fakeOutlook']) => T): Promise<T> =>
  page.evaluate(`(${fn.toString()})(window.__fakeOutlook)`) as Promise<T>;

async function expectNoSeriousViolations(page: Page, view: string): Promise<void> {
  // Fluent's focus manager (tabster) puts focus sentinels around the tab list: focusable `<i aria-hidden>` that hand
  // focus on at once. axe flags them (aria-hidden-focus); they are no content, so they alone are left out.
  const serious = seriousViolations(await runAxe(page))
    .map((v) => ({ ...v, nodes: v.nodes.filter((n) => !n.html.includes('data-tabster-dummy')) }))
    .filter((v) => v.nodes.length > 0);
  expect({
    view,
    serious: serious.map(
      (v) => `${v.id}: ${v.help} ${v.nodes.map((n) => `${n.target.join(' ')} ${n.html}`).join(' | ')}`,
    ),
  }).toEqual({ view, serious: [] });
}

/** Presses a button from the keyboard, as a keyboard user does. */
async function pressFromKeyboard(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name, exact: true }).focus();
  await page.keyboard.press('Enter');
}

/** The keyboard focus lands on the message that says `text`: it was not dropped when the button was busy. */
async function focusMovesTo(page: Page, text: string | RegExp): Promise<void> {
  await page.getByText(text).first().waitFor({ timeout: 120_000 });
  await page.waitForFunction(() => document.activeElement !== document.body, null, { timeout: 60_000 });
  const focused = await page.evaluate(() => ({
    role: document.activeElement?.getAttribute('role') ?? document.activeElement?.tagName ?? '',
    text: document.activeElement?.textContent ?? '',
  }));
  expect(focused.text).toMatch(text);
  expect(['status', 'alert']).toContain(focused.role);
}

/** Waits until the live scan settled on a verdict. */
async function verdictOf(page: Page): Promise<string> {
  const bar = page.locator('[data-verdict]');
  await bar.first().waitFor({ timeout: 60_000 });
  await page
    .getByRole('button', { name: '重新檢查' })
    .and(page.locator(':not([disabled])'))
    .waitFor({ timeout: 60_000 });
  return (await bar.first().getAttribute('data-verdict')) ?? '';
}

let env: PaneEnv;
beforeAll(async () => {
  env = await startPaneEnv();
});
afterAll(async () => {
  await env?.close();
});

describe('the task pane', () => {
  it('finds the marks, marks a selection, strips, proves the mail clean, keeps a receipt, and asks for Send again', async () => {
    const token = await tokenFor(env, SENDER);
    const { page } = await env.openPane(itemConfig(token));

    // The live scan: the body's region, the marked Word file and the marked PDF (read here, not by the send handler).
    expect(await verdictOf(page)).toBe('block');
    // The marked files block the mail as it is; the verdict says what 「移除機敏內容」 does about them.
    await page
      .locator('[data-verdict="block"]')
      .getByText(/按「移除機敏內容」可將標示的附件與段落自郵件移除/)
      .waitFor();
    expect(await page.locator('[data-verdict="block"]').textContent()).not.toContain('請移除整份機敏文件');
    await page.getByRole('heading', { name: /本文/ }).first().waitFor();
    // What was found comes before 「標示選取的內容」, and starts inside the first 800 pixels of the pane.
    const tops = await page.evaluate(() =>
      ['發現的標示', '標示選取的內容'].map(
        (name) =>
          [...document.querySelectorAll('h2')].find((h) => h.textContent === name)?.getBoundingClientRect().top ?? -1,
      ),
    );
    expect(tops[0]).toBeGreaterThan(0);
    expect(tops[0]).toBeLessThan(800);
    expect(tops[1]).toBeGreaterThan(tops[0] as number);
    await page.locator('[data-attachment="會議資料.docx"]', { hasText: /處標示/ }).waitFor();
    await page.locator('[data-attachment="附件二.pdf"]', { hasText: /處標示/ }).waitFor();
    await page.locator('[data-attachment="議程.pdf"]', { hasText: /未發現標示/ }).waitFor();
    await expect(page.locator('blockquote').first().textContent()).resolves.toContain('甲案金額');
    await expectNoSeriousViolations(page, 'check');
    // Landmarks: one main (the tabs are views, not navigation), holding the tab list and the selected tab's panel.
    const main = page.getByRole('main');
    expect(await main.count()).toBe(1);
    expect(await page.getByRole('navigation').count()).toBe(0);
    expect(await main.getByRole('tablist').count()).toBe(1);
    await main.getByRole('tabpanel', { name: '檢查' }).waitFor();
    await screenshot(page, 'taskpane-check-light');

    // Nothing selected: a clear message, and the mail is untouched.
    await page.getByRole('button', { name: '標示選取內容' }).click();
    await page.getByText('沒有選取任何文字').waitFor();

    // Mark a selection as 密.
    await fake(page, (f) => f.controller.select('人事調整之細節：王科長調任。'));
    await page.getByRole('combobox', { name: '密等' }).selectOption('密');
    await pressFromKeyboard(page, '標示選取內容');
    await focusMovesTo(page, '已將選取內容標示為「密」');
    expect(await fake(page, (f) => f.item.bodyHtml)).toContain('<p>二、〔密〕人事調整之細節：王科長調任。〔/密〕</p>');
    await page.waitForFunction(() => document.querySelectorAll('[data-rule="region.delimited"]').length === 2, null, {
      timeout: 60_000,
    });

    // Strip.
    await page.getByRole('tab', { name: '移除機敏內容' }).click();
    await page.getByText(/本文 2 段/).waitFor();
    await expectNoSeriousViolations(page, 'strip (plan)');
    await screenshot(page, 'taskpane-strip-plan-light');
    await pressFromKeyboard(page, '移除並建立簽收單');
    const done = page.getByText(/已移除機敏內容。簽收單號：/);
    await focusMovesTo(page, /已移除機敏內容。簽收單號：/);
    const receiptId = /簽收單號：(SG-\d{8}-[0-9A-Z]{6})/.exec((await done.textContent()) ?? '')?.[1] ?? '';
    expect(receiptId).toMatch(/^SG-/);
    // The number is never broken at its hyphens: one box, kept whole by its style.
    const number = await page
      .locator('[data-receipt-number]')
      .first()
      .evaluate((el) => ({
        text: el.textContent,
        whiteSpace: getComputedStyle(el).whiteSpace,
        boxes: el.getClientRects().length,
      }));
    expect(number).toEqual({ text: receiptId, whiteSpace: 'nowrap', boxes: 1 });
    await page.locator('[data-clean="true"]').waitFor({ timeout: 60_000 });
    await expectNoSeriousViolations(page, 'strip (done)');
    await screenshot(page, 'taskpane-strip-done-light');

    // The mail as it will leave: placeholders with the number, the rest of the HTML and the thread kept.
    const full = await fake(page, (f) => f.controller.fullBody());
    expect(full.split(`簽收單號：${receiptId}`).length - 1).toBe(3); // two regions + the attachments line
    expect(full).toContain('<p style="color:#c00">各位好，</p>');
    expect(full).toContain('<p>會議結論如下：</p>');
    expect(full).toContain('<p>謝謝</p>');
    expect(full).toContain(THREAD);
    expect(full).not.toMatch(/三千萬|王科長調任|cid:chart001/);
    expect(await fake(page, (f) => f.controller.thread())).toBe(THREAD); // written in HostConfig: the thread stayed apart
    expect(await fake(page, (f) => f.item.attachments.map((a) => a.name))).toEqual(['議程.pdf']);
    expect(await fake(page, (f) => f.calls.filter((c) => c.api === 'body.setAsync').map((c) => c.detail))).toEqual([
      'html HostConfig',
    ]);

    // The receipt on the server: level, length bucket and salted commitment per part; no text, length or hash.
    const receipts = JSON.parse((await env.api('GET', '/api/receipts', token)).body) as {
      receipts: {
        id: string;
        recipients: string[];
        parts: { level: string; lengthAtMost: number; commitment: string; kind: string }[];
      }[];
    };
    const receipt = receipts.receipts.find((r) => r.id === receiptId);
    expect(receipt?.recipients).toEqual(['wang@example.gov.tw', 'chen@partner.com.tw']);
    expect(receipt?.parts.map((p) => [p.level, p.kind])).toEqual([
      ['機密', 'text'],
      ['密', 'text'],
      ['機密', 'attachment'],
      ['機密', 'attachment'],
    ]);
    for (const p of receipt?.parts ?? []) {
      expect(Object.keys(p).sort()).toEqual(['commitment', 'kind', 'lengthAtMost', 'level']);
      expect(p.commitment).toMatch(/^[0-9a-f]{64}$/);
      expect(Math.log2(p.lengthAtMost) % 1).toBe(0);
    }
    expect(JSON.stringify(receipts)).not.toMatch(/三千萬|王科長|人事/);

    // The printable 簽收單 from the server, and from the pane's own button.
    const print = await env.api('GET', `/api/receipts/${receiptId}/print`, token);
    expect(print.status).toBe(200);
    expect(print.body).toContain(receiptId);
    for (const line of ['發文人', '收件人簽收', '日期']) {
      expect(print.body).toContain(line);
    }
    const printed = await env.browser.newPage({ viewport: { width: 794, height: 1123 } });
    await printed.setContent(print.body);
    await printed.emulateMedia({ media: 'print' });
    await screenshot(printed, 'receipt-print-a4');
    await printed.close();
    // What only the sender's computer knows never reached the server's page: names, subject, file names.
    expect(print.body).not.toMatch(/王科長|陳顧問|第三季預算協調會議結論|會議資料\.docx|附件二\.pdf/);
    expect(print.body).toContain('由發文人電腦填入');
    // The 文號 is checked before it goes on paper: an invisible character is named, and nothing is printed.
    const reference = page.getByRole('textbox', { name: /文號/ });
    await reference.fill('府授人字第\u200b1150012345號');
    await page.getByRole('button', { name: '列印簽收單' }).click();
    await page.getByText('文號含有看不見或控制字元（U+200B）').waitFor();
    expect(await page.locator('iframe[data-receipt-print]').count()).toBe(0);
    await reference.fill('府授人字第1150012345號');
    await page.getByRole('button', { name: '列印簽收單' }).click();
    // The server's page is printed from a hidden frame in the pane, with the salts only the pane holds written in.
    await page.waitForFunction(
      (id) =>
        [...document.querySelectorAll('iframe')].some(
          (f) =>
            f.dataset.receiptPrint === 'true' &&
            (f.contentDocument?.body?.innerText ?? '').includes(id) &&
            f.contentDocument?.querySelectorAll('[data-salt-part]').length === 4 &&
            [...f.contentDocument.querySelectorAll('[data-salt-part]')].every((c) =>
              /^[0-9a-f]{32}$/.test(c.textContent ?? ''),
            ),
        ),
      receiptId,
    );
    expect(print.body).not.toMatch(/data-salt-part="\d+">[0-9a-f]{32}/);
    // The pane wrote in the names with their addresses, the unmarked subject, the removed files' names and the 文號,
    // and each part's check value is printed in groups a person compares with the record.
    const paper = await page.evaluate(
      () =>
        [...document.querySelectorAll('iframe')].find((f) => f.dataset.receiptPrint === 'true')?.contentDocument?.body
          ?.innerText ?? '',
    );
    for (const shown of [
      '王科長\nwang@example.gov.tw',
      '陳顧問\nchen@partner.com.tw',
      '第三季預算協調會議結論',
      '會議資料.docx',
      '附件二.pdf',
      '府授人字第1150012345號',
    ]) {
      expect(paper).toContain(shown);
    }
    expect(paper).not.toContain('由發文人電腦填入');
    for (const p of receipt?.parts ?? []) {
      expect(paper).toContain(`${p.level} ${checkValueGroups(p.commitment)}`);
    }

    // The strip is in the audit log, without text.
    const audit = await env.server.db.query<{ data: unknown }>(
      "SELECT data FROM audit_pending WHERE kind = 'mail.strip' UNION ALL SELECT data FROM audit_events WHERE kind = 'mail.strip'",
    );
    expect(audit.rows).toHaveLength(1);
    expect(JSON.stringify(audit.rows)).not.toMatch(/三千萬|王科長/);

    // Signed in with Office SSO: nested app authentication is not offered here, so the fallback is what ran.
    expect(
      await fake(page, (f) => f.calls.filter((c) => c.api === 'Office.auth.getAccessToken').length),
    ).toBeGreaterThan(0);
    // pdfjs, its worker and CMaps and the policy validator all ran under the page's CSP.
    expect(await cspViolations(page)).toEqual([]);

    // Even where sendAsync exists (Mailbox 1.16 here) the pane does not send: it would need the read/write mailbox
    // permission the manifests do not ask for. The user presses Outlook's Send, which checks the mail again.
    await page.getByText('請再按一次 Outlook 的「傳送」。').waitFor();
    expect(await page.getByRole('button', { name: '傳送', exact: true }).count()).toBe(0);
    expect(await fake(page, (f) => f.calls.some((c) => c.api === 'sendAsync'))).toBe(false);
    expect(await fake(page, (f) => f.controller.sent())).toBe(false);
  });

  it('shows each attachment as being checked until its own result is in, never as clean before', async () => {
    const token = await tokenFor(env, { ...SENDER, oid: '00000000-0000-0000-0000-0000000005e5' });
    const slow = { ...fileFrom('att-slow', '議程.pdf', 'plain.pdf'), delayMs: 8000 };
    const { page } = await env.openPane(
      itemConfig(token, {
        item: {
          subject: '會議資料',
          bodyHtml: '<p>附件如附</p>',
          to: [{ emailAddress: 'wang@example.gov.tw' }],
          attachments: [fileFrom('att-docx', '會議資料.docx', 'header-mark.docx'), slow],
        },
      }),
    );
    // The Word file is judged while the PDF is still being read: its marks show at once, the PDF is still checked.
    const docx = page.locator('[data-attachment="會議資料.docx"]');
    const pdf = page.locator('[data-attachment="議程.pdf"]');
    await docx.filter({ hasText: /處標示/ }).waitFor({ timeout: 60_000 });
    await expect(pdf.getAttribute('data-judged')).resolves.toBe('false');
    await expect(pdf.textContent()).resolves.toMatch(/等待檢查|檢查中/);
    expect(await page.getByText('未發現標示').count()).toBe(0);
    await expectNoSeriousViolations(page, 'check (attachments being read)');
    // Once read, the PDF's own result: nothing in it.
    await pdf.filter({ hasText: /未發現標示/ }).waitFor({ timeout: 60_000 });
    expect(await verdictOf(page)).not.toBe('allow');
    // No forwarded message among the attachments: the MIME parser was never downloaded.
    expect((await scriptsLoaded(page)).filter((name) => POSTAL_MIME_CHUNK.test(name))).toEqual([]);
  });

  it('reads a forwarded message (.eml) with the MIME parser, which it downloads only for it', async () => {
    const token = await tokenFor(env, { ...SENDER, oid: '00000000-0000-0000-0000-0000000005e7' });
    const eml = readFileSync(path.join(__dirname, '..', 'fixtures', 'docs', 'big5-mail.eml'));
    const { page } = await env.openPane(
      itemConfig(token, {
        item: {
          subject: '轉寄會議資料',
          bodyHtml: '<p>請參閱轉寄之郵件</p>',
          to: [{ emailAddress: 'wang@example.gov.tw' }],
          attachments: [
            {
              id: 'att-eml',
              name: '地區劃分會議',
              size: eml.length,
              attachmentType: 'item',
              content: { format: 'eml', content: eml.toString('latin1') },
            },
          ],
        },
      }),
    );
    // The Big5 attachment inside the forwarded message carries 密等：機密.
    await page
      .locator('[data-attachment="地區劃分會議"]')
      .filter({ hasText: /處標示/ })
      .waitFor({ timeout: 120_000 });
    expect(await verdictOf(page)).not.toBe('allow');
    expect((await scriptsLoaded(page)).filter((name) => POSTAL_MIME_CHUNK.test(name))).toHaveLength(1);
  });

  it('lists receipts, moves their status forward, and is accessible there', async () => {
    const token = await tokenFor(env, { ...SENDER, oid: '00000000-0000-0000-0000-0000000005e2' });
    const created = await env.api('POST', '/api/receipts', token, {
      recipients: ['wang@example.gov.tw'],
      parts: [{ level: '機密', lengthAtMost: 64, commitment: 'ab'.repeat(32), kind: 'text' }],
    });
    expect(created.status).toBe(201);
    const { id } = JSON.parse(created.body) as { id: string };
    const { page } = await env.openPane(itemConfig(token, { item: { subject: '無標示', bodyHtml: '<p>你好</p>' } }));
    await page.getByRole('tab', { name: '簽收單' }).click();
    const item = page.locator(`[data-receipt="${id}"]`);
    await item.waitFor();
    await expect(item.textContent()).resolves.toContain('待發送');
    // The part's check value in the groups the paper prints, to compare the two by eye.
    await expect(item.locator('[data-check-value="1"]').textContent()).resolves.toContain('機密 abab abab abab abab');
    await expectNoSeriousViolations(page, 'receipts');
    await screenshot(page, 'taskpane-receipts-light');
    await item.getByRole('button', { name: '標示為已發送' }).click();
    await page.getByText(`簽收單 ${id} 已更新為「已發送」`).waitFor();
    await item.getByRole('button', { name: '標示為已簽收' }).click();
    await page.getByText('已更新為「已簽收」').waitFor();
    const mine = JSON.parse((await env.api('GET', '/api/receipts', token)).body) as { receipts: { status: string }[] };
    expect(mine.receipts[0]?.status).toBe('signed');
  });

  it('opened from 「填寫理由」, takes a reason in the sender’s own words, logs it, and the next send goes', async () => {
    const admin = await tokenFor(env, { oid: '00000000-0000-0000-0000-00000000ad01', roles: ['Policy.Admin'] });
    const policy = JSON.parse((await env.api('GET', '/api/policy', admin)).body) as Record<string, unknown>;
    const warnAll = { 機敏: 'warn', 密: 'warn', 機密: 'warn', 極機密: 'block', 絕對機密: 'block' };
    const put = await env.api('PUT', '/api/policy', admin, {
      ...policy,
      version: (policy.version as number) + 1,
      name: '測試政策',
      actions: { internal: warnAll, external: warnAll },
    });
    expect(put.status).toBe(200);
    // The built send handler, in its JS-only runtime, for the same item once the pane is done with it.
    let onSend: OnSendEnv | null = null;
    try {
      const token = await tokenFor(env, { ...SENDER, oid: '00000000-0000-0000-0000-0000000005e3' });
      const warned = {
        subject: '會議通知',
        bodyHtml: '<p>請參閱：〔密〕下週協調會議時程〔/密〕</p><p>本次協調會議將討論各局處之預算分配原則。</p>',
        to: [{ emailAddress: 'wang@example.gov.tw' }],
      };
      const fromDialog = JSON.stringify({ source: 'on-send', view: 'override', verdict: 'warn' });
      const { page } = await env.openPane(
        itemConfig(token, {
          item: warned,
          pane: { thread: THREAD, paneAccessToken: token, initializationContext: fromDialog },
        }),
      );
      expect(await verdictOf(page)).toBe('warn');
      // Opened from the send dialog's button: on the check view, the reason in focus.
      await page.getByRole('tab', { name: '檢查', selected: true }).waitFor();
      const reason = page.getByLabel('理由');
      await page.waitForFunction(() => document.activeElement?.tagName === 'TEXTAREA');
      expect(await reason.evaluate((el) => el === document.activeElement)).toBe(true);

      const submit = page.getByRole('button', { name: '記錄理由' });
      await submit.click();
      await page.getByText('理由至少需要 10 個字。').waitFor();
      await reason.fill('因為本次協調會議將討論各局處的預算');
      await submit.click();
      await page.getByText('理由與郵件內容重複').waitFor();
      expect(await fake(page, (f) => f.item.sessionData['sg.override'] ?? null)).toBeNull();
      await expectNoSeriousViolations(page, 'override');
      await screenshot(page, 'taskpane-override-light');
      await reason.fill('收件人為本案承辦人，主管已口頭核准以電子郵件通知。');
      // 「填寫理由」 chosen again in the send dialog with the pane open (Mailbox 1.15+): Outlook hands this page the
      // new context (InitializationContextChanged) instead of reloading it, so the reason being typed stays and gets
      // the focus again.
      await page.evaluate(() => ((window as unknown as { __sameDocument?: boolean }).__sameDocument = true));
      await page.getByRole('tab', { name: '檢查' }).focus();
      await fake(page, (f) => f.controller.reopenFromDialog('{"source":"on-send","view":"override","verdict":"warn"}'));
      await page.waitForFunction(() => document.activeElement?.tagName === 'TEXTAREA');
      expect(await reason.inputValue()).toBe('收件人為本案承辦人，主管已口頭核准以電子郵件通知。');
      expect(
        await fake(page, (f) =>
          f.calls.some((c) => c.api === 'item.addHandlerAsync' && c.detail === 'olkInitializationContextChanged'),
        ),
      ).toBe(true);
      // Another tab and back: the check view was unmounted meanwhile, and the reason half typed is still there.
      await page.getByRole('tab', { name: '簽收單' }).click();
      await page.getByRole('tab', { name: '簽收單', selected: true }).waitFor();
      expect(await page.getByLabel('理由').count()).toBe(0);
      await page.getByRole('tab', { name: '檢查' }).click();
      expect(await reason.inputValue()).toBe('收件人為本案承辦人，主管已口頭核准以電子郵件通知。');
      await pressFromKeyboard(page, '記錄理由');
      await focusMovesTo(page, '已記錄理由');
      await expect(page.getByText('已記錄理由').textContent()).resolves.toContain('再按一次');
      const logged = await env.server.db.query<{ data: { justification?: string } }>(
        "SELECT data FROM audit_pending WHERE kind = 'mail.override' UNION ALL SELECT data FROM audit_events WHERE kind = 'mail.override'",
      );
      expect(logged.rows.map((r) => (typeof r.data === 'string' ? JSON.parse(r.data) : r.data).justification)).toEqual([
        '收件人為本案承辦人，主管已口頭核准以電子郵件通知。',
      ]);

      // The grant is in the item's sessionData: a hash for this warning, not the reason or the marks.
      const after = JSON.parse(await fake(page, (f) => JSON.stringify({ item: f.item, mailbox: f.mailbox }))) as {
        item: FakeItemState;
        mailbox: FakeMailboxState;
      };
      const grant = after.item.sessionData[OVERRIDE_KEY] ?? '';
      expect(JSON.parse(grant)).toMatchObject({ v: 1, h: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(grant).not.toMatch(/主管|協調|密/);
      // 「移除機敏內容」 chosen in the dialog with the pane open: the strip view, in the same page, findings kept.
      await fake(page, (f) => f.controller.reopenFromDialog('{"source":"on-send","view":"strip","verdict":"block"}'));
      await page.getByRole('tab', { name: '移除機敏內容', selected: true }).waitFor();
      await page.getByText(/本文 1 段/).waitFor({ timeout: 60_000 });
      expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);

      // The send handler, given the item and mailbox as the pane left them (the policy it kept, the grant): it sends,
      // and without the grant the same mail is stopped.
      onSend = await startOnSendEnv();
      const withGrant = await fireEvent(onSend, after.item, ADDIN_ACTIONS.onMessageSend, {
        mailbox: after.mailbox,
        mailboxVersion: '1.16',
      });
      await settle(withGrant);
      expect(withGrant.event.completions).toEqual([{ allowEvent: true }]);
      const others = { ...after.item.sessionData };
      delete others[OVERRIDE_KEY];
      const bare = { ...after.item, sessionData: others };
      const withoutGrant = await fireEvent(onSend, bare, ADDIN_ACTIONS.onMessageSend, {
        mailbox: after.mailbox,
        mailboxVersion: '1.16',
      });
      await settle(withoutGrant);
      expect(withoutGrant.event.completions[0]).toMatchObject({ allowEvent: false, cancelLabel: '填寫理由' });
      for (const run of [withGrant, withoutGrant]) {
        run.runtime.dispose();
      }

      // Below Mailbox 1.11 the item has no sessionData: the send could not honour a reason, so none is asked.
      const old = await env.openPane(itemConfig(token, { mailboxVersion: '1.10', item: warned }));
      expect(await verdictOf(old.page)).toBe('warn');
      await old.page.getByText('此版 Outlook 無法在寄出時採用您的理由').waitFor();
      expect(await old.page.getByLabel('理由').count()).toBe(0);
      expect(await old.page.getByRole('button', { name: '記錄理由' }).count()).toBe(0);
    } finally {
      await onSend?.close();
      const current = JSON.parse((await env.api('GET', '/api/policy', admin)).body) as Record<string, unknown>;
      await env.api('PUT', '/api/policy', admin, { ...policy, version: (current.version as number) + 1 });
    }
  });

  it('opens on the strip view from the Smart Alerts dialog, follows Office dark and high contrast, and English', async () => {
    const token = await tokenFor(env, SENDER);
    const context = JSON.stringify({ source: 'on-send', view: 'strip', verdict: 'block' });
    const dark = await env.openPane(
      itemConfig(token, {
        pane: {
          thread: THREAD,
          contentIds: { 'att-inline': 'chart001@sg' },
          paneAccessToken: token,
          initializationContext: context,
          officeTheme: {
            bodyBackgroundColor: '#1f1f1f',
            bodyForegroundColor: '#ffffff',
            controlBackgroundColor: '#292929',
            controlForegroundColor: '#ffffff',
          },
        },
      }),
    );
    await dark.page.getByRole('tab', { name: '移除機敏內容', selected: true }).waitFor();
    await dark.page.getByText(/本文 1 段/).waitFor({ timeout: 60_000 });
    expect(await dark.page.locator('[data-theme]').getAttribute('data-theme')).toBe('dark');
    await expectNoSeriousViolations(dark.page, 'strip (dark)');
    await screenshot(dark.page, 'taskpane-strip-dark');
    await dark.page.getByRole('tab', { name: '檢查' }).click();
    await verdictOf(dark.page);
    await screenshot(dark.page, 'taskpane-check-dark');
    // The user switches Office to a light theme: OfficeThemeChanged (Mailbox 1.14), the pane follows at once.
    await fake(dark.page, (f) =>
      f.controller.setTheme({
        bodyBackgroundColor: '#ffffff',
        bodyForegroundColor: '#000000',
        controlBackgroundColor: '#f3f2f1',
        controlForegroundColor: '#323130',
      }),
    );
    await dark.page.locator('[data-theme="light"]').waitFor();

    const contrast = await env.openPane(itemConfig(token), { forcedColors: true });
    await verdictOf(contrast.page);
    expect(await contrast.page.locator('[data-theme]').getAttribute('data-theme')).toBe('contrast');
    // Each excerpt's marked span is a <mark>: underlined (not colour alone), labelled for screen readers, and in the
    // system's own highlight colours under forced colours.
    const mark = contrast.page.locator('blockquote mark').first();
    await mark.waitFor();
    expect(await mark.textContent()).toMatch(/^（標示開始）〔機密〕甲案金額.*〔\/機密〕（標示結束）$/);
    expect(
      await mark.evaluate((el) => {
        const probe = document.createElement('span');
        probe.style.backgroundColor = 'Highlight';
        probe.style.color = 'HighlightText';
        probe.style.setProperty('forced-color-adjust', 'none');
        el.parentElement!.appendChild(probe);
        const want = getComputedStyle(probe);
        const got = getComputedStyle(el);
        const same = [got.backgroundColor === want.backgroundColor, got.color === want.color, got.textDecorationLine];
        probe.remove();
        return same;
      }),
    ).toEqual([true, true, 'underline']);
    await expectNoSeriousViolations(contrast.page, 'check (high contrast)');
    await screenshot(contrast.page, 'taskpane-check-contrast');

    const english = await env.openPane(itemConfig(token, { displayLanguage: 'en-US' }));
    await english.page.getByRole('heading', { name: 'What happens when you send' }).waitFor();
    await english.page.locator('[data-verdict]').first().waitFor({ timeout: 60_000 });
    expect(await english.page.evaluate(() => document.documentElement.lang)).toBe('en');
    await screenshot(english.page, 'taskpane-check-english');
  });

  it('at Mailbox 1.14: opens from the send dialog, strips (inline image without contentId), asks to press Send again', async () => {
    const token = await tokenFor(env, { ...SENDER, oid: '00000000-0000-0000-0000-0000000005e6' });
    const pane = (version: '1.13' | '1.14'): FakeOutlookConfig =>
      itemConfig(token, {
        mailboxVersion: version,
        pane: {
          thread: THREAD,
          contentIds: { 'att-inline': 'chart001@sg' },
          paneAccessToken: token,
          initializationContext: JSON.stringify({ source: 'on-send', view: 'strip', verdict: 'block' }),
        },
      });
    // Below 1.14 there is no initialization context: the pane opens on the check view.
    const older = await env.openPane(pane('1.13'));
    await older.page.getByRole('tab', { name: '檢查', selected: true }).waitFor();
    expect(await fake(older.page, (f) => f.calls.some((c) => c.api === 'getInitializationContextAsync'))).toBe(false);

    const { page } = await env.openPane(pane('1.14'));
    await page.getByRole('tab', { name: '移除機敏內容', selected: true }).waitFor();
    await page.getByText(/本文 1 段/).waitFor({ timeout: 60_000 });
    await pressFromKeyboard(page, '移除並建立簽收單');
    await focusMovesTo(page, /已移除機敏內容。簽收單號：/);
    await page.locator('[data-clean="true"]').waitFor({ timeout: 60_000 });
    // No Send button: the user is told to press Outlook's own Send again.
    await page.getByText('請再按一次 Outlook 的「傳送」。').waitFor();
    expect(await page.getByRole('button', { name: '傳送', exact: true }).count()).toBe(0);
    expect(await fake(page, (f) => f.calls.some((c) => c.api === 'sendAsync'))).toBe(false);
    expect(await fake(page, (f) => f.controller.sent())).toBe(false);
    // Before 1.16 the inline image's contentId is not listed; it left with the region that referenced it.
    expect(await fake(page, (f) => f.controller.fullBody())).not.toMatch(/cid:chart001|三千萬/);
    expect(await fake(page, (f) => f.item.attachments.map((a) => a.name))).toEqual(['議程.pdf']);
    await expectNoSeriousViolations(page, 'strip (done, Mailbox 1.14)');
  });

  it('loads under the server’s CSP with the real office.js, and outside Outlook says to open it in Outlook', async () => {
    const token = await tokenFor(env, SENDER);
    const { page } = await env.openPane(itemConfig(token), { realOfficeJs: true });
    const csp = await page.evaluate(async () => (await fetch(location.href)).headers.get('content-security-policy'));
    expect(csp).toContain("script-src 'self'");
    // office.js itself says there is no host here: the pane says where it belongs (not that Outlook is unreachable).
    await page.getByRole('alert').waitFor({ timeout: 60_000 });
    await expect(page.getByRole('alert').textContent()).resolves.toContain('請在 Outlook 中開啟此窗格');
    // office.js came from Microsoft's CDN address (answered by the test from the package: no network here); the CSP
    // allows it and office.js's own MicrosoftAjax.js.
    expect(await cspViolations(page)).toEqual([]);
    expect(
      await page.evaluate(() => [...document.scripts].map((s) => s.src).filter((src) => src.endsWith('office.js'))),
    ).toEqual(['https://appsforoffice.microsoft.com/lib/1/hosted/office.js']);
  });

  it('outside Outlook, when office.js never answers, says so at its own short bound; a host that comes late replaces it', async () => {
    const token = await tokenFor(env, SENDER);
    // The page's clock stands still until the test moves it: the bound is the page's own timer, not the test's wait.
    const pausedClock = async (context: BrowserContext): Promise<void> => {
      await context.clock.install({ time: 0 });
      await context.clock.pauseAt(1000);
    };
    // office.js without the helper script it loads from beside itself (as a self-hosted copy lacked it): outside a
    // host, Office.onReady then never settles, and the page used to stay blank until a 20 s bound.
    const stuck = await env.openPane(itemConfig(token), {
      realOfficeJs: true,
      beforeOpen: async (context) => {
        await context.route('**/o15apptofilemappingtable.js', (route) => route.fulfill({ status: 404, body: '' }));
        await pausedClock(context);
      },
    });
    await stuck.page.getByText('正在載入…').waitFor({ timeout: 60_000 });
    await stuck.page.clock.runFor(NO_HOST_AFTER_MS - 1);
    expect(await stuck.page.locator('[data-host-wait]').count()).toBe(0);
    await stuck.page.clock.runFor(1);
    const message = stuck.page.locator('[data-host-wait="no-host"]');
    await message.waitFor();
    await expect(message.textContent()).resolves.toContain('請在 Outlook 中開啟此窗格');
    expect(await stuck.page.getByRole('alert').count()).toBe(1);

    // A host slow to start (Office.onReady after 5 s): the message shows at the bound, then the pane replaces it.
    const late = await env.openPane(
      itemConfig(token, {
        displayLanguage: 'en-US',
        pane: {
          thread: THREAD,
          contentIds: { 'att-inline': 'chart001@sg' },
          paneAccessToken: token,
          readyAfterMs: 5000,
        },
      }),
      { beforeOpen: pausedClock },
    );
    await late.page.getByText('正在載入…').waitFor({ timeout: 60_000 });
    await late.page.clock.runFor(NO_HOST_AFTER_MS);
    await late.page.locator('[data-host-wait="no-host"]').waitFor();
    await late.page.clock.runFor(5000 - NO_HOST_AFTER_MS);
    await late.page.clock.resume();
    await late.page.getByRole('heading', { name: 'What happens when you send' }).waitFor({ timeout: 60_000 });
    expect(await late.page.locator('[data-host-wait]').count()).toBe(0);
    expect(await late.page.evaluate(() => document.documentElement.lang)).toBe('en');
  });

  it('puts everything back when the body cannot be written, and says so', async () => {
    const token = await tokenFor(env, { ...SENDER, oid: '00000000-0000-0000-0000-0000000005e4' });
    const { page } = await env.openPane(
      itemConfig(token, {
        pane: {
          thread: THREAD,
          contentIds: { 'att-inline': 'chart001@sg' },
          paneAccessToken: token,
          setBodyError: {
            code: 9041,
            name: 'NetworkError',
            message: 'The user is no longer connected to the network.',
          },
        },
      }),
    );
    await verdictOf(page);
    const before = await fake(page, (f) => ({
      body: f.controller.fullBody(),
      names: f.item.attachments.map((a) => a.name),
    }));
    await page.getByRole('tab', { name: '移除機敏內容' }).click();
    await page.getByRole('button', { name: '移除並建立簽收單' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 120_000 });
    await expect(alert.textContent()).resolves.toMatch(/移除未完成.*郵件已還原為移除前的內容，簽收單已作廢/);
    expect(await fake(page, (f) => f.controller.fullBody())).toBe(before.body);
    expect((await fake(page, (f) => f.item.attachments.map((a) => a.name))).sort()).toEqual([...before.names].sort());
    const mine = JSON.parse((await env.api('GET', '/api/receipts', token)).body) as { receipts: { status: string }[] };
    expect(mine.receipts.map((r) => r.status)).toEqual(['cancelled']);
  });
});
