/**
 * An attachment Outlook answers with Succeeded and no content (office-js #6098, #5614) is asked for once more within
 * the same read before it is judged: empty then content is scanned; empty twice stays unreadable (fail closed).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import { readAttachmentContent } from '../../../addin/office';
import { scanAttachment, sendExtractOptions } from '../../../addin/on-send/attachment-scan';
import { DEFAULT_POLICY } from '../../../src/core';
import { budgetFor } from '../../../src/extract/budget';
import { createFakeItem, createFakeOffice, type FakeAttachment } from '../../fakes/office';

const host = globalThis as { Office?: unknown; OfficeRuntime?: unknown };
const marked = readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'docs', 'header-mark.docx'));

function install(emptyAnswers: number) {
  const attachment: FakeAttachment = {
    id: 'att-1',
    name: '會議資料.docx',
    size: marked.length,
    attachmentType: 'file',
    content: { format: 'base64', content: marked.toString('base64') },
    emptyAnswers,
  };
  const fake = createFakeOffice({ mailboxVersion: '1.15', item: createFakeItem({ attachments: [attachment] }) });
  host.Office = fake.Office;
  host.OfficeRuntime = fake.OfficeRuntime;
  const fetches = (): number => fake.calls.filter((c) => c.api === 'getAttachmentContentAsync').length;
  return { attachment, fetches };
}

afterEach(() => {
  delete host.Office;
  delete host.OfficeRuntime;
});

describe('an empty answer is asked for once more', () => {
  it('the adapter: empty, then the bytes; a second empty answer stands; content at once is fetched once', async () => {
    let fake = install(1);
    expect(await readAttachmentContent('att-1')).toEqual({ format: 'base64', content: marked.toString('base64') });
    expect(fake.fetches()).toBe(2);

    fake = install(2);
    expect(await readAttachmentContent('att-1')).toEqual({ format: 'base64', content: '' });
    expect(fake.fetches()).toBe(2);

    fake = install(0);
    expect((await readAttachmentContent('att-1')).content).toBe(marked.toString('base64'));
    expect(fake.fetches()).toBe(1);
  });

  it('at send: empty then content is scanned and its mark found', async () => {
    const { attachment } = install(1);
    const scan = await scanAttachment(
      { ...attachment, isInline: false },
      DEFAULT_POLICY,
      sendExtractOptions(budgetFor(DEFAULT_POLICY.limits)),
    );
    expect(scan.unscannable).toEqual([]);
    expect(scan.findings.map((f) => f.location)).toContain('attachment:會議資料.docx/word/header1.xml#header');
  });

  it('at send: empty twice is unreadable, never a clean file', async () => {
    const { attachment, fetches } = install(2);
    const scan = await scanAttachment(
      { ...attachment, isInline: false },
      DEFAULT_POLICY,
      sendExtractOptions(budgetFor(DEFAULT_POLICY.limits)),
    );
    expect(scan.findings).toEqual([]);
    expect(scan.unscannable).toEqual([{ location: 'attachment:會議資料.docx', reason: 'unreadable' }]);
    expect(scan.definitive).toBe(false);
    expect(fetches()).toBe(2);
  });
});
