/**
 * A small, tolerant XML reader for document parts (ODF, OOXML, 公文 DI). It never throws on bad markup: a document
 * that a stricter parser rejects may still carry a mark, and what can be read is scanned. Entities are decoded;
 * DOCTYPE internal subsets are skipped, so entity-expansion bombs have nothing to expand.
 */
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

/**
 * A document part, whole or as a stream: a function that pushes the decoded text in pieces, in order, and returns
 * when the part has been pushed. Large parts (a 30 MB word/document.xml) are streamed from the inflater, so neither
 * the inflated bytes nor the whole XML string is ever held.
 */
export type XmlInput = string | ((push: (chunk: string) => void) => void);

/** Walks an XML document, calling the handler for each element and text run. */
export function walkXml(xml: XmlInput, handler: XmlHandler): XmlResult {
  const walker = new XmlWalker(handler);
  if (typeof xml === 'string') {
    walker.write(xml);
  } else {
    xml((chunk) => walker.write(chunk));
  }
  return walker.end();
}

/** The longest construct kept while waiting for its end; past it the markup is broken, not worth rescanning. */
const MAX_PENDING = 1 << 20;

/**
 * Scans a tag for its closing `>` from `j`, with `quote` the quote open there (0 when none). Returns the index of the
 * `>`, or -1 with `scan` updated to resume from when the input ends first, or -2 at a stray `<` (broken markup).
 */
function scanTag(xml: string, start: number, scan: { pos: number; quote: number }): number {
  let quote = scan.quote;
  let j = scan.pos;
  for (; j < xml.length; j++) {
    const c = xml.charCodeAt(j);
    if (quote) {
      if (c === quote) {
        quote = 0;
      }
    } else if (c === 0x22 || c === 0x27) {
      quote = c;
    } else if (c === 0x3e) {
      return j;
    } else if (c === 0x3c && j > start) {
      return -2;
    }
  }
  scan.pos = j;
  scan.quote = quote;
  return -1;
}

/**
 * The incremental reader behind walkXml: text is fed in pieces of any size, split anywhere; what cannot be decided
 * yet (a tag, comment or entity cut by the end of a piece) waits for the next one. A long text run is passed on in
 * pieces rather than accumulated, so memory stays at the size of one piece plus one construct.
 */
export class XmlWalker {
  private readonly stack: XmlElement[] = [];
  private wellFormed = true;
  private pending = '';
  /** Where in `pending` the search for the end of an unfinished construct may resume. */
  private resumeAt = 0;
  /** An unfinished tag's or DOCTYPE's scan: where it stopped, and the quote (or bracket depth) open there. */
  private scan = { kind: '', pos: 0, quote: 0 };
  /** Set once the markup broke beyond repair: everything after is text. */
  private asText = false;
  private done = false;

  constructor(private readonly handler: XmlHandler) {}

  write(chunk: string): void {
    if (this.done || chunk.length === 0) {
      return;
    }
    this.pending = this.pending.length === 0 ? chunk : this.pending + chunk;
    this.consume(false);
  }

  end(): XmlResult {
    if (!this.done) {
      this.consume(true);
      this.done = true;
      if (this.stack.length > 0) {
        this.wellFormed = false;
      }
    }
    return { wellFormed: this.wellFormed };
  }

  /** Text of the current run, passed on whole when the run ends (handlers see a text node as one piece). */
  private run: string[] = [];
  private runLength = 0;

  private text(raw: string): void {
    if (raw.length > 0 && this.handler.text) {
      this.run.push(decodeXmlEntities(raw));
      this.runLength += raw.length;
      if (this.runLength > MAX_PENDING) {
        // A run this long is content, not a label or a property: pass it on in pieces rather than hold it.
        this.endRun();
      }
    }
  }

  private endRun(): void {
    if (this.run.length > 0) {
      const text = this.run.length === 1 ? (this.run[0] as string) : this.run.join('');
      this.run = [];
      this.runLength = 0;
      this.handler.text?.(text, this.stack);
    }
  }

  /** Reads every complete construct of `pending`; keeps the unfinished rest unless this is the end of input. */
  private consume(final: boolean): void {
    const xml = this.pending;
    const n = xml.length;
    let i = 0;
    let keep = n;
    let resumeAt = 0;
    while (i < n) {
      const lt = this.asText ? -1 : xml.indexOf('<', i);
      if (lt === -1) {
        // Hold back a trailing entity reference that may be cut (`&am` + `p;`); entities are short.
        const amp = final ? -1 : xml.lastIndexOf('&');
        keep = amp >= i && amp > n - 12 && xml.indexOf(';', amp) === -1 ? amp : n;
        this.text(xml.slice(i, keep));
        break;
      }
      this.text(xml.slice(i, lt));
      this.endRun();
      // A construct left unfinished by the previous piece starts this one; its end cannot lie before the old end.
      const resuming = lt === 0 && this.resumeAt > 0;
      const from = resuming ? this.resumeAt - 2 : lt;
      let next = -1;
      if (xml.startsWith('<!--', lt)) {
        const end = xml.indexOf('-->', Math.max(lt + 4, from));
        next = end === -1 ? (final ? n : -1) : end + 3;
      } else if (xml.startsWith('<![CDATA[', lt)) {
        const end = xml.indexOf(']]>', Math.max(lt + 9, from));
        if (end !== -1 || final) {
          this.handler.text?.(xml.slice(lt + 9, end === -1 ? n : end), this.stack);
          next = end === -1 ? n : end + 3;
        }
      } else if (xml.startsWith('<?', lt)) {
        const end = xml.indexOf('?>', Math.max(lt + 2, from));
        next = end === -1 ? (final ? n : -1) : end + 2;
      } else if (xml.startsWith('<!', lt)) {
        // DOCTYPE, possibly with an internal subset in brackets (公文 DI declares its attachments there).
        const resume = resuming && this.scan.kind === '!';
        let depth = resume ? this.scan.quote : 0;
        let j = resume ? this.scan.pos : lt + 2;
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
        next = j < n ? j + 1 : final ? n : -1;
        this.scan = { kind: '!', pos: j, quote: depth };
      } else {
        if (!resuming || this.scan.kind !== '<') {
          this.scan = { kind: '<', pos: lt + 1, quote: 0 };
        }
        const gt = scanTag(xml, lt + 1, this.scan);
        if (gt >= 0) {
          this.element(xml.slice(lt + 1, gt));
          next = gt + 1;
        } else if (gt === -2 || final) {
          // A stray `<` or a tag never closed: the rest is read as text, as a lenient reader shows it.
          this.wellFormed = false;
          this.asText = true;
          next = lt;
        }
      }
      if (next === -1) {
        if (n - lt > MAX_PENDING && !xml.startsWith('<!--', lt) && !xml.startsWith('<![CDATA[', lt)) {
          // Past any real tag or declaration: broken markup, read as text rather than held for ever.
          this.wellFormed = false;
          this.asText = true;
          i = lt;
          continue;
        }
        keep = lt;
        resumeAt = n - lt;
        // The scan state is kept relative to the construct, which now starts the pending text.
        this.scan.pos -= lt;
        break;
      }
      i = next;
    }
    this.pending = keep >= n ? '' : xml.slice(keep);
    this.resumeAt = resumeAt;
    if (final) {
      this.endRun();
    }
  }

  private element(raw: string): void {
    const { handler, stack } = this;
    if (raw.startsWith('/')) {
      const name = raw.slice(1).trim();
      let k = stack.length - 1;
      while (k >= 0 && (stack[k] as XmlElement).name !== name) {
        k--;
      }
      if (k < 0) {
        this.wellFormed = false;
      } else {
        if (k !== stack.length - 1) {
          this.wellFormed = false;
        }
        while (stack.length > k) {
          const el = stack.pop() as XmlElement;
          handler.close?.(el.name, stack);
        }
      }
      return;
    }
    const selfClosing = raw.endsWith('/');
    const body = selfClosing ? raw.slice(0, -1) : raw;
    const m = /^([^\s/>]+)/.exec(body);
    if (!m) {
      this.wellFormed = false;
      return;
    }
    const element: XmlElement = { name: m[1] as string, attributes: parseAttributes(body.slice(m[0].length)) };
    handler.open?.(element, stack);
    if (selfClosing) {
      handler.close?.(element.name, stack);
    } else {
      stack.push(element);
    }
  }
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
