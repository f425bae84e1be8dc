import { deflateRawSync } from 'node:zlib';

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
