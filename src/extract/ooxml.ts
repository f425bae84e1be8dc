/**
 * OOXML (.docx/.xlsx/.pptx). Beyond the body: header and footer parts, VML watermarks whose text is an attribute
 * (`v:textpath/@string`), tracked deletions (`w:delText`), comments and notes, shared strings and sheet
 * header/footer codes, slide masters and layouts, and sensitivity-label properties (taiwan-markings.md §7).
 */
import type { SegmentPosition } from '../core';
import { type FoundLabel, type SegmentCollector } from './segments';
import { walkXml, type XmlElement, type XmlInput } from './xml';

export type OoxmlKind = 'docx' | 'xlsx' | 'pptx';

/** What a part holds, by its path. Parts not listed carry no document text. */
export function ooxmlPartRole(path: string): { kind: string; position: SegmentPosition } | null {
  if (/^word\/document\.xml$/.test(path)) {
    return { kind: 'body', position: 'body' };
  }
  if (/^word\/header\d*\.xml$/.test(path)) {
    return { kind: 'header', position: 'header' };
  }
  if (/^word\/footer\d*\.xml$/.test(path)) {
    return { kind: 'footer', position: 'footer' };
  }
  if (/^word\/(comments|commentsExtended)\.xml$/.test(path) || /^(xl|ppt)\/comments\/?.*\.xml$/.test(path)) {
    return { kind: 'comment', position: 'comment' };
  }
  if (/^xl\/(comments\d*|threadedComments\/threadedComment\d*)\.xml$/.test(path)) {
    return { kind: 'comment', position: 'comment' };
  }
  if (/^word\/(footnotes|endnotes)\.xml$/.test(path)) {
    return { kind: 'notes', position: 'body' };
  }
  if (/^xl\/sharedStrings\.xml$/.test(path) || /^xl\/worksheets\/sheet\d+\.xml$/.test(path)) {
    return { kind: 'cells', position: 'body' };
  }
  if (/^xl\/drawings\/drawing\d+\.xml$/.test(path) || /^xl\/workbook\.xml$/.test(path)) {
    return { kind: 'body', position: 'body' };
  }
  if (/^ppt\/slides\/slide\d+\.xml$/.test(path) || /^ppt\/notesSlides\/notesSlide\d+\.xml$/.test(path)) {
    return { kind: 'body', position: 'body' };
  }
  if (/^ppt\/(slideMasters\/slideMaster|slideLayouts\/slideLayout)\d+\.xml$/.test(path)) {
    // Masters and layouts are where a deck's watermark text box lives; every slide shows them.
    return { kind: 'master', position: 'watermark' };
  }
  if (/^docProps\/(core|app|custom)\.xml$/.test(path) || /^docMetadata\/LabelInfo\.xml$/.test(path)) {
    return { kind: 'properties', position: 'metadata' };
  }
  return null;
}

const PARAGRAPHS = new Set(['w:p', 'a:p', 'si', 'row', 'w:tr', 'a:tr']);
const TEXT = new Set([
  'w:t',
  'a:t',
  't',
  'w:delText',
  'v',
  'cp:keywords',
  'dc:title',
  'dc:subject',
  'dc:description',
  'cp:category',
  'Company',
  'Title',
  'vt:lpwstr',
]);
const HEADER_FOOTER = /^(odd|even|first)(Header|Footer)$/;
const LABEL_PROPERTY = /^MSIP_Label_([0-9a-fA-F-]{36})_(Enabled|Name)$/;

/**
 * The name a user gave an element, if it is one of the named things a mark can hide in: a worksheet (workbook.xml
 * `sheet`) or a defined name, a slide, layout or master (`p:cSld`), a drawn or embedded object (`*:cNvPr`,
 * `wp:docPr`, `p:oleObj`).
 */
export function ooxmlElementName(el: XmlElement, path: string): string | null {
  const local = el.name.slice(el.name.indexOf(':') + 1);
  const workbook = path === 'xl/workbook.xml' && (local === 'sheet' || local === 'definedName');
  if (workbook || local === 'cSld' || local === 'cNvPr' || local === 'docPr' || local === 'oleObj') {
    return el.attributes.name ?? null;
  }
  return null;
}

/** Excel header/footer codes (&L &C &R sections, &P page, &"font", &12 size …) are not text. */
export function stripSheetHeaderCodes(s: string): string {
  return s
    .replace(/&"[^"]*"/g, '')
    .replace(/&K[0-9A-Fa-f]{6}/g, '')
    .replace(/&\d+/g, '')
    .replace(/&[LCR]/g, '\n')
    .replace(/&[PNDTFAZGBIUESXY]/g, '')
    .replace(/&&/g, '&');
}

const SHARED_STRINGS = 'xl/sharedStrings.xml';

/**
 * An xlsx package's shared strings. A sheet cell holds only an index into them, so reading the strings on their own,
 * one per line, loses the row: 「機密」 beside 「完整性」「可用性」 (a column header) looked like a banner line, and
 * 「密等及解密條件或保密期限」 and its value 「密」 were never seen side by side. Sheets are read after this part (parts
 * are read in name order), and each cell is written out with its string, tab-separated, one row a line.
 */
interface SharedStrings {
  readonly strings: string[];
  readonly used: Set<number>;
  /** Characters still allowed for repeated references: every string is written in full once, repeats are bounded. */
  repeatBudget: number;
}

const sharedStringsOf = new WeakMap<SegmentCollector, SharedStrings>();
const REPEAT_BUDGET = 4 * 1024 * 1024;

/** Writes out the shared strings no sheet cell referred to, one per line, so nothing in the package goes unread. */
export function flushSharedStrings(out: SegmentCollector): void {
  const shared = sharedStringsOf.get(out);
  if (!shared) {
    return;
  }
  shared.strings.forEach((text, i) => {
    if (!shared.used.has(i)) {
      out.add(SHARED_STRINGS, 'cells', 'body', text);
      out.newline(SHARED_STRINGS, 'cells', 'body');
    }
  });
  sharedStringsOf.delete(out);
}

/** Reads one OOXML part into the collector. Returns labels found and whether the XML was well formed. */
export function readOoxmlPart(
  xml: XmlInput,
  path: string,
  out: SegmentCollector,
): { labels: FoundLabel[]; wellFormed: boolean } {
  const role = ooxmlPartRole(path);
  const labels: FoundLabel[] = [];
  if (!role) {
    return { labels, wellFormed: true };
  }
  let property: string | null = null;
  const readingSharedStrings = path === SHARED_STRINGS;
  let shared = sharedStringsOf.get(out);
  if (readingSharedStrings) {
    shared = { strings: [], used: new Set(), repeatBudget: REPEAT_BUDGET };
    sharedStringsOf.set(out, shared);
  }
  let sharedString: string | null = null;
  const inFallback = (stack: readonly XmlElement[]): boolean => stack.some((e) => e.name === 'mc:Fallback');
  const result = walkXml(xml, {
    open(el, stack) {
      if (inFallback(stack)) {
        // mc:Fallback repeats mc:Choice's content for older readers; reading both would count each mark twice.
        return;
      }
      const name = ooxmlElementName(el, path);
      if (name) {
        out.add(path, 'name', 'name', name);
        out.newline(path, 'name', 'name');
      }
      if (el.name === 'property' && el.attributes.name) {
        property = el.attributes.name;
      }
      if (readingSharedStrings && el.name === 'si') {
        sharedString = '';
      }
      if (el.name === 'clbl:label' || el.name === 'label') {
        const id = (el.attributes.id ?? '').replace(/[{}]/g, '').toLowerCase();
        if (/^[0-9a-f-]{36}$/.test(id) && el.attributes.enabled !== '0' && el.attributes.removed !== '1') {
          labels.push({ id, location: `${out.location(path)}#label` });
        }
      }
      const watermarkText = el.attributes.string;
      if (el.name === 'v:textpath' && watermarkText) {
        out.add(path, 'watermark', 'watermark', watermarkText);
        out.newline(path, 'watermark', 'watermark');
      }
      if (el.name === 'w:tab') {
        out.add(path, role.kind, role.position, '\t');
      } else if (el.name === 'w:br' || el.name === 'a:br' || el.name === 'w:cr') {
        out.add(path, role.kind, role.position, '\n');
      }
    },
    close(name, stack) {
      if (inFallback(stack)) {
        return;
      }
      if (readingSharedStrings) {
        if (name === 'si' && shared && sharedString !== null) {
          shared.strings.push(sharedString);
          sharedString = null;
        }
        return;
      }
      if (name === 'c') {
        // Cells of a row are separate values: 「機密」 in A1 and 「文件」 in B1 are not the word 機密文件.
        out.add(path, role.kind, role.position, '\t');
      }
      if (PARAGRAPHS.has(name)) {
        out.newline(path, role.kind, role.position);
        out.newline(path, 'tracked-deletion', 'body');
      }
      if (name === 'property') {
        property = null;
      }
    },
    text(text, stack) {
      const top = stack[stack.length - 1];
      if (!top || inFallback(stack)) {
        return;
      }
      if (HEADER_FOOTER.test(top.name)) {
        const kind = top.name.endsWith('Header') ? 'header' : 'footer';
        out.add(path, kind, kind, stripSheetHeaderCodes(text));
        out.newline(path, kind, kind);
        return;
      }
      if (!TEXT.has(top.name)) {
        return;
      }
      if (readingSharedStrings) {
        if (sharedString !== null) {
          sharedString += text;
        }
        return;
      }
      if (top.name === 'v') {
        const cell = stack.find((e) => e.name === 'c');
        if (cell?.attributes.t === 's' && shared) {
          writeSharedString(shared, text, (s) => out.add(path, role.kind, role.position, s));
        }
        // Numeric cell values are not text; formula strings (t="str") are.
        if (cell?.attributes.t !== 'str') {
          return;
        }
      }
      if (property) {
        const m = LABEL_PROPERTY.exec(property);
        if (m && m[2] === 'Enabled' && text.trim().toLowerCase() === 'true') {
          labels.push({ id: (m[1] as string).toLowerCase(), location: `${out.location(path)}#label` });
          return;
        }
        if (m && m[2] === 'Name') {
          out.add(path, 'label', 'label', text);
          out.newline(path, 'label', 'label');
          return;
        }
        if (m) {
          return;
        }
        out.add(path, role.kind, role.position, `${property}: `);
      }
      if (top.name === 'w:delText') {
        // A tracked deletion is still in the file: "I deleted the classified paragraph" does not make it gone.
        out.add(path, 'tracked-deletion', 'body', text);
        return;
      }
      out.add(path, role.kind, role.position, text);
      if (role.position === 'metadata') {
        out.newline(path, role.kind, role.position);
      }
    },
  });
  if (shared && sharedString !== null && sharedString !== '') {
    // A part cut off inside a string: what was read of it is still content.
    shared.strings.push(sharedString);
  }
  return { labels, wellFormed: result.wellFormed };
}

/** Writes the shared string a cell refers to: in full the first time, repeats within the budget. */
function writeSharedString(shared: SharedStrings, index: string, write: (s: string) => void): void {
  const i = Number(index.trim());
  const text = Number.isInteger(i) ? shared.strings[i] : undefined;
  if (text === undefined) {
    return;
  }
  if (!shared.used.has(i)) {
    shared.used.add(i);
    write(text);
  } else if (shared.repeatBudget >= text.length) {
    shared.repeatBudget -= text.length;
    write(text);
  }
}

/** Which OOXML document a package is, from its parts. */
export function ooxmlKind(names: readonly string[]): OoxmlKind | null {
  if (names.includes('word/document.xml')) {
    return 'docx';
  }
  if (names.includes('xl/workbook.xml')) {
    return 'xlsx';
  }
  if (names.includes('ppt/presentation.xml')) {
    return 'pptx';
  }
  return null;
}

/** Parts to read, in a stable order; embedded files are recursed into separately. */
export function ooxmlParts(names: readonly string[]): string[] {
  return names.filter((n) => ooxmlPartRole(n) !== null).sort();
}

/** Embedded objects (another document inside this one). */
export function ooxmlEmbeddings(names: readonly string[]): string[] {
  return names.filter((n) => /^(word|xl|ppt)\/embeddings\/[^/]+$/.test(n));
}
