/**
 * The XML parts of a document are decoded in the pieces the inflater hands out. In classic Outlook's send runtime the
 * decoder is the pure-JS one; a character cut by a piece boundary must still be read whole, or a mark across it is
 * lost and the message allowed.
 */
import { strToU8, zipSync } from 'fflate';

import { PureTextDecoder } from '../../../addin/on-send/runtime/text-codec';
import { decide, DEFAULT_POLICY } from '../../../src/core';
import { budgetFor, extractFile, type ExtractOptions } from '../../../src/extract';
import type * as Zip from '../../../src/extract/zip';

/** When set, the pieces of an entry that holds `mark` are re-cut into two, the first ending `into` bytes into it. */
let cut: { mark: string; into: number } | null = null;

jest.mock('../../../src/extract/zip', () => {
  const actual = jest.requireActual<typeof Zip>('../../../src/extract/zip');
  return {
    ...actual,
    streamZipEntry: (...args: Parameters<typeof Zip.streamZipEntry>): void => {
      const [bytes, entry, limits, onChunk] = args;
      if (!cut) {
        actual.streamZipEntry(...args);
        return;
      }
      const pieces: Buffer[] = [];
      actual.streamZipEntry(bytes, entry, limits, (chunk) => pieces.push(Buffer.from(chunk)));
      const all = Buffer.concat(pieces);
      const at = all.indexOf(Buffer.from(cut.mark));
      if (at < 0) {
        pieces.forEach((piece) => onChunk(piece));
        return;
      }
      onChunk(all.subarray(0, at + cut.into));
      onChunk(all.subarray(at + cut.into));
    },
  };
});

const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
const filler =
  '<w:p><w:r><w:t>一、本案業經會議討論，決議依原訂期程辦理，並請各單位配合填報執行進度。</w:t></w:r></w:p>';

/** A .docx of about 1,200 paragraphs whose only 密等 mark is `mark`, in the middle. */
function docx(mark: string): Uint8Array {
  const xml =
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document ${W}><w:body>${filler.repeat(600)}` +
    `<w:p><w:r><w:t>${mark}</w:t></w:r></w:p>${filler.repeat(600)}</w:body></w:document>`;
  return zipSync({ '[Content_Types].xml': strToU8('<Types/>'), 'word/document.xml': strToU8(xml) }, { level: 6 });
}

function options(): ExtractOptions {
  const budget = budgetFor({ ...DEFAULT_POLICY.limits, scanTimeoutMs: 120000 });
  return { limits: budget.limits, expired: budget.expired, pdf: 'defer' };
}

describe("a mark cut by an inflate piece boundary, with classic Outlook's pure-JS TextDecoder", () => {
  const native = globalThis.TextDecoder;
  beforeAll(() => {
    globalThis.TextDecoder = PureTextDecoder as unknown as typeof TextDecoder;
  });
  afterAll(() => {
    globalThis.TextDecoder = native;
    cut = null;
  });

  it('is read whole and blocks wherever in the mark the piece ends', async () => {
    const mark = '【機密】本簽呈附件請依規定辦理。';
    const bytes = docx(mark);
    const markBytes = Buffer.byteLength(mark);
    for (let into = 1; into < markBytes; into++) {
      cut = { mark, into };
      const extracted = await extractFile('簽呈.docx', bytes, options());
      const text = extracted.segments.map((s) => s.text).join('\n');
      expect(text).toContain(mark);
      expect(text).not.toContain('\ufffd');
      const verdict = decide({ attachments: [{ name: '簽呈.docx', ...extracted }] }, DEFAULT_POLICY);
      expect(verdict.findings.map((f) => f.level)).toContain('機密');
      expect(verdict.verdict).not.toBe('allow');
    }
  });

  it('an .odt is read the same way', async () => {
    const mark = '【機密】';
    const content =
      '<?xml version="1.0" encoding="UTF-8"?><office:document-content ' +
      'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" ' +
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>' +
      `<text:p>${mark}本案請依規定辦理。</text:p></office:text></office:body></office:document-content>`;
    const odt = zipSync({
      mimetype: [strToU8('application/vnd.oasis.opendocument.text'), { level: 0 }],
      'content.xml': strToU8(content),
    });
    for (let into = 1; into < Buffer.byteLength(mark); into++) {
      cut = { mark, into };
      const extracted = await extractFile('公文.odt', odt, options());
      const verdict = decide({ attachments: [{ name: '公文.odt', ...extracted }] }, DEFAULT_POLICY);
      expect(verdict.findings.map((f) => f.level)).toContain('機密');
    }
  });
});
