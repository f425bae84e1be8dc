/**
 * HTML to text without a DOM (the on-send runtime has none), keeping for every text character the source range it
 * came from, so that a finding can be highlighted and a region removed from the HTML without breaking the markup.
 */

export interface HtmlToken {
  readonly kind: 'text' | 'tag' | 'skip';
  readonly start: number;
  readonly end: number;
  /** Lower-case tag name, for tags. */
  readonly name?: string;
  readonly closing?: boolean;
}

export interface HtmlText {
  readonly text: string;
  /** Source offset where the character at `text[i]` starts. */
  readonly srcStart: Int32Array;
  /** Source offset where it ends (an entity spans several source characters). */
  readonly srcEnd: Int32Array;
  readonly tokens: readonly HtmlToken[];
}

/** Elements whose end starts a new paragraph: the boundary that portion marks and stripping work on. */
const PARAGRAPH_TAGS = new Set([
  'p', 'div', 'li', 'ul', 'ol', 'dl', 'dt', 'dd', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'table',
  'tr', 'section', 'article', 'header', 'footer', 'address', 'center', 'form', 'fieldset', 'hr', 'main', 'nav',
  'aside', 'figure', 'figcaption', 'caption', 'body', 'html',
]); // prettier-ignore
/** Elements that end a line but not a paragraph. */
const LINE_TAGS = new Set(['br', 'td', 'th']);
/** Elements whose content is not text a reader sees. */
const RAW_CONTENT_TAGS = new Set(['script', 'style', 'xml', 'template', 'noscript']);

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', ensp: '\u2002', emsp: '\u2003', thinsp: '\u2009',
  zwsp: '\u200b', zwnj: '\u200c', zwj: '\u200d', shy: '\u00ad', lrm: '\u200e', rlm: '\u200f', middot: '·',
  ndash: '–', mdash: '—', hellip: '…', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', bull: '•', copy: '©',
  reg: '®', trade: '™', times: '×', divide: '÷', deg: '°', star: '☆', starf: '★', lbrack: '[', rbrack: ']',
  lpar: '(', rpar: ')', colon: ':', comma: ',', period: '.', excl: '!', quest: '?', sol: '/',
}; // prettier-ignore

/** Tokenises HTML leniently: malformed markup degrades to text, never to an exception. */
export function tokeniseHtml(html: string): HtmlToken[] {
  const tokens: HtmlToken[] = [];
  let i = 0;
  let textStart = 0;
  const flushText = (end: number): void => {
    if (end > textStart) {
      tokens.push({ kind: 'text', start: textStart, end });
    }
  };
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt === -1) {
      break;
    }
    const next = html.charCodeAt(lt + 1);
    if (html.startsWith('<!--', lt)) {
      flushText(lt);
      const close = html.indexOf('-->', lt + 4);
      const end = close === -1 ? html.length : close + 3;
      tokens.push({ kind: 'skip', start: lt, end });
      i = textStart = end;
      continue;
    }
    const isTagStart =
      (next >= 0x61 && next <= 0x7a) ||
      (next >= 0x41 && next <= 0x5a) ||
      next === 0x2f ||
      next === 0x21 ||
      next === 0x3f;
    if (!isTagStart) {
      i = lt + 1;
      continue;
    }
    const gt = findTagEnd(html, lt + 1);
    if (gt === -1) {
      break;
    }
    flushText(lt);
    const raw = html.slice(lt + 1, gt);
    const closing = raw.startsWith('/');
    const nameMatch = /^\/?\s*([a-zA-Z][\w:-]*)/.exec(raw);
    const name = nameMatch ? (nameMatch[1] as string).toLowerCase() : '';
    const kind: HtmlToken['kind'] = raw.startsWith('!') || raw.startsWith('?') ? 'skip' : 'tag';
    tokens.push({ kind, start: lt, end: gt + 1, name, closing });
    i = textStart = gt + 1;
    if (kind === 'tag' && !closing && RAW_CONTENT_TAGS.has(name)) {
      const endTag = new RegExp(`</\\s*${name}\\s*>`, 'i');
      endTag.lastIndex = 0;
      const rest = html.slice(i);
      const m = endTag.exec(rest);
      const stop = m ? i + m.index : html.length;
      if (stop > i) {
        tokens.push({ kind: 'skip', start: i, end: stop });
      }
      i = textStart = stop;
    }
  }
  flushText(html.length);
  return tokens;
}

/** The `>` that ends a tag, skipping quoted attribute values; -1 when a `<` comes first (the tag is broken). */
export function findTagEnd(html: string, from: number): number {
  let quote = 0;
  for (let j = from; j < html.length; j++) {
    const c = html.charCodeAt(j);
    if (quote) {
      if (c === quote) {
        quote = 0;
      }
    } else if (c === 0x22 || c === 0x27) {
      quote = c;
    } else if (c === 0x3e) {
      return j;
    } else if (c === 0x3c && j > from) {
      return -1; // a `<` inside a tag: treat the whole thing as text
    }
  }
  return -1;
}

function decodeEntity(html: string, at: number, limit: number): { value: string; length: number } | null {
  const m = /^&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z][a-zA-Z0-9]{1,31}));?/.exec(
    html.slice(at, Math.min(limit, at + 40)),
  );
  if (!m) {
    return null;
  }
  let value: string | undefined;
  if (m[1] !== undefined || m[2] !== undefined) {
    const cp = m[1] !== undefined ? parseInt(m[1], 10) : parseInt(m[2] as string, 16);
    value = cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : '\ufffd';
  } else {
    value = NAMED_ENTITIES[(m[3] as string).toLowerCase()];
  }
  return value === undefined ? null : { value, length: m[0].length };
}

/** Extracts the visible text of an HTML document with paragraph breaks as blank lines. */
export function htmlToText(html: string): HtmlText {
  const tokens = tokeniseHtml(html);
  const chars: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const push = (s: string, a: number, b: number): void => {
    chars.push(s);
    starts.push(a);
    ends.push(b);
  };
  const breakLines = (count: number, at: number): void => {
    let have = 0;
    for (let j = chars.length - 1; j >= 0 && chars[j] === '\n' && have < count; j--) {
      have++;
    }
    for (; have < count; have++) {
      push('\n', at, at);
    }
  };
  for (const t of tokens) {
    if (t.kind === 'skip') {
      continue;
    }
    if (t.kind === 'tag') {
      if (t.name && PARAGRAPH_TAGS.has(t.name) && chars.length > 0) {
        breakLines(2, t.start);
      } else if (t.name && LINE_TAGS.has(t.name) && chars.length > 0 && (t.name === 'br' || t.closing)) {
        breakLines(1, t.start);
      }
      continue;
    }
    let j = t.start;
    while (j < t.end) {
      const c = html.charCodeAt(j);
      if (c === 0x26) {
        const ent = decodeEntity(html, j, t.end);
        if (ent) {
          for (const ch of ent.value) {
            push(ch, j, j + ent.length);
          }
          j += ent.length;
          continue;
        }
      }
      if (c === 0x0d || c === 0x0a || c === 0x09) {
        // Source line breaks are not visible breaks in HTML; they are spacing.
        push(' ', j, j + 1);
        j++;
        continue;
      }
      const width = c >= 0xd800 && c <= 0xdbff && j + 1 < t.end ? 2 : 1;
      push(html.slice(j, j + width), j, j + width);
      j += width;
    }
  }
  const text = chars.join('');
  // `chars` holds whole code points; expand the maps to UTF-16 units.
  const srcStart = new Int32Array(text.length + 1);
  const srcEnd = new Int32Array(text.length + 1);
  let u = 0;
  for (let c = 0; c < chars.length; c++) {
    const len = (chars[c] as string).length;
    for (let k = 0; k < len; k++) {
      srcStart[u] = starts[c] as number;
      srcEnd[u] = ends[c] as number;
      u++;
    }
  }
  srcStart[text.length] = html.length;
  srcEnd[text.length] = html.length;
  return { text, srcStart, srcEnd, tokens };
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Elements that carry content of their own and go with the text around them when a region is removed. */
const MEDIA_TAGS = new Set([
  'img',
  'object',
  'embed',
  'iframe',
  'video',
  'audio',
  'svg',
  'canvas',
  'picture',
  'source',
]);

/**
 * Removes source ranges from HTML. Text and media inside a range go; every other tag stays, so the markup keeps its
 * structure (a range may start inside one paragraph and end inside another). `replacement(k)` is inserted as HTML
 * where range `k`'s first character was.
 */
export function removeHtmlRanges(
  html: string,
  tokens: readonly HtmlToken[],
  ranges: readonly { start: number; end: number }[],
  replacement: (k: number) => string,
): string {
  const sorted = ranges.map((r, k) => ({ ...r, k })).sort((a, b) => a.start - b.start);
  const out: string[] = [];
  const inserted = new Set<number>();
  const rangeAt = (pos: number): (typeof sorted)[number] | undefined =>
    sorted.find((r) => pos >= r.start && pos < r.end);
  for (const t of tokens) {
    if (t.kind !== 'text') {
      const r = t.kind === 'tag' && t.name && MEDIA_TAGS.has(t.name) ? rangeAt(t.start) : undefined;
      if (r) {
        if (!inserted.has(r.k)) {
          inserted.add(r.k);
          out.push(replacement(r.k));
        }
        continue;
      }
      out.push(html.slice(t.start, t.end));
      continue;
    }
    let pos = t.start;
    while (pos < t.end) {
      const r = rangeAt(pos);
      if (r) {
        if (!inserted.has(r.k)) {
          inserted.add(r.k);
          out.push(replacement(r.k));
        }
        pos = Math.min(t.end, r.end);
        continue;
      }
      const nextStart = sorted.find((x) => x.start > pos && x.start < t.end)?.start ?? t.end;
      out.push(html.slice(pos, nextStart));
      pos = nextStart;
    }
  }
  return out.join('');
}
