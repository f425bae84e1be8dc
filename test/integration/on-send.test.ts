/**
 * The built on-send script (dist/addin/launchevent.js) end to end: run as classic Outlook's JS-only runtime would
 * (test/fakes/office/vm-runtime.ts), against the Office host fake and the real server (PGlite over loopback HTTP,
 * fake Entra tokens) for the policy and the audit log. Real fixtures: a Big5 mail, ODF and OOXML documents.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import { grantFor, OVERRIDE_KEY, OVERRIDE_VALID_MS, overrideSubject } from '../../addin/on-send/override';
import { policyFingerprint } from '../../addin/on-send/policy-source';
import { decide, DEFAULT_POLICY, parsePolicy, type Policy } from '../../src/core';
import { parseEml } from '../../src/extract';
import { ADDIN_ACTIONS, APPOINTMENT_TASKPANE_COMMAND_ID, TASKPANE_COMMAND_ID } from '../../src/shared/app-ids';
import { TENANT } from '../fakes/entra';
import {
  createFakeItem,
  createFakeMailbox,
  type FakeAttachment,
  type FakeItemState,
  type FakeMailboxState,
  OFFICE_ERRORS,
  SSO_ERRORS,
} from '../fakes/office';
import { type EventRun, fireEvent, type OnSendEnv, settle, startOnSendEnv } from '../support/on-send-harness';
import { WEB_BUILD_TIMEOUT_MS } from '../support/web-build';

const DOCS = path.resolve(__dirname, '../fixtures/docs');

/** An agency's policy: internal domains, warnings for 機敏 inside, unscannable content only warned about inside. */
const AGENCY_POLICY: Policy = {
  ...DEFAULT_POLICY,
  version: 2,
  name: '測試機關政策',
  internalDomains: ['example.gov.tw'],
  actions: {
    internal: { 機敏: 'warn', 密: 'strip', 機密: 'strip', 極機密: 'block', 絕對機密: 'block' },
    external: { 機敏: 'strip', 密: 'strip', 機密: 'block', 極機密: 'block', 絕對機密: 'block' },
  },
  unscannable: { internal: 'warn', external: 'block' },
  // No Send Anyway: a warned mail goes only with a reason given in the pane. The default ('prompt') is tested apart.
  warnOverride: 'reason',
};

const INSIDE = [{ emailAddress: 'chen@example.gov.tw', displayName: '陳科長' }];
const OUTSIDE = [{ emailAddress: 'partner@example.com', displayName: 'Partner' }];

let env: OnSendEnv;
let attachmentIds = 0;

function fileAttachment(file: string, name = file): FakeAttachment {
  const bytes = readFileSync(path.join(DOCS, file));
  return {
    id: `AAMkAGI2-att-${++attachmentIds}`,
    name,
    size: bytes.length,
    attachmentType: 'file',
    content: { format: 'base64', content: bytes.toString('base64') },
  };
}

function mailboxWith(policy: Policy, fetchedAt = Date.now()): FakeMailboxState {
  const mailbox = createFakeMailbox();
  mailbox.roamingSettings['sg.policy'] = { version: policy.version, fetchedAt, policy };
  return mailbox;
}

const send = (item: FakeItemState, options: Parameters<typeof fireEvent>[3] = {}): Promise<EventRun> =>
  fireEvent(env, item, ADDIN_ACTIONS.onMessageSend, options);

interface AuditRow {
  kind: string;
  data: Record<string, unknown>;
}

async function auditEvents(): Promise<AuditRow[]> {
  const rows = await env.db.query<{ kind: string; data: unknown }>(
    "SELECT kind, data FROM audit_pending WHERE kind LIKE 'mail.%' ORDER BY id",
  );
  return rows.rows.map((r) => ({
    kind: r.kind,
    data: (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as Record<string, unknown>,
  }));
}

const AUDIT_FIELDS = new Set([
  'client',
  'kind',
  'verdict',
  'level',
  'scope',
  'rules',
  'unscannable',
  'findingCount',
  'attachmentCount',
  'recipientCount',
  'externalRecipientCount',
  'bodyBytes',
  'messageIdHash',
  'policyVersion',
  'policySource',
  'policyFingerprint',
]);

/** An audit event holds identifiers, levels, counts and hashes only: none of `words` appears in it. */
function expectNoContent(event: Record<string, unknown>, words: readonly string[]): void {
  for (const key of Object.keys(event)) {
    expect(AUDIT_FIELDS.has(key)).toBe(true);
  }
  const json = JSON.stringify(event);
  for (const w of words) {
    expect(json).not.toContain(w);
  }
  // The only non-ASCII a decision event may carry is a level name.
  expect(json.replace(/"level":"[^"]*"/, '')).toMatch(/^[\x20-\x7e]*$/);
}

beforeAll(async () => {
  env = await startOnSendEnv();
  const admin = await env.entra.token({ oid: 'admin-1', roles: ['Policy.Admin'] });
  const res = await fetch(`${env.baseUrl}/api/policy`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify(AGENCY_POLICY),
  });
  expect(res.status).toBe(200);
}, WEB_BUILD_TIMEOUT_MS);
afterAll(async () => {
  await env?.close();
});
beforeEach(() => {
  env.down = false;
  env.withoutWellKnown = false;
  env.runs.length = 0;
  env.requests.length = 0;
});
afterEach(async () => {
  // Every event of the test, once its background work is over: completed exactly once, with no timer left behind.
  for (const run of env.runs) {
    await settle(run);
    expect(run.event.completions).toHaveLength(1);
    expect(run.runtime.pendingTimers()).toBe(0);
    run.runtime.dispose();
  }
});

describe('each verdict, end to end on real fixtures', () => {
  it('allow: a plain mail with a plain .odt to colleagues is sent; the audit event reaches the server', async () => {
    const before = (await auditEvents()).length;
    const item = createFakeItem({
      subject: '下週協調會議時間',
      bodyHtml: '<p>各位同仁好：</p><p>會議改至週三下午，資料如附件。</p>',
      to: INSIDE,
      attachments: [fileAttachment('plain.odt', '議程.odt')],
      itemId: 'AAMkAGI2-item-allow',
    });
    const run = await send(item);
    expect(run.event.completions).toEqual([{ allowEvent: true }]);
    expect(run.event.violations).toEqual([]);
    await settle(run);
    const events = (await auditEvents()).slice(before);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      kind: 'mail.decision',
      data: {
        kind: 'decision',
        verdict: 'allow',
        level: null,
        scope: 'internal',
        findingCount: 0,
        attachmentCount: 1,
        recipientCount: 1,
        externalRecipientCount: 0,
        policyVersion: 2,
        policySource: 'server',
        policyFingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
        client: 'outlook-addin/on-send',
      },
    });
    expectNoContent(events[0]!.data, ['協調', '議程', '同仁', 'chen@']);
    // Fetched with an SSO token, never prompting: an event handler cannot show UI.
    expect(run.office.calls).toContainEqual({
      api: 'OfficeRuntime.auth.getAccessToken',
      detail: JSON.stringify({ allowSignInPrompt: false, allowConsentPrompt: false }),
    });
  });

  it('warn: an .odt with a 機敏資料 watermark to colleagues stops the send until a reason is given, 「填寫理由」 opening the pane on it (1.14+)', async () => {
    const before = (await auditEvents()).length;
    const item = createFakeItem({
      subject: '簡報資料',
      bodyHtml: '<p>請參閱附件。</p>',
      to: INSIDE,
      attachments: [fileAttachment('watermark.odt', '簡報.odt')],
    });
    const run = await send(item, { mailboxVersion: '1.14' });
    expect(run.event.completions).toHaveLength(1);
    const options = run.event.completions[0]!;
    // No Send Anyway: Outlook's own would let the mail go without the reason the policy requires.
    expect(options).toMatchObject({ allowEvent: false, cancelLabel: '填寫理由', commandId: TASKPANE_COMMAND_ID });
    expect(options).not.toHaveProperty('sendModeOverride');
    expect(JSON.parse(options.contextData as string)).toEqual({ source: 'on-send', view: 'override', verdict: 'warn' });
    expect(options.errorMessage).toContain('須說明理由才能照寄');
    expect(options.errorMessage).toContain('請按「填寫理由」');
    expect(options.errorMessage).toContain('附件「簡報.odt」浮水印');
    expect(options).not.toHaveProperty('errorMessageMarkdown');
    expect(run.event.violations).toEqual([]);
    await settle(run);
    const events = (await auditEvents()).slice(before);
    expect(events.map((e) => [e.data.kind, e.data.verdict, e.data.level, e.data.rules])).toEqual([
      ['decision', 'warn', '機敏', ['label.standalone']],
    ]);
    expectNoContent(events[0]!.data, ['簡報', '機敏資料']);
  });

  it('strip: a 【密】 paragraph blocks with 「移除機敏內容」 opening the pane on the strip view, naming place, rule and level but no text', async () => {
    const item = createFakeItem({
      subject: '會議紀錄',
      bodyHtml: '<p>一、討論事項如下。</p><p>二、預算分配方案細節待確認【密】</p>',
      to: INSIDE,
    });
    const run = await send(item);
    const options = run.event.completions[0]!;
    expect(run.event.completions).toHaveLength(1);
    expect(options).toMatchObject({
      allowEvent: false,
      cancelLabel: '移除機敏內容',
      commandId: TASKPANE_COMMAND_ID,
    });
    expect(JSON.parse(options.contextData as string)).toEqual({ source: 'on-send', view: 'strip', verdict: 'strip' });
    expect(options.errorMessage).toContain('本文：段落標示（密）');
    expect(options.errorMessageMarkdown).toContain('**本郵件含須移除的機敏段落');
    for (const text of [options.errorMessage, options.errorMessageMarkdown] as string[]) {
      expect(text).not.toContain('預算');
      expect(text.length).toBeLessThanOrEqual(500);
    }
    expect(run.event.violations).toEqual([]);
    await settle(run);
  });

  it('block: a .docx with 機密 in its header to an outside address says why, and that 「移除機敏內容」 in the pane takes it out', async () => {
    const item = createFakeItem({
      subject: '資料提供',
      bodyHtml: '<p>檢送資料一份。</p>',
      to: OUTSIDE,
      attachments: [fileAttachment('header-mark.docx', '報告.docx')],
    });
    const run = await send(item);
    const options = run.event.completions[0]!;
    expect(options.allowEvent).toBe(false);
    expect(options).not.toHaveProperty('sendModeOverride');
    // The policy blocks 機密 to outside addresses; the pane can still take the file out (its check view offers it),
    // so the dialog's button opens the pane on that.
    expect(options).toMatchObject({ cancelLabel: '移除機敏內容', commandId: TASKPANE_COMMAND_ID });
    expect(JSON.parse(options.contextData as string)).toEqual({ source: 'on-send', view: 'strip', verdict: 'block' });
    expect(options.errorMessage).toContain('本郵件含標示的附件或段落，不能照原樣以電子郵件寄出');
    expect(options.errorMessage).toContain('附件「報告.docx」頁首：密等標示（機密）');
    expect(options.errorMessage).toContain('請按「移除機敏內容」：窗格會將標示的附件與段落自郵件移除並建立簽收單');
    expect(options.errorMessage).not.toContain('改以書面或公文系統傳送');
    expect(run.event.violations).toEqual([]);
    await settle(run);
  });

  describe('a marked attachment at a level the policy strips (the pane removes it whole)', () => {
    // 機密 to colleagues is `strip` under the agency's policy; in an attachment it cannot be stripped in part: `block`.
    const docxItem = (subject = '資料提供'): FakeItemState =>
      createFakeItem({
        subject,
        bodyHtml: '<p>檢送資料一份。</p>',
        to: INSIDE,
        attachments: [fileAttachment('header-mark.docx', '報告.docx')],
      });

    it('blocks with 「移除機敏內容」 opening the pane on the strip view, and says what it does, in both languages', async () => {
      const run = await send(docxItem(), { mailboxVersion: '1.15' });
      const options = run.event.completions[0]!;
      expect(options).toMatchObject({ allowEvent: false, cancelLabel: '移除機敏內容', commandId: TASKPANE_COMMAND_ID });
      expect(JSON.parse(options.contextData as string)).toEqual({ source: 'on-send', view: 'strip', verdict: 'block' });
      for (const text of [options.errorMessage, options.errorMessageMarkdown] as string[]) {
        expect(text).toContain('不能照原樣以電子郵件寄出');
        expect(text).toContain('附件「報告.docx」頁首：密等標示（機密）');
        expect(text).toContain('請按「移除機敏內容」');
        // The verdict's reason no longer says the mark cannot be removed: the attachment goes whole.
        expect(text).toContain('須整份自郵件移除');
        expect(text).not.toMatch(/無法僅移除部分內容|改以書面或公文系統傳送/);
        expect(text.length).toBeLessThanOrEqual(500);
      }
      expect(run.event.violations).toEqual([]);

      const en = await send(docxItem(), { mailboxVersion: '1.15', displayLanguage: 'en-US' });
      const english = en.event.completions[0]!;
      expect(english.cancelLabel).toBe('Remove sensitive');
      expect(english.errorMessage).toContain('cannot be sent by e-mail as it is');
      expect(english.errorMessage).toContain('Choose “Remove sensitive”: the pane removes the marked attachments');
      expect(english.errorMessage).not.toMatch(/[\u3400-\u9fff]{3}/u);
      for (const r of [run, en]) {
        await settle(r);
      }
    });

    it('before Mailbox 1.14 (no dialog button) names the ribbon’s pane and its 「移除機敏內容」', async () => {
      const run = await send(docxItem(), { mailboxVersion: '1.12' });
      const options = run.event.completions[0]!;
      expect(Object.keys(options).sort()).toEqual(['allowEvent', 'errorMessage']);
      expect(options.errorMessage).toContain('請從功能區開啟「機敏守門員」窗格，按「移除機敏內容」');
      expect(run.event.violations).toEqual([]);
      await settle(run);
    });

    it('with a marked subject too: the button still opens the strip, and the message says the subject is the sender’s to change', async () => {
      const run = await send(docxItem('【機密】資料提供'), { mailboxVersion: '1.15' });
      const options = run.event.completions[0]!;
      expect(options).toMatchObject({ allowEvent: false, cancelLabel: '移除機敏內容' });
      expect(JSON.parse(options.contextData as string)).toMatchObject({ view: 'strip', verdict: 'block' });
      expect(options.errorMessage).toContain('請按「移除機敏內容」');
      expect(options.errorMessage).toContain('主旨、敏感度標籤或屬整封郵件的密等標示無法移除，請自行修改。');
      await settle(run);
    });

    it('a cloud attachment with a marked name is not the pane’s to remove: no 「移除機敏內容」, what to do instead', async () => {
      const item = createFakeItem({
        subject: '共享資料夾',
        bodyHtml: '<p>連結如附。</p>',
        to: INSIDE,
        attachments: [
          {
            id: 'AAMkAGI2-cloud-marked',
            name: '【機密】會議資料.docx',
            size: 24000,
            attachmentType: 'cloud',
            content: { format: 'url', content: 'https://contoso.sharepoint.com/sites/x/a.docx' },
          },
        ],
      });
      const run = await send(item, { mailboxVersion: '1.15' });
      const options = run.event.completions[0]!;
      expect(options.allowEvent).toBe(false);
      expect(options.errorMessage).toMatch(/附件「【機密】會議資料\.docx」名稱：.*（機密）/);
      expect(options).not.toHaveProperty('commandId');
      expect(options).not.toHaveProperty('cancelLabel');
      expect(options.errorMessage).toContain('本郵件不能以電子郵件寄出');
      expect(options.errorMessage).toContain('改以書面或公文系統傳送');
      expect(options.errorMessage).toContain('請改附檔案複本');
      await settle(run);
    });
  });

  it('a Big5 mail: attached as an Outlook item it is decoded without TextDecoder, and its 機密 marks block it', async () => {
    const eml = readFileSync(path.join(DOCS, 'big5-mail.eml'));
    const item = createFakeItem({
      subject: '轉寄：會議資料',
      bodyHtml: '<p>供參。</p>',
      to: OUTSIDE,
      attachments: [
        {
          id: 'AAMkAGI2-item-big5',
          name: '地區劃分會議',
          size: eml.length,
          attachmentType: 'item',
          content: { format: 'eml', content: eml.toString('latin1') },
        },
      ],
    });
    const run = await send(item);
    const options = run.event.completions[0]!;
    expect(options.allowEvent).toBe(false);
    // The nested subject 「【機密】地區劃分會議」 and the Big5 text attachment 說明.txt, read by the pure-JS decoder.
    expect(options.errorMessage).toContain('附件「地區劃分會議」主旨：密等標示（機密）');
    expect(options.errorMessage).toContain('附件「地區劃分會議/說明.txt」：密等欄位（機密）');
    await settle(run);

    // Forwarded inline instead, Outlook hands over the decoded text: the same marks, in subject and body.
    const parsed = await parseEml(new Uint8Array(eml), {
      limits: { maxFileBytes: 1e7, maxMessageBytes: 1e8, maxArchiveDepth: 3, maxArchiveEntries: 100 },
      pdf: 'defer',
    });
    const forwarded = createFakeItem({
      subject: `FW: ${parsed.subject}`,
      bodyHtml: `<p>${parsed.bodyText}</p>`,
      to: OUTSIDE,
    });
    const run2 = await send(forwarded);
    expect(run2.event.completions[0]).toMatchObject({ allowEvent: false });
    expect(run2.event.completions[0]!.errorMessage).toContain('主旨：密等標示（機密）');
    await settle(run2);
  });

  it('a message forwarded inline inside an attached item is read in the ES2016 runtime, its marks found', async () => {
    // postal-mime lays out the inline message's headers with Array.prototype.flatMap and parses the bare address
    // with trimStart/trimEnd: built-ins Chakra (classic Outlook before 2403) lacks, which the script brings itself.
    const eml = [
      'From: =?UTF-8?B?546L5om/6L6m?= <wang@example.gov.tw>',
      'To: chen@example.gov.tw',
      'Subject: FW: meeting',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'see below',
      '--b1',
      'Content-Type: message/rfc822',
      'Content-Disposition: inline',
      '',
      'From: Lin lin@example.gov.tw (secretary)',
      'To: wang@example.gov.tw',
      'Subject: =?UTF-8?B?44CQ5qmf5a+G44CR5Zyw5Y2A5YqD5YiG5pyD6K2w?=',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'inner body',
      '--b1--',
      '',
    ].join('\r\n');
    const item = createFakeItem({
      subject: '轉寄',
      bodyHtml: '<p>供參。</p>',
      to: OUTSIDE,
      attachments: [
        {
          id: 'AAMkAGI2-item-inline',
          name: '會議通知',
          size: eml.length,
          attachmentType: 'item',
          content: { format: 'eml', content: eml },
        },
      ],
    });
    const run = await send(item);
    const options = run.event.completions[0]!;
    expect(options.allowEvent).toBe(false);
    // The inline message is read as a nested message (so its charsets are checked like any other), and its subject
    // 「【機密】地區劃分會議」 is found as that message's subject.
    expect(options.errorMessage).toContain('附件「會議通知」主旨：密等標示（機密）');
    expect(options.errorMessage).not.toMatch(/格式損毀|檢查錯誤|無法讀取/);
    await settle(run);
  });

  it('a PDF is left to the pane: 「在窗格中檢查」 opens it on the check view (1.14+); before 1.14 the ribbon is named', async () => {
    const mailbox = mailboxWith(AGENCY_POLICY);
    const pdfItem = (): FakeItemState =>
      createFakeItem({
        subject: '議程',
        bodyHtml: '<p>請參閱議程</p>',
        to: OUTSIDE,
        attachments: [fileAttachment('plain.pdf', '議程.pdf')],
      });
    const run = await send(pdfItem(), { mailbox });
    const options = run.event.completions[0]!;
    expect(options).toMatchObject({ allowEvent: false, cancelLabel: '在窗格中檢查', commandId: TASKPANE_COMMAND_ID });
    expect(JSON.parse(options.contextData as string)).toEqual({ source: 'on-send', view: 'check', verdict: 'block' });
    expect(options.errorMessage).toContain('附件「議程.pdf」：須在窗格中檢查');
    expect(options.errorMessage).toContain('請按「在窗格中檢查」');
    expect(run.event.violations).toEqual([]);
    const en = await send(pdfItem(), { mailbox, displayLanguage: 'en-US' });
    expect(en.event.completions[0]!.cancelLabel).toBe('Check in the pane');
    const old = await send(pdfItem(), { mailbox, mailboxVersion: '1.12' });
    expect(Object.keys(old.event.completions[0]!).sort()).toEqual(['allowEvent', 'errorMessage']);
    expect(old.event.completions[0]!.errorMessage).toContain('請從功能區開啟窗格');
    for (const r of [run, en, old]) {
      await settle(r);
    }
  });

  it('a cloud attachment is unscannable, never clean: blocked for outside recipients with what to do', async () => {
    const item = createFakeItem({
      subject: '共享資料夾',
      bodyHtml: '<p>連結如附。</p>',
      to: OUTSIDE,
      attachments: [
        {
          id: 'AAMkAGI2-cloud',
          name: '會議資料.docx',
          size: 24000,
          attachmentType: 'cloud',
          content: { format: 'url', content: 'https://contoso.sharepoint.com/sites/x/會議資料.docx' },
        },
      ],
    });
    const run = await send(item);
    const options = run.event.completions[0]!;
    expect(options.allowEvent).toBe(false);
    expect(options.errorMessage).toContain('附件「會議資料.docx」：雲端附件');
    expect(options.errorMessage).toContain('請改附檔案複本');
    // Known to be a cloud file from the listing: its URL is not even fetched.
    expect(run.office.calls.filter((c) => c.api === 'getAttachmentContentAsync')).toEqual([]);
    await settle(run);
  });

  it('a timeout: an attachment Outlook never delivers is unscannable (timeout) at the deadline, well inside 5 s, completed once with no timer left', async () => {
    const before = (await auditEvents()).length;
    const item = createFakeItem({
      subject: '資料',
      bodyHtml: '<p>附件請參閱。</p>',
      to: OUTSIDE,
      attachments: [
        fileAttachment('plain.odt', 'a.odt'),
        { id: 'AAMkAGI2-stuck', name: '卡住.docx', size: 5000, attachmentType: 'file', content: { hang: true } },
      ],
    });
    const run = await send(item);
    // The stuck attachment never answers, so only a deadline can have ended the run: the one that did was due at the
    // send deadline (not earlier: the other attachment was waited for), well inside Outlook's 5 s, on the script's clock.
    expect(run.timersRunBeforeCompletion.some((t) => t.dueMs >= 3300 && t.dueMs < 4500)).toBe(true);
    const options = run.event.completions[0]!;
    expect(options.allowEvent).toBe(false);
    expect(options.errorMessage).toContain('附件「卡住.docx」：檢查逾時');
    expect(options.errorMessage).toContain('檢查逾時：請稍候再按「傳送」');
    await settle(run);
    await new Promise((r) => setTimeout(r, 500));
    expect(run.event.completions).toHaveLength(1);
    expect(run.runtime.pendingTimers()).toBe(0);
    const events = (await auditEvents()).slice(before);
    expect(events.map((e) => [e.data.verdict, e.data.unscannable])).toEqual([['block', ['timeout']]]);
  });
});

describe("warnOverride 'prompt' (the default): Outlook's Send Anyway as well as a reason in the pane", () => {
  const PROMPTING: Policy = { ...AGENCY_POLICY, version: 7, warnOverride: 'prompt' };
  const item = (): FakeItemState =>
    createFakeItem({ subject: '簡報', bodyHtml: '<p>機敏資料</p><p>會議資料如下</p>', to: INSIDE });

  it('Mailbox 1.14: Send Anyway beside 「填寫理由」, the offer logged as an override, the audit queue kept where the mail may leave', async () => {
    const before = (await auditEvents()).length;
    const run = await send(item(), { mailboxVersion: '1.14', mailbox: mailboxWith(PROMPTING) });
    expect(run.event.completions).toHaveLength(1);
    const options = run.event.completions[0]!;
    expect(options).toMatchObject({
      allowEvent: false,
      sendModeOverride: 'promptUser',
      cancelLabel: '填寫理由',
      commandId: TASKPANE_COMMAND_ID,
    });
    expect(options.errorMessage).toContain('請確認每位收件者都有權知悉');
    expect(options.errorMessage).toContain('可選「仍要傳送」');
    expect(options.errorMessage).not.toContain('須說明理由才能照寄');
    expect(run.event.violations).toEqual([]);
    await settle(run);
    const events = (await auditEvents()).slice(before);
    expect(events.map((e) => [e.data.kind, e.data.verdict])).toEqual([['override', 'warn']]);
  });

  it('in English too', async () => {
    const run = await send(item(), {
      mailboxVersion: '1.14',
      mailbox: mailboxWith(PROMPTING),
      displayLanguage: 'en-US',
    });
    expect(run.event.completions[0]!.errorMessage).toContain('choose Send Anyway, or “Give a reason”');
  });

  it('Mailbox 1.12 cannot offer Send Anyway: stopped, the ribbon named for the reason', async () => {
    const run = await send(item(), { mailboxVersion: '1.12', mailbox: mailboxWith(PROMPTING) });
    const options = run.event.completions[0]!;
    expect(Object.keys(options).sort()).toEqual(['allowEvent', 'errorMessage']);
    expect(options.errorMessage).toContain('請從功能區開啟「機敏守門員」窗格填寫理由');
  });

  it('a strip or a block never offers Send Anyway', async () => {
    const strip = await send(createFakeItem({ subject: '紀錄', bodyHtml: '<p>細節【密】</p>', to: INSIDE }), {
      mailboxVersion: '1.15',
      mailbox: mailboxWith(PROMPTING),
    });
    expect(strip.event.completions[0]).toMatchObject({ allowEvent: false, cancelLabel: '移除機敏內容' });
    expect(strip.event.completions[0]).not.toHaveProperty('sendModeOverride');
    const block = await send(createFakeItem({ subject: '紀錄', bodyHtml: '<p>密等：極機密</p>', to: INSIDE }), {
      mailboxVersion: '1.15',
      mailbox: mailboxWith(PROMPTING),
    });
    expect(block.event.completions[0]).toMatchObject({ allowEvent: false });
    expect(block.event.completions[0]).not.toHaveProperty('sendModeOverride');
  });
});

describe('a reason given in the pane lets exactly that warning go (override grant in sessionData)', () => {
  const policy = parsePolicy(AGENCY_POLICY);
  const MARKED = '<p>機敏資料</p><p>會議資料如下</p>';
  const mail = (bodyHtml = MARKED, subject = '簡報'): FakeItemState =>
    createFakeItem({ subject, bodyHtml, to: INSIDE });
  /** The verdict the core gives the mail, worked out here apart from the built script, as its grant subject. */
  const subjectOf = (bodyHtml = MARKED, subject = '簡報', p: Policy = policy): string => {
    const v = decide({ subject, bodyHtml, recipients: INSIDE.map((r) => r.emailAddress) }, p);
    return overrideSubject(v, v.findings, v.unscannable);
  };
  const grant = (subject = subjectOf(), fingerprint = policyFingerprint(policy), now = Date.now()): string =>
    JSON.stringify(grantFor(fingerprint, subject, now));
  const sendWith = async (item: FakeItemState, value: string, version: '1.12' | '1.14' = '1.14') => {
    item.sessionData[OVERRIDE_KEY] = value;
    const before = (await auditEvents()).length;
    const run = await send(item, { mailboxVersion: version, mailbox: mailboxWith(AGENCY_POLICY) });
    expect(run.event.completions).toHaveLength(1);
    expect(run.event.violations).toEqual([]);
    await settle(run);
    return { options: run.event.completions[0]!, events: (await auditEvents()).slice(before) };
  };
  const expectStopped = (r: Awaited<ReturnType<typeof sendWith>>): void => {
    expect(r.options).toMatchObject({ allowEvent: false, cancelLabel: '填寫理由' });
    expect(r.events.map((e) => e.data.kind)).toEqual(['decision']);
  };

  it('a warned mail without a grant is stopped, as before', async () => {
    expect(decide({ subject: '簡報', bodyHtml: MARKED, recipients: ['chen@example.gov.tw'] }, policy).verdict).toBe(
      'warn',
    );
    const r = await send(mail(), { mailboxVersion: '1.14', mailbox: mailboxWith(AGENCY_POLICY) });
    expect(r.event.completions[0]).toMatchObject({ allowEvent: false, cancelLabel: '填寫理由' });
  });

  it.each(['1.14', '1.12'] as const)(
    'with a grant for this warning under this policy it is sent, and the send is logged as an override (%s)',
    async (version) => {
      const r = await sendWith(mail(), grant(), version);
      expect(r.options).toEqual({ allowEvent: true });
      expect(r.events).toHaveLength(1);
      expect(r.events[0]).toMatchObject({
        kind: 'mail.override',
        data: { kind: 'override', verdict: 'warn', level: '機敏', scope: 'internal', rules: ['label.standalone'] },
      });
      expectNoContent(r.events[0]!.data, ['簡報', '機敏資料', '會議']);
    },
  );

  it('a grant for another warning does not cover this one: another mark, another place, a mark added since', async () => {
    // The reason was given for a bracketed 【機敏】; this mail has a standalone 機敏資料 line.
    expectStopped(await sendWith(mail(), grant(subjectOf('<p>【機敏】會議細節</p>'))));
    // The same mark, given for the subject rather than the body.
    expectStopped(await sendWith(mail(), grant(subjectOf('<p>會議資料如下</p>', '機敏資料'))));
    // Given for the body alone; a second mark has since been added to the subject.
    const added = '【機敏】簡報';
    expect(subjectOf(MARKED, added)).not.toBe(subjectOf());
    expectStopped(await sendWith(mail(MARKED, added), grant()));
  });

  it('a grant under another policy, or expired, covers nothing', async () => {
    const otherPolicy = policyFingerprint(parsePolicy({ ...AGENCY_POLICY, version: 3 }));
    expectStopped(await sendWith(mail(), grant(subjectOf(), otherPolicy)));
    expectStopped(await sendWith(mail(), grant(subjectOf(), policyFingerprint(DEFAULT_POLICY))));
    expectStopped(await sendWith(mail(), grant(subjectOf(), undefined, Date.now() - OVERRIDE_VALID_MS - 1)));
  });

  it('a grant never unlocks a strip or a block, even one written for exactly that verdict', async () => {
    const strip = '<p>細節待確認【密】</p>';
    const r = await sendWith(mail(strip), grant(subjectOf(strip)));
    expect(r.options).toMatchObject({ allowEvent: false, cancelLabel: '移除機敏內容' });
    expect(r.events.map((e) => [e.data.kind, e.data.verdict])).toEqual([['decision', 'strip']]);
  });

  it.each([
    ['not JSON', () => '{"v":1,"p":'],
    ['empty', () => ''],
    ['JSON of another shape', () => JSON.stringify({ ok: true })],
    ['a grant of another version', () => JSON.stringify({ ...JSON.parse(grant()), v: 2 })],
    ['a grant without expiry', () => JSON.stringify({ ...JSON.parse(grant()), x: undefined })],
    ['a grant whose expiry is further off than any given', () => grant(undefined, undefined, Date.now() + 86_400_000)],
    ['the grant inside an array', () => `[${grant()}]`],
    ['the grant as a JSON string', () => JSON.stringify(grant())],
  ])('a malformed sg.override (%s) is no grant: stopped, never allowed', async (_what, value) => {
    expectStopped(await sendWith(mail(), value()));
  });
});

describe('fail closed: faults end in warn or block per policy, never allow, completed exactly once', () => {
  const plainParts = (): Pick<FakeItemState, 'subject' | 'bodyHtml'> => ({
    subject: '例行通知',
    bodyHtml: '<p>沒有任何標示的內容。</p>',
  });

  it.each([
    ['InvalidAttachmentId', OFFICE_ERRORS.InvalidAttachmentId, '無法讀取'],
    ['AttachmentTypeNotSupported', OFFICE_ERRORS.AttachmentTypeNotSupported, '須在窗格中檢查'],
    ['a generic 9xxx failure', OFFICE_ERRORS.AttachmentDownloadFailed, '無法讀取'],
  ])('getAttachmentContentAsync fails (%s): warn inside, block outside', async (_label, error, why) => {
    for (const [to, expected] of [
      [INSIDE, 'warn'],
      [OUTSIDE, 'block'],
    ] as const) {
      const item = createFakeItem({
        ...plainParts(),
        to: [...to],
        attachments: [{ id: 'AAMkAGI2-bad', name: '壞掉.docx', size: 100, attachmentType: 'file', content: { error } }],
      });
      const run = await send(item);
      expect(run.event.completions).toHaveLength(1);
      const options = run.event.completions[0]!;
      expect(options.allowEvent).toBe(false);
      expect(options).not.toHaveProperty('sendModeOverride');
      // A warning may go with a reason given in the pane; a block has nothing the pane could do.
      if (expected === 'warn') {
        expect(options.cancelLabel).toBe('填寫理由');
        expect(JSON.parse(options.contextData as string)).toMatchObject({ view: 'override', verdict: 'warn' });
      } else {
        expect(options).not.toHaveProperty('contextData');
      }
      expect(options.errorMessage).toContain(`附件「壞掉.docx」：${why}`);
      await settle(run);
    }
  });

  it('an empty content result is unscannable, not clean', async () => {
    const item = createFakeItem({
      ...plainParts(),
      to: OUTSIDE,
      attachments: [
        {
          id: 'AAMkAGI2-empty',
          name: '加密.docx',
          size: 9000,
          attachmentType: 'file',
          content: { format: 'base64', content: '' },
        },
      ],
    });
    const run = await send(item);
    expect(run.event.completions).toEqual([expect.objectContaining({ allowEvent: false })]);
    expect(run.event.completions[0]!.errorMessage).toContain('附件「加密.docx」：無法讀取');
    await settle(run);
  });

  it('an empty answer is asked for once more in the same send: the bytes that come then are scanned', async () => {
    // office-js #6098, #5614: Succeeded with no content, then the content on the next fetch.
    const item = createFakeItem({
      subject: '資料提供',
      bodyHtml: '<p>檢送資料一份。</p>',
      to: OUTSIDE,
      attachments: [{ ...fileAttachment('header-mark.docx', '報告.docx'), emptyAnswers: 1 }],
    });
    const run = await send(item);
    expect(run.office.calls.filter((c) => c.api === 'getAttachmentContentAsync')).toHaveLength(2);
    expect(run.event.completions[0]!.errorMessage).toContain('附件「報告.docx」頁首：密等標示（機密）');
    expect(run.event.completions[0]!.errorMessage).not.toContain('無法讀取');
    await settle(run);
  });

  it('an exception in extraction (content that is not base64) is unscannable: error', async () => {
    const item = createFakeItem({
      ...plainParts(),
      to: OUTSIDE,
      attachments: [
        {
          id: 'AAMkAGI2-junk',
          name: 'x.docx',
          size: 10,
          attachmentType: 'file',
          content: { format: 'base64', content: '%%%不是base64%%%' },
        },
      ],
    });
    const run = await send(item);
    expect(run.event.completions).toHaveLength(1);
    expect(run.event.completions[0]).toMatchObject({ allowEvent: false });
    expect(run.event.completions[0]!.errorMessage).toContain('附件「x.docx」：檢查錯誤');
    await settle(run);
  });

  it('an exception from Office itself (body.getAsync throws) is an error for the whole message', async () => {
    const before = (await auditEvents()).length;
    const item = createFakeItem({ subject: '通知', to: INSIDE });
    Object.defineProperty(item, 'bodyHtml', {
      get() {
        throw new Error('Sys.InvalidOperationException');
      },
    });
    const run = await send(item);
    expect(run.event.completions).toHaveLength(1);
    // Inside, the agency's policy warns about what could not be read: a reason given in the pane lets it go.
    expect(run.event.completions[0]).toMatchObject({ allowEvent: false, cancelLabel: '填寫理由' });
    expect(run.event.completions[0]!.errorMessage).toContain('本文：檢查錯誤');
    await settle(run);
    const events = (await auditEvents()).slice(before);
    expect(events.map((e) => [e.data.kind, e.data.verdict])).toEqual([['scan-error', 'warn']]);
  });

  it('the budget exhausted: attachments past the message allowance are too large, and the scan clock running out is a timeout', async () => {
    const small: Policy = {
      ...AGENCY_POLICY,
      limits: { ...AGENCY_POLICY.limits, maxMessageBytes: 20000, scanTimeoutMs: 600 },
    };
    const item = createFakeItem({
      ...plainParts(),
      to: OUTSIDE,
      attachments: [
        fileAttachment('plain.odt', 'one.odt'),
        fileAttachment('plain.odt', 'two.odt'),
        { ...fileAttachment('plain.docx', 'slow.docx'), delayMs: 1500 },
      ],
    });
    const run = await send(item, { mailbox: mailboxWith(small) });
    // The policy's 600 ms scan clock ended the run, not the send's own deadline: slow.docx answers 1.5 s after it is
    // asked, well inside the send deadline, so only the scan clock makes it 「檢查逾時」 below. (The clock's deadline is
    // due before any attachment is asked for, so it runs first however loaded the machine is; when it ran after
    // firing is the machine's business, and two CI runs at load 12–18 moved it past 1.5 s.)
    const options = run.event.completions[0]!;
    expect(options.allowEvent).toBe(false);
    expect(options.errorMessage).toContain('附件「two.odt」：檔案過大');
    expect(options.errorMessage).toContain('附件「slow.docx」：檢查逾時');
    await settle(run);
    expect(run.event.completions).toHaveLength(1);
  });

  it('a malformed policy from the server weakens nothing: the cached policy stays in force', async () => {
    const stale = Date.now() - 3600_000;
    // A document that would allow everything, and is not a valid policy (unscannable cannot be 'allow').
    const bogus = {
      ...AGENCY_POLICY,
      version: 99,
      actions: {
        internal: { ...AGENCY_POLICY.actions.internal, 機密: 'allow' },
        external: AGENCY_POLICY.actions.external,
      },
      unscannable: { internal: 'allow', external: 'allow' },
    };
    await env.db.query(
      'INSERT INTO policy_versions (tenant_id, version, document, created_by) VALUES ($1, $2, $3, $4)',
      [TENANT, 99, JSON.stringify(bogus), 'corruption'],
    );
    try {
      const mailbox = mailboxWith(AGENCY_POLICY, stale);
      const item = createFakeItem({
        subject: '資料',
        bodyHtml: '<p>密等：機密（本件於會議結束後解密）</p>',
        to: INSIDE,
      });
      const run = await send(item, { mailbox });
      expect(env.requests.map((r) => r.path)).toContain('/api/policy');
      expect(run.event.completions[0]).toMatchObject({ allowEvent: false });
      expect(run.event.completions[0]!.errorMessage).toContain('密等欄位（機密）');
      await settle(run);
      // Still the cached version 2, and still cached.
      expect((mailbox.roamingSettings['sg.policy'] as { version: number }).version).toBe(2);
      const events = await auditEvents();
      expect(events[events.length - 1]!.data.policyVersion).toBe(2);
    } finally {
      await env.db.query('DELETE FROM policy_versions WHERE version = 99');
    }
  });

  it('the server unreachable: the bundled default policy decides at once; the audit event waits in sessionData and goes out with the next event', async () => {
    env.down = true;
    const before = (await auditEvents()).length;
    const item = createFakeItem({
      subject: '會議',
      bodyHtml: '<p>第三案附件【密】</p>',
      to: INSIDE,
      itemId: 'AAMkAGI2-item-offline',
    });
    const run = await send(item);
    // At once: the refused connection decided it, not a wait running out (the policy wait, the request timeout or
    // the send deadline, each of 1 s or more). Timers the script asked for, not the machine's speed, show it.
    expect(run.timersRunBeforeCompletion.filter((t) => t.delayMs >= 1000)).toEqual([]);
    // The default policy: every level is strip, whatever the recipients.
    expect(run.event.completions).toEqual([
      expect.objectContaining({ allowEvent: false, commandId: TASKPANE_COMMAND_ID }),
    ]);
    await settle(run);
    expect((await auditEvents()).length).toBe(before);
    const queued = JSON.parse(item.sessionData['sg.audit'] ?? '[]') as Record<string, unknown>[];
    // Judged under the bundled default, and the event says so: its source and the fingerprint of that very document.
    expect(queued).toEqual([
      expect.objectContaining({
        verdict: 'strip',
        policyVersion: 1,
        policySource: 'default',
        policyFingerprint: policyFingerprint(DEFAULT_POLICY),
        rules: ['portion'],
      }),
    ]);

    // The server is back; the user edits the recipients: that event sends what was queued.
    env.down = false;
    const next = await fireEvent(env, item, ADDIN_ACTIONS.onMessageRecipientsChanged, {
      eventType: 'OnMessageRecipientsChanged',
      eventFields: { changedRecipientFields: { to: true } },
    });
    expect(next.event.completions).toEqual([undefined]);
    await settle(next);
    const events = (await auditEvents()).slice(before);
    expect(events.map((e) => [e.data.verdict, e.data.policyVersion])).toEqual([['strip', 1]]);
    expect(item.sessionData['sg.audit']).toBeUndefined();
    // It stores nothing about the recipients: the pane and the send read and judge them themselves.
    expect(Object.keys(item.sessionData).filter((k) => !['sg.item', 'sg.attachments'].includes(k))).toEqual([]);
  });

  it('an origin without the well-known file gets no token and no request from classic Outlook: the event waits', async () => {
    env.withoutWellKnown = true;
    const mailbox = mailboxWith(AGENCY_POLICY, Date.now() - 3600_000);
    const item = createFakeItem({ subject: '通知', bodyHtml: '<p>一般內容</p>', to: INSIDE });
    const run = await send(item, { mailbox });
    expect(run.event.completions).toEqual([{ allowEvent: true }]);
    await settle(run);
    // The runtime asked for the list once and, not listed, refused the token and every request to the API.
    expect(env.requests.map((r) => r.path)).toEqual(['/.well-known/microsoft-officeaddins-allowed.json']);
    expect(run.office.calls.map((c) => c.api)).not.toContain('OfficeRuntime.auth.getAccessToken');
    expect(mailbox.roamingSettings['sg.audit']).toEqual([expect.objectContaining({ verdict: 'allow' })]);

    // With the file served (as the build writes it), the same runtime setup gets its token and sends the event.
    env.withoutWellKnown = false;
    const before = (await auditEvents()).length;
    await settle(await send(createFakeItem({ subject: '再一封', bodyHtml: '<p>一般</p>', to: INSIDE }), { mailbox }));
    expect((await auditEvents()).slice(before).map((e) => e.data.verdict)).toEqual(['allow', 'allow']);
  });

  it('events queued while the server was away leave sessionData with the mail’s allowed send, into roaming settings', async () => {
    env.down = true;
    const mailbox = createFakeMailbox();
    const before = (await auditEvents()).length;
    const item = createFakeItem({ subject: '會議', bodyHtml: '<p>第三案附件【密】</p>', to: INSIDE });
    await settle(await send(item, { mailbox }));
    expect(JSON.parse(item.sessionData['sg.audit']!)).toHaveLength(1);
    // The sender takes the marked paragraph out and sends again; the server is still away.
    item.bodyHtml = '<p>第三案附件另送。</p>';
    const allowed = await send(item, { mailbox });
    expect(allowed.event.completions).toEqual([{ allowEvent: true }]);
    await settle(allowed);
    expect(item.sessionData['sg.audit']).toBeUndefined();
    expect((mailbox.roamingSettings['sg.audit'] as { verdict: string }[]).map((e) => e.verdict)).toEqual([
      'strip',
      'allow',
    ]);

    env.down = false;
    await settle(await send(createFakeItem({ subject: '下一封', bodyHtml: '<p>一般</p>', to: INSIDE }), { mailbox }));
    expect((await auditEvents()).slice(before).map((e) => e.data.verdict)).toEqual(['strip', 'allow', 'allow']);
  });

  it('no SSO token (not signed in): the decision does not wait for it, and the event stays queued', async () => {
    const mailbox = mailboxWith(AGENCY_POLICY);
    const item = createFakeItem({ subject: '通知', bodyHtml: '<p>一般內容</p>', to: INSIDE });
    const run = await send(item, { accessToken: SSO_ERRORS.UserNotSignedIn, mailbox });
    expect(run.event.completions).toEqual([{ allowEvent: true }]);
    await settle(run);
    // Allowed, the item leaves with its sessionData: the event waits in the mailbox's roaming settings instead.
    expect(item.sessionData['sg.audit']).toBeUndefined();
    expect(mailbox.roamingSettings['sg.audit']).toEqual([
      expect.objectContaining({ kind: 'decision', verdict: 'allow', policyVersion: 2 }),
    ]);

    // Signed in again, the next event (another mail) sends it and empties the queue.
    const before = (await auditEvents()).length;
    const next = await send(createFakeItem({ subject: '再一封', bodyHtml: '<p>一般</p>', to: INSIDE }), { mailbox });
    await settle(next);
    expect((await auditEvents()).slice(before).map((e) => e.data.verdict)).toEqual(['allow', 'allow']);
    expect(mailbox.roamingSettings['sg.audit']).toBeUndefined();
  });
});

describe('requirement sets, languages and limits', () => {
  const warnItem = (): FakeItemState =>
    createFakeItem({
      subject: '簡報',
      bodyHtml: '<p>參閱</p>',
      to: INSIDE,
      attachments: [fileAttachment('watermark.odt', 's.odt')],
    });
  const stripItem = (): FakeItemState =>
    createFakeItem({ subject: '紀錄', bodyHtml: '<p>細節待確認【密】</p>', to: INSIDE });

  it('Mailbox 1.12: no option newer than 1.12; a warning stops the send and names the ribbon for the reason', async () => {
    const mailbox = mailboxWith(AGENCY_POLICY);
    const warn = await send(warnItem(), { mailboxVersion: '1.12', mailbox });
    expect(Object.keys(warn.event.completions[0]!).sort()).toEqual(['allowEvent', 'errorMessage']);
    expect(warn.event.completions[0]!.errorMessage).toContain('請從功能區開啟「機敏守門員」窗格填寫理由');
    const strip = await send(stripItem(), { mailboxVersion: '1.12', mailbox });
    expect(Object.keys(strip.event.completions[0]!).sort()).toEqual(['allowEvent', 'errorMessage']);
    expect(strip.event.completions[0]!.errorMessage).toContain('從功能區開啟「機敏守門員」窗格');
    for (const run of [warn, strip]) {
      expect(run.event.violations).toEqual([]);
      await settle(run);
    }
  });

  it('Mailbox 1.14: the pane buttons, no Markdown', async () => {
    const mailbox = mailboxWith(AGENCY_POLICY);
    const warn = await send(warnItem(), { mailboxVersion: '1.14', mailbox });
    expect(Object.keys(warn.event.completions[0]!).sort()).toEqual([
      'allowEvent',
      'cancelLabel',
      'commandId',
      'contextData',
      'errorMessage',
    ]);
    const strip = await send(stripItem(), { mailboxVersion: '1.14', mailbox });
    expect(Object.keys(strip.event.completions[0]!).sort()).toEqual([
      'allowEvent',
      'cancelLabel',
      'commandId',
      'contextData',
      'errorMessage',
    ]);
    for (const run of [warn, strip]) {
      expect(run.event.violations).toEqual([]);
      await settle(run);
    }
  });

  it('a sensitivity label the policy maps: read at 1.13 and 1.15 and judged; unreadable, or below 1.13, it is unscannable', async () => {
    const LABEL = 'a1b2c3d4-0000-4000-8000-00000000c0de';
    const labelled: Policy = { ...AGENCY_POLICY, version: 9, sensitivityLabels: [{ id: LABEL, level: '機密' }] };
    const mailbox = mailboxWith(labelled);
    const item = (sensitivityLabel: FakeItemState['sensitivityLabel']): FakeItemState =>
      createFakeItem({ subject: '通知', bodyHtml: '<p>一般內容</p>', to: OUTSIDE, sensitivityLabel });
    const runs: EventRun[] = [];
    for (const mailboxVersion of ['1.13', '1.15'] as const) {
      const marked = await send(item(LABEL), { mailbox, mailboxVersion });
      expect(marked.event.completions[0]).toMatchObject({ allowEvent: false });
      expect(marked.event.completions[0]!.errorMessage).toContain('敏感度標籤：敏感度標籤（機密）');
      const none = await send(item(null), { mailbox, mailboxVersion });
      expect(none.event.completions[0]).toEqual({ allowEvent: true });
      runs.push(marked, none);
    }
    const failing = await send(item({ error: { code: 9020, name: 'GenericResponseError', message: '' } }), { mailbox });
    const old = await send(item(LABEL), { mailbox, mailboxVersion: '1.12' });
    for (const run of [failing, old]) {
      expect(run.event.completions[0]).toMatchObject({ allowEvent: false });
      expect(run.event.completions[0]!.errorMessage).toContain('敏感度標籤：無法讀取');
    }
    expect(old.office.calls.map((c) => c.api)).not.toContain('sensitivityLabel.getAsync');
    // A policy without label mappings never reads the label.
    const plain = await send(item({ error: { code: 9020, name: 'GenericResponseError', message: '' } }), {
      mailbox: mailboxWith(AGENCY_POLICY),
    });
    expect(plain.event.completions[0]).toEqual({ allowEvent: true });
    expect(plain.office.calls.map((c) => c.api)).not.toContain('sensitivityLabel.getAsync');
    for (const run of [...runs, failing, old, plain]) {
      await settle(run);
    }
  });

  it('Mailbox 1.15: Markdown beside the plain message', async () => {
    const run = await send(stripItem(), { mailboxVersion: '1.15', mailbox: mailboxWith(AGENCY_POLICY) });
    const options = run.event.completions[0]!;
    expect(Object.keys(options).sort()).toEqual([
      'allowEvent',
      'cancelLabel',
      'commandId',
      'contextData',
      'errorMessage',
      'errorMessageMarkdown',
    ]);
    expect(options.errorMessageMarkdown).toMatch(/^\*\*.+\*\*/);
    expect(options.errorMessageMarkdown).toContain('\n- 本文：段落標示（密）');
    expect(run.event.violations).toEqual([]);
    await settle(run);
  });

  it('English when Office is in English; zh-TW for Chinese', async () => {
    const mailbox = mailboxWith(AGENCY_POLICY);
    const en = await send(stripItem(), { displayLanguage: 'en-US', mailbox });
    expect(en.event.completions[0]!.cancelLabel).toBe('Remove sensitive');
    expect(en.event.completions[0]!.errorMessage).toContain('Body: portion mark (密 Official secret)');
    // English punctuation throughout, and each level named once.
    expect(en.event.completions[0]!.errorMessage).not.toMatch(/[（）、：「」]|\(密\)/);
    expect(en.event.completions[0]!.errorMessage).toContain('This message contains sensitive content');
    const zh = await send(stripItem(), { displayLanguage: 'zh-HK', mailbox });
    expect(zh.event.completions[0]!.cancelLabel).toBe('移除機敏內容');
    for (const run of [en, zh]) {
      expect((run.event.completions[0]!.cancelLabel as string).length).toBeLessThanOrEqual(20);
      await settle(run);
    }
  });

  it('many marked attachments: both messages stay within 500 characters, cut at whole lines with a count of the rest', async () => {
    const mailbox = mailboxWith(AGENCY_POLICY);
    const attachments = Array.from({ length: 25 }, (_, i) =>
      fileAttachment('header-mark.docx', `第${i + 1}號附件：一個相當冗長的檔案名稱用來測試截斷行為.docx`),
    );
    for (const displayLanguage of ['zh-TW', 'en-US']) {
      const item = createFakeItem({ subject: '資料', bodyHtml: '<p>如附</p>', to: OUTSIDE, attachments });
      const run = await send(item, { displayLanguage, mailbox });
      const options = run.event.completions[0]!;
      for (const text of [options.errorMessage, options.errorMessageMarkdown] as string[]) {
        expect(text.length).toBeLessThanOrEqual(500);
        expect(text).toMatch(displayLanguage === 'zh-TW' ? /…及其他 \d+ 處/ : /…and \d+ more/);
        // Every line is whole: a cut name ends in an ellipsis, never mid-word without one.
        expect(text).not.toMatch(/\n\S{0,2}$/);
      }
      expect(run.event.violations).toEqual([]);
      await settle(run);
    }
  });
});

describe('the sessionData cache', () => {
  it('attachments scanned when added are not fetched again at send', async () => {
    const mailbox = mailboxWith(AGENCY_POLICY);
    const item = createFakeItem({
      subject: '資料',
      bodyHtml: '<p>如附</p>',
      to: OUTSIDE,
      attachments: [fileAttachment('header-mark.docx', '報告.docx'), fileAttachment('plain.odt', '議程.odt')],
    });
    const added = await fireEvent(env, item, ADDIN_ACTIONS.onMessageAttachmentsChanged, {
      mailbox,
      eventType: 'OnMessageAttachmentsChanged',
      eventFields: { attachmentStatus: 'added', attachmentDetails: { name: '議程.odt' } },
    });
    expect(added.event.completions).toEqual([undefined]);
    await settle(added);
    const cached = JSON.parse(item.sessionData['sg.attachments']!) as { e: Record<string, unknown> };
    expect(Object.keys(cached.e)).toHaveLength(2);
    // Compact: rule, level, place, strippable, count; no text.
    expect(item.sessionData['sg.attachments']).not.toMatch(/機密/);

    const run = await send(item, { mailbox });
    expect(run.office.calls.filter((c) => c.api === 'getAttachmentContentAsync')).toEqual([]);
    expect(run.event.completions[0]!.errorMessage).toContain('附件「報告.docx」頁首：密等標示（機密）');
    await settle(run);
  });

  it('an attachment whose size changed is fetched and scanned again', async () => {
    const mailbox = mailboxWith(AGENCY_POLICY);
    const plain = fileAttachment('plain.docx', '報告.docx');
    const item = createFakeItem({ subject: '資料', bodyHtml: '<p>如附</p>', to: OUTSIDE, attachments: [plain] });
    const added = await fireEvent(env, item, ADDIN_ACTIONS.onMessageAttachmentsChanged, {
      mailbox,
      eventType: 'OnMessageAttachmentsChanged',
    });
    await settle(added);
    expect((await send(item, { mailbox })).event.completions).toEqual([{ allowEvent: true }]);

    // Same id, new content (re-attached after editing): the cached "clean" must not be trusted.
    const marked = fileAttachment('header-mark.docx', '報告.docx');
    item.attachments = [{ ...marked, id: plain.id }];
    const run = await send(item, { mailbox });
    expect(run.office.calls.filter((c) => c.api === 'getAttachmentContentAsync')).toEqual([
      { api: 'getAttachmentContentAsync', detail: plain.id },
    ]);
    expect(run.event.completions[0]).toMatchObject({ allowEvent: false });
    await settle(run);
  });

  it('a cache judged under another policy is not used', async () => {
    const item = createFakeItem({
      subject: '資料',
      bodyHtml: '<p>如附</p>',
      to: OUTSIDE,
      attachments: [fileAttachment('plain.odt', 'a.odt')],
    });
    const added = await fireEvent(env, item, ADDIN_ACTIONS.onMessageAttachmentsChanged, {
      mailbox: mailboxWith(AGENCY_POLICY),
      eventType: 'OnMessageAttachmentsChanged',
    });
    await settle(added);
    const stricter: Policy = {
      ...AGENCY_POLICY,
      version: 3,
      customRules: [{ id: 'agenda', level: '密', keywords: ['議程'] }],
    };
    const run = await send(item, { mailbox: mailboxWith(stricter) });
    expect(run.office.calls.filter((c) => c.api === 'getAttachmentContentAsync')).toHaveLength(1);
    await settle(run);
  });
});

describe('appointments and recipients', () => {
  it('OnAppointmentSend reads the attendees; an unresolved distribution list counts as external', async () => {
    const mailbox = mailboxWith(AGENCY_POLICY);
    const invite = (attendees: FakeItemState['requiredAttendees']): FakeItemState =>
      createFakeItem({
        itemType: 'appointment',
        subject: '專案會議',
        bodyHtml: '<p>會議資料</p>',
        requiredAttendees: attendees,
        attachments: [fileAttachment('watermark.odt', '資料.odt')],
      });
    const inside = await fireEvent(env, invite(INSIDE), ADDIN_ACTIONS.onAppointmentSend, {
      mailbox,
      eventType: 'OnAppointmentSend',
    });
    // Inside the agency, 機敏 only warns.
    expect(inside.event.completions[0]).toMatchObject({ cancelLabel: '填寫理由' });
    const list = await fireEvent(
      env,
      invite([...INSIDE, { emailAddress: 'all-staff@example.gov.tw', recipientType: 'distributionList' }]),
      ADDIN_ACTIONS.onAppointmentSend,
      { mailbox, eventType: 'OnAppointmentSend' },
    );
    // A list may hold anyone: judged as external, where the watermark must be stripped, and an attachment cannot be
    // in part: a block, whose button opens the meeting form's pane to remove the attachment whole.
    expect(list.event.completions[0]).toMatchObject({
      allowEvent: false,
      cancelLabel: '移除機敏內容',
      commandId: APPOINTMENT_TASKPANE_COMMAND_ID,
    });
    expect(JSON.parse(list.event.completions[0]!.contextData as string)).toMatchObject({
      view: 'strip',
      verdict: 'block',
    });
    expect(list.office.calls.map((c) => c.api)).toContain('requiredAttendees.getAsync');
  });

  it('OnAppointmentAttachmentsChanged scans a meeting’s new attachments ahead of send, which then fetches nothing', async () => {
    const mailbox = mailboxWith(AGENCY_POLICY);
    const item = createFakeItem({
      itemType: 'appointment',
      subject: '專案會議',
      bodyHtml: '<p>會議資料如附</p>',
      requiredAttendees: OUTSIDE,
      attachments: [fileAttachment('header-mark.docx', '簡報.docx')],
    });
    const added = await fireEvent(env, item, ADDIN_ACTIONS.onAppointmentAttachmentsChanged, {
      mailbox,
      eventType: 'OnAppointmentAttachmentsChanged',
      eventFields: { attachmentStatus: 'added', attachmentDetails: { name: '簡報.docx' } },
    });
    expect(added.event.completions).toEqual([undefined]);
    await settle(added);
    expect(added.office.calls.filter((c) => c.api === 'getAttachmentContentAsync')).toHaveLength(1);
    const cached = JSON.parse(item.sessionData['sg.attachments']!) as { e: Record<string, unknown> };
    expect(Object.keys(cached.e)).toHaveLength(1);

    const run = await fireEvent(env, item, ADDIN_ACTIONS.onAppointmentSend, {
      mailbox,
      eventType: 'OnAppointmentSend',
    });
    expect(run.office.calls.filter((c) => c.api === 'getAttachmentContentAsync')).toEqual([]);
    expect(run.event.completions).toHaveLength(1);
    expect(run.event.completions[0]).toMatchObject({ allowEvent: false });
    expect(run.event.completions[0]!.errorMessage).toContain('附件「簡報.docx」頁首：密等標示（機密）');
    await settle(run);
  });

  it('strip on a meeting invite opens the pane through the meeting form’s own button id', async () => {
    const item = createFakeItem({
      itemType: 'appointment',
      subject: '專案會議',
      bodyHtml: '<p>一、議程如附。</p><p>二、預算分配方案細節待確認【密】</p>',
      requiredAttendees: INSIDE,
    });
    const run = await fireEvent(env, item, ADDIN_ACTIONS.onAppointmentSend, { eventType: 'OnAppointmentSend' });
    expect(run.event.completions).toHaveLength(1);
    expect(run.event.completions[0]).toMatchObject({
      allowEvent: false,
      commandId: APPOINTMENT_TASKPANE_COMMAND_ID,
    });
    await settle(run);
  });

  it('without roaming settings (reported for classic OnAppointmentSend) the server policy still applies', async () => {
    const item = createFakeItem({
      itemType: 'appointment',
      subject: '專案會議',
      bodyHtml: '<p>會議資料</p>',
      requiredAttendees: INSIDE,
      attachments: [fileAttachment('watermark.odt', '資料.odt')],
    });
    const run = await fireEvent(env, item, ADDIN_ACTIONS.onAppointmentSend, {
      roamingSettings: false,
      eventType: 'OnAppointmentSend',
    });
    // The agency's policy (from the server) warns inside; the bundled default would have blocked.
    expect(run.event.completions[0]).toMatchObject({ cancelLabel: '填寫理由' });
  });
});
