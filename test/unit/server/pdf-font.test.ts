import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { PDFDocument } from 'pdf-lib';

import { ConfigError } from '../../../src/server/config';
import { choosePdfFonts, resolvePdfFonts, SYSTEM_FONTS } from '../../../src/server/pdf-font';

const TW_SUNG = '/usr/share/fonts/truetype/cns11643/TW-Sung-98_1.ttf';
const EXT_B = '/usr/share/fonts/truetype/cns11643/TW-Sung-Ext-B-98_1.ttf';
const LATIN = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

/**
 * A TrueType collection of the given fonts, as Windows and macOS ship CJK fonts (.ttc): a `ttcf` header listing each
 * font's table directory, the directories' table offsets counted from the start of the collection.
 */
function collection(files: readonly string[]): Buffer {
  const fonts = files.map((f) => readFileSync(f));
  const header = 12 + 4 * fonts.length;
  const bases: number[] = [];
  let at = header;
  for (const f of fonts) {
    bases.push(at);
    at += Math.ceil(f.length / 4) * 4;
  }
  const out = Buffer.alloc(at);
  out.write('ttcf', 0, 'latin1');
  out.writeUInt16BE(1, 4);
  out.writeUInt32BE(fonts.length, 8);
  fonts.forEach((f, i) => {
    const base = bases[i] as number;
    out.writeUInt32BE(base, 12 + 4 * i);
    f.copy(out, base);
    const tables = f.readUInt16BE(4);
    for (let t = 0; t < tables; t++) {
      const record = base + 12 + 16 * t;
      out.writeUInt32BE(out.readUInt32BE(record + 8) + base, record + 8);
    }
  });
  return out;
}

describe('the PDF font', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sg-font-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds Debian TW-Sung first, with its Ext-B and Plus companions as fallbacks', () => {
    const found = resolvePdfFonts(null);
    expect(found.status).toBe('found');
    if (found.status === 'found') {
      expect(found.source).toBe('system');
      expect(found.fonts.primary.path).toBe(TW_SUNG);
      expect(found.fonts.primary.postscriptName).toBe('TW-Sung-98_1');
      expect(found.fonts.fallbackPaths.slice(0, 2)).toEqual([EXT_B, EXT_B.replace('Ext-B', 'Plus')]);
      // 𠀋 (U+2000B) is not in the BMP font; the chain reads Ext-B to find it. 😀 is in none.
      expect(found.fonts.faceIndexFor('機'.codePointAt(0) as number)).toBe(0);
      expect(found.fonts.faceIndexFor(0x2000b)).toBe(1);
      expect(found.fonts.faceIndexFor(0x1f600)).toBe(-1);
    }
  });

  it('start-up keeps the chosen fonts as paths only, so the parsed copy it checked is not held by the server thread', () => {
    const chosen = choosePdfFonts(null);
    // Plain data: nothing parsed (no bytes, no fontkit objects) survives the check.
    expect(structuredClone(chosen)).toEqual(chosen);
    expect(JSON.parse(JSON.stringify(chosen))).toEqual(chosen);
    expect(chosen.status === 'found' && chosen.face).toBe('TW-Sung-98_1');
    expect(chosen.status === 'found' && chosen.sources.slice(0, 3)).toEqual([
      { path: TW_SUNG, faces: ['TW-Sung-98_1'] },
      { path: EXT_B },
      { path: EXT_B.replace('Ext-B', 'Plus') },
    ]);
    expect(choosePdfFonts(null, [{ path: '/nowhere/a.ttf' }], () => false)).toEqual({
      status: 'none',
      searched: ['/nowhere/a.ttf'],
    });
    expect(() => choosePdfFonts(LATIN)).toThrow(/PDF_FONT.*Traditional Chinese/);
  });

  it('goes down the list in order and says what it searched when nothing is there', () => {
    const present = new Set([LATIN]);
    const candidates = [{ path: '/nowhere/a.ttf' }, { path: LATIN }, ...SYSTEM_FONTS];
    const none = resolvePdfFonts(null, candidates, (p) => present.has(p));
    // DejaVu is there but has no Chinese: a system font must cover the sheet's own text to be chosen.
    expect(none).toEqual({ status: 'none', searched: candidates.map((c) => c.path) });
    present.add(EXT_B);
    expect(resolvePdfFonts(null, candidates, (p) => present.has(p)).status).toBe('none');
    present.add(TW_SUNG);
    const found = resolvePdfFonts(null, candidates, (p) => present.has(p));
    expect(found.status === 'found' && found.fonts.primary.path).toBe(TW_SUNG);
  });

  it('PDF_FONT wins, and a PDF_FONT that is not a Traditional Chinese font stops start-up naming it', () => {
    const configured = resolvePdfFonts(TW_SUNG);
    expect(configured.status === 'found' && configured.source).toBe('PDF_FONT');
    const notAFont = path.join(dir, 'not-a-font.ttf');
    writeFileSync(notAFont, 'this is not a font');
    expect(() => resolvePdfFonts(notAFont)).toThrow(ConfigError);
    expect(() => resolvePdfFonts(notAFont)).toThrow(/PDF_FONT/);
    expect(() => resolvePdfFonts(LATIN)).toThrow(/PDF_FONT.*Traditional Chinese/);
  });

  it('picks the Chinese face out of a .ttc collection, and pdf-lib subsets it into a PDF poppler reads', async () => {
    const ttc = path.join(dir, 'collection.ttc');
    writeFileSync(ttc, collection([LATIN, TW_SUNG]));
    const found = resolvePdfFonts(ttc);
    expect(found.status).toBe('found');
    if (found.status !== 'found') {
      return;
    }
    expect(found.fonts.primary.postscriptName).toBe('TW-Sung-98_1');
    const doc = await PDFDocument.create();
    doc.registerFontkit(found.fonts.fontkit);
    const font = await doc.embedFont(found.fonts.primary.bytes, { subset: true });
    doc.addPage().drawText('本會議因具機敏性質，與會人員應行保密。', { x: 40, y: 700, size: 14, font });
    const file = path.join(dir, 'ttc.pdf');
    writeFileSync(file, await doc.save());
    expect(execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-']).toString()).toContain(
      '本會議因具機敏性質，與會人員應行保密。',
    );
    // The face named in the candidate list wins over the first one that merely covers the text.
    const named = resolvePdfFonts(null, [{ path: ttc, faces: ['TW-Sung-98_1'] }]);
    expect(named.status === 'found' && named.fonts.primary.postscriptName).toBe('TW-Sung-98_1');
  }, 60_000);
});
