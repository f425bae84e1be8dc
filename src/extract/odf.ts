/**
 * ODF (.odt/.ods/.odp and flat .fodt/.fods/.fodp), the government's mandated format (CNS 15251). Marks hide in
 * places plain converters drop: page headers and footers live in styles.xml, LibreOffice's watermark is a fontwork
 * shape in every header, and "deleted" paragraphs survive in tracked changes (taiwan-markings.md §7).
 */
import type { SegmentPosition } from '../core';
import { type FoundLabel, type SegmentCollector } from './segments';
import { walkXml, within, type XmlElement, type XmlInput } from './xml';

/** Elements whose end is a paragraph break. */
const BLOCKS = new Set(['text:p', 'text:h', 'text:list-item', 'table:table-row', 'draw:frame', 'text:section']);
const HEADER_FOOTER: Readonly<Record<string, SegmentPosition>> = {
  'style:header': 'header',
  'style:header-left': 'header',
  'style:header-first': 'header',
  'style:footer': 'footer',
  'style:footer-left': 'footer',
  'style:footer-first': 'footer',
};
/** Metadata elements of meta.xml whose text is the document's own words. */
const META_TEXT = new Set(['dc:title', 'dc:subject', 'dc:description', 'meta:keyword', 'meta:user-defined']);
const LABEL_PROPERTY = /^MSIP_Label_([0-9a-fA-F-]{36})_(Enabled|Name)$/;
const SHEET_CELLS: ReadonlySet<string> = new Set(['table:table-cell', 'table:covered-table-cell']);

/**
 * Inside a spreadsheet cell. A sheet's row is one line of tab-separated cells, as xlsx rows are, so the detector sees
 * which values share a row: 「密等及解密條件或保密期限」 in A1 and 「密」 in B1 are a field and its value, and 「機密」
 * beside 「完整性」「可用性」 is a column header.
 */
function inSheetCell(stack: readonly XmlElement[]): boolean {
  return within(stack, SHEET_CELLS) && stack.some((e) => e.name === 'office:spreadsheet');
}

interface Context {
  kind: string;
  position: SegmentPosition;
}

/**
 * Reads one ODF XML part (content.xml, styles.xml, meta.xml, or a whole flat ODF document) into the collector.
 * Returns the sensitivity labels its properties name, and whether the XML was well formed.
 */
export function readOdfXml(
  xml: XmlInput,
  part: string,
  out: SegmentCollector,
): { labels: FoundLabel[]; wellFormed: boolean } {
  const labels: FoundLabel[] = [];
  let userDefinedName: string | null = null;
  let cellParagraphs = 0;
  const contextOf = (stack: readonly XmlElement[]): Context | null => {
    let ctx: Context | null = null;
    let inMasterStyles = false;
    let inBody = false;
    for (const el of stack) {
      const name = el.name;
      if (name === 'office:master-styles') {
        inMasterStyles = true;
      } else if (name === 'office:body') {
        inBody = true;
      } else if (name === 'office:meta') {
        ctx = { kind: 'meta', position: 'metadata' };
      } else if (inMasterStyles && HEADER_FOOTER[name]) {
        ctx = {
          kind: (HEADER_FOOTER[name] as string) === 'header' ? 'header' : 'footer',
          position: HEADER_FOOTER[name] as SegmentPosition,
        };
      } else if (name === 'text:tracked-changes') {
        ctx = { kind: 'tracked-change', position: 'body' };
      } else if (name === 'office:annotation') {
        ctx = { kind: 'annotation', position: 'comment' };
      } else if (name === 'draw:custom-shape' && isWatermark(el)) {
        ctx = { kind: 'watermark', position: 'watermark' };
      } else if (name === 'svg:title' || name === 'svg:desc') {
        ctx = { kind: 'alt-text', position: 'metadata' };
      } else if (name === 'office:styles' || name === 'office:automatic-styles' || name === 'office:font-face-decls') {
        return null;
      } else if (
        name === 'dc:creator' ||
        name === 'dc:date' ||
        name === 'meta:creation-date' ||
        name === 'meta:initial-creator'
      ) {
        return null;
      }
    }
    if (ctx) {
      return ctx;
    }
    if (inMasterStyles) {
      // Text on a master page (outside headers and footers) shows on every page or slide: a presentation's watermark.
      return { kind: 'master', position: 'watermark' };
    }
    if (inBody) {
      return { kind: 'body', position: 'body' };
    }
    // meta.xml parts have office:document-meta at the root and office:meta inside; anything else outside the body
    // and master styles (settings, style definitions) is not document text.
    return null;
  };
  const result = walkXml(xml, {
    open(el, stack) {
      if (el.name === 'meta:user-defined') {
        userDefinedName = el.attributes['meta:name'] ?? null;
      }
      const ctx = contextOf([...stack, el]);
      if (!ctx) {
        return;
      }
      // What a user named: a sheet (table:name), a slide or drawing page, a frame, shape or embedded object
      // (draw:name). Style definitions carry draw:name too, but contextOf has already left them out.
      const name = el.name === 'table:table' ? el.attributes['table:name'] : el.attributes['draw:name'];
      if (name) {
        out.add(part, 'name', 'name', name);
        out.newline(part, 'name', 'name');
      }
      if (SHEET_CELLS.has(el.name)) {
        cellParagraphs = 0;
      } else if (el.name === 'text:p' && inSheetCell(stack) && cellParagraphs++ > 0) {
        // Paragraphs of one cell are lines within it, as a line break inside an xlsx cell is.
        out.add(part, ctx.kind, ctx.position, '\n');
      }
      if (el.name === 'text:line-break') {
        out.add(part, ctx.kind, ctx.position, '\n');
      } else if (el.name === 'text:tab') {
        out.add(part, ctx.kind, ctx.position, '\t');
      } else if (el.name === 'text:s') {
        out.add(part, ctx.kind, ctx.position, ' ');
      }
    },
    close(name, stack) {
      if (SHEET_CELLS.has(name) && stack.some((e) => e.name === 'office:spreadsheet')) {
        const ctx = contextOf(stack);
        if (ctx) {
          out.add(part, ctx.kind, ctx.position, '\t');
        }
        return;
      }
      if (name === 'text:p' && inSheetCell(stack)) {
        return;
      }
      if (BLOCKS.has(name) || name === 'meta:user-defined' || META_TEXT.has(name)) {
        const ctx = contextOf(stack);
        if (ctx) {
          out.newline(part, ctx.kind, ctx.position);
        }
      }
      if (name === 'meta:user-defined') {
        userDefinedName = null;
      }
    },
    text(text, stack) {
      const ctx = contextOf(stack);
      if (!ctx) {
        return;
      }
      const top = stack[stack.length - 1];
      if (top && top.name === 'meta:user-defined' && userDefinedName) {
        const m = LABEL_PROPERTY.exec(userDefinedName);
        if (m && m[2] === 'Enabled' && text.trim().toLowerCase() === 'true') {
          labels.push({ id: (m[1] as string).toLowerCase(), location: `${out.location(part)}#label` });
        }
        if (m && m[2] === 'Name') {
          out.add(part, 'label', 'label', text);
          out.newline(part, 'label', 'label');
          return;
        }
        out.add(part, ctx.kind, ctx.position, `${userDefinedName}: `);
      }
      if (ctx.kind === 'meta' && top && !META_TEXT.has(top.name)) {
        return;
      }
      out.add(part, ctx.kind, ctx.position, text);
    },
  });
  return { labels, wellFormed: result.wellFormed };
}

/** LibreOffice names its watermark shape PowerPlusWaterMarkObject; Word's ODF export marks it as text on a path. */
function isWatermark(el: XmlElement): boolean {
  const name = el.attributes['draw:name'] ?? '';
  return /PowerPlusWaterMarkObject|WaterMark/i.test(name);
}

/** The ODF parts to read, in order, and what each holds. Embedded objects ("Object 1/content.xml") too. */
export function odfParts(names: readonly string[]): string[] {
  const wanted = ['content.xml', 'styles.xml', 'meta.xml'];
  const out = wanted.filter((n) => names.includes(n));
  for (const n of names) {
    if (/^Object \d+\/(content|styles|meta)\.xml$/.test(n)) {
      out.push(n);
    }
  }
  return out;
}
