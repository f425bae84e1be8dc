import { deflateRawSync } from 'node:zlib';

import { DEFAULT_POLICY, detectSegment } from '../../../src/core';
import { budgetFor, extractFile } from '../../../src/extract';
import { readDi } from '../../../src/extract/di';
import { readTnef, utf16Runs } from '../../../src/extract/legacy';
import { stripSheetHeaderCodes } from '../../../src/extract/ooxml';
import { readRtf } from '../../../src/extract/rtf';
import { readZipDirectory, readZipEntry, ZipError } from '../../../src/extract/zip';

const limits = { maxEntries: 100, maxEntryBytes: 1024 * 1024 };

/** A minimal ZIP writer for reader edge cases (the fixtures come from zip and LibreOffice). */
function zip(
  entries: { name: string; data: Buffer; flags?: number; method?: number; declaredSize?: number }[],
): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const method = e.method ?? 8;
    const body = method === 8 ? deflateRawSync(e.data) : e.data;
    const name = Buffer.from(e.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE((e.flags ?? 0) | 0x800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, body);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((e.flags ?? 0) | 0x800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(e.declaredSize ?? e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, cd, end]));
}

describe('zip reader', () => {
  it('reads stored and deflated entries with UTF-8 names', () => {
    const bytes = zip([
      { name: '說明.txt', data: Buffer.from('機密') },
      { name: 'a.txt', data: Buffer.from('plain'), method: 0 },
    ]);
    const entries = readZipDirectory(bytes, limits);
    expect(entries.map((e) => e.name)).toEqual(['說明.txt', 'a.txt']);
    expect(Buffer.from(readZipEntry(bytes, entries[0]!, limits)).toString()).toBe('機密');
    expect(Buffer.from(readZipEntry(bytes, entries[1]!, limits)).toString()).toBe('plain');
  });

  it('reports encrypted entries, too many entries, and an inflating bomb', () => {
    const enc = zip([{ name: 'x', data: Buffer.from('x'), flags: 1 }]);
    expect(() => readZipEntry(enc, readZipDirectory(enc, limits)[0]!, limits)).toThrow(
      expect.objectContaining({ reason: 'encrypted' }),
    );
    const many = zip(Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, data: Buffer.from('x') })));
    expect(() => readZipDirectory(many, { ...limits, maxEntries: 4 })).toThrow(ZipError);
    // The directory lies about the size; the inflater still stops at the limit.
    const bomb = zip([{ name: 'zeros', data: Buffer.alloc(4 * 1024 * 1024), declaredSize: 10 }]);
    expect(() => readZipEntry(bomb, readZipDirectory(bomb, limits)[0]!, limits)).toThrow(
      expect.objectContaining({ reason: 'too-large' }),
    );
  });

  it('reports truncation', () => {
    const bytes = zip([{ name: 'a', data: Buffer.from('hello world') }]);
    expect(() => readZipDirectory(bytes.subarray(0, 20), limits)).toThrow(
      expect.objectContaining({ reason: 'malformed' }),
    );
  });
});

describe('RTF', () => {
  it("decodes \\u escapes with their fallback characters skipped, and Big5 \\'hh bytes", () => {
    const rtf = "{\\rtf1\\ansi\\ansicpg950\\uc1{\\header \\u27231?\\u23494?}\\'be\\'f7\\'b1\\'4b\\par}";
    const { segments } = readRtf(rtf, 'a.rtf');
    expect(segments.map((s) => [s.location, s.text.trim()])).toEqual([
      ['a.rtf/rtf#header', '機密'],
      ['a.rtf/rtf#body', '機密'],
    ]);
  });

  it('skips font tables and field instructions, and reports unbalanced groups', () => {
    const { segments, wellFormed } = readRtf(
      '{\\rtf1{\\fonttbl{\\f0 機密體;}}{\\field{\\*\\fldinst HYPERLINK 機密}{\\fldrslt 連結}}',
      'a.rtf',
    );
    expect(segments.map((s) => s.text)).toEqual(['連結']);
    expect(wellFormed).toBe(false);
  });
});

describe('公文 DI', () => {
  it('rewrites the 密等 attribute as the printed field, old 91-style names included', () => {
    const di91 = '<函><密等及解密條件><密等 代碼="極機密"/><解密條件>本件於公布時解密</解密條件></密等及解密條件></函>';
    expect(readDi(di91, 'x').segments.find((s) => s.location.endsWith('#classification'))?.text).toBe(
      '密等及解密條件或保密期限：極機密（本件於公布時解密）\n',
    );
    expect(
      readDi('<檔案><密等>機密</密等></檔案>', 'x').segments.find((s) => s.location.endsWith('#classification'))?.text,
    ).toBe('密等及解密條件或保密期限：機密\n');
  });
});

describe('small readers', () => {
  it('strips Excel header codes', () => {
    expect(stripSheetHeaderCodes('&L&"標楷體,粗體"&12機密&C第 &P 頁&R&D')).toBe('\n機密\n第  頁\n');
  });

  it('finds UTF-16 text runs in binary', () => {
    const bin = Buffer.concat([
      Buffer.from([0, 1, 2, 3]),
      Buffer.from('機密文件', 'utf16le'),
      Buffer.from([0xff, 0xfe, 0, 9]),
    ]);
    expect(utf16Runs(new Uint8Array(bin))).toContain('機密文件');
  });

  it('reads a TNEF body and attachments, and says when it is truncated', () => {
    const attr = (level: number, id: number, data: Buffer) => {
      const h = Buffer.alloc(9);
      h.writeUInt8(level, 0);
      h.writeUInt32LE(id, 1);
      h.writeUInt32LE(data.length, 5);
      return Buffer.concat([h, data, Buffer.alloc(2)]);
    };
    const head = Buffer.alloc(6);
    head.writeUInt32LE(0x223e9f78, 0);
    const full = Buffer.concat([
      head,
      attr(1, 0x0001800c, Buffer.from('hello')),
      attr(2, 0x00018010, Buffer.from('a.txt\0')),
      attr(2, 0x0006800f, Buffer.from('機密')),
    ]);
    const t = readTnef(new Uint8Array(full));
    expect(t.body).toBe('hello');
    expect(t.attachments.map((a) => [a.name, Buffer.from(a.data).toString()])).toEqual([['a.txt', '機密']]);
    expect(readTnef(new Uint8Array(full.subarray(0, full.length - 3))).truncated).toBe(true);
  });
});

/** What the detector finds in an extracted file, and where. */
async function scanFile(name: string, bytes: Uint8Array) {
  const budget = budgetFor({ ...DEFAULT_POLICY.limits, scanTimeoutMs: 30000 });
  const extracted = await extractFile(name, bytes, { limits: budget.limits, expired: budget.expired, pdf: 'defer' });
  const found = extracted.segments.flatMap((s) =>
    detectSegment(s).map((f) => `${s.location.replace(/^.*?\//, '')} ${f.rule}:${f.level}`),
  );
  return { extracted, found };
}

/** A minimal xlsx: rows of shared-string cells (a number where the cell is a number), and optional unused strings. */
function xlsx(rows: (string | number)[][], unused: string[] = []): Uint8Array {
  const strings: string[] = [];
  const index = (t: string) => (strings.includes(t) ? strings.indexOf(t) : strings.push(t) - 1);
  const sheetRows = rows
    .map(
      (row, r) =>
        `<row r="${r + 1}">${row
          .map((v, c) =>
            typeof v === 'number'
              ? `<c r="${String.fromCharCode(65 + c)}${r + 1}"><v>${v}</v></c>`
              : `<c r="${String.fromCharCode(65 + c)}${r + 1}" t="s"><v>${index(v)}</v></c>`,
          )
          .join('')}</row>`,
    )
    .join('');
  unused.forEach(index);
  const sst = `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${strings.map((t) => `<si><t>${t}</t></si>`).join('')}</sst>`;
  return zip([
    {
      name: 'xl/workbook.xml',
      data: Buffer.from('<workbook><sheets><sheet name="工作表1" sheetId="1"/></sheets></workbook>'),
    },
    { name: 'xl/sharedStrings.xml', data: Buffer.from(sst) },
    {
      name: 'xl/worksheets/sheet1.xml',
      data: Buffer.from(`<worksheet><sheetData>${sheetRows}</sheetData></worksheet>`),
    },
  ]);
}

/** A flat ODS document with the given rows of string cells. */
function fods(rows: string[][]): Uint8Array {
  const body = rows
    .map(
      (row) =>
        `<table:table-row>${row.map((v) => `<table:table-cell office:value-type="string"><text:p>${v}</text:p></table:table-cell>`).join('')}</table:table-row>`,
    )
    .join('');
  return new TextEncoder().encode(
    `<?xml version="1.0" encoding="UTF-8"?><office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:mimetype="application/vnd.oasis.opendocument.spreadsheet"><office:body><office:spreadsheet><table:table table:name="工作表1">${body}</table:table></office:spreadsheet></office:body></office:document>`,
  );
}

describe('spreadsheet rows keep their cells side by side (公文 field, ISMS tables)', () => {
  // Sheet names are read too, as name segments of their own (issue 11 §2); these tests are about the cells.
  const cellText = (extracted: { segments: readonly { text: string; position?: string }[] }): string[] =>
    extracted.segments.filter((s) => s.position !== 'name').map((s) => s.text);
  const field = [
    ['欄位', '內容'],
    ['速別', '普通件'],
    ['密等及解密條件或保密期限', '密'],
  ];
  const isms = [
    ['資產名稱', '機密', '完整性', '可用性'],
    ['人事資料庫', 3, 2, 2],
  ];

  it('xlsx: a sheet row is its cells, tab-separated, with their shared strings', async () => {
    const { found, extracted } = await scanFile('公文欄位.xlsx', xlsx(field));
    expect(found).toEqual(['xl/worksheets/sheet1.xml#cells field.classification:密']);
    expect(cellText(extracted)).toEqual(['欄位\t內容\t\n速別\t普通件\t\n密等及解密條件或保密期限\t密\t\n']);
  });

  it('xlsx: a register whose header names the field column has the value of each row read', async () => {
    const register = [
      ['文號', '主旨', '密等及解密條件或保密期限', '速別'],
      ['1150001', '會議紀錄', '普通', '普通件'],
      ['1150002', '底價核定', '密', '最速件'],
    ];
    expect((await scanFile('公文清單.xlsx', xlsx(register))).found).toEqual([
      'xl/worksheets/sheet1.xml#cells field.classification:密',
    ]);
  });

  it('xlsx: the ISMS triad as column headers is not a mark; a level as a value beside a key still is', async () => {
    expect((await scanFile('資產清冊.xlsx', xlsx(isms))).found).toEqual([]);
    expect(
      (
        await scanFile(
          '清單.xlsx',
          xlsx([
            ['文件', '機密'],
            ['資產名稱', '完整性'],
          ]),
        )
      ).found,
    ).toEqual(['xl/worksheets/sheet1.xml#cells level.inline:機密']);
  });

  it('xlsx: a shared string no cell refers to, or cut off in a broken part, is still read', async () => {
    const { found } = await scanFile('殘留.xlsx', xlsx([['甲', '乙']], ['極機密']));
    expect(found).toEqual(['xl/sharedStrings.xml#cells level.standalone:極機密']);
    const cut = new TextEncoder().encode('<sst><si><t>甲</t></si><si><t>機密\n第1份');
    const { extracted } = await scanFile(
      '截斷.xlsx',
      zip([
        { name: 'xl/workbook.xml', data: Buffer.from('<workbook/>') },
        { name: 'xl/sharedStrings.xml', data: Buffer.from(cut) },
      ]),
    );
    expect(extracted.segments.map((s) => s.text)).toEqual(['甲\n機密\n第1份\n']);
    expect(extracted.unscannable.map((u) => u.reason)).toEqual(['malformed']);
  });

  it('ods: a row is one line of tab-separated cells; a cell with two paragraphs keeps its line break', async () => {
    const { found, extracted } = await scanFile('公文欄位.fods', fods(field.map((r) => r.map(String))));
    expect(found).toEqual(['document.xml#body field.classification:密']);
    expect((await scanFile('資產清冊.fods', fods(isms.map((r) => r.map(String))))).found).toEqual([]);
    const multi = await scanFile('x.fods', fods([['機密</text:p><text:p>第1份', '備註']]));
    expect(cellText(multi.extracted)).toEqual(['機密\n第1份\t備註\t\n']);
    expect(multi.found).toEqual(['document.xml#body level.standalone:機密']);
    expect(extracted.unscannable).toEqual([]);
  });

  it('公文 DI: a 密等 代碼 that is no recognised level fails closed; 普通 and blank do not', () => {
    const level = (code: string) =>
      readDi(
        `<函><密等及解密條件或保密期限><密等 代碼="${code}"/></密等及解密條件或保密期限></函>`,
        'x',
      ).segments.flatMap((s) => detectSegment(s).map((f) => f.level));
    expect(level('極機密件')).toEqual(['極機密']);
    expect(level('機蜜')).toEqual(['機密']);
    expect(level('普通')).toEqual([]);
    expect(level('')).toEqual([]);
  });
});
