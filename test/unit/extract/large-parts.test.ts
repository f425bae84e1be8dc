import { strToU8, zipSync } from 'fflate';

import { decide, DEFAULT_POLICY } from '../../../src/core';
import { budgetFor, extractFile, type ExtractOptions } from '../../../src/extract';
import { maxInflatedXmlBytes } from '../../../src/extract/extract';

const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';

/** A minimal .docx whose word/document.xml is `paragraphs` ordinary paragraphs and then `last`. */
function docx(paragraphs: number, last: string): { bytes: Uint8Array; xmlBytes: number } {
  const filler =
    '<w:p><w:pPr><w:jc w:val="both"/></w:pPr><w:r><w:rPr><w:rFonts w:ascii="標楷體" w:eastAsia="標楷體"/><w:sz w:val="28"/>' +
    '</w:rPr><w:t xml:space="preserve">一、本案業經會議討論，決議依原訂期程辦理，並請各單位配合填報執行進度。</w:t></w:r></w:p>';
  const xml = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document ${W}><w:body>${filler.repeat(
    paragraphs,
  )}<w:p><w:r><w:t>${last}</w:t></w:r></w:p></w:body></w:document>`;
  const files = {
    '[Content_Types].xml': strToU8(
      '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    ),
    'word/document.xml': strToU8(xml),
  };
  return { bytes: zipSync(files, { level: 6 }), xmlBytes: Buffer.byteLength(xml) };
}

function options(limits: Partial<ExtractOptions['limits']> = {}): ExtractOptions {
  const budget = budgetFor({ ...DEFAULT_POLICY.limits, scanTimeoutMs: 120000, ...limits });
  return { limits: budget.limits, expired: budget.expired, pdf: 'defer' };
}

describe('a document whose XML inflates past the file-size limit', () => {
  it('a .docx well under the file limit whose document.xml inflates past 25 MiB is scanned to its end, not refused', async () => {
    const { bytes, xmlBytes } = docx(110000, '機密');
    expect(xmlBytes).toBeGreaterThan(DEFAULT_POLICY.limits.maxFileBytes);
    expect(bytes.length).toBeLessThan(DEFAULT_POLICY.limits.maxFileBytes / 4);
    const extracted = await extractFile('會議紀錄.docx', bytes, options());
    expect(extracted.unscannable).toEqual([]);
    const verdict = decide({ attachments: [{ name: '會議紀錄.docx', ...extracted }] }, DEFAULT_POLICY);
    expect(verdict.findings.map((f) => `${f.location} ${f.level}`)).toContain(
      'attachment:會議紀錄.docx/word/document.xml#body 機密',
    );
    expect(verdict.verdict).toBe('block');
  });

  it('the bound for XML parts is a multiple of the file limit with an absolute cap', () => {
    expect(maxInflatedXmlBytes({ maxFileBytes: 25 * 1024 * 1024 })).toBe(100 * 1024 * 1024);
    expect(maxInflatedXmlBytes({ maxFileBytes: 128 * 1024 * 1024 })).toBe(256 * 1024 * 1024);
    // Never below the file limit itself: a part may always be as large as a file may be.
    expect(maxInflatedXmlBytes({ maxFileBytes: 512 * 1024 * 1024 })).toBe(512 * 1024 * 1024);
    expect(maxInflatedXmlBytes({ maxFileBytes: 1024 })).toBe(4096);
  });

  it('a document.xml past that bound is refused as too large', async () => {
    const maxFileBytes = 256 * 1024;
    const { bytes, xmlBytes } = docx(8000, '密');
    expect(xmlBytes).toBeGreaterThan(maxInflatedXmlBytes({ maxFileBytes }));
    const extracted = await extractFile('x.docx', bytes, options({ maxFileBytes }));
    expect(extracted.unscannable.map((u) => `${u.location} ${u.reason}`)).toEqual([
      'attachment:x.docx/word/document.xml too-large',
    ]);
    const verdict = decide({ attachments: [{ name: 'x.docx', ...extracted }] }, DEFAULT_POLICY);
    expect(verdict.verdict).not.toBe('allow');
  });

  it('a part that inflates past the bound does not fit by being split across parts', async () => {
    const maxFileBytes = 256 * 1024;
    const part = docx(3000, '').bytes;
    const inner = (await import('fflate')).unzipSync(part)['word/document.xml'] as Uint8Array;
    const files: Record<string, Uint8Array> = {
      '[Content_Types].xml': strToU8('<Types/>'),
      'word/document.xml': inner,
    };
    for (let i = 1; i <= 6; i++) {
      files[`word/header${i}.xml`] = inner;
    }
    expect(inner.length * 7).toBeGreaterThan(maxInflatedXmlBytes({ maxFileBytes }));
    expect(inner.length).toBeLessThan(maxInflatedXmlBytes({ maxFileBytes }));
    const extracted = await extractFile('y.docx', zipSync(files), options({ maxFileBytes }));
    expect(extracted.unscannable.map((u) => u.reason)).toContain('too-large');
  });
});
