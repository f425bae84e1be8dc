/**
 * A strict XML 1.0 reader for documents we generate (the add-in only manifest): it throws, with the offset, on anything
 * that is not well-formed (mismatched or unclosed tags, a second root, duplicate attributes, a raw `<` or a stray `&`,
 * unknown entities, text outside the root), where the tolerant reader in src/extract keeps going by design. No DTDs.
 */
export interface XmlNode {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlNode[];
  /** The element's own text, entities decoded (children's text excluded). */
  readonly text: string;
}

export class XmlSyntaxError extends Error {
  constructor(message: string, offset: number) {
    super(`${message} at offset ${offset}`);
    this.name = 'XmlSyntaxError';
  }
}

const NAME = /^[A-Za-z_][\w.-]*(:[A-Za-z_][\w.-]*)?/;
const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, offset: number): string {
  if (raw.includes('<')) {
    throw new XmlSyntaxError('raw "<" in character data', offset);
  }
  return raw.replace(/&([^;&\s]*);?/g, (whole, body: string) => {
    if (!whole.endsWith(';')) {
      throw new XmlSyntaxError(`"&" not starting an entity reference: ${JSON.stringify(whole)}`, offset);
    }
    if (/^#x[0-9a-fA-F]+$/.test(body)) {
      return String.fromCodePoint(parseInt(body.slice(2), 16));
    }
    if (/^#\d+$/.test(body)) {
      return String.fromCodePoint(parseInt(body.slice(1), 10));
    }
    const named = ENTITIES[body];
    if (named === undefined) {
      throw new XmlSyntaxError(`unknown entity &${body};`, offset);
    }
    return named;
  });
}

interface Building {
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
  text: string;
}

/** Parses a document into its root element. @throws {XmlSyntaxError} */
export function parseStrictXml(xml: string): XmlNode {
  let i = 0;
  if (xml.startsWith('<?xml')) {
    const end = xml.indexOf('?>');
    if (end === -1) {
      throw new XmlSyntaxError('unterminated XML declaration', 0);
    }
    i = end + 2;
  }
  const stack: Building[] = [];
  let root: XmlNode | null = null;
  const finish = (node: Building): void => {
    const done: XmlNode = node;
    const parent = stack[stack.length - 1];
    if (parent) {
      parent.children.push(done);
    } else if (root) {
      throw new XmlSyntaxError('a second root element', i);
    } else {
      root = done;
    }
  };
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt === -1 ? xml.length : lt);
    if (text.length > 0) {
      const top = stack[stack.length - 1];
      if (top) {
        top.text += decode(text, i);
      } else if (text.trim() !== '') {
        throw new XmlSyntaxError('text outside the root element', i);
      }
    }
    if (lt === -1) {
      break;
    }
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      if (end === -1 || xml.slice(lt + 4, end).includes('--')) {
        throw new XmlSyntaxError('bad comment', lt);
      }
      i = end + 3;
      continue;
    }
    if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt);
      const top = stack[stack.length - 1];
      if (end === -1 || !top) {
        throw new XmlSyntaxError('bad CDATA section', lt);
      }
      top.text += xml.slice(lt + 9, end);
      i = end + 3;
      continue;
    }
    if (xml.startsWith('<!', lt) || xml.startsWith('<?', lt)) {
      throw new XmlSyntaxError('DTDs and processing instructions are not expected here', lt);
    }
    if (xml.startsWith('</', lt)) {
      const m = NAME.exec(xml.slice(lt + 2));
      const top = stack.pop();
      if (!m || !top || top.name !== m[0]) {
        throw new XmlSyntaxError(`closing tag </${m?.[0] ?? '?'}> does not match <${top?.name ?? '(none)'}>`, lt);
      }
      let j = lt + 2 + m[0].length;
      while (/\s/.test(xml[j] ?? '')) {
        j++;
      }
      if (xml[j] !== '>') {
        throw new XmlSyntaxError('bad closing tag', lt);
      }
      finish(top);
      i = j + 1;
      continue;
    }
    const m = NAME.exec(xml.slice(lt + 1));
    if (!m) {
      throw new XmlSyntaxError('bad element name', lt);
    }
    const node: Building = { name: m[0], attributes: {}, children: [], text: '' };
    let j = lt + 1 + m[0].length;
    for (;;) {
      const space = /^\s*/.exec(xml.slice(j))?.[0].length ?? 0;
      j += space;
      if (xml.startsWith('/>', j)) {
        finish(node);
        j += 2;
        break;
      }
      if (xml[j] === '>') {
        stack.push(node);
        j += 1;
        break;
      }
      const attribute = /^([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/.exec(xml.slice(j));
      if (!attribute || space === 0) {
        throw new XmlSyntaxError(`bad attribute in <${node.name}>`, j);
      }
      const name = attribute[1] as string;
      if (name in node.attributes) {
        throw new XmlSyntaxError(`duplicate attribute ${name} in <${node.name}>`, j);
      }
      node.attributes[name] = decode(attribute[3] ?? attribute[4] ?? '', j);
      j += attribute[0].length;
    }
    i = j;
  }
  if (stack.length > 0) {
    throw new XmlSyntaxError(`unclosed <${(stack[stack.length - 1] as Building).name}>`, xml.length);
  }
  if (!root) {
    throw new XmlSyntaxError('no root element', 0);
  }
  return root;
}

/** Every element under `node` (itself included), depth first. */
export function* descendants(node: XmlNode): Generator<XmlNode> {
  yield node;
  for (const child of node.children) {
    yield* descendants(child);
  }
}
