import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import { decide, domainOf, recipientScope } from '../../../src/core/decide';
import { DEFAULT_POLICY, type Policy } from '../../../src/core/policy';

const relaxed: Policy = {
  ...DEFAULT_POLICY,
  internalDomains: ['example.gov.tw', '*.moj.gov.tw'],
  actions: {
    internal: { 機敏: 'allow', 密: 'warn', 機密: 'strip', 極機密: 'block', 絕對機密: 'block' },
    external: { 機敏: 'warn', 密: 'strip', 機密: 'block', 極機密: 'block', 絕對機密: 'block' },
  },
  unscannable: { internal: 'warn', external: 'block' },
  sensitivityLabels: [{ id: '11111111-2222-3333-4444-555555555555', level: '機密', name: '機密標籤' }],
  customRules: [{ id: 'project-x', level: '極機密', keywords: ['天弓計畫'] }],
};

describe('recipient scope', () => {
  it('is internal only when every recipient is at an internal domain', () => {
    expect(recipientScope(['a@example.gov.tw', 'b@EXAMPLE.gov.tw'], relaxed)).toBe('internal');
    expect(recipientScope(['a@example.gov.tw', 'x@gmail.com'], relaxed)).toBe('external');
    expect(recipientScope(['a@sub.moj.gov.tw', 'b@moj.gov.tw'], relaxed)).toBe('internal');
    expect(recipientScope(['a@evilexample.gov.tw'], relaxed)).toBe('external');
  });

  it('treats no recipients and unparseable addresses as external', () => {
    expect(recipientScope([], relaxed)).toBe('external');
    expect(recipientScope(undefined, relaxed)).toBe('external');
    expect(recipientScope(['Sales Team'], relaxed)).toBe('external');
    expect(domainOf('Name <a@example.gov.tw>')).toBe('example.gov.tw');
    expect(domainOf('no-at-sign')).toBeNull();
  });
});

describe('decide', () => {
  it('allows clean mail', () => {
    const v = decide(
      { subject: '會議通知', bodyText: '請更新密碼並準時出席。', recipients: ['x@gmail.com'] },
      DEFAULT_POLICY,
    );
    expect(v).toMatchObject({ verdict: 'allow', level: null, findings: [], unscannable: [] });
  });

  it('strips when every finding is strippable, and blocks otherwise (default policy)', () => {
    expect(decide({ bodyText: '第一段【密】\n\n第二段', recipients: [] }, DEFAULT_POLICY).verdict).toBe('strip');
    const v = decide({ subject: '【機密】會議', bodyText: '第一段【密】' }, DEFAULT_POLICY);
    expect(v.verdict).toBe('block');
    expect(v.level).toBe('機密');
    expect(v.reasons.map((r) => r.en).join(' ')).toMatch(/cannot be stripped/);
  });

  it('a mark in an attachment blocks a strip, saying the attachment goes whole rather than that nothing can be removed', () => {
    const attached = decide(
      {
        bodyText: '檢送資料。',
        attachments: [{ name: '報告.docx', segments: [{ location: 'attachment:報告.docx', text: '【密】甲案' }] }],
      },
      DEFAULT_POLICY,
    );
    expect(attached.verdict).toBe('block');
    expect(attached.reasons.map((r) => r.zh)).toContain(
      '有 1 處標示在附件中：附件無法只移除其中部分，須整份自郵件移除。',
    );
    expect(attached.reasons.map((r) => r.zh).join('')).not.toContain('整封郵件');
    const both = decide(
      {
        subject: '【機密】會議',
        bodyText: '檢送資料。',
        attachments: [{ name: '報告.docx', segments: [{ location: 'attachment:報告.docx', text: '【密】甲案' }] }],
      },
      DEFAULT_POLICY,
    );
    expect(both.reasons.map((r) => r.en).join(' ')).toMatch(
      /1 mark\(s\) are in attachments.*1 mark\(s\) classify the whole message/,
    );
  });

  it('applies the action of each level for the scope, the most severe winning', () => {
    const internal = ['a@example.gov.tw'];
    expect(decide({ bodyText: '機敏資料', recipients: internal }, relaxed).verdict).toBe('allow');
    expect(decide({ bodyText: '機敏資料', recipients: ['x@gmail.com'] }, relaxed).verdict).toBe('warn');
    expect(decide({ bodyText: '段落【密】', recipients: internal }, relaxed).verdict).toBe('warn');
    expect(decide({ bodyText: '段落【密】\n\n段落【機】', recipients: internal }, relaxed).verdict).toBe('strip');
    expect(decide({ bodyText: '段落【密】\n\n段落【極】', recipients: internal }, relaxed).verdict).toBe('block');
  });

  it('never allows unscannable content, whatever the findings', () => {
    const attachments = [
      {
        name: 'a.pdf',
        segments: [],
        unscannable: [{ location: 'attachment:a.pdf', reason: 'unsupported-format' as const }],
      },
    ];
    expect(decide({ bodyText: '你好', attachments, recipients: ['a@example.gov.tw'] }, relaxed).verdict).toBe('warn');
    expect(decide({ bodyText: '你好', attachments, recipients: ['x@gmail.com'] }, relaxed).verdict).toBe('block');
    expect(decide({ bodyText: '你好', attachments }, DEFAULT_POLICY).verdict).toBe('block');
  });

  it('weighs each unread part by its reason where the policy says so, still never allowing', () => {
    const logo = {
      name: 'image001.png',
      segments: [],
      unscannable: [{ location: 'attachment:image001.png', reason: 'image-only' as const }],
    };
    const locked = {
      name: 'b.zip',
      segments: [],
      unscannable: [{ location: 'attachment:b.zip', reason: 'encrypted' as const }],
    };
    const logosAsk: Policy = {
      ...DEFAULT_POLICY,
      unscannableByReason: { 'image-only': { internal: 'warn', external: 'warn' } },
    };
    const only = decide({ bodyText: '你好', attachments: [logo], recipients: ['x@gmail.com'] }, logosAsk);
    expect(only.verdict).toBe('warn');
    expect(only.reasons.map((r) => r.en)).toEqual(['1 part(s) could not be scanned (image-only); policy says warn.']);
    // Another reason keeps the scope's action, and the most severe wins.
    const both = decide({ bodyText: '你好', attachments: [logo, locked], recipients: ['x@gmail.com'] }, logosAsk);
    expect(both.verdict).toBe('block');
    expect(both.reasons.map((r) => r.en)).toEqual([
      '1 part(s) could not be scanned (encrypted); policy says block.',
      '1 part(s) could not be scanned (image-only); policy says warn.',
    ]);
    // A reason can be stricter than its scope too.
    const stricter: Policy = {
      ...relaxed,
      unscannableByReason: { encrypted: { internal: 'block', external: 'block' } },
    };
    expect(
      decide({ bodyText: '你好', attachments: [locked], recipients: ['a@example.gov.tw'] }, stricter).verdict,
    ).toBe('block');
    expect(decide({ bodyText: '你好', attachments: [logo], recipients: ['a@example.gov.tw'] }, stricter).verdict).toBe(
      'warn',
    );
  });

  it('maps sensitivity labels and custom rules', () => {
    const v = decide(
      { bodyText: '天　弓計畫進度', sensitivityLabelId: '11111111-2222-3333-4444-555555555555' },
      relaxed,
    );
    expect(v.findings.map((f) => `${f.rule}:${f.level}:${f.location}`).sort()).toEqual([
      'custom.project-x:極機密:body',
      'label.sensitivity:機密:label',
    ]);
    expect(v.verdict).toBe('block');
  });

  it('scans attachments segments and keeps their findings unstrippable', () => {
    const v = decide(
      {
        bodyText: '請參閱附件',
        attachments: [
          {
            name: '報告.odt',
            segments: [{ location: 'attachment:報告.odt/styles.xml#header', text: '密', position: 'header' }],
          },
        ],
      },
      DEFAULT_POLICY,
    );
    expect(v.findings).toHaveLength(1);
    expect(v.findings[0]).toMatchObject({
      location: 'attachment:報告.odt/styles.xml#header',
      level: '密',
      strippable: false,
    });
    expect(v.verdict).toBe('block');
  });

  it('reads the visible text of an HTML body, and CSS selectors are not text', () => {
    expect(decide({ bodyHtml: '<style>.機密{}</style><p>一般內容</p>' }, DEFAULT_POLICY).verdict).toBe('allow');
    expect(decide({ bodyHtml: '<p>機&#x5bc6;</p>' }, DEFAULT_POLICY).level).toBe('機密');
  });

  it('takes a bilingual banner paragraph in an HTML body as a mark, not a glossary row', () => {
    const v = decide({ bodyHtml: '<p>機密 Confidential</p><p>會議資料如附件。</p>' }, DEFAULT_POLICY);
    expect(v.verdict).not.toBe('allow');
    expect(v.level).toBe('機密');
  });

  it('allows an HTML asset table headed by the ISMS triad and an HTML glossary table', () => {
    const row = (cells: string[]): string => `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
    const triad = `<table>${row(['資產名稱', '機密', '完整性', '可用性'])}${row(['人事資料庫', '3', '2', '2'])}</table>`;
    expect(decide({ bodyHtml: triad }, DEFAULT_POLICY).verdict).toBe('allow');
    const glossary = `<table>${row(['絕對機密', 'Top Secret', '國家機密保護法第4條第1款'])}${row(['極機密', 'Secret', '第4條第2款'])}</table>`;
    expect(decide({ bodyHtml: glossary }, DEFAULT_POLICY).verdict).toBe('allow');
  });

  it('finds personal data only when the policy enables it', () => {
    const body = '申請人身分證字號：A123456789';
    expect(decide({ bodyText: body }, DEFAULT_POLICY).verdict).toBe('allow');
    const withPii = { ...DEFAULT_POLICY, detectors: { personalData: true } };
    expect(decide({ bodyText: body }, withPii).findings.map((f) => f.rule)).toEqual(['pii.national-id']);
  });
});

describe('decide fails closed', () => {
  it('turns a detector failure into unscannable content, never allow', () => {
    // A segment whose text is not a string makes the detector throw, as any bug would.
    const v = decide(
      {
        bodyText: '你好',
        attachments: [{ name: 'x', segments: [{ location: 'attachment:x', text: null as unknown as string }] }],
      },
      DEFAULT_POLICY,
    );
    expect(v.verdict).toBe('block');
    expect(v.unscannable).toEqual([expect.objectContaining({ location: 'attachment:x', reason: 'error' })]);
  });
});

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const svg = (text: string): string =>
  `data:image/svg+xml;base64,${b64(`<svg xmlns="http://www.w3.org/2000/svg"><text x="0" y="9">${text}</text></svg>`)}`;

describe('decide: marks in the hidden text of an HTML body', () => {
  // Each positive beside the hard negative it resembles: the same carrier without a mark.
  it.each([
    ['a comment', '<p>會議通知</p><!-- 機密 -->', '<p>會議通知</p><!-- BEGIN signature -->', 'body#comment'],
    [
      'an Outlook conditional comment',
      '<!--[if mso]><table><tr><td>【機密】</td></tr></table><![endif]--><p>會議通知</p>',
      '<!--[if mso]><v:roundrect href="https://x.gov.tw" style="height:40px"><center>報名</center></v:roundrect><![endif]--><p>會議通知</p>',
      'body#comment',
    ],
    ['alt', '<p>會議通知<img src="cid:a" alt="機密"></p>', '<p>會議通知<img src="cid:a" alt="logo"></p>', 'body#attr'],
    [
      'title',
      '<p><a href="x" title="極機密">會議通知</a></p>',
      '<p><a href="x" title="報名表單">會議通知</a></p>',
      'body#attr',
    ],
    ['aria-label', '<p><a aria-label="機密">會議通知</a></p>', '<p><a aria-label="首頁">會議通知</a></p>', 'body#attr'],
    [
      'placeholder',
      '<p>會議通知<input placeholder="機密"></p>',
      '<p>會議通知<input placeholder="請輸入"></p>',
      'body#attr',
    ],
    [
      'CSS content in <style>',
      '<style>p::after{content:"\\6A5F\\5BC6"}</style><p>會議通知</p>',
      '<style>div{align-content:center;justify-content:start;color:red}</style><p>會議通知</p>',
      'body#css',
    ],
    [
      'CSS content in style=""',
      '<p style="content:\'機密\'">會議通知</p>',
      '<p style="color:red">會議通知</p>',
      'body#css',
    ],
    [
      'a ruby annotation',
      '<p><ruby>會議<rt>機密</rt></ruby>通知</p>',
      '<p><ruby>會<rt>ㄏㄨㄟˋ</rt></ruby>議通知</p>',
      'body#ruby',
    ],
    [
      '<noscript>',
      '<noscript><p>機密</p></noscript><p>會議通知</p>',
      '<noscript><p>請啟用</p></noscript><p>會議通知</p>',
      'body#noscript',
    ],
    [
      '<template>',
      '<template><p>機密</p></template><p>會議通知</p>',
      '<template><p>列表</p></template><p>會議通知</p>',
      'body#template',
    ],
    [
      'a base64 text data: URI',
      `<p><a href="data:text/plain;base64,${b64('機密')}">附件</a></p>`,
      `<p><a href="data:text/plain;base64,${b64('會議議程')}">附件</a></p>`,
      'body#data',
    ],
    [
      'a percent-encoded data:text/html',
      `<p><a href="data:text/html,${encodeURIComponent('<p>【極機密】</p>')}">附件</a></p>`,
      `<p><a href="data:text/html,${encodeURIComponent('<p>議程</p>')}">附件</a></p>`,
      'body#data',
    ],
    ['SVG text in a data: URI', `<p><img src="${svg('機密')}"></p>`, `<p><img src="${svg('LOGO')}"></p>`, 'body#data'],
  ])(
    '%s: found at its own location and not strippable; the same carrier without a mark is clean',
    (_, marked, clean, location) => {
      const v = decide({ bodyHtml: marked }, DEFAULT_POLICY);
      expect(v.findings.map((f) => f.location)).toEqual([location]);
      expect(v.findings.every((f) => !f.strippable)).toBe(true);
      expect(v.verdict).toBe('block');
      expect(decide({ bodyHtml: clean }, DEFAULT_POLICY)).toMatchObject({
        verdict: 'allow',
        findings: [],
        unscannable: [],
      });
    },
  );

  it('ruby base text reads as one word: 機<rt>ㄐㄧ</rt>密 is the mark 機密 in the visible body', () => {
    const v = decide({ bodyHtml: '<p><ruby>機<rt>ㄐㄧ</rt>密</ruby></p><p>會議資料</p>' }, DEFAULT_POLICY);
    expect(v.findings.map((f) => `${f.location} ${f.level}`)).toEqual(['body 機密']);
  });

  it('an image in a data: URI is unread like an inline cid: image: image-only, weighed by the policy', () => {
    const bodyHtml = '<p>會議通知<img src="data:image/png;base64,iVBORw0KGgo=" alt="logo"></p>';
    const v = decide({ bodyHtml }, DEFAULT_POLICY);
    expect(v.findings).toEqual([]);
    expect(v.unscannable).toEqual([{ location: 'body#data', reason: 'image-only', detail: 'data:image/png' }]);
    expect(v.verdict).toBe('block');
    const logosAsk: Policy = {
      ...DEFAULT_POLICY,
      unscannableByReason: { 'image-only': { internal: 'warn', external: 'warn' } },
    };
    expect(decide({ bodyHtml }, logosAsk).verdict).toBe('warn');
  });

  it("a hidden mark inside a portion-marked paragraph goes with it (strip); on the paragraph's own tag it stays (block)", () => {
    for (const inside of [
      '<p>東部雷達站<!--機密-->輪值調整如附表。【機】</p><p>下次會議。</p>',
      '<p>東部雷達站<img src="cid:a" alt="機密">輪值調整如附表。【機】</p><p>下次會議。</p>',
      '<p>東部雷達站<span title="機密">輪值</span>調整如附表。【機】</p><p>下次會議。</p>',
      '<p>東部雷達站<style>i::after{content:"機密"}</style>輪值調整如附表。【機】</p><p>下次會議。</p>',
    ]) {
      const v = decide({ bodyHtml: inside }, DEFAULT_POLICY);
      expect({ inside, hidden: v.findings.filter((f) => f.location !== 'body').map((f) => f.strippable) }).toEqual({
        inside,
        hidden: [true],
      });
      expect(v.verdict).toBe('strip');
    }
    const onTag = decide(
      { bodyHtml: '<p title="機密">東部雷達站輪值調整如附表。【機】</p><p>下次會議。</p>' },
      DEFAULT_POLICY,
    );
    expect(onTag.findings.map((f) => `${f.location} ${f.strippable}`)).toEqual(['body true', 'body#attr false']);
    expect(onTag.verdict).toBe('block');
  });

  it('hard negative: an ordinary Outlook mail (conditional comments, VML, mso CSS, alt="logo", titles) is allowed', () => {
    const html = readFileSync(path.resolve(__dirname, '..', '..', 'fixtures', 'html', 'outlook-ordinary.html'), 'utf8');
    expect(decide({ bodyHtml: html }, DEFAULT_POLICY)).toMatchObject({
      verdict: 'allow',
      findings: [],
      unscannable: [],
    });
  });
});
