/**
 * A mark in an attachment's name (issue 11 §2), in both add-in paths against the Office host fake: the send handler
 * stops the send, including where the content could not be read (a cloud file), and the task pane shows the finding
 * on that attachment, so the strip plan takes the file out. Ordinary names beside them pass.
 */
import { enforceSend } from '../../../addin/on-send/enforce';
import { placeName, ruleName } from '../../../addin/on-send/messages';
import { POLICY_SETTING } from '../../../addin/on-send/policy-source';
import { messages } from '../../../addin/taskpane/messages';
import { officePaneHost } from '../../../addin/taskpane/office-host';
import { ItemScanner } from '../../../addin/taskpane/services/scanner';
import { nodePdfOptions } from '../../../src/cli/pdf-loader';
import { DEFAULT_POLICY, type Policy } from '../../../src/core';
import { extendForTaskPane } from '../../../src/dev/fakes/office/task-pane';
import { ADDIN_ACTIONS } from '../../../src/shared/app-ids';
import {
  createFakeItem,
  createFakeMailbox,
  createFakeOffice,
  type FakeAttachment,
  type FakeItemState,
  SSO_ERRORS,
} from '../../fakes/office';

const g = globalThis as unknown as Record<string, unknown>;

afterEach(() => {
  delete g.Office;
  delete g.OfficeRuntime;
});

/** An agency's policy: 機密 is blocked, unread content only warned about, the send prompts on a warning. */
const POLICY: Policy = {
  ...DEFAULT_POLICY,
  version: 7,
  internalDomains: ['example.gov.tw'],
  unscannable: { internal: 'warn', external: 'warn' },
};

let ids = 0;
const csv = (name: string): FakeAttachment => {
  const bytes = Buffer.from('項目,金額\n文具,1200\n');
  return {
    id: `att-${++ids}`,
    name,
    size: bytes.length,
    attachmentType: 'file',
    content: { format: 'base64', content: bytes.toString('base64') },
  };
};
const cloud = (name: string): FakeAttachment => ({
  id: `att-${++ids}`,
  name,
  size: 0,
  attachmentType: 'cloud',
  content: { format: 'url', content: 'https://example.sharepoint.com/x' },
});

function install(item: FakeItemState) {
  const mailbox = createFakeMailbox();
  // A fresh cached policy, so the send asks no server; SSO fails, so nothing tries the network either.
  mailbox.roamingSettings[POLICY_SETTING] = { version: POLICY.version, fetchedAt: Date.now(), policy: POLICY };
  const office = createFakeOffice({
    mailboxVersion: '1.15',
    item,
    mailbox,
    accessToken: SSO_ERRORS.ClientError,
  });
  g.Office = office.Office;
  g.OfficeRuntime = office.OfficeRuntime;
  return office;
}

async function send(attachments: FakeAttachment[]): Promise<Record<string, unknown> | undefined> {
  const item = createFakeItem({
    subject: '預算資料',
    bodyHtml: '<p>請參閱附件。</p>',
    to: [{ emailAddress: 'chen@example.gov.tw' }],
    attachments,
  });
  const office = install(item);
  const event = office.event(ADDIN_ACTIONS.onMessageSend);
  enforceSend(event as never);
  return event.whenCompleted();
}

describe('the send handler', () => {
  it('stops a mail whose attachment is marked only in its name', async () => {
    const blocked = await send([csv('【機密】115年度國防預算分配表.csv')]);
    expect(blocked).toMatchObject({ allowEvent: false });
    expect(blocked?.sendModeOverride).toBeUndefined();
    expect(String(blocked?.errorMessage)).toContain('最高密等為「機密」');
    // The same content under an ordinary name goes.
    expect(await send([csv('密碼變更說明.csv')])).toMatchObject({ allowEvent: true });
  });

  it('reads the name of an attachment whose content it cannot read: a marked cloud file is blocked, not warned', async () => {
    const marked = await send([cloud('機密_底價.xlsx')]);
    expect(marked).toMatchObject({ allowEvent: false });
    expect(marked?.sendModeOverride).toBeUndefined();
    expect(String(marked?.errorMessage)).toContain('最高密等為「機密」');
    expect(String(marked?.errorMessage)).toContain('附件「機密_底價.xlsx」名稱');
    // Only unread under an ordinary name: the policy's warning, which the sender may send past.
    const unread = await send([cloud('保密宣導.xlsx')]);
    expect(unread).toMatchObject({ allowEvent: false, sendModeOverride: 'promptUser' });
    expect(String(unread?.errorMessage)).not.toContain('最高密等');
  });
});

describe('the task pane', () => {
  it('shows a mark in an attachment’s name as a finding on that attachment, which the strip plan removes', async () => {
    const marked = csv('115年度預算_密.csv');
    const plain = csv('保密宣導.csv');
    const item = createFakeItem({ bodyHtml: '<p>附件如附</p>', to: [{ emailAddress: 'chen@example.gov.tw' }] });
    item.attachments.push(marked, plain);
    const office = install(item);
    extendForTaskPane(office, item, {});
    const outcome = await new ItemScanner(officePaneHost(), nodePdfOptions()).scan(POLICY);
    expect(outcome.verdict.level).toBe('密');
    expect(outcome.attachments.map((a) => [a.name, a.highest])).toEqual([
      ['115年度預算_密.csv', '密'],
      ['保密宣導.csv', null],
    ]);
    const group = outcome.groups.find((gr) => gr.attachmentName === '115年度預算_密.csv');
    expect(group?.findings.map((f) => [f.rule, f.level, f.part, f.strippable])).toEqual([
      ['name.marking', '密', '#name', false],
    ]);
    expect(outcome.groups.some((gr) => gr.attachmentName === '保密宣導.csv')).toBe(false);
    // The pane says where: the file's own name, or a name inside it.
    expect(messages('zh-TW').part('#name')).toBe('位置：附件檔名');
    expect(messages('en').part('xl/workbook.xml#name')).toBe('Where: xl/workbook.xml (name)');
    expect(messages('zh-TW').rule('name.marking')).toMatch(/^名稱中的標示/);
  });
});

describe('the send dialog', () => {
  it('says where a name mark is and what it is, in both languages', () => {
    expect(placeName('attachment:資料.zip/機密/報價單.txt#name', 'zh-TW')).toBe('附件「資料.zip/機密/報價單.txt」名稱');
    expect(placeName('attachment:底價.xlsx/xl/workbook.xml#name', 'zh-TW')).toBe('附件「底價.xlsx」名稱');
    expect(placeName('attachment:機密_底價.xlsx#name', 'en')).toBe('Attachment “機密_底價.xlsx” name');
    expect(ruleName('name.marking', 'zh-TW')).toBe('名稱中的密等標示');
    expect(ruleName('name.marking', 'en')).toBe('classification mark in a name');
  });
});
