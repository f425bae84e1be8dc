/**
 * Names inside files are read as `name` segments (issue 11 §2): a zip entry's path, a sheet name, a slide or page
 * name, a drawn or embedded object's name, the name of a file inside a TNEF or a forwarded message, and the mail's own
 * attachment names however MIME encodes them. Each kind has a hard negative beside it.
 */
import { strToU8, type Zippable, zipSync } from 'fflate';

import { decide, DEFAULT_POLICY, type Finding } from '../../../src/core';
import { budgetFor, extractFile, type ExtractOptions, parseEml } from '../../../src/extract';
import { MAX_PATH_DEPTH } from '../../../src/extract/extract';

function options(): ExtractOptions {
  const budget = budgetFor({ ...DEFAULT_POLICY.limits, scanTimeoutMs: 30000 });
  return { limits: budget.limits, expired: budget.expired, pdf: 'defer' };
}

const xml = (s: string): Uint8Array => strToU8(`<?xml version="1.0" encoding="UTF-8"?>${s}`);

/** Extracts a file as an attachment and decides it; the findings as `location level`. */
async function scan(name: string, bytes: Uint8Array): Promise<{ found: string[]; verdict: string }> {
  const extracted = await extractFile(name, bytes, options());
  const v = decide({ attachments: [{ name, ...extracted }] }, DEFAULT_POLICY);
  return { found: v.findings.map((f: Finding) => `${f.location} ${f.level}`), verdict: v.verdict };
}

const P = 'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"';
const A = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"';
const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
const WP = 'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"';

function xlsx(sheetNames: readonly string[]): Uint8Array {
  const sheets = sheetNames.map((n, i) => `<sheet name="${n}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('');
  return zipSync({
    '[Content_Types].xml': xml('<Types/>'),
    'xl/workbook.xml': xml(
      `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="r"><sheets>${sheets}</sheets></workbook>`,
    ),
    'xl/worksheets/sheet1.xml': xml('<worksheet><sheetData/></worksheet>'),
  });
}

function pptx(slideName: string, objectName: string): Uint8Array {
  return zipSync({
    'ppt/presentation.xml': xml(`<p:presentation ${P}/>`),
    'ppt/slides/slide1.xml': xml(
      `<p:sld ${P} ${A}><p:cSld name="${slideName}"><p:spTree><p:sp><p:nvSpPr><p:cNvPr id="2" name="${objectName}"/></p:nvSpPr><p:txBody><a:p><a:r><a:t>年度簡報</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>`,
    ),
  });
}

function docx(drawingName: string, embedded: Record<string, Uint8Array>): Uint8Array {
  const files: Zippable = {
    'word/document.xml': xml(
      `<w:document ${W} ${WP}><w:body><w:p><w:r><w:t>請參閱附表</w:t></w:r><w:r><w:drawing><wp:inline><wp:docPr id="1" name="${drawingName}"/></wp:inline></w:drawing></w:r></w:p></w:body></w:document>`,
    ),
  };
  for (const [n, data] of Object.entries(embedded)) {
    files[`word/embeddings/${n}`] = data;
  }
  return zipSync(files);
}

const OFFICE =
  'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:xlink="http://www.w3.org/1999/xlink"';

function odf(mime: string, body: string): Uint8Array {
  return zipSync({
    mimetype: [strToU8(mime), { level: 0 }],
    'content.xml': xml(
      `<office:document-content ${OFFICE}><office:body>${body}</office:body></office:document-content>`,
    ),
  });
}

const ods = (sheet: string): Uint8Array =>
  odf(
    'application/vnd.oasis.opendocument.spreadsheet',
    `<office:spreadsheet><table:table table:name="${sheet}"><table:table-row><table:table-cell><text:p>單價</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet>`,
  );

const odp = (page: string, frame: string): Uint8Array =>
  odf(
    'application/vnd.oasis.opendocument.presentation',
    `<office:presentation><draw:page draw:name="${page}"><draw:frame draw:name="${frame}"><draw:text-box><text:p>簡報內容</text:p></draw:text-box></draw:frame></draw:page></office:presentation>`,
  );

const odt = (objectName: string): Uint8Array =>
  odf(
    'application/vnd.oasis.opendocument.text',
    `<office:text><text:p>如附表<draw:frame draw:name="${objectName}"><draw:object xlink:href="./Object 1"/></draw:frame></text:p></office:text>`,
  );

describe('names inside files', () => {
  it('a zip entry’s path: a folder or a file name, read from the directory', async () => {
    const zip = zipSync({
      '機密/報價單.txt': strToU8('報價如下'),
      '機密/附表/說明.txt': strToU8('說明如下'),
      '資料/115年度預算_密.txt': strToU8('預算如下'),
      '資料/密碼變更說明.txt': strToU8('請定期變更密碼'),
    });
    const { found, verdict } = await scan('資料.zip', zip);
    // The folder is read once, however many entries are under it.
    expect(found).toEqual([
      'attachment:資料.zip/機密/#name 機密',
      'attachment:資料.zip/資料/115年度預算_密.txt#name 密',
    ]);
    expect(verdict).toBe('block');
    expect((await scan('資料.zip', zipSync({ '資料/密碼變更說明.txt': strToU8('請定期變更密碼') }))).found).toEqual([]);
  });

  it('crafted deep paths are bounded: few names, short locations, the archive unscannable, a shallow folder still read', async () => {
    // 4 entries each 30,000 folders deep (a 480 KB zip): every folder of every path was a name of its own with its
    // whole path as its location, 3.6 G characters of locations.
    const files: Zippable = { '機密/說明.txt': strToU8('說明如下') };
    for (let k = 0; k < 4; k++) {
      files[`b${k}/${'a/'.repeat(30000)}x.txt`] = strToU8('x');
    }
    const zip = zipSync(files);
    const extracted = await extractFile('深層.zip', zip, options());
    const names = extracted.segments.filter((s) => s.position === 'name');
    expect(names.length).toBeLessThanOrEqual(4 * (MAX_PATH_DEPTH + 1) + 2);
    expect(names.reduce((n, s) => n + s.location.length, 0)).toBeLessThan(names.length * 400);
    expect(extracted.unscannable).toEqual([
      expect.objectContaining({ location: 'attachment:深層.zip', reason: 'too-large' }),
    ]);
    const verdict = decide({ attachments: [{ name: '深層.zip', ...extracted }] }, DEFAULT_POLICY);
    expect(verdict.findings.map((f) => `${f.location} ${f.level}`)).toContain('attachment:深層.zip/機密/#name 機密');
    expect(verdict.verdict).not.toBe('allow');
  });

  it('many long paths: the names read and the characters looked up per archive are bounded, the rest unscannable', async () => {
    // Each path ~16 K characters over 40 folders; together past the character bound long before the entry limit.
    const long = (k: number): string =>
      `${Array.from({ length: 40 }, (_, i) => `${'夾'.repeat(400)}${k}_${i}`).join('/')}/x.txt`;
    const files: Zippable = { '機密_底價.txt': strToU8('底價') };
    for (let k = 0; k < 60; k++) {
      files[long(k)] = strToU8('x');
    }
    const extracted = await extractFile('長名.zip', zipSync(files), options());
    expect(extracted.unscannable.map((u) => `${u.location} ${u.reason}`)).toEqual(['attachment:長名.zip too-large']);
    const names = extracted.segments.filter((s) => s.position === 'name');
    expect(names.every((s) => s.location.length < 600)).toBe(true);
    expect(names.length).toBeLessThan(60 * 41);
    const verdict = decide({ attachments: [{ name: '長名.zip', ...extracted }] }, DEFAULT_POLICY);
    expect(verdict.findings.map((f) => f.location)).toContain('attachment:長名.zip/機密_底價.txt#name');
  });

  it('an entry past the nesting depth: its content is not opened, its name is still read', async () => {
    let inner = zipSync({ '機密_底價.txt': strToU8('底價') });
    // Wrapped so that the archive holding it sits exactly at the nesting limit: its entries are not opened.
    for (let i = 0; i < DEFAULT_POLICY.limits.maxArchiveDepth; i++) {
      inner = zipSync({ [`層${i}.zip`]: inner });
    }
    const extracted = await extractFile('深.zip', inner, options());
    expect(extracted.unscannable.map((u) => u.reason)).toEqual(['too-large']);
    const { found } = await scan('深.zip', inner);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/層0\.zip\/機密_底價\.txt#name 機密$/);
  });

  it('an xlsx sheet name', async () => {
    expect((await scan('底價.xlsx', xlsx(['機密-底價', '工作表2']))).found).toEqual([
      'attachment:底價.xlsx/xl/workbook.xml#name 機密',
    ]);
    expect((await scan('評估.xlsx', xlsx(['機密性評估', '工作表1']))).found).toEqual([]);
  });

  it('an ods sheet name', async () => {
    expect((await scan('底價.ods', ods('機密-底價'))).found).toEqual(['attachment:底價.ods/content.xml#name 機密']);
    expect((await scan('評估.ods', ods('機密性評估'))).found).toEqual([]);
  });

  it('a pptx slide name and a shape’s name', async () => {
    expect((await scan('簡報.pptx', pptx('【極機密】兵推', '標題 1'))).found).toEqual([
      'attachment:簡報.pptx/ppt/slides/slide1.xml#name 極機密',
    ]);
    expect((await scan('簡報.pptx', pptx('投影片 1', '密_附表'))).found).toEqual([
      'attachment:簡報.pptx/ppt/slides/slide1.xml#name 密',
    ]);
    expect((await scan('宣導.pptx', pptx('保密宣導', '標題 1'))).found).toEqual([]);
  });

  it('an odp page name and a frame’s name', async () => {
    expect((await scan('簡報.odp', odp('機敏資料_個資', '圖 1'))).found).toEqual([
      'attachment:簡報.odp/content.xml#name 機敏',
    ]);
    expect((await scan('簡報.odp', odp('投影片1', '〔機密〕附圖'))).found).toEqual([
      'attachment:簡報.odp/content.xml#name 機密',
    ]);
    expect((await scan('宣導.odp', odp('保密宣導', '密碼原則'))).found).toEqual([]);
  });

  it('an odt embedded object’s name', async () => {
    expect((await scan('報告.odt', odt('【密】附表'))).found).toEqual(['attachment:報告.odt/content.xml#name 密']);
    expect((await scan('報告.odt', odt('物件1'))).found).toEqual([]);
  });

  it('a docx embedded file’s name and a drawing’s name', async () => {
    const embedded = { '機密_底價.txt': strToU8('底價表') };
    expect((await scan('報告.docx', docx('圖片 1', embedded))).found).toEqual([
      'attachment:報告.docx/word/embeddings/機密_底價.txt#name 機密',
    ]);
    expect((await scan('報告.docx', docx('附圖_密', {}))).found).toEqual([
      'attachment:報告.docx/word/document.xml#name 密',
    ]);
    expect((await scan('報告.docx', docx('密碼原則圖', { 'oleObject1.bin.txt': strToU8('x') }))).found).toEqual([]);
  });

  it('a file inside a TNEF (winmail.dat), its title in the sender’s code page', async () => {
    const attr = (level: number, id: number, data: Uint8Array) => {
      const h = Buffer.alloc(9);
      h.writeUInt8(level, 0);
      h.writeUInt32LE(id, 1);
      h.writeUInt32LE(data.length, 5);
      return Buffer.concat([h, data, Buffer.alloc(2)]);
    };
    const head = Buffer.alloc(6);
    head.writeUInt32LE(0x223e9f78, 0);
    // 「機密_底價.txt」 in Big5 (code page 950), as Outlook in Taiwan writes attAttachTitle.
    const big5Title = Buffer.from([
      0xbe,
      0xf7,
      0xb1,
      0x4b,
      ...Buffer.from('_'),
      0xa9,
      0xb3,
      0xbb,
      0xf9,
      ...Buffer.from('.txt\0'),
    ]);
    const tnef = (title: Uint8Array) =>
      new Uint8Array(Buffer.concat([head, attr(2, 0x00018010, title), attr(2, 0x0006800f, Buffer.from('底價'))]));
    expect((await scan('winmail.dat', tnef(big5Title))).found).toEqual([
      'attachment:winmail.dat/機密_底價.txt#name 機密',
    ]);
    expect((await scan('winmail.dat', tnef(Buffer.from('price.txt\0')))).found).toEqual([]);
  });
});

describe('attachment names in mail', () => {
  const mail = (dispositions: readonly string[]): Uint8Array =>
    strToU8(
      `Subject: =?UTF-8?B?${Buffer.from('資料').toString('base64')}?=\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n附件如附\r\n${dispositions
        .map((d) => `--b\r\nContent-Type: text/csv\r\nContent-Disposition: attachment; ${d}\r\n\r\n項目,金額\r\n`)
        .join('')}--b--\r\n`,
    );
  const big5B64 = (bytes: number[]) => Buffer.from(bytes).toString('base64');

  it('decodes RFC 2231 (UTF-8 and Big5) and RFC 2047 names before reading them', async () => {
    const message = await parseEml(
      mail([
        `filename*=UTF-8''${encodeURIComponent('【機密】115年度國防預算分配表.csv')}`,
        // 「密_名單.csv」 in Big5, percent-encoded.
        `filename*=big5''%B1%4B_%A6%57%B3%E6.csv`,
        // 「極機密-兵力.csv」 as a Big5 encoded word.
        `filename="=?big5?B?${big5B64([0xb7, 0xa5, 0xbe, 0xf7, 0xb1, 0x4b, 0x2d, 0xa7, 0x4c, 0xa4, 0x4f])}?=.csv"`,
        `filename*0*=UTF-8''${encodeURIComponent('機密')};filename*1*=${encodeURIComponent('_底價.csv')}`,
        `filename="=?UTF-8?B?${Buffer.from('密碼變更說明.csv').toString('base64')}?="`,
      ]),
      options(),
    );
    expect(message.attachments.map((a) => a.name)).toEqual([
      '【機密】115年度國防預算分配表.csv',
      '密_名單.csv',
      '極機密-兵力.csv',
      '機密_底價.csv',
      '密碼變更說明.csv',
    ]);
    const v = decide(message, DEFAULT_POLICY);
    expect(v.findings.map((f) => `${f.location} ${f.level} ${f.strippable}`)).toEqual([
      'attachment:【機密】115年度國防預算分配表.csv#name 機密 false',
      'attachment:密_名單.csv#name 密 false',
      'attachment:極機密-兵力.csv#name 極機密 false',
      'attachment:機密_底價.csv#name 機密 false',
    ]);
  });

  it('reads names under an invented label (big5_tw) with the checked decoder, not as windows-1252', async () => {
    // 【機密】115年度預算.txt in Big5.
    const name = [
      0xa1, 0x69, 0xbe, 0xf7, 0xb1, 0x4b, 0xa1, 0x6a, 0x31, 0x31, 0x35, 0xa6, 0x7e, 0xab, 0xd7, 0xb9, 0x77, 0xba, 0xe2,
      0x2e, 0x74, 0x78, 0x74,
    ];
    const percent = name.map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
    const message = await parseEml(
      mail([
        `filename="=?big5_tw?B?${big5B64(name)}?="`,
        `filename*=big5_tw''${percent}`,
        `filename*0*=big5_tw''${percent.slice(0, 24)};filename*1*=${percent.slice(24)}`,
      ]),
      options(),
    );
    expect(message.attachments.map((a) => a.name)).toEqual([
      '【機密】115年度預算.txt',
      '【機密】115年度預算.txt#2',
      '【機密】115年度預算.txt#3',
    ]);
    expect(decide(message, DEFAULT_POLICY).level).toBe('機密');
  });

  it('a name (Content-Type name too) whose charset cannot be read is unreadable-charset, never allowed', async () => {
    const sjis = Buffer.from([0x8b, 0x40, 0x96, 0xa7, 0x95, 0xb6, 0x8f, 0x91, 0x2e, 0x74, 0x78, 0x74]).toString(
      'base64',
    );
    const bytes = strToU8(
      `Subject: files\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee\r\n` +
        `--b\r\nContent-Type: text/plain; name="=?x-unknown?B?${sjis}?="\r\nContent-Disposition: attachment\r\n\r\nhello\r\n--b--\r\n`,
    );
    const message = await parseEml(bytes, options());
    expect(message.attachments[0]?.unscannable).toEqual([
      expect.objectContaining({ reason: 'unreadable-charset', location: expect.stringMatching(/#name$/) }),
    ]);
    expect(decide(message, DEFAULT_POLICY).verdict).not.toBe('allow');
  });

  it('reads the names of a forwarded message’s attachments, which reach the core only as its segments', async () => {
    const inner = `Subject: inner\r\nContent-Type: multipart/mixed; boundary=in\r\n\r\n--in\r\nContent-Type: text/plain\r\n\r\nsee\r\n--in\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename*=UTF-8''${encodeURIComponent('機密_底價.txt')}\r\n\r\n底價\r\n--in\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename*=UTF-8''${encodeURIComponent('保密宣導.txt')}\r\n\r\n宣導\r\n--in--\r\n`;
    const outer = `Subject: FW\r\nContent-Type: multipart/mixed; boundary=out\r\n\r\n--out\r\nContent-Type: text/plain\r\n\r\nfw\r\n--out\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename="fwd.eml"\r\n\r\n${inner}\r\n--out--\r\n`;
    const v = decide(await parseEml(strToU8(outer), options()), DEFAULT_POLICY);
    expect(v.findings.map((f) => `${f.location} ${f.level}`)).toEqual(['attachment:fwd.eml/機密_底價.txt#name 機密']);
  });
});
