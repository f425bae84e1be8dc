import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import fc from 'fast-check';

import { messages } from '../../../../addin/taskpane/messages';
import { groupFindings, locate } from '../../../../addin/taskpane/model/findings';
import { tabOf, viewFromContext } from '../../../../addin/taskpane/model/initial-view';
import { checkJustification, repeatsContent } from '../../../../addin/taskpane/model/justification';
import { wrapSelection } from '../../../../addin/taskpane/model/mark-selection';
import {
  attachmentPlaceholderText,
  planStrip,
  removeCidReferences,
  type ScannedAttachment,
} from '../../../../addin/taskpane/model/strip-plan';
import { createTokenProvider } from '../../../../addin/taskpane/services/auth';
import {
  decide,
  DEFAULT_POLICY,
  detectOptionsFor,
  detectSegment,
  type Finding,
  htmlToText,
  LEVELS,
  placeholderText,
  RECEIPT_NUMBER_PATTERN,
} from '../../../../src/core';
import { OUR_RECEIPT_NUMBER, receiptNumber, taiwanDate } from '../../../../src/shared/receipt-number';

const sha = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

describe('receipt numbers', () => {
  it('are SG-<Taiwan date>-<six Crockford characters> and pass the server and stripper pattern', () => {
    // 2026-11-24 17:30 UTC is already 25 November in Taiwan.
    const n = receiptNumber(new Date('2026-11-24T17:30:00Z'), new Uint8Array([0, 1, 31, 32, 255, 200]));
    expect(n).toBe('SG-20261125-01Z0Z8');
    expect(n).toMatch(OUR_RECEIPT_NUMBER);
    expect(n).toMatch(RECEIPT_NUMBER_PATTERN);
    expect(() => placeholderText(n)).not.toThrow();
    expect(taiwanDate(new Date('2026-11-24T15:59:59Z'))).toBe('20261124');
    expect(taiwanDate(new Date('2026-11-24T16:00:00Z'))).toBe('20261125');
  });

  it('never uses I, L, O or U, and needs six random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 6, maxLength: 6 }), fc.date({ noInvalidDate: true }), (bytes, date) => {
        const n = receiptNumber(date, bytes);
        expect(n.slice(-6)).not.toMatch(/[ILOU]/);
        expect(n).toMatch(RECEIPT_NUMBER_PATTERN);
      }),
    );
    expect(() => receiptNumber(new Date(), new Uint8Array(5))).toThrow(RangeError);
  });
});

describe('grouping findings', () => {
  const f = (location: string, level: Finding['level'], rule = 'portion'): Finding => ({
    rule,
    level,
    location,
    excerpt: 'x',
    strippable: false,
  });

  it('groups by subject, body, label and each attachment, in the order the mail reads', () => {
    const groups = groupFindings(
      [
        f('attachment:b.docx/word/header1.xml#header', '機密'),
        f('body', '密'),
        f('attachment:會議/資料.odt/styles.xml#header', '極機密'),
        f('subject', '機密', 'level.bracketed'),
        f('body', '極機密'),
        f('attachment:b.docx', '密'),
      ],
      [{ location: 'attachment:scan.pdf', reason: 'image-only' }],
      ['會議/資料.odt', 'b.docx', 'scan.pdf'],
    );
    expect(groups.map((g) => [g.key, g.highest, g.findings.length, g.unscannable.length])).toEqual([
      ['subject', '機密', 1, 0],
      ['body', '極機密', 2, 0],
      ['attachment:會議/資料.odt', '極機密', 1, 0],
      ['attachment:b.docx', '機密', 2, 0],
      ['attachment:scan.pdf', null, 0, 1],
    ]);
    expect(groups[2]?.findings[0]?.part).toBe('styles.xml#header');
    expect(groups[3]?.findings.map((x) => x.part)).toEqual(['word/header1.xml#header', '']);
  });

  it('names an attachment it does not know by the location up to the first slash', () => {
    expect(locate('attachment:x.zip/inner/a.odt', [])).toEqual({
      key: 'attachment:x.zip',
      kind: 'attachment',
      attachmentName: 'x.zip',
      part: 'inner/a.odt',
    });
    expect(locate('label', [])).toMatchObject({ kind: 'label' });
  });
});

describe('mark selection', () => {
  it('wraps HTML right around the visible text, inside the paragraphs, for every level', () => {
    for (const level of LEVELS) {
      const r = wrapSelection({ data: '<p><b>秘密內容</b> 第二句</p>', format: 'html', source: 'body' }, level);
      expect(r).toEqual({ ok: true, data: `<p><b>〔${level}〕秘密內容</b> 第二句〔/${level}〕</p>` });
      // The core reads the wrapped selection as one strippable region of that level.
      const findings = detectSegment({ location: 'body', text: htmlToText(r.ok ? r.data : '').text });
      expect(findings).toEqual([expect.objectContaining({ rule: 'region.delimited', level, strippable: true })]);
    }
  });

  it('spans paragraphs without adding empty ones', () => {
    const r = wrapSelection({ data: '\n<p>一</p>\n<p>二 &amp; 三</p>\n', format: 'html', source: 'body' }, '機密');
    expect(r).toEqual({ ok: true, data: '\n<p>〔機密〕一</p>\n<p>二 &amp; 三〔/機密〕</p>\n' });
  });

  it('wraps plain text and trims surrounding blanks', () => {
    expect(wrapSelection({ data: '  會議結論\u3000', format: 'text', source: 'body' }, '密')).toEqual({
      ok: true,
      data: '  〔密〕會議結論〔/密〕\u3000',
    });
  });

  it('refuses an empty selection, the subject, and an already-marked selection', () => {
    expect(wrapSelection({ data: '', format: 'html', source: 'body' }, '機密')).toEqual({ ok: false, reason: 'empty' });
    expect(wrapSelection({ data: '<p> &nbsp;<br></p>', format: 'html', source: 'body' }, '機密')).toEqual({
      ok: false,
      reason: 'empty',
    });
    expect(wrapSelection({ data: '主旨', format: 'text', source: 'subject' }, '機密')).toEqual({
      ok: false,
      reason: 'subject',
    });
    expect(wrapSelection({ data: '〔機密〕已標示〔/機密〕', format: 'text', source: 'body' }, '密')).toEqual({
      ok: false,
      reason: 'already-marked',
    });
  });
});

describe('strip plan', () => {
  const receipt = 'SG-20261125-7K3QXM';
  const file = (over: Partial<ScannedAttachment>): ScannedAttachment => ({
    id: 'att-1',
    name: '會議資料.docx',
    size: 2048,
    attachmentType: 'file',
    isInline: false,
    highest: '機密',
    sha256: 'a'.repeat(64),
    ...over,
  });
  const thread =
    '<div id="divRplyFwdMsg"><p><b>From:</b> 王科長</p></div><blockquote><p>前次會議紀錄，無標示。</p></blockquote>';
  const body = `<html><body><p style="color:red">您好，</p><p>〔機密〕<b>預算</b>細節〔/機密〕</p><p>謝謝</p>${thread}</body></html>`;

  it('strips the marked region, keeps the other HTML and the quoted thread, and lists parts without text', () => {
    const plan = planStrip({
      body,
      format: 'html',
      attachments: [],
      removeAttachmentIds: [],
      policy: DEFAULT_POLICY,
      receiptNumber: receipt,
    });
    expect(plan.bodyChanged).toBe(true);
    expect(plan.body).toContain('<p style="color:red">您好，</p>');
    expect(plan.body).toContain('<p>謝謝</p>');
    expect(plan.body).toContain(thread);
    expect(plan.body).toContain(`簽收單號：${receipt}`);
    expect(plan.body).not.toContain('預算');
    const removed = '〔機密〕預算細節〔/機密〕';
    expect(plan.parts).toEqual([{ level: '機密', length: removed.length, sha256: sha(removed), kind: 'text' }]);
    expect(plan.remaining).toEqual([]);
    expect(decide({ bodyHtml: plan.body }, DEFAULT_POLICY).verdict).toBe('allow');
  });

  it('removes marked file attachments and edits inline images out by their cid; cloud files cannot go', () => {
    const html = '<body><p>見附件</p><p><img src="cid:image001.png@01DB" alt="圖"> 說明</p></body>';
    const plan = planStrip({
      body: html,
      format: 'html',
      attachments: [
        file({}),
        file({ id: 'att-2', name: 'image001.png', isInline: true, contentId: 'image001.png@01DB', size: 10 }),
        file({ id: 'att-3', name: 'link', attachmentType: 'cloud' }),
        file({ id: 'att-4', name: 'plain.txt', highest: null }),
        file({ id: 'att-5', name: 'unread.pdf', highest: '密', sha256: undefined }),
        file({ id: 'att-6', name: 'ghost.png', isInline: true, contentId: 'nowhere' }),
      ],
      removeAttachmentIds: ['att-1', 'att-2', 'att-3', 'att-5', 'att-6'],
      policy: DEFAULT_POLICY,
      receiptNumber: receipt,
    });
    expect(plan.attachments.map((a) => [a.attachment.id, a.how])).toEqual([
      ['att-1', 'remove'],
      ['att-2', 'edit-cid'],
    ]);
    expect(plan.cannotRemove.map((c) => [c.attachment.id, c.reason])).toEqual([
      ['att-3', 'cloud'],
      ['att-5', 'not-read'],
      ['att-6', 'inline-not-in-body'],
    ]);
    expect(plan.body).not.toContain('cid:image001');
    expect(plan.body).toContain('說明');
    expect(plan.body.startsWith(`<body><p>${'〔本郵件有 2 個'}`)).toBe(true);
    expect(plan.body).not.toContain('會議資料.docx');
    expect(plan.parts).toEqual([
      { level: '機密', length: 2048, sha256: 'a'.repeat(64), kind: 'attachment' },
      { level: '機密', length: 10, sha256: 'a'.repeat(64), kind: 'attachment' },
    ]);
  });

  it('counts an inline image that went with a stripped region as removed', () => {
    const html = '<p>〔密〕圖：<img src="cid:a@b">〔/密〕</p><p>其餘</p>';
    const plan = planStrip({
      body: html,
      format: 'html',
      attachments: [file({ id: 'i', isInline: true, contentId: '<a@b>' })],
      removeAttachmentIds: ['i'],
      policy: DEFAULT_POLICY,
      receiptNumber: receipt,
    });
    expect(plan.attachments.map((a) => a.how)).toEqual(['edit-cid']);
    expect(plan.body).not.toContain('cid:');
    expect(plan.parts.map((p) => p.kind)).toEqual(['text', 'attachment']);
  });

  it('reports what no strip can remove, and strips plain text bodies', () => {
    const plan = planStrip({
      body: '密等及解密條件或保密期限：機密\n\n一般段落\n\n重點【密】',
      format: 'text',
      attachments: [],
      removeAttachmentIds: [],
      policy: DEFAULT_POLICY,
      receiptNumber: receipt,
    });
    expect(plan.remaining.map((r) => r.rule)).toEqual(['field.classification']);
    expect(plan.body).toBe(`密等及解密條件或保密期限：機密\n\n一般段落\n\n${placeholderText(receipt)}`);
    expect(attachmentPlaceholderText(1, receipt)).toContain(receipt);
    expect(() => attachmentPlaceholderText(1, 'bad number')).toThrow(RangeError);
  });

  it('removes every cid reference form: quoted, unquoted, upper case, v:imagedata', () => {
    const html = `<img src='cid:X@Y'><IMG SRC=CID:x@y><v:imagedata src="cid:x@y"/><img src="cid:other">`;
    expect(removeCidReferences(html, 'x@y')).toEqual({ html: '<img src="cid:other">', removed: 3 });
  });
});

describe('override justification', () => {
  const options = detectOptionsFor(DEFAULT_POLICY);
  const mail = ['您好，附上第三季採購案預算分配初稿，請於週五前回覆意見。'];

  it('accepts a reason in the sender’s own words', () => {
    expect(checkJustification('收件人為本案承辦人，主管已核准以電子郵件傳送。', mail, options)).toBeNull();
  });

  it('refuses too short, too long, marked, control characters, and text repeated from the mail', () => {
    expect(checkJustification('  太短  ', mail, options)).toBe('too-short');
    expect(checkJustification('理由'.repeat(200), mail, options)).toBe('too-long');
    expect(checkJustification('〔機密〕預算表〔/機密〕已經主管同意寄出', mail, options)).toBe('has-mark');
    expect(checkJustification('主管已同意\u0007寄出此封郵件', mail, options)).toBe('control-characters');
    expect(checkJustification('因為：第三季採購案預算分配初稿需今日送出', mail, options)).toBe('repeats-content');
  });

  it('finds a shared run of ten characters regardless of spacing and case', () => {
    expect(repeatsContent('see THE BUDGET   draft now', ['the budget draft was sent'])).toBe(true);
    expect(repeatsContent('nothing in common here', ['the budget draft was sent'])).toBe(false);
    expect(repeatsContent('short', ['short'])).toBe(false);
  });
});

describe('the view the pane opens on', () => {
  it('follows the send dialog’s button: strip, check, or the reason (on the check tab)', () => {
    const from = (view: string): string =>
      viewFromContext(JSON.stringify({ source: 'on-send', view, verdict: 'warn' }));
    expect([from('strip'), from('check'), from('override')]).toEqual(['strip', 'check', 'override']);
    // Older classic builds pass the context as a bare string.
    expect(viewFromContext(' override ')).toBe('override');
    expect(tabOf('override')).toBe('check');
    expect([tabOf('strip'), tabOf('check'), tabOf('receipts')]).toEqual(['strip', 'check', 'receipts']);
  });

  it('opens on the check from the ribbon, and on the strip view for a context it does not know', () => {
    expect([viewFromContext(undefined), viewFromContext(null), viewFromContext('  ')]).toEqual([
      'check',
      'check',
      'check',
    ]);
    expect(viewFromContext(JSON.stringify({ view: 'overrides' }))).toBe('strip');
    expect(viewFromContext('{"view":')).toBe('strip');
  });
});

describe('the catalog', () => {
  it('names every rule the core can report, in both languages', () => {
    const source = readFileSync(path.join(__dirname, '../../../../src/core/detect.ts'), 'utf8');
    const ids = new Set(
      [...source.matchAll(/'((?:[a-z]+\.)+[a-z-]+|portion|declaration|declassification)'/g)].map((m) => m[1] as string),
    );
    ids.add('label.sensitivity');
    ids.add('pii.national-id');
    ids.add('pii.resident-certificate');
    ids.add('pii.ubn');
    expect(ids.size).toBeGreaterThan(15);
    for (const locale of ['zh-TW', 'en'] as const) {
      for (const id of ids) {
        expect([locale, id, messages(locale).rule(id) !== id]).toEqual([locale, id, true]);
      }
    }
    expect(messages('en').rule('custom.project-x')).toBe('Agency rule (project-x)');
  });

  it('punctuates and names levels for the reader: full-width in zh-TW, never in the English pane', () => {
    const zh = messages('zh-TW');
    const en = messages('en');
    expect(zh.list(['甲.docx', '乙.pdf'])).toBe('甲.docx、乙.pdf');
    expect(en.list(['a.docx', 'b.pdf'])).toBe('a.docx, b.pdf');
    expect(zh.labelled(zh.attachmentUnscannable, zh.unscannable('encrypted'))).toMatch(/^無法檢查：\S/);
    expect(en.labelled(en.attachmentUnscannable, en.unscannable('encrypted'))).toMatch(/^Cannot be checked: \S/);
    expect(zh.withNote('報告.docx', zh.stripAttachmentMarked('機密'))).toBe('報告.docx（含「機密」標示）');
    expect(en.withNote('report.docx', en.stripAttachmentMarked('機密'))).toBe(
      'report.docx (marked 機密 · Confidential)',
    );
    // An attachment without a level gets no empty brackets.
    expect([zh.withNote('報告.docx', ''), en.withNote('report.docx', '')]).toEqual(['報告.docx', 'report.docx']);
    expect(LEVELS.map((l) => zh.levelName(l))).toEqual([...LEVELS]);
    // The mark as it appears in the mail, and its English name once (密's name does not repeat 密).
    expect(LEVELS.map((l) => en.levelName(l))).toEqual([
      '機敏 · Sensitive',
      '密 · Official secret',
      '機密 · Confidential',
      '極機密 · Secret',
      '絕對機密 · Top Secret',
    ]);
    expect(en.markDone('密')).toBe('The selection is marked as 密 · Official secret.');
    // No full-width punctuation anywhere in the English catalog's fixed texts.
    const fullWidth = /[（）、：，。；！？「」]/;
    for (const [key, value] of Object.entries(en)) {
      if (typeof value === 'string') {
        expect([key, fullWidth.test(value)]).toEqual([key, false]);
      }
    }
    for (const [what, text] of [
      ['list', en.list(['a', 'b'])],
      ['labelled', en.labelled('a', 'b')],
      ['withNote', en.withNote('a', 'b')],
      ['stripPartialAttachments', en.stripPartialAttachments(en.list(['a', 'b']))],
      ['restorePartial', en.restorePartial(en.list(['a', 'b']))],
    ] as const) {
      expect([what, fullWidth.test(text)]).toEqual([what, false]);
    }
  });
});

describe('sign-in', () => {
  const APP = { clientId: '00000000-0000-0000-0000-000000000001', scopes: ['api://x/y/access_as_user'] };
  const host = (naa: boolean) => {
    const calls: string[] = [];
    return {
      calls,
      supportsNestedAppAuth: () => naa,
      getSsoToken: async () => {
        calls.push('sso');
        return 'sso-token';
      },
    };
  };
  /** Outlook's NAA bridge cannot exist here: a stand-in for MSAL's nestable client, scripted per test. */
  const msal = (client: { silent: () => Promise<string>; popup: () => Promise<string> } | Error) => {
    const calls: string[] = [];
    return {
      calls,
      load: async () => ({
        createNestablePublicClientApplication: async (configuration: { auth: { clientId: string } }) => {
          calls.push(`create ${configuration.auth.clientId}`);
          if (client instanceof Error) {
            throw client;
          }
          return {
            getActiveAccount: () => null,
            getAllAccounts: () => [],
            acquireTokenSilent: async (request: { scopes: string[] }) => {
              calls.push(`silent ${request.scopes.join(' ')}`);
              return { accessToken: await client.silent() };
            },
            acquireTokenPopup: async () => {
              calls.push('popup');
              return { accessToken: await client.popup() };
            },
          };
        },
      }),
    };
  };

  it('uses nested app authentication where offered: silently, else with a prompt', async () => {
    const h = host(true);
    const naa = msal({
      silent: () => Promise.reject(new Error('interaction_required')),
      popup: async () => 'naa-token',
    });
    expect(await createTokenProvider(h, APP, naa.load)({ forceRefresh: false })).toBe('naa-token');
    expect(naa.calls).toEqual([`create ${APP.clientId}`, `silent ${APP.scopes[0]}`, 'popup']);
    expect(h.calls).toEqual([]);
  });

  it('uses Office SSO where nested app authentication is not offered or the build has no app', async () => {
    const plain = host(false);
    const unused = msal(new Error('must not be loaded'));
    expect(await createTokenProvider(plain, APP, unused.load)({ forceRefresh: false })).toBe('sso-token');
    const noApp = host(true);
    expect(await createTokenProvider(noApp, { clientId: '', scopes: [] }, unused.load)({ forceRefresh: false })).toBe(
      'sso-token',
    );
    expect(unused.calls).toEqual([]);
  });

  it('falls back to Office SSO when nested app authentication fails or never answers, and does not try it again', async () => {
    const broken = host(true);
    const failing = msal(new Error('no bridge'));
    const provider = createTokenProvider(broken, APP, failing.load);
    expect(await provider({ forceRefresh: false })).toBe('sso-token');
    expect(await provider({ forceRefresh: true })).toBe('sso-token');
    expect(broken.calls).toEqual(['sso', 'sso']);
    expect(failing.calls).toHaveLength(1);

    const stuck = host(true);
    const silent = msal({ silent: () => new Promise<string>(() => undefined), popup: async () => 'never' });
    const slow = createTokenProvider(stuck, { ...APP, naaTimeoutMs: 50 }, silent.load);
    expect(await slow({ forceRefresh: false })).toBe('sso-token');
  });

  it('does not time out a sign-in prompt the user is answering: the timeout bounds only the silent attempt', async () => {
    const h = host(true);
    const naa = msal({
      silent: () => Promise.reject(new Error('interaction_required')),
      // The user takes longer than the timeout to sign in.
      popup: () => new Promise<string>((resolve) => setTimeout(() => resolve('naa-token'), 200)),
    });
    const provider = createTokenProvider(h, { ...APP, naaTimeoutMs: 50 }, naa.load);
    expect(await provider({ forceRefresh: false })).toBe('naa-token');
    expect(h.calls).toEqual([]);
    expect(naa.calls).toEqual([`create ${APP.clientId}`, `silent ${APP.scopes[0]}`, 'popup']);
  });
});
