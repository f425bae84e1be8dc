/**
 * The task pane's scan and strip flow through the real Office adapter against the Office host fake, and the real
 * server: what the pane hands to the send handler, the body mode it writes in, and every way a strip can end.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import type { FastifyInstance } from 'fastify';

import { AttachmentCache } from '../../addin/on-send/attachment-cache';
import { OVERRIDE_KEY } from '../../addin/on-send/override';
import { policyFingerprint } from '../../addin/on-send/policy-source';
import type { PaneHost } from '../../addin/taskpane/host';
import { officePaneHost } from '../../addin/taskpane/office-host';
import { recordOverride } from '../../addin/taskpane/services/override';
import { loadPolicy } from '../../addin/taskpane/services/policy';
import { receiptPage } from '../../addin/taskpane/services/print';
import { receiptDetailsStore } from '../../addin/taskpane/services/receipt-details';
import { receiptSalts } from '../../addin/taskpane/services/receipt-salts';
import { type AttachmentProgress, ItemScanner, type ScanProgress } from '../../addin/taskpane/services/scanner';
import { runStrip, type StripOutcome, undoStrip } from '../../addin/taskpane/services/strip-flow';
import { nodePdfOptions } from '../../src/cli/pdf-loader';
import { commitToText, DEFAULT_POLICY, type Policy } from '../../src/core';
import { extendForTaskPane, type TaskPaneController, type TaskPaneOptions } from '../../src/dev/fakes/office/task-pane';
import { buildApp, inProcessEventBus } from '../../src/server/app';
import type { Db } from '../../src/server/store/db';
import { migrate } from '../../src/server/store/migrations';
import { type ApiClient, createApiClient } from '../../src/shared/api';
import { ADDIN_ACTIONS } from '../../src/shared/app-ids';
import { OUR_RECEIPT_NUMBER } from '../../src/shared/receipt-number';
import { type FakeEntra, startFakeEntra } from '../fakes/entra';
import {
  createFakeItem,
  createFakeMailbox,
  createFakeOffice,
  type FakeAttachment,
  type FakeItemState,
  type FakeMailboxState,
  type FakeMailboxVersion,
  OFFICE_ERRORS,
} from '../fakes/office';
import { entraVerifier } from '../support/entra-verifier';
import { type EventRun, fireEvent, type OnSendEnv, settle, startOnSendEnv } from '../support/on-send-harness';
import { openStore } from '../support/stores';

const fixture = (name: string): Buffer => readFileSync(path.join(__dirname, '..', 'fixtures', 'docs', name));
const file = (id: string, name: string, bytes: Buffer): FakeAttachment => ({
  id,
  name,
  size: bytes.length,
  attachmentType: 'file',
  content: { format: 'base64', content: bytes.toString('base64') },
});
const g = globalThis as unknown as Record<string, unknown>;

let entra: FakeEntra;
let db: Db;
let app: FastifyInstance;
let api: ApiClient;
let token: string;

beforeAll(async () => {
  entra = await startFakeEntra();
  db = await openStore('pglite');
  await migrate(db);
  app = await buildApp({ db, events: inProcessEventBus(), verifier: entraVerifier(entra) });
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  token = await entra.token({ oid: '00000000-0000-0000-0000-0000000005e1', name: '林承辦' });
  api = createApiClient({ baseUrl, getToken: async () => token, fetch: (url, init) => fetch(url, init) });
});
afterAll(async () => {
  await app.close();
  await db.close();
  await entra.close();
  delete g.Office;
  delete g.OfficeRuntime;
});

/** Installs the fake as the global `Office` the adapter uses, and returns the pane's host on it. */
function outlook(
  item: Partial<Omit<FakeItemState, 'sessionData'>>,
  pane: TaskPaneOptions = {},
): { host: PaneHost; state: FakeItemState; user: TaskPaneController; calls: { api: string; detail?: string }[] } {
  const state = createFakeItem({ to: [{ emailAddress: 'wang@example.gov.tw' }], ...item });
  const office = createFakeOffice({ mailboxVersion: '1.16', item: state });
  const user = extendForTaskPane(office, state, pane);
  g.Office = office.Office;
  g.OfficeRuntime = office.OfficeRuntime;
  return { host: officePaneHost(), state, user, calls: office.calls };
}

/** The pane's local storage, for the parts' salts. */
const storage = new Map<string, string>();
const local = (): { getItem(k: string): string | null; setItem(k: string, v: string): void } => ({
  getItem: (k: string) => storage.get(k) ?? null,
  setItem: (k: string, v: string) => void storage.set(k, v),
});
const salts = receiptSalts(local);
/** And for the names, subject and file names the paper shows and the server never receives. */
const details = receiptDetailsStore(local);

/** Scans the item as the pane does, then strips it. */
async function scanAndStrip(host: PaneHost, removeAttachmentIds: readonly string[] = []): Promise<StripOutcome> {
  const scanner = new ItemScanner(host, nodePdfOptions());
  const before = await scanner.scan(DEFAULT_POLICY);
  return runStrip({ host, api, scanner, policy: DEFAULT_POLICY, salts, details }, { before, removeAttachmentIds });
}

describe('the pane and the send handler', () => {
  it('hands what it read (the PDF the send handler leaves unread) to the send handler’s cache', async () => {
    const pdf = file('pdf-1', '附件.pdf', fixture('header-mark.pdf'));
    const { host } = outlook({ bodyHtml: '<p>請參閱附件</p>', attachments: [pdf] });
    const outcome = await new ItemScanner(host, nodePdfOptions()).scan(DEFAULT_POLICY);
    expect(outcome.attachments[0]?.highest).toBe('機密');

    const cache = await AttachmentCache.load();
    const shared = cache.lookup(
      { id: pdf.id, name: pdf.name, size: pdf.size, attachmentType: 'file', isInline: false },
      policyFingerprint(DEFAULT_POLICY),
    );
    expect(shared?.definitive).toBe(true);
    expect(shared?.unscannable).toEqual([]);
    expect(shared?.findings.map((f) => [f.level, f.location.startsWith('attachment:附件.pdf')])).toContainEqual([
      '機密',
      true,
    ]);
    // A different policy is a different judgement: the send handler scans again.
    expect(cache.lookup({ ...pdf, isInline: false }, 'another-policy')).toBeNull();
  });

  it('reads the body’s hidden text: a mark in a comment is found, and an override reason may not repeat it', async () => {
    const { host } = outlook({ bodyHtml: '<p>請參閱附件</p><!-- 機密：預算細節一億二千萬 -->' });
    const outcome = await new ItemScanner(host, nodePdfOptions()).scan(DEFAULT_POLICY);
    expect(outcome.verdict.findings.map((f) => `${f.location} ${f.level}`)).toEqual(['body#comment 機密']);
    expect(outcome.verdict.verdict).toBe('block');
    expect(outcome.texts.some((t) => t.includes('預算細節一億二千萬'))).toBe(true);
  });

  it('never reads two attachments at once, though a live scan and a strip’s re-scan ask together', async () => {
    const docx = { ...file('par-1', '甲.docx', fixture('header-mark.docx')), delayMs: 30 };
    const odt = { ...file('par-2', '乙.odt', fixture('header-mark.odt')), delayMs: 30 };
    const { host, calls } = outlook({ bodyHtml: '<p>附件如附</p>', attachments: [docx, odt] });
    const scanner = new ItemScanner(host, nodePdfOptions());
    // Each scanner reads for itself, as the pane's live scan and a strip's own re-scan each may, at the same moment.
    const outcomes = await Promise.all([
      scanner.scan(DEFAULT_POLICY),
      new ItemScanner(host, nodePdfOptions()).scan(DEFAULT_POLICY),
      scanner.scan(DEFAULT_POLICY),
    ]);
    for (const outcome of outcomes) {
      // Outlook answers a fetch made while another is in flight with nothing (office-js #6581): none was.
      expect(outcome.verdict.unscannable).toEqual([]);
      expect(outcome.attachments.map((a) => a.highest)).toEqual(['機密', '機密']);
    }
    // The second scan of the same scanner waited for the first, and read nothing again.
    expect(calls.filter((c) => c.api === 'getAttachmentContentAsync')).toHaveLength(4);
  });

  it('reports each attachment’s own result as soon as it is judged, and none for one not yet judged', async () => {
    const docx = file('own-1', '甲.docx', fixture('header-mark.docx'));
    const plain = { ...file('own-2', '乙.pdf', fixture('plain.pdf')), delayMs: 30 };
    const { host } = outlook({ bodyHtml: '<p>附件如附</p>', attachments: [docx, plain] });
    const scanner = new ItemScanner(host, nodePdfOptions());
    const seen: ScanProgress[] = [];
    await scanner.scan(DEFAULT_POLICY, (p) => seen.push(p));
    const stateOf = (p: ScanProgress, id: string): AttachmentProgress | undefined =>
      p.attachments.find((a) => a.id === id);
    // While the PDF is still being read, the Word file already carries its marks; the PDF carries no result at all.
    const midway = seen.find((p) => p.current?.id === 'own-2');
    expect(stateOf(midway as ScanProgress, 'own-1')).toMatchObject({ state: 'done', group: { highest: '機密' } });
    expect(stateOf(midway as ScanProgress, 'own-2')?.group).toBeUndefined();
    // Nothing not yet done ever carried a result, and nothing done lacked one.
    for (const p of seen) {
      for (const a of p.attachments) {
        expect({ state: a.state, judged: a.group !== undefined }).toEqual({
          state: a.state,
          judged: a.state === 'done',
        });
      }
    }
    expect(stateOf(seen[seen.length - 1] as ScanProgress, 'own-2')).toMatchObject({ state: 'done', group: null });
    // A rescan starts with both judged, from what was read before.
    const again: ScanProgress[] = [];
    await scanner.scan(DEFAULT_POLICY, (p) => again.push(p));
    expect(again[0]?.attachments.map((a) => [a.state, a.group?.highest ?? null])).toEqual([
      ['done', '機密'],
      ['done', null],
    ]);
  });
});

describe('the strip flow', () => {
  const marked = '<html><body><p>您好</p><p>〔機密〕預算細節〔/機密〕</p></body></html>';

  it('writes the current reply only (HostConfig) when the thread is clean, and keeps the thread apart', async () => {
    const thread = '<blockquote><p>前次紀錄</p></blockquote>';
    const { host, user, calls } = outlook({ bodyHtml: marked }, { thread });
    const r = await scanAndStrip(host, []);
    expect(r.status).toBe('done');
    expect(calls.filter((c) => c.api === 'body.setAsync').map((c) => c.detail)).toEqual(['html HostConfig']);
    expect(user.thread()).toBe(thread);
    expect(r.status === 'done' && r.clean).toBe(true);
    // The strip's audit event names the policy it was planned under.
    const strips = await db.query<{ data: unknown }>(
      "SELECT data FROM audit_pending WHERE kind = 'mail.strip' ORDER BY id DESC LIMIT 1",
    );
    const event = strips.rows.map((row) => (typeof row.data === 'string' ? JSON.parse(row.data) : row.data))[0];
    expect(event).toMatchObject({
      policyVersion: DEFAULT_POLICY.version,
      policyFingerprint: policyFingerprint(DEFAULT_POLICY),
    });
  });

  it('writes the whole body when the quoted thread itself carries a mark', async () => {
    const thread = '<blockquote><p>前次紀錄：〔密〕舊案金額〔/密〕</p></blockquote>';
    const { host, user, calls } = outlook({ bodyHtml: marked }, { thread });
    const r = await scanAndStrip(host, []);
    expect(r.status === 'done' && r.plan.bodyParts.map((p) => p.level)).toEqual(['機密', '密']);
    expect(calls.filter((c) => c.api === 'body.setAsync').map((c) => c.detail)).toEqual(['html']);
    expect(user.fullBody()).toContain('<blockquote><p>前次紀錄：〔本段機敏內容已自電子郵件移除');
    expect(user.fullBody()).not.toContain('舊案金額');
    expect(r.status === 'done' && r.clean).toBe(true);
  });

  it('takes the number the server gives; the server gets commitments, the salts stay here and go on the paper', async () => {
    const { host, user } = outlook({ bodyHtml: marked });
    const r = await scanAndStrip(host, []);
    if (r.status !== 'done') {
      throw new Error(`strip failed: ${r.message}`);
    }
    expect(r.receiptId).toMatch(OUR_RECEIPT_NUMBER);
    expect(user.fullBody()).toContain(`簽收單號：${r.receiptId}`);
    expect(r.saltsKept).toBe(true);
    expect(salts.load(r.receiptId)).toEqual(r.salts);

    const removed = '〔機密〕預算細節〔/機密〕';
    const receipt = (await api.receipts()).find((x) => x.id === r.receiptId);
    expect(receipt?.parts).toEqual([
      { level: '機密', lengthAtMost: 64, commitment: commitToText(removed, r.salts[0] as string), kind: 'text' },
    ]);
    const event = (
      await db.query<{ data: unknown }>(
        "SELECT data FROM audit_pending WHERE kind = 'mail.strip' ORDER BY id DESC LIMIT 1",
      )
    ).rows.map((row) => (typeof row.data === 'string' ? JSON.parse(row.data) : row.data))[0] as { removed: unknown };
    expect(event.removed).toEqual(receipt?.parts);
    // What the server prints has a blank for the salt; what the pane prints has the salt in it.
    const page = await receiptPage(api, r.receiptId, salts.load(r.receiptId), details.load(r.receiptId));
    expect(page).toContain(r.salts[0]);
    const served = await (
      await api.request('GET', `/api/receipts/${r.receiptId}/print`, undefined, 'text/html')
    ).text();
    expect(served).not.toContain(r.salts[0]);
  });

  it('prints the names, subject and file names from this machine; the server never receives them', async () => {
    const docx = file('doc-1', '甲案預算表.docx', fixture('header-mark.docx'));
    const { host } = outlook({
      subject: '第三季協調會議結論',
      bodyHtml: marked,
      to: [{ emailAddress: 'wang@example.gov.tw', displayName: '王科長' }],
      cc: [{ emailAddress: 'chen@partner.com.tw', displayName: '陳\u202e顧問' }],
      attachments: [docx],
    });
    const sentToServer: unknown[] = [];
    const watched: typeof api = {
      ...api,
      createReceipt: (receipt) => (sentToServer.push(receipt), api.createReceipt(receipt)),
      audit: (event) => (sentToServer.push(event), api.audit(event)),
    };
    const scanner = new ItemScanner(host, nodePdfOptions());
    const before = await scanner.scan(DEFAULT_POLICY);
    const r = await runStrip(
      { host, api: watched, scanner, policy: DEFAULT_POLICY, salts, details },
      { before, removeAttachmentIds: ['doc-1'] },
    );
    if (r.status !== 'done') {
      throw new Error(`strip failed: ${r.message}`);
    }
    // Kept here, in the receipt's order; the bidi override that would make the paper read otherwise is dropped.
    expect(details.load(r.receiptId)).toEqual({
      recipientNames: ['王科長', '陳顧問'],
      subject: '第三季協調會議結論',
      partNames: [null, '甲案預算表.docx'],
      reference: '',
    });
    const local = /王科長|陳|第三季協調會議結論|甲案預算表/;
    expect(JSON.stringify(sentToServer)).not.toMatch(local);
    const served = await (
      await api.request('GET', `/api/receipts/${r.receiptId}/print`, undefined, 'text/html')
    ).text();
    expect(served).not.toMatch(local);
    expect(served.match(/data-local-field="[a-z-]+(?::\d+)?"/g)?.sort()).toEqual(
      [
        'part-name:2',
        'recipient-name:1',
        'recipient-name:1',
        'recipient-name:2',
        'recipient-name:2',
        'reference',
        'subject',
      ].map((f) => `data-local-field="${f}"`),
    );
    const printed = await receiptPage(api, r.receiptId, salts.load(r.receiptId), {
      ...(details.load(r.receiptId) as NonNullable<ReturnType<typeof details.load>>),
      reference: '府授人字第1150012345號',
    });
    for (const shown of ['王科長', '陳顧問', '第三季協調會議結論', '甲案預算表.docx', '府授人字第1150012345號']) {
      expect(printed).toContain(shown);
    }
    expect(printed).not.toContain('由發文人電腦填入');
    // A computer that does not hold them says so, rather than leave a blank that looks like a form to fill in.
    expect(await receiptPage(api, r.receiptId, null, null)).toContain('本電腦未保存');
  });

  it('keeps a marked subject off the paper', async () => {
    const { host } = outlook({ subject: '〔機密〕甲案協調', bodyHtml: marked });
    const r = await scanAndStrip(host, []);
    if (r.status !== 'done') {
      throw new Error(`strip failed: ${r.message}`);
    }
    expect(r.details.subject).toBeNull();
    expect(JSON.stringify(storage.get(`sg.receipt-details.v1.${r.receiptId}`))).not.toContain('甲案協調');
    const printed = await receiptPage(api, r.receiptId, salts.load(r.receiptId), details.load(r.receiptId));
    expect(printed).not.toContain('甲案協調');
    expect(printed).toContain('主旨含密等標示，不列印');
  });

  it('does not write a number it could not print into the mail: that receipt is cancelled, the mail unchanged', async () => {
    const { host, user } = outlook({ bodyHtml: marked });
    const scanner = new ItemScanner(host, nodePdfOptions());
    const before = await scanner.scan(DEFAULT_POLICY);
    const cancelled: string[] = [];
    const odd: typeof api = {
      ...api,
      createReceipt: async (receipt) => ({ ...(await api.createReceipt(receipt)), id: '<b>x' }),
      setReceiptStatus: async (id, status) => void cancelled.push(`${id} ${status}`),
    };
    const r = await runStrip(
      { host, api: odd, scanner, policy: DEFAULT_POLICY, salts, details },
      { before, removeAttachmentIds: [] },
    );
    expect(r).toMatchObject({ status: 'failed', step: 'receipt', mailState: 'unchanged' });
    expect(cancelled).toEqual(['<b>x cancelled']);
    expect(user.fullBody()).toBe(marked);
  });

  it('says which attachments the host would not remove, and lists only what went on the receipt', async () => {
    const docx = file('doc-1', '甲.docx', fixture('header-mark.docx'));
    const odt = file('odt-1', '乙.odt', fixture('header-mark.odt'));
    const { host, user } = outlook(
      { bodyHtml: '<p>附件如附</p>', attachments: [docx, odt] },
      { removeErrors: { 'odt-1': { code: 9009, name: 'AttachmentDeleteGeneralFailure', message: 'cannot' } } },
    );
    const r = await scanAndStrip(host, ['doc-1', 'odt-1']);
    if (r.status !== 'done') {
      throw new Error(`strip failed: ${r.message}`);
    }
    expect(r.notRemoved).toEqual(['乙.odt']);
    expect(r.plan.parts).toEqual([
      { level: '機密', length: docx.size, sha256: expect.any(String), kind: 'attachment' },
    ]);
    expect(r.salts).toHaveLength(1);
    expect(user.fullBody()).toContain('本郵件有 1 個含機敏內容之附件已移除');
    expect(r.clean).toBe(false);
    const receipt = (await api.receipts()).find((x) => x.id === r.receiptId);
    expect(receipt?.parts).toHaveLength(1);
  });

  it('changes nothing without recipients, or with nothing to strip', async () => {
    const none = outlook({ bodyHtml: marked, to: [] });
    const r = await scanAndStrip(none.host);
    expect(r).toMatchObject({ status: 'failed', reason: 'no-recipients', mailState: 'unchanged' });
    expect(none.state.bodyHtml).toBe(marked);

    const r2 = await scanAndStrip(outlook({ bodyHtml: '<p>一般公文</p>' }).host);
    expect(r2).toMatchObject({ status: 'failed', reason: 'nothing-to-strip', mailState: 'unchanged' });
  });

  it('undoes a finished strip: the body back, the files back, the receipt cancelled', async () => {
    const docx = file('doc-2', '丙.docx', fixture('header-mark.docx'));
    const { host, state, user } = outlook({ bodyHtml: marked, attachments: [docx] });
    const r = await scanAndStrip(host, ['doc-2']);
    if (r.status !== 'done') {
      throw new Error(`strip failed: ${r.message}`);
    }
    expect(state.attachments).toEqual([]);
    const undone = await undoStrip(host, api, r.undo);
    expect(undone).toEqual({ complete: true, notRestored: [] });
    expect(user.fullBody()).toBe(marked);
    expect(state.attachments.map((a) => [a.name, a.size])).toEqual([['丙.docx', docx.size]]);
    expect((await api.receipts()).find((x) => x.id === r.receiptId)?.status).toBe('cancelled');
  });
});

/** The built send handler with its own server, for the tests of one describe block. */
function builtSendHandler(): { env: OnSendEnv } {
  const running = {} as { env: OnSendEnv };
  beforeAll(async () => {
    running.env = await startOnSendEnv();
  }, 600_000);
  afterAll(async () => {
    await running.env?.close();
  });
  return running;
}

describe('the built send handler after the pane', () => {
  const running = builtSendHandler();

  it('blocks a PDF it cannot read itself, and sends once the pane has read it and found it clean', async () => {
    const pdf = file('pdf-clean', '議程.pdf', fixture('plain.pdf'));
    const item = createFakeItem({
      subject: '議程',
      bodyHtml: '<p>請參閱議程</p>',
      to: [{ emailAddress: 'wang@example.gov.tw' }],
      attachments: [pdf],
    });
    const before = await fireEvent(running.env, item, ADDIN_ACTIONS.onMessageSend);
    expect(before.event.completions[0]).toMatchObject({
      allowEvent: false,
      errorMessage: expect.stringContaining('附件「議程.pdf」'),
    });
    await settle(before);

    // The pane opens on the same item and reads the PDF with pdfjs.
    const office = createFakeOffice({ mailboxVersion: '1.15', item });
    extendForTaskPane(office, item);
    g.Office = office.Office;
    const outcome = await new ItemScanner(officePaneHost(), nodePdfOptions()).scan(DEFAULT_POLICY);
    expect(outcome.verdict.verdict).toBe('allow');

    const after = await fireEvent(running.env, item, ADDIN_ACTIONS.onMessageSend);
    expect(after.event.completions[0]).toMatchObject({ allowEvent: true });
    await settle(after);
  });

  /** The pane scans `item` with the default policy, as the server serves it, through the real adapter. */
  const paneScan = (item: FakeItemState): ReturnType<ItemScanner['scan']> => {
    const office = createFakeOffice({ mailboxVersion: '1.15', item });
    extendForTaskPane(office, item);
    g.Office = office.Office;
    return new ItemScanner(officePaneHost(), nodePdfOptions()).scan(DEFAULT_POLICY);
  };

  it('an attachment listed as 0 bytes that Outlook answers empty is unreadable in the pane too, never a clean file', async () => {
    const item = createFakeItem({
      subject: '資料',
      bodyHtml: '<p>如附</p>',
      to: [{ emailAddress: 'wang@example.gov.tw' }],
      attachments: [
        {
          id: 'zero-1',
          name: '報告.docx',
          size: 0,
          attachmentType: 'file',
          content: { format: 'base64', content: '' },
        },
      ],
    });
    const outcome = await paneScan(item);
    expect(outcome.verdict.unscannable).toEqual([
      expect.objectContaining({ location: 'attachment:報告.docx', reason: 'unreadable' }),
    ]);
    expect(item.sessionData['sg.attachments'] ?? '').not.toContain('"s":0');

    const run = await fireEvent(running.env, item, ADDIN_ACTIONS.onMessageSend);
    expect(run.event.completions[0]).toMatchObject({ allowEvent: false });
    // The pane's empty result was not reused: the send handler fetched it itself, and once more when it came empty.
    expect(run.office.calls.filter((c) => c.api === 'getAttachmentContentAsync')).toHaveLength(2);
    await settle(run);
  });

  it('an empty answer is not kept: once Outlook delivers the bytes, the send handler reads them and sends', async () => {
    const odt = file('late-1', '議程.odt', fixture('plain.odt'));
    const item = createFakeItem({
      subject: '議程',
      bodyHtml: '<p>請參閱議程</p>',
      to: [{ emailAddress: 'wang@example.gov.tw' }],
      attachments: [{ ...odt, content: { format: 'base64', content: '' } }],
    });
    expect((await paneScan(item)).verdict.unscannable.map((u) => u.reason)).toEqual(['unreadable']);
    item.attachments = [odt];
    const run = await fireEvent(running.env, item, ADDIN_ACTIONS.onMessageSend);
    expect(run.office.calls.filter((c) => c.api === 'getAttachmentContentAsync')).toHaveLength(1);
    expect(run.event.completions[0]).toMatchObject({ allowEvent: true });
    await settle(run);
  });

  /** The verdict the send handler logged for its last decision (the audit event, once it reached the server). */
  const loggedVerdict = async (): Promise<string> => {
    const rows = await running.env.db.query<{ data: unknown }>(
      "SELECT data FROM audit_pending WHERE kind LIKE 'mail.%' ORDER BY id DESC LIMIT 1",
    );
    const data = rows.rows[0]?.data;
    return ((typeof data === 'string' ? JSON.parse(data) : data) as { verdict: string }).verdict;
  };

  /** Scans `item` in the pane under `policy` at `version`, then sends it with `policy` in the mailbox's cache. */
  async function paneThenSend(
    item: FakeItemState,
    policy: Policy,
    version: FakeMailboxVersion = '1.15',
  ): Promise<{ pane: Awaited<ReturnType<ItemScanner['scan']>>; send: string }> {
    const office = createFakeOffice({ mailboxVersion: version, item });
    extendForTaskPane(office, item);
    g.Office = office.Office;
    const pane = await new ItemScanner(officePaneHost(), nodePdfOptions()).scan(policy);
    const mailbox = createFakeMailbox();
    mailbox.roamingSettings['sg.policy'] = { version: policy.version, fetchedAt: Date.now(), policy };
    const run = await fireEvent(running.env, item, ADDIN_ACTIONS.onMessageSend, { mailbox, mailboxVersion: version });
    await settle(run);
    return { pane, send: await loggedVerdict() };
  }

  it('the pane’s verdict is the send’s: a list, an external user and a recipient without an address are external', async () => {
    const warnInside: Policy = {
      ...DEFAULT_POLICY,
      version: 7,
      name: '內部警告',
      internalDomains: ['example.gov.tw'],
      actions: {
        internal: { 機敏: 'warn', 密: 'warn', 機密: 'warn', 極機密: 'warn', 絕對機密: 'warn' },
        external: { 機敏: 'block', 密: 'block', 機密: 'block', 極機密: 'block', 絕對機密: 'block' },
      },
    };
    const inside = { emailAddress: 'wang@example.gov.tw' };
    const cases: [FakeItemState['to'], string][] = [
      [[inside], 'warn'],
      [[inside, { emailAddress: 'all-staff@example.gov.tw', recipientType: 'distributionList' }], 'block'],
      [[{ emailAddress: 'guest@example.gov.tw', recipientType: 'externalUser' }], 'block'],
      [[inside, { emailAddress: '', displayName: '王科長' }], 'block'],
    ];
    for (const [to, expected] of cases) {
      const item = createFakeItem({ subject: '紀錄', bodyHtml: '<p>〔密〕細節〔/密〕</p>', to });
      const { pane, send } = await paneThenSend(item, warnInside);
      expect([to.map((r) => r.recipientType ?? 'user'), pane.verdict.verdict, send]).toEqual([
        to.map((r) => r.recipientType ?? 'user'),
        expected,
        expected,
      ]);
    }
  });

  const LABEL = 'a1b2c3d4-0000-4000-8000-00000000c0de';
  const labelPolicy: Policy = {
    ...DEFAULT_POLICY,
    version: 8,
    name: '標籤政策',
    sensitivityLabels: [{ id: LABEL, level: '機密' }],
  };

  it('a label that cannot be read is unscannable in the pane as at send, never “no label”', async () => {
    const failing = createFakeItem({
      subject: '通知',
      bodyHtml: '<p>一般內容</p>',
      to: [{ emailAddress: 'wang@example.gov.tw' }],
      sensitivityLabel: { error: { code: 9020, name: 'GenericResponseError', message: '' } },
    });
    const read = await paneThenSend(failing, labelPolicy);
    expect(read.pane.verdict.unscannable).toEqual([
      expect.objectContaining({ location: 'label', reason: 'unreadable' }),
    ]);
    expect([read.pane.verdict.verdict, read.send]).toEqual(['block', 'block']);
  });
});

describe('one policy for the pane and the send', () => {
  const running = builtSendHandler();

  it('a policy changed on the server reaches the send handler through the pane: the PDF the pane read counts', async () => {
    const admin = await running.env.entra.token({ oid: 'admin-1', roles: ['Policy.Admin'] });
    const put = (policy: Policy): Promise<Response> =>
      fetch(`${running.env.baseUrl}/api/policy`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify(policy),
      });
    const v2: Policy = { ...DEFAULT_POLICY, version: 2, name: '第二版', internalDomains: ['example.gov.tw'] };
    const v3: Policy = { ...v2, version: 3, name: '第三版' };
    expect((await put(v2)).status).toBe(200);
    expect((await put(v3)).status).toBe(200);
    // The send handler cached version 2 a minute ago: fresh, so it would not ask the server for ten minutes.
    const mailbox = createFakeMailbox();
    mailbox.roamingSettings['sg.policy'] = { version: 2, fetchedAt: Date.now() - 60_000, policy: v2 };
    const item = createFakeItem({
      subject: '議程',
      bodyHtml: '<p>請參閱議程</p>',
      to: [{ emailAddress: 'wang@example.gov.tw' }],
      attachments: [file('pdf-drift', '議程.pdf', fixture('plain.pdf'))],
    });

    const office = createFakeOffice({ mailboxVersion: '1.15', item, mailbox });
    extendForTaskPane(office, item);
    g.Office = office.Office;
    const host = officePaneHost();
    const sender = await running.env.entra.token({ oid: 'sender-1' });
    const paneApi = createApiClient({ baseUrl: running.env.baseUrl, getToken: async () => sender, fetch });
    const loaded = await loadPolicy(paneApi, host);
    expect([loaded.source, loaded.policy.version]).toEqual(['server', 3]);
    const outcome = await new ItemScanner(host, nodePdfOptions()).scan(loaded.policy);
    expect(outcome.verdict.verdict).toBe('allow');
    await settleRoaming();

    const run = await fireEvent(running.env, item, ADDIN_ACTIONS.onMessageSend, { mailbox });
    expect(run.office.calls.filter((c) => c.api === 'getAttachmentContentAsync')).toEqual([]);
    expect(run.event.completions[0]).toEqual({ allowEvent: true });
    await settle(run);
  });

  it('the server unreachable, the pane shows the policy the send handler holds, and says so', async () => {
    const mailbox = createFakeMailbox();
    const held: Policy = { ...DEFAULT_POLICY, version: 4, name: '既有政策' };
    mailbox.roamingSettings['sg.policy'] = { version: 4, fetchedAt: Date.now() - 3600_000, policy: held };
    const office = createFakeOffice({ mailboxVersion: '1.15', item: createFakeItem(), mailbox });
    g.Office = office.Office;
    const down = createApiClient({
      baseUrl: running.env.baseUrl,
      getToken: async () => 'x',
      fetch: () => Promise.reject(new TypeError('fetch failed')),
    });
    expect(await loadPolicy(down, officePaneHost())).toMatchObject({ source: 'cached', policy: held });
    g.Office = createFakeOffice({ mailboxVersion: '1.15', item: createFakeItem() }).Office;
    expect(await loadPolicy(down, officePaneHost())).toMatchObject({ source: 'default', policy: DEFAULT_POLICY });
  });
});

describe('a reason given in the pane, then the built send handler', () => {
  const running = builtSendHandler();
  const warnInside: Policy = {
    ...DEFAULT_POLICY,
    version: 5,
    name: '內部警告',
    internalDomains: ['example.gov.tw'],
    actions: {
      internal: { 機敏: 'warn', 密: 'warn', 機密: 'warn', 極機密: 'block', 絕對機密: 'block' },
      external: { 機敏: 'block', 密: 'block', 機密: 'block', 極機密: 'block', 絕對機密: 'block' },
    },
    unscannable: { internal: 'warn', external: 'block' },
  };
  const REASON = '收件人均為本案承辦同仁，科長已核准以電子郵件傳送。';

  beforeAll(async () => {
    const admin = await running.env.entra.token({ oid: 'admin-1', roles: ['Policy.Admin'] });
    const res = await fetch(`${running.env.baseUrl}/api/policy`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify(warnInside),
    });
    expect(res.status).toBe(200);
  });

  /** A mail warned about for marks in the body, an .odt, a PDF only the pane reads, a zip, a forwarded item, and
   * an attachment Outlook will not hand over: every kind of place the two must name alike. */
  const warnedMail = (): FakeItemState => {
    const eml = fixture('big5-mail.eml');
    return createFakeItem({
      subject: '協調會議資料',
      bodyHtml: '<p>請參閱：〔密〕下週協調會議時程〔/密〕</p><p>機敏資料</p>',
      to: [{ emailAddress: 'wang@example.gov.tw' }],
      attachments: [
        file('ov-odt', '簡報.odt', fixture('watermark.odt')),
        file('ov-pdf', '附件二.pdf', fixture('header-mark.pdf')),
        file('ov-zip', '資料.zip', fixture('nested.zip')),
        {
          id: 'ov-item',
          name: '地區劃分會議',
          size: eml.length,
          attachmentType: 'item',
          content: { format: 'eml', content: eml.toString('latin1') },
        },
        {
          id: 'ov-bad',
          name: '壞掉.docx',
          size: 100,
          attachmentType: 'file',
          content: { error: OFFICE_ERRORS.InvalidAttachmentId },
        },
      ],
    });
  };

  /** Opens the pane on `item` as the user does: the server's policy (kept for the send handler), then the scan. */
  async function openPane(item: FakeItemState, mailbox: FakeMailboxState, version: FakeMailboxVersion = '1.15') {
    const office = createFakeOffice({ mailboxVersion: version, item, mailbox });
    extendForTaskPane(office, item);
    g.Office = office.Office;
    const host = officePaneHost();
    const sender = await running.env.entra.token({ oid: 'sender-1', name: '王承辦' });
    const paneApi = createApiClient({ baseUrl: running.env.baseUrl, getToken: async () => sender, fetch });
    const loaded = await loadPolicy(paneApi, host);
    expect([loaded.source, loaded.policy.version]).toEqual(['server', warnInside.version]);
    const outcome = await new ItemScanner(host, nodePdfOptions()).scan(loaded.policy);
    await settleRoaming();
    return { host, outcome, paneApi };
  }

  const overrides = async (): Promise<
    { justification?: string; client?: string; policySource?: string; policyFingerprint?: string }[]
  > => {
    const rows = await running.env.db.query<{ data: unknown }>(
      "SELECT data FROM audit_pending WHERE kind = 'mail.override' ORDER BY id",
    );
    return rows.rows.map(
      (r) => (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as { justification?: string },
    );
  };
  const sendNow = async (item: FakeItemState, mailbox: FakeMailboxState): Promise<EventRun> => {
    const run = await fireEvent(running.env, item, ADDIN_ACTIONS.onMessageSend, { mailbox });
    await settle(run);
    return run;
  };

  it('the pane’s grant matches the send handler’s verdict, place for place: the next send goes, logged as an override', async () => {
    const item = warnedMail();
    const mailbox = createFakeMailbox();
    const stopped = await sendNow(item, mailbox);
    // The PDF is for the pane to read first; the reason is asked there too.
    expect(stopped.event.completions[0]).toMatchObject({ allowEvent: false, cancelLabel: '在窗格中檢查' });
    expect(stopped.event.completions[0]!.errorMessage).toContain('請在窗格中填寫理由');

    const { host, outcome, paneApi } = await openPane(item, mailbox);
    expect(outcome.verdict.verdict).toBe('warn');
    const places = new Set([...outcome.verdict.findings, ...outcome.verdict.unscannable].map((f) => f.location));
    // Marks in the body, inside the .odt, the PDF, the zip and the forwarded item; the attachment Outlook withheld.
    for (const where of [
      'body',
      'attachment:簡報.odt',
      'attachment:附件二.pdf',
      'attachment:資料.zip',
      'attachment:地區劃分會議',
      'attachment:壞掉.docx',
    ]) {
      expect([...places].some((p) => p === where || p.startsWith(`${where}/`) || p.startsWith(`${where}#`))).toBe(true);
    }
    expect(outcome.verdict.unscannable).toEqual([
      expect.objectContaining({ location: 'attachment:壞掉.docx', reason: 'unreadable' }),
    ]);
    const before = (await overrides()).length;
    expect(
      await recordOverride(
        { api: paneApi, host, client: 'outlook-addin/taskpane', policySource: 'server' },
        outcome,
        REASON,
      ),
    ).toEqual({ status: 'granted' });
    expect(JSON.parse(item.sessionData[OVERRIDE_KEY]!)).toMatchObject({
      v: 1,
      p: expect.any(String),
      h: expect.stringMatching(/^[0-9a-f]{64}$/),
    });

    const sent = await sendNow(item, mailbox);
    expect(sent.event.completions).toEqual([{ allowEvent: true }]);
    const logged = (await overrides()).slice(before);
    // The reason from the pane, then the send it let through.
    expect(logged.map((e) => [e.client, e.justification])).toEqual([
      ['outlook-addin/taskpane', REASON],
      ['outlook-addin/on-send', undefined],
    ]);
    // Both judged under the same document, and each event says which: the pane fetched it, the send used the copy
    // the pane left in roaming settings.
    expect(logged.map((e) => [e.policySource, e.policyFingerprint])).toEqual([
      ['server', policyFingerprint(outcome.policy)],
      ['cached', policyFingerprint(outcome.policy)],
    ]);
  });

  it('a mark added after the reason was given stops the send again', async () => {
    const item = warnedMail();
    const mailbox = createFakeMailbox();
    const { host, outcome, paneApi } = await openPane(item, mailbox);
    expect(
      (await recordOverride({ api: paneApi, host, client: 'outlook-addin/taskpane' }, outcome, REASON)).status,
    ).toBe('granted');
    item.subject = '【機敏】協調會議資料';
    const run = await sendNow(item, mailbox);
    expect(run.event.completions[0]).toMatchObject({ allowEvent: false, cancelLabel: '填寫理由' });
  });

  it('a reason the server did not record writes no grant, and the send stays stopped', async () => {
    const item = warnedMail();
    const mailbox = createFakeMailbox();
    const { host, outcome } = await openPane(item, mailbox);
    const refused = createApiClient({ baseUrl: running.env.baseUrl, getToken: async () => 'not-a-token', fetch });
    const before = (await overrides()).length;
    const r = await recordOverride({ api: refused, host, client: 'outlook-addin/taskpane' }, outcome, REASON);
    expect(r.status).toBe('not-logged');
    expect(item.sessionData[OVERRIDE_KEY]).toBeUndefined();
    expect((await overrides()).length).toBe(before);
    const run = await sendNow(item, mailbox);
    expect(run.event.completions[0]).toMatchObject({ allowEvent: false });
  });

  it('a grant Outlook would not store is reported as not handed over (logged, not granted), and the send stays stopped', async () => {
    const item = createFakeItem({
      subject: '協調會議資料',
      bodyHtml: '<p>機敏資料</p>',
      to: [{ emailAddress: 'wang@example.gov.tw' }],
    });
    // sessionData all but full (50,000 characters below Mailbox 1.16): the grant does not fit.
    item.sessionData['other.addin.state'] = 'x'.repeat(49_960);
    const mailbox = createFakeMailbox();
    const { host, outcome, paneApi } = await openPane(item, mailbox);
    const r = await recordOverride({ api: paneApi, host, client: 'outlook-addin/taskpane' }, outcome, REASON);
    expect(r).toMatchObject({ status: 'not-granted', message: expect.stringMatching(/sessionData|50000/) });
    expect(item.sessionData[OVERRIDE_KEY]).toBeUndefined();
    const run = await sendNow(item, mailbox);
    expect(run.event.completions[0]).toMatchObject({ allowEvent: false });
  });

  it('below Mailbox 1.11 there is no sessionData: the pane cannot grant, and says so instead of asking', async () => {
    const item = createFakeItem();
    const office = createFakeOffice({ mailboxVersion: '1.10', item });
    extendForTaskPane(office, item);
    g.Office = office.Office;
    expect(officePaneHost().canGrantOverride()).toBe(false);
    g.Office = createFakeOffice({ mailboxVersion: '1.11', item: createFakeItem() }).Office;
    expect(officePaneHost().canGrantOverride()).toBe(true);
  });
});

/** Lets the roaming settings' background save reach the mailbox. */
const settleRoaming = (): Promise<void> => new Promise((r) => setTimeout(r, 20));
