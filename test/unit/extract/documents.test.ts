import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import fc from 'fast-check';
import { Inflate } from 'fflate';

import { nodePdfOptions } from '../../../src/cli/pdf-loader';
import { decide, DEFAULT_POLICY, type Finding, type Policy } from '../../../src/core';
import { budgetFor, extractFile, type ExtractOptions, parseEml, sniff } from '../../../src/extract';

/** GB2312 bytes of a string, from the GB18030 table (a superset) through Python-free means: TextDecoder's inverse. */
function iconv(text: string): number[] {
  const table = new Map<string, number[]>();
  const decoder = new TextDecoder('gb18030');
  for (let hi = 0xa1; hi <= 0xf7; hi++) {
    for (let lo = 0xa1; lo <= 0xfe; lo++) {
      table.set(decoder.decode(new Uint8Array([hi, lo])), [hi, lo]);
    }
  }
  return Array.from(text).flatMap((ch) => (ch.charCodeAt(0) < 0x80 ? [ch.charCodeAt(0)] : (table.get(ch) ?? [0x3f])));
}

const docs = path.resolve(__dirname, '..', '..', 'fixtures', 'docs');
const load = (name: string): Uint8Array => new Uint8Array(readFileSync(path.join(docs, name)));
const LABEL_ID = '3f2d9c8e-1b4a-4c6d-9e8f-0a1b2c3d4e5f';
const policy: Policy = { ...DEFAULT_POLICY, sensitivityLabels: [{ id: LABEL_ID, level: '機密', name: '機密' }] };

function options(overrides: Partial<ExtractOptions> = {}): ExtractOptions {
  const budget = budgetFor({ ...DEFAULT_POLICY.limits, scanTimeoutMs: 30000 });
  return { limits: budget.limits, expired: budget.expired, pdf: nodePdfOptions(), ...overrides };
}

async function scan(name: string, bytes = load(name)) {
  const extracted = await extractFile(name, bytes, options());
  const verdict = decide(
    {
      attachments: [
        { name, segments: extracted.segments, unscannable: extracted.unscannable, labels: extracted.labels },
      ],
    },
    policy,
  );
  return { extracted, verdict, summary: verdict.findings.map((f: Finding) => `${f.location} ${f.level}`) };
}

describe('where marks hide: each location, from real producers (LibreOffice, zip, qpdf)', () => {
  it.each([
    ['header-mark.odt', 'attachment:header-mark.odt/styles.xml#header 機密'],
    ['flat-header-mark.fodt', 'attachment:flat-header-mark.fodt/document.xml#header 機密'],
    ['header-mark.docx', 'attachment:header-mark.docx/word/header1.xml#header 機密'],
    ['header-mark.rtf', 'attachment:header-mark.rtf/rtf#header 機密'],
    ['header-mark.pdf', 'attachment:header-mark.pdf/page1#text 機密'],
    ['sheet-header.ods', 'attachment:sheet-header.ods/styles.xml#header 極機密'],
    ['sheet-header.xlsx', 'attachment:sheet-header.xlsx/xl/worksheets/sheet1.xml#header 極機密'],
    ['watermark.odt', 'attachment:watermark.odt/styles.xml#watermark 機敏'],
    ['watermark.docx', 'attachment:watermark.docx/word/header1.xml#watermark 機敏'],
    ['watermark.rtf', 'attachment:watermark.rtf/rtf#watermark 機敏'],
    ['slides-master.odp', 'attachment:slides-master.odp/styles.xml#master 機敏'],
    ['slides-master.pptx', 'attachment:slides-master.pptx/ppt/slideMasters/slideMaster1.xml#master 機敏'],
    ['tracked-deletion.odt', 'attachment:tracked-deletion.odt/content.xml#tracked-change 機密'],
    ['tracked-deletion.docx', 'attachment:tracked-deletion.docx/word/document.xml#tracked-deletion 機密'],
    ['comment.odt', 'attachment:comment.odt/content.xml#annotation 密'],
    ['comment.docx', 'attachment:comment.docx/word/comments.xml#comment 密'],
    ['classified.di', 'attachment:classified.di/xml#classification 密'],
    ['classified-big5.di', 'attachment:classified-big5.di/xml#classification 機密'],
    ['nested.zip', 'attachment:nested.zip/inner.zip/會議資料.odt/styles.xml#header 機密'],
    ['winmail.dat', 'attachment:winmail.dat/note.txt 機密'],
  ])('%s', async (name, expected) => {
    const { summary, verdict, extracted } = await scan(name);
    expect(summary).toContain(expected);
    expect(verdict.verdict).toBe('block');
    expect(verdict.findings.every((f) => !f.strippable)).toBe(true);
    expect(extracted.unscannable).toEqual([]);
  });

  it.each(['label.odt', 'label.docx'])('%s: the sensitivity label property maps through the policy', async (name) => {
    const { verdict, extracted } = await scan(name);
    expect(extracted.labels.map((l) => l.id)).toEqual([LABEL_ID]);
    expect(verdict.findings.map((f) => `${f.rule} ${f.level}`)).toEqual(['label.sensitivity 機密']);
    const unmapped = decide(
      { attachments: [{ name, segments: extracted.segments, labels: extracted.labels }] },
      DEFAULT_POLICY,
    );
    expect(unmapped.verdict).toBe('allow');
  });

  it('a renamed document is read by its content, not its name', async () => {
    const { summary } = await scan('minutes.txt', load('header-mark.docx'));
    expect(summary).toEqual(['attachment:minutes.txt/word/header1.xml#header 機密']);
    expect(sniff(load('header-mark.odt'), 'x.pdf')).toBe('zip');
  });

  it('a Big5 mail: subject, body and Big5 attachment', async () => {
    const message = await parseEml(load('big5-mail.eml'), options());
    expect(message.subject).toBe('【機密】地區劃分會議');
    expect(message.bodyText).toContain('會議資料如附件');
    const v = decide({ ...message, recipients: ['x@example.com'] }, policy);
    expect(v.findings.map((f) => `${f.location} ${f.level}`)).toEqual(['subject 機密', 'attachment:說明.txt 機密']);
  });

  it('a GB2312 mail forwarded from PRC material: simplified marks are folded', async () => {
    const gb = (text: string) => Buffer.from(new Uint8Array(iconv(text))).toString('base64');
    const mail = `Subject: =?gb2312?B?${gb('转发：会议材料')}?=\r\nContent-Type: text/plain; charset=gb2312\r\nContent-Transfer-Encoding: base64\r\n\r\n${gb('绝密★\n会议材料')}\r\n`;
    const message = await parseEml(new TextEncoder().encode(mail), options());
    expect(message.subject).toBe('转发：会议材料');
    expect(decide(message, policy).findings.map((f) => `${f.rule} ${f.level}`)).toEqual(['prc.level 絕對機密']);
  });

  it('a mail with a document attached, and a mail forwarded inside a mail', async () => {
    const odt = Buffer.from(load('header-mark.odt')).toString('base64');
    const inner = `Subject: =?UTF-8?B?${Buffer.from('會議資料').toString('base64')}?=\r\nContent-Type: multipart/mixed; boundary=in\r\n\r\n--in\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n請參閱\r\n--in\r\nContent-Type: application/vnd.oasis.opendocument.text; name="a.odt"\r\nContent-Disposition: attachment; filename="a.odt"\r\nContent-Transfer-Encoding: base64\r\n\r\n${odt}\r\n--in--\r\n`;
    const outer = `Subject: FW\r\nContent-Type: multipart/mixed; boundary=out\r\n\r\n--out\r\nContent-Type: text/plain\r\n\r\nforwarding\r\n--out\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename="fwd.eml"\r\n\r\n${inner}\r\n--out--\r\n`;
    const message = await parseEml(new TextEncoder().encode(outer), options());
    const v = decide(message, policy);
    expect(v.findings.map((f) => `${f.location} ${f.level}`)).toEqual([
      'attachment:fwd.eml/a.odt/styles.xml#header 機密',
    ]);
  });
});

describe('hidden text of HTML attachments and forwarded HTML mail', () => {
  it('an .html attachment: comments, attributes and data: URIs are read at their own locations', async () => {
    const html = `<html><body><p>會議資料</p><!-- 機密 --><img src="cid:a" alt="極機密"><a href="data:text/plain;base64,${Buffer.from('絕對機密').toString('base64')}">x</a><img src="data:image/png;base64,iVBORw0KGgo="></body></html>`;
    const { summary, verdict, extracted } = await scan('議程.html', new TextEncoder().encode(html));
    expect(summary).toEqual([
      'attachment:議程.html#comment 機密',
      'attachment:議程.html#attr 極機密',
      'attachment:議程.html#data 絕對機密',
    ]);
    expect(extracted.unscannable).toEqual([
      { location: 'attachment:議程.html#data', reason: 'image-only', detail: 'data:image/png' },
    ]);
    expect(verdict.verdict).toBe('block');
    const clean = await scan('議程.html', new TextEncoder().encode('<p>會議資料</p><!-- END --><img alt="logo">'));
    expect(clean.summary).toEqual([]);
    expect(clean.extracted.unscannable).toEqual([]);
  });

  it("a forwarded HTML mail: its body's hidden text is read too", async () => {
    const inner = `Subject: =?UTF-8?B?${Buffer.from('會議').toString('base64')}?=\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from('<p>請參閱</p><!--[if mso]><p>【機密】</p><![endif]-->').toString('base64')}\r\n`;
    const outer = `Subject: FW\r\nContent-Type: multipart/mixed; boundary=out\r\n\r\n--out\r\nContent-Type: text/plain\r\n\r\nforwarding\r\n--out\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename="fwd.eml"\r\n\r\n${inner}\r\n--out--\r\n`;
    const message = await parseEml(new TextEncoder().encode(outer), options());
    expect(decide(message, policy).findings.map((f) => `${f.location} ${f.level}`)).toEqual([
      'attachment:fwd.eml#body#comment 機密',
    ]);
  });

  it('an HTML mail body: hidden marks are read by decide', async () => {
    const mail = `Subject: x\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>hello</p><p title="機密">world</p>\r\n`;
    const message = await parseEml(new TextEncoder().encode(mail), options());
    expect(decide(message, policy).findings.map((f) => `${f.location} ${f.level}`)).toEqual(['body#attr 機密']);
  });
});

describe('unscannable, never allowed', () => {
  it.each([
    ['encrypted.zip', 'encrypted'],
    ['encrypted.pdf', 'encrypted'],
    ['image-only.pdf', 'image-only'],
    ['truncated.odt', 'malformed'],
    ['garbage.pdf', 'malformed'],
    ['declared-1gb.zip', 'too-large'],
    ['bomb.zip', 'too-large'],
    ['header-mark.doc', 'legacy-format'],
  ])('%s → %s', async (name, reason) => {
    const { extracted, verdict } = await scan(name);
    expect(extracted.unscannable.map((u) => u.reason)).toContain(reason);
    expect(verdict.verdict).not.toBe('allow');
  });

  it('a zip bomb stops at the limit, having inflated a small part of it at most', async () => {
    // How much compressed input reached the inflater: what "quickly" means, counted rather than timed. The bomb is
    // 200 MB of zeros in 204 KB. As it is, it says its size and is refused before any inflating; with its headers
    // claiming 1,000 bytes it is stopped while inflating, at the 8 MB limit: about 8 KB of it and a slice more.
    const bomb = load('bomb.zip');
    const lying = bomb.slice();
    const view = new DataView(lying.buffer);
    for (let o = 0; o + 4 <= lying.length; o++) {
      const signature = view.getUint32(o, true);
      if (signature === 0x04034b50) {
        view.setUint32(o + 22, 1000, true); // local header: uncompressed size
      } else if (signature === 0x02014b50) {
        view.setUint32(o + 24, 1000, true); // central directory: uncompressed size
      }
    }
    const push = jest.spyOn(Inflate.prototype, 'push');
    try {
      for (const bytes of [bomb, lying]) {
        push.mockClear();
        const extracted = await extractFile(
          'bomb.zip',
          bytes,
          options({
            limits: {
              maxFileBytes: 8 * 1024 * 1024,
              maxMessageBytes: 64 * 1024 * 1024,
              maxArchiveDepth: 3,
              maxArchiveEntries: 100,
            },
          }),
        );
        expect(extracted.unscannable[0]).toMatchObject({ reason: 'too-large' });
        const read = push.mock.calls.reduce((n, [chunk]) => n + chunk.length, 0);
        expect(read).toBeLessThan(bomb.length / 8);
        if (bytes === lying) {
          expect(read).toBeGreaterThan(0);
        }
      }
    } finally {
      push.mockRestore();
    }
  });

  it('broken XML still yields what it can: the header mark of a docx with a cut-off body', async () => {
    const { extracted, summary } = await scan('bad-xml.docx');
    expect(summary).toContain('attachment:bad-xml.docx/word/header1.xml#header 機密');
    expect(extracted.unscannable.map((u) => `${u.location} ${u.reason}`)).toEqual([
      'attachment:bad-xml.docx/word/document.xml malformed',
    ]);
  });

  it('legacy .doc text is recovered best-effort and still reported unscannable', async () => {
    const { summary } = await scan('header-mark.doc');
    expect(summary).toContain('attachment:header-mark.doc#recovered-text 機密');
  });

  it('unknown binary and images are unscannable', async () => {
    expect((await scan('x.bin', new Uint8Array([0, 1, 2, 3, 0xff, 0, 7]))).extracted.unscannable[0]?.reason).toBe(
      'unknown-type',
    );
    expect(
      (await scan('logo.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]))).extracted.unscannable[0]?.reason,
    ).toBe('image-only');
  });

  it('deferred PDFs on the send path are unscannable, not skipped', async () => {
    const extracted = await extractFile('a.pdf', load('plain.pdf'), options({ pdf: 'defer' }));
    expect(extracted.unscannable).toEqual([expect.objectContaining({ reason: 'unsupported-format' })]);
  });
});

describe('negatives: ordinary documents full of 密碼 and 保密宣導', () => {
  it.each(['plain.odt', 'plain.docx', 'plain.pdf', 'sheet-plain.ods', 'sheet-plain.xlsx', 'ordinary.di', 'roster.sw'])(
    '%s',
    async (name) => {
      const { verdict, extracted } = await scan(name);
      expect(extracted.segments.length).toBeGreaterThan(0);
      expect(verdict).toMatchObject({ verdict: 'allow', findings: [], unscannable: [] });
    },
  );
});

describe('budget and progress', () => {
  it('reports progress with growing byte counts', async () => {
    const seen: number[] = [];
    await extractFile('nested.zip', load('nested.zip'), options({ onProgress: (p) => seen.push(p.bytesRead) }));
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it('stops when the time budget is spent and says so', async () => {
    let calls = 0;
    const extracted = await extractFile('nested.zip', load('nested.zip'), options({ expired: () => ++calls > 1 }));
    expect(extracted.unscannable.map((u) => u.reason)).toContain('timeout');
  });

  it('stops reading a message once its byte allowance is spent, across attachments', async () => {
    const odt = Buffer.from(load('header-mark.odt')).toString('base64');
    const part = (n: number) =>
      `--b\r\nContent-Type: application/octet-stream; name="a${n}.odt"\r\nContent-Disposition: attachment; filename="a${n}.odt"\r\nContent-Transfer-Encoding: base64\r\n\r\n${odt}\r\n`;
    const mail = `Subject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n${part(1)}${part(2)}${part(3)}--b--\r\n`;
    const size = load('header-mark.odt').length;
    const message = await parseEml(
      new TextEncoder().encode(mail),
      options({ limits: { ...options().limits, maxMessageBytes: size * 2 + 10 } }),
    );
    const reasons = message.attachments.map((a) => (a.unscannable ?? []).map((u) => u.reason).join());
    expect(reasons[0]).toBe('');
    expect(reasons[2]).toBe('too-large');
  });

  it('uses the policy clock: an expired budget makes everything unscannable', async () => {
    let now = 0;
    const budget = budgetFor({ ...DEFAULT_POLICY.limits, scanTimeoutMs: 100 }, () => now);
    now = 101;
    const extracted = await extractFile('a.odt', load('header-mark.odt'), {
      limits: budget.limits,
      expired: budget.expired,
      pdf: 'defer',
    });
    expect(extracted.unscannable).toEqual([expect.objectContaining({ reason: 'timeout' })]);
    expect(budget.remainingMs()).toBe(0);
  });
});

describe('fuzz: mutated fixtures never crash or hang', () => {
  const seeds = [
    'header-mark.odt',
    'header-mark.docx',
    'header-mark.pdf',
    'header-mark.rtf',
    'classified.di',
    'nested.zip',
    'big5-mail.eml',
    'winmail.dat',
    'sheet-header.xlsx',
  ];
  it('300 random mutations', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 20 }),
        fc.option(fc.nat(), { nil: undefined }),
        async (name, flips, cut) => {
          const bytes = load(name).slice();
          for (const [at, value] of flips) {
            bytes[at % bytes.length] = value;
          }
          const input = cut === undefined ? bytes : bytes.subarray(0, cut % bytes.length);
          // A hang is caught by the test's own timeout; how long a mutated file takes is `npm run bench -- extract`.
          const extracted = await extractFile(name, input, options());
          expect(Array.isArray(extracted.segments) && Array.isArray(extracted.unscannable)).toBe(true);
        },
      ),
      { numRuns: 300, seed: 20261124 },
    );
  }, 120000);
});
