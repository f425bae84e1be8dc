import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

import { walkXml, type XmlHandler } from '../../../src/extract/xml';
import { readZipDirectory, readZipEntry } from '../../../src/extract/zip';

const docs = path.resolve(__dirname, '..', '..', 'fixtures', 'docs');
const limits = { maxEntries: 1000, maxEntryBytes: 64 * 1024 * 1024 };

/** Every event the walker reports, with text as seen by the handler. */
function events(input: Parameters<typeof walkXml>[0]): { log: string[]; wellFormed: boolean } {
  const log: string[] = [];
  const handler: XmlHandler = {
    open: (el, stack) => log.push(`<${el.name} ${JSON.stringify(el.attributes)} @${stack.length}`),
    close: (name, stack) => log.push(`</${name} @${stack.length}`),
    text: (text, stack) => log.push(`T ${text} @${stack.length}`),
  };
  const { wellFormed } = walkXml(input, handler);
  return { log, wellFormed };
}

/** The same text pushed in pieces of the given sizes, cycling. */
function pieces(xml: string, sizes: readonly number[]): (push: (chunk: string) => void) => void {
  return (push) => {
    for (let i = 0, k = 0; i < xml.length; k++) {
      const size = sizes[k % sizes.length] as number;
      push(xml.slice(i, i + size));
      i += size;
    }
  };
}

/** The XML parts of the document fixtures (real LibreOffice and Word output) and hand-written edge cases. */
function samples(): [string, string][] {
  const out: [string, string][] = [];
  for (const name of readdirSync(docs).filter((n) => /\.(docx|odt|xlsx|ods|pptx|odp)$/.test(n))) {
    const bytes = new Uint8Array(readFileSync(path.join(docs, name)));
    let entries;
    try {
      entries = readZipDirectory(bytes, limits);
    } catch {
      continue;
    }
    for (const e of entries.filter((x) => x.name.endsWith('.xml'))) {
      try {
        out.push([`${name}/${e.name}`, new TextDecoder().decode(readZipEntry(bytes, e, limits))]);
      } catch {
        // a deliberately broken fixture entry
      }
    }
  }
  out.push(
    ['entities and CDATA', '<a x="1&amp;2">機&#23494;&amp;<![CDATA[<機密>]]><!-- <b> --><?pi x?>tail&lt;</a>'],
    ['doctype subset', '<!DOCTYPE 函 [<!ENTITY a SYSTEM "x">]><函><主旨>機密</主旨></函>'],
    ['quoted >', '<v:textpath string="a > b 機密"/><w:t xml:space="preserve"> 密 </w:t>'],
    ['stray <', '<a><b c="1" < d>機密</b></a>'],
    ['unclosed tag', '<a>機密<b x="1"'],
    ['unclosed comment', '<a>機密<!-- never'],
    ['unclosed cdata', '<a><![CDATA[機密'],
    ['mismatched', '<a><b>機密</a></b>'],
  );
  return out;
}

describe('XML walker fed in pieces', () => {
  const cases = samples();

  it('has real document parts to compare', () => {
    expect(cases.length).toBeGreaterThan(30);
  });

  it.each(cases)('%s: the same events, split anywhere', (_name, xml) => {
    const whole = events(xml);
    for (const sizes of [[1], [2, 3], [7], [13, 1, 64], [4096]]) {
      expect(events(pieces(xml, sizes))).toEqual(whole);
    }
  });

  it('passes a long text run on in pieces instead of holding it whole', () => {
    const run = '機密'.repeat(1 << 20);
    const seen: number[] = [];
    walkXml(pieces(`<w:t>${run}</w:t>`, [65536]), { text: (t) => seen.push(t.length) });
    expect(seen.reduce((a, b) => a + b, 0)).toBe(run.length);
    expect(Math.max(...seen)).toBeLessThan(run.length);
  });

  it('reads a broken tag that never ends as text without rescanning it for every piece', () => {
    const xml = `<a><b x="${'y'.repeat(3 << 20)}`;
    let text = '';
    const { wellFormed } = walkXml(pieces(xml, [4096]), { text: (t) => (text += t) });
    expect(wellFormed).toBe(false);
    expect(text.length).toBe(xml.length - 3);
  });
});
