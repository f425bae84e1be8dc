/**
 * Names are content (issue 11 §2): an attachment's file name, a path in an archive, a sheet, slide or object name is
 * read at position `name`, and a mark there marks the whole attachment.
 */
import { decide, MAX_NAME_LENGTH, readName } from '../../../src/core/decide';
import { detectSegment } from '../../../src/core/detect';
import { DEFAULT_POLICY, type Policy } from '../../../src/core/policy';
import { stripText } from '../../../src/core/strip';
import type { TextSegment, Unscannable } from '../../../src/core/types';

const nameFindings = (text: string) => detectSegment({ location: 'attachment:x#name', text, position: 'name' });

describe('a mark in a name', () => {
  it.each([
    ['【機密】115年度國防預算分配表.csv', '機密'],
    ['機密-底價', '機密'],
    ['115年度預算_密.xlsx', '密'],
    ['密_採購評選委員名單.docx', '密'],
    ['〔極機密〕作戰計畫.pptx', '極機密'],
    ['機敏資料_個資盤點.xlsx', '機敏'],
    ['plan_SECRET.docx', '極機密'],
    ['TOPSECRET.pdf', '絕對機密'],
  ])('%s is read as %s', (name, level) => {
    expect(nameFindings(name).map((f) => f.level)).toContain(level);
  });

  it.each([
    '密碼變更說明.docx',
    '保密宣導.pptx',
    '機密性評估表.xlsx',
    '公務機密維護手冊.pdf',
    '機密、極機密、絕對機密說明.pptx',
    '加密軟體安裝手冊.docx',
    'Secret Santa.xlsx',
    'SECRETARY_名冊.xlsx',
    '工作表1',
  ])('%s is not a mark', (name) => {
    expect(nameFindings(name)).toEqual([]);
  });

  it('counts a bare 密 between separators, which a subject or body does not: a name is a few chosen words', () => {
    expect(nameFindings('115年度預算_密.xlsx').map((f) => f.rule)).toEqual(['name.marking']);
    expect(detectSegment({ location: 'subject', text: '115年度預算_密.xlsx', position: 'subject' })).toEqual([]);
    expect(detectSegment({ location: 'body', text: '115年度預算_密.xlsx', position: 'body' })).toEqual([]);
  });
});

describe('deciding on a marked attachment name', () => {
  const strippingPolicy: Policy = {
    ...DEFAULT_POLICY,
    actions: {
      internal: { 機敏: 'strip', 密: 'strip', 機密: 'strip', 極機密: 'strip', 絕對機密: 'strip' },
      external: { 機敏: 'strip', 密: 'strip', 機密: 'strip', 極機密: 'strip', 絕對機密: 'strip' },
    },
  };

  it('marks the whole attachment, though nothing in it was read: not strippable, so strip becomes block', () => {
    const v = decide(
      {
        subject: '預算資料',
        bodyText: '請參閱附件。',
        attachments: [{ name: '【機密】115年度國防預算分配表.csv', segments: [] }],
      },
      strippingPolicy,
    );
    expect(v.verdict).toBe('block');
    expect(v.level).toBe('機密');
    expect(v.findings.map((f) => [f.location, f.strippable])).toEqual([
      ['attachment:【機密】115年度國防預算分配表.csv#name', false],
    ]);
  });

  it('is read even where the content was not (an unscannable cloud file)', () => {
    const v = decide(
      {
        attachments: [
          {
            name: '機密_底價.xlsx',
            segments: [],
            unscannable: [{ location: 'attachment:機密_底價.xlsx', reason: 'cloud-attachment' }],
          },
        ],
      },
      DEFAULT_POLICY,
    );
    expect(v.findings.map((f) => `${f.location} ${f.level}`)).toEqual(['attachment:機密_底價.xlsx#name 機密']);
  });

  it('leaves ordinary names alone', () => {
    const v = decide(
      {
        bodyText: '附件如附。',
        attachments: [
          { name: '密碼變更說明.docx', segments: [] },
          { name: '保密宣導.pptx', segments: [] },
          { name: '機密性評估表.xlsx', segments: [] },
        ],
      },
      DEFAULT_POLICY,
    );
    expect(v).toMatchObject({ verdict: 'allow', findings: [], unscannable: [] });
  });

  it('never strips the body for a name: a name is not in the body', () => {
    const r = stripText('附件：機密_底價.xlsx 請查收。');
    expect(r.removed).toEqual([]);
  });
});

describe('readName', () => {
  it('reads a name at <location>#name, and nothing for a blank one', () => {
    const into: { segments: TextSegment[]; unscannable: Unscannable[] } = { segments: [], unscannable: [] };
    readName('機密.docx', 'attachment:a.zip/機密.docx', into);
    readName('   ', 'attachment:a.zip/blank', into);
    expect(into).toEqual({
      segments: [{ location: 'attachment:a.zip/機密.docx#name', text: '機密.docx', position: 'name' }],
      unscannable: [],
    });
  });

  it('reports a name past the bound unscannable instead of reading part of it', () => {
    const into: { segments: TextSegment[]; unscannable: Unscannable[] } = { segments: [], unscannable: [] };
    readName(`${'a'.repeat(MAX_NAME_LENGTH)}機密`, 'attachment:long', into);
    expect(into.segments).toEqual([]);
    expect(into.unscannable.map((u) => [u.location, u.reason])).toEqual([['attachment:long#name', 'too-large']]);
    const v = decide({ attachments: [{ name: `${'a'.repeat(MAX_NAME_LENGTH)}.txt`, segments: [] }] }, DEFAULT_POLICY);
    expect(v.verdict).not.toBe('allow');
  });
});
