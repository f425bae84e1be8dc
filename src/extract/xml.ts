/**
 * A small, tolerant XML reader for document parts (ODF, OOXML, 公文 DI). It never throws on bad markup: a document
 * that a stricter parser rejects may still carry a mark, and what can be read is scanned. Entities are decoded;
 * DOCTYPE internal subsets are skipped, so entity-expansion bombs have nothing to expand.
 */
import { findTagEnd } from '../core';

export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface XmlHandler {
  open?(element: XmlElement, stack: readonly XmlElement[]): void;
  close?(name: string, stack: readonly XmlElement[]): void;
  text?(text: string, stack: readonly XmlElement[]): void;
}

export interface XmlResult {
  /** False when the markup was broken somewhere (unclosed tags, stray `<`); what could be read was still read. */
  readonly wellFormed: boolean;
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeXmlEntities(s: string): string {
  if (s.indexOf('&') === -1) {
    return s;
  }
  return s.replace(/&(#x[0-9a-fA-F]{1,6}|#\d{1,7}|[a-zA-Z]{2,8});/g, (whole, body: string) => {
    if (body[0] === '#') {
      const cp = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : '\ufffd';
    }
    return ENTITIES[body] ?? whole;
  });
}

const ATTRIBUTE = /([^\s=/>]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;

function parseAttributes(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  ATTRIBUTE.lastIndex = 0;
  for (let m = ATTRIBUTE.exec(raw); m; m = ATTRIBUTE.exec(raw)) {
    out[m[1] as string] = decodeXmlEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return out;
}

/** Walks an XML document, calling the handler for each element and text run. */
export function walkXml(xml: string, handler: XmlHandler): XmlResult {
  const stack: XmlElement[] = [];
  let wellFormed = true;
  let i = 0;
  const n = xml.length;
  while (i < n) {
    const lt = xml.indexOf('<', i);
    const textEnd = lt === -1 ? n : lt;
    if (textEnd > i && handler.text) {
      handler.text(decodeXmlEntities(xml.slice(i, textEnd)), stack);
    }
    if (lt === -1) {
      break;
    }
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      i = end === -1 ? n : end + 3;
      continue;
    }
    if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt + 9);
      if (handler.text) {
        handler.text(xml.slice(lt + 9, end === -1 ? n : end), stack);
      }
      i = end === -1 ? n : end + 3;
      continue;
    }
    if (xml.startsWith('<?', lt)) {
      const end = xml.indexOf('?>', lt + 2);
      i = end === -1 ? n : end + 2;
      continue;
    }
    if (xml.startsWith('<!', lt)) {
      // DOCTYPE, possibly with an internal subset in brackets (公文 DI declares its attachments there).
      let depth = 0;
      let j = lt + 2;
      for (; j < n; j++) {
        const c = xml.charCodeAt(j);
        if (c === 0x5b) {
          depth++;
        } else if (c === 0x5d) {
          depth--;
        } else if (c === 0x3e && depth <= 0) {
          break;
        }
      }
      i = j + 1;
      continue;
    }
    const gt = findTagEnd(xml, lt + 1);
    if (gt === -1) {
      wellFormed = false;
      if (handler.text) {
        handler.text(decodeXmlEntities(xml.slice(lt)), stack);
      }
      break;
    }
    const raw = xml.slice(lt + 1, gt);
    if (raw.startsWith('/')) {
      const name = raw.slice(1).trim();
      let k = stack.length - 1;
      while (k >= 0 && (stack[k] as XmlElement).name !== name) {
        k--;
      }
      if (k < 0) {
        wellFormed = false;
      } else {
        if (k !== stack.length - 1) {
          wellFormed = false;
        }
        while (stack.length > k) {
          const el = stack.pop() as XmlElement;
          handler.close?.(el.name, stack);
        }
      }
    } else {
      const selfClosing = raw.endsWith('/');
      const body = selfClosing ? raw.slice(0, -1) : raw;
      const m = /^([^\s/>]+)/.exec(body);
      if (!m) {
        wellFormed = false;
        i = gt + 1;
        continue;
      }
      const element: XmlElement = { name: m[1] as string, attributes: parseAttributes(body.slice(m[0].length)) };
      handler.open?.(element, stack);
      if (selfClosing) {
        handler.close?.(element.name, stack);
      } else {
        stack.push(element);
      }
    }
    i = gt + 1;
  }
  if (stack.length > 0) {
    wellFormed = false;
  }
  return { wellFormed };
}

/** The local part of a qualified name: `w:t` → `t`. */
export function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}

/** Whether any element on the stack has one of the given qualified names. */
export function within(stack: readonly XmlElement[], names: ReadonlySet<string>): boolean {
  for (let k = stack.length - 1; k >= 0; k--) {
    if (names.has((stack[k] as XmlElement).name)) {
      return true;
    }
  }
  return false;
}
