import { strToU8, type Zippable, zipSync } from 'fflate';

import { nodePdfOptions } from '../../../src/cli/pdf-loader';
import { decide, DEFAULT_POLICY, type Level, levelRank } from '../../../src/core';
import { budgetFor, extractFile, type ExtractOptions } from '../../../src/extract';

/**
 * Issue 11 §1 through the document readers: docx and odt paragraphs arrive joined by line breaks, so a marked
 * paragraph is followed by a line that opens with the next item's number or a bracket.
 */

/** A docx or odt package, written by fflate as the other extract tests do; an ODF mimetype is stored, not deflated. */
function zip(entries: { name: string; data: string }[]): Uint8Array {
  return zipSync(
    Object.fromEntries(
      entries.map((e) => [e.name, e.name === 'mimetype' ? [strToU8(e.data), { level: 0 }] : strToU8(e.data)]),
    ) as Zippable,
  );
}

const xmlEscape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function docx(paragraphs: readonly string[]): Uint8Array {
  const body = paragraphs.map((p) => `<w:p><w:r><w:t>${xmlEscape(p)}</w:t></w:r></w:p>`).join('');
  return zip([
    {
      name: '[Content_Types].xml',
      data: '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    },
    {
      name: 'word/document.xml',
      data: `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`,
    },
  ]);
}

function odt(paragraphs: readonly string[]): Uint8Array {
  const body = paragraphs.map((p) => `<text:p>${xmlEscape(p)}</text:p>`).join('');
  return zip([
    { name: 'mimetype', data: 'application/vnd.oasis.opendocument.text' },
    {
      name: 'content.xml',
      data: `<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>${body}</office:text></office:body></office:document-content>`,
    },
  ]);
}

function options(): ExtractOptions {
  const budget = budgetFor({ ...DEFAULT_POLICY.limits, scanTimeoutMs: 30000 });
  return { limits: budget.limits, expired: budget.expired, pdf: nodePdfOptions() };
}

async function levelOf(name: string, bytes: Uint8Array): Promise<Level | null> {
  const extracted = await extractFile(name, bytes, options());
  expect(extracted.unscannable).toEqual([]);
  const verdict = decide({ attachments: [{ name, segments: extracted.segments }] }, DEFAULT_POLICY);
  return verdict.findings.reduce<Level | null>(
    (acc, f) => (acc === null || levelRank(f.level) > levelRank(acc) ? f.level : acc),
    null,
  );
}

const FOLLOWERS = [
  '（一）作戰計畫如附件。',
  '一、作戰計畫如附件。',
  '(1)作戰計畫',
  '「作戰計畫」如附件',
  '【附件】作戰計畫',
];
const MARKED: readonly [string, Level][] = [
  ['（二）東部雷達站輪值調整如附表。【機】', '機密'],
  ['〔機密〕', '機密'],
  ['〔極機密〕', '極機密'],
  ['三、作戰計畫修正重點：甲案。【極】', '極機密'],
];

describe('a marked paragraph before a numbered or bracketed one, in docx and odt', () => {
  it.each(MARKED.flatMap(([p, level]) => FOLLOWERS.map((q) => [p, q, level] as const)))(
    '%s / %s',
    async (p, q, level) => {
      expect(await levelOf('minutes.docx', docx([p, q, '三、散會。【無】']))).toBe(level);
      expect(await levelOf('minutes.odt', odt([p, q, '三、散會。【無】']))).toBe(level);
    },
  );

  it('the same documents without the mark are clean', async () => {
    for (const q of FOLLOWERS) {
      expect(await levelOf('minutes.docx', docx(['（二）東部雷達站輪值調整如附表。【無】', q]))).toBeNull();
      expect(await levelOf('minutes.odt', odt(['（二）東部雷達站輪值調整如附表。【無】', q]))).toBeNull();
    }
  });
});
