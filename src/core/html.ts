/**
 * HTML to text without a DOM (the on-send runtime has none), keeping for every text character the source range it
 * came from, so that a finding can be highlighted and a region removed from the HTML without breaking the markup.
 */
import type { SegmentPosition, TextSegment, Unscannable } from './types';

export interface HtmlToken {
  readonly kind: 'text' | 'tag' | 'skip';
  readonly start: number;
  readonly end: number;
  /**
   * Lower-case tag name, for tags; for skipped content, `#comment` for a comment and the element's name for the raw
   * content of `<style>`, `<script>`, `<template>`, `<noscript>` and `<xml>`.
   */
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
  'section', 'article', 'header', 'footer', 'address', 'center', 'form', 'fieldset', 'hr', 'main', 'nav',
  'aside', 'figure', 'figcaption', 'caption', 'body', 'html',
]); // prettier-ignore
/**
 * Elements that end a line but not a paragraph. A table row is one line of tab-separated cells, as a sheet's row or a
 * CSV line is read, so a 密等 column header stays above its values and an ISMS triad stays one header row.
 */
const LINE_TAGS = new Set(['br', 'tr']);
/** Elements whose end is a cell boundary within the row's line. */
const CELL_TAGS = new Set(['td', 'th']);
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
      tokens.push({ kind: 'skip', start: lt, end, name: '#comment' });
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
      // Searched in place rather than in a slice of the rest: many <style> blocks must not copy the document each.
      const endTag = new RegExp(`</\\s*${name}\\s*>`, 'gi');
      endTag.lastIndex = i;
      const m = endTag.exec(html);
      const stop = m ? m.index : html.length;
      if (stop > i) {
        tokens.push({ kind: 'skip', start: i, end: stop, name });
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

/**
 * Follows `<ruby>` elements: inside one, the text of `<rt>`, `<rtc>` and `<rp>` is the annotation, read apart from the
 * base text. Outside a `<ruby>` those tags are ordinary inline text, and a paragraph ends an unclosed annotation, so a
 * stray `<rt>` cannot take the rest of the body out of the visible text.
 */
class RubyTracker {
  inAnnotation = false;
  /** Counts the `<ruby>` elements opened so far; the annotations of one element share its number. */
  group = 0;
  private depth = 0;

  onTag(t: HtmlToken): void {
    const name = t.name;
    if (name === 'ruby') {
      if (t.closing) {
        this.depth = Math.max(0, this.depth - 1);
        this.inAnnotation = false;
      } else {
        this.depth++;
        this.group++;
      }
    } else if (name === 'rt' || name === 'rp' || name === 'rtc') {
      this.inAnnotation = !t.closing && this.depth > 0;
    } else if (name === 'rb') {
      this.inAnnotation = false;
    } else if (name && PARAGRAPH_TAGS.has(name)) {
      this.inAnnotation = false;
      this.depth = 0;
    }
  }
}

/** Extracts the visible text of an HTML document with paragraph breaks as blank lines. */
export function htmlToText(html: string, tokens: readonly HtmlToken[] = tokeniseHtml(html)): HtmlText {
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
  const ruby = new RubyTracker();
  for (const t of tokens) {
    if (t.kind === 'skip') {
      continue;
    }
    if (t.kind === 'tag') {
      ruby.onTag(t);
    }
    if (t.kind === 'text' && ruby.inAnnotation) {
      // A ruby annotation is read on its own (see htmlHiddenText): the base text reads as one word, 機<rt>jī</rt>密 as 機密.
      continue;
    }
    if (t.kind === 'tag') {
      if (t.name && PARAGRAPH_TAGS.has(t.name) && chars.length > 0) {
        breakLines(2, t.start);
      } else if (t.name && LINE_TAGS.has(t.name) && chars.length > 0) {
        breakLines(1, t.start);
      } else if (t.name && CELL_TAGS.has(t.name) && t.closing && chars.length > 0) {
        push('\t', t.start, t.start);
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

/** A start tag without the attributes that carry hidden text (see `isHiddenTextAttribute`). */
function withoutHiddenText(html: string, t: HtmlToken): string {
  const drop = tagAttributes(html, t).filter((a) => isHiddenTextAttribute(t.name ?? '', a));
  if (drop.length === 0) {
    return html.slice(t.start, t.end);
  }
  let out = '';
  let pos = t.start;
  for (const a of drop) {
    out += html.slice(pos, a.start);
    pos = a.end;
  }
  return out + html.slice(pos, t.end);
}

/**
 * Removes source ranges from HTML. Text, media, comments, `<style>` content and the hidden-text attributes of tags
 * inside a range go; every other tag stays, so the markup keeps its structure (a range may start inside one paragraph
 * and end inside another). `replacement(k)` is inserted as HTML where range `k`'s first character was.
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
      const r = rangeAt(t.start);
      if (r && t.kind === 'tag' && t.name && MEDIA_TAGS.has(t.name)) {
        if (!inserted.has(r.k)) {
          inserted.add(r.k);
          out.push(replacement(r.k));
        }
        continue;
      }
      if (r && t.kind === 'skip' && t.name) {
        // A comment, or the content of a <style>, <noscript> or <template>, inside the region goes with it; the
        // element's tags stay like every other tag.
        continue;
      }
      if (r && t.kind === 'tag' && !t.closing) {
        out.push(withoutHiddenText(html, t));
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

/* ------------------------------------------------------------------------------------------------------------------
 * Hidden text: what an HTML body carries besides its visible text. A reader may never see it, but it leaves with the
 * mail, some clients show it (a tooltip, an alt text when images are off, a `content:` string, Outlook's conditional
 * comments) and it is the first place an evasion goes, so every piece is read and scanned as its own location.
 * ------------------------------------------------------------------------------------------------------------------ */

/** Where a piece of hidden text came from; it becomes the location's suffix (`body#comment`). */
export type HiddenTextKind = 'comment' | 'attr' | 'css' | 'ruby' | 'noscript' | 'template' | 'data';

export interface HiddenText {
  readonly kind: HiddenTextKind;
  readonly text: string;
  /**
   * The source range, in the top-level HTML, of what carries the text (the comment, the tag with the attribute, the
   * `<style>` content, the annotation): removing everything in that range removes the text.
   */
  readonly start: number;
  readonly end: number;
}

/** A part that could not be read as text: an image in a `data:` URI, one too large or too deep, an unknown charset. */
export interface UnreadHtmlPart {
  readonly kind: HiddenTextKind;
  readonly reason: 'image-only' | 'too-large' | 'unreadable-charset' | 'unsupported-format' | 'malformed';
  readonly detail: string;
  readonly start: number;
  readonly end: number;
}

export interface HiddenHtml {
  readonly texts: readonly HiddenText[];
  readonly unread: readonly UnreadHtmlPart[];
}

/** Bounds on decoding: nothing a sender writes may make the scan unbounded, and what exceeds them is unread. */
export const HIDDEN_HTML_LIMITS = {
  /** Nesting of HTML in comments, `<noscript>`, `<template>`, `srcdoc` and `data:` URIs. */
  maxDepth: 4,
  /** `data:` URIs read per body. */
  maxDataUris: 200,
  /** Characters of one `data:` URI. */
  maxDataUriChars: 4 * 1024 * 1024,
  /** Characters decoded from all `data:` URIs of a body together. */
  maxDecodedChars: 16 * 1024 * 1024,
};

/** What an attribute worth reading contains: a text attribute's name, a CSS `content:`, a `data:` URI (entities aside). */
const ATTRIBUTE_HINT = /alt|title|aria-|placeholder|srcdoc|string|value|content|data|&/gi;

/** Attributes whose value is text shown to someone (a tooltip, an alt text, a screen reader, a form hint). */
const TEXT_ATTRIBUTES = new Set(['alt', 'title', 'aria-label', 'aria-description', 'placeholder']);
/**
 * Text attributes, and those that are text on one element: a VML WordArt's string (how Word draws a watermark), a
 * form field's value, a `<meta>`'s content (a document's description, keywords, classification).
 */
function isTextAttribute(tagName: string, name: string): boolean {
  return (
    TEXT_ATTRIBUTES.has(name) ||
    (name === 'string' && tagName === 'v:textpath') ||
    (name === 'value' && tagName === 'input') ||
    (name === 'content' && tagName === 'meta')
  );
}

/** Attributes that may hold a URI, and so a `data:` URI with content of its own. */
const URI_ATTRIBUTES = new Set(['src', 'href', 'xlink:href', 'data', 'background', 'poster']);
/** `data:` media types read as HTML (their visible and hidden text), and as plain text. */
const DATA_HTML_TYPES = new Set(['text/html', 'application/xhtml+xml', 'image/svg+xml']);
const DATA_TEXT_TYPES = /^(text\/[\w.+-]+|application\/([\w.-]+\+)?(json|xml)|application\/(javascript|ecmascript))$/;

interface HtmlAttribute {
  readonly name: string;
  /** The value with its entities decoded. */
  readonly value: string;
  /** Source range of the whole `name="value"`, for removing it. */
  readonly start: number;
  readonly end: number;
}

/** The attributes of a start tag (`tag` is its token). Lenient: whatever does not parse is not an attribute. */
export function tagAttributes(html: string, tag: HtmlToken): HtmlAttribute[] {
  const out: HtmlAttribute[] = [];
  const inner = html.slice(tag.start + 1, tag.end - 1);
  const nameEnd = /^\/?\s*[a-zA-Z][\w:-]*/.exec(inner);
  if (!nameEnd) {
    return out;
  }
  const re = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  re.lastIndex = nameEnd[0].length;
  for (let m = re.exec(inner); m !== null; m = re.exec(inner)) {
    const raw = m[2] ?? m[3] ?? m[4] ?? '';
    out.push({
      name: (m[1] as string).toLowerCase(),
      value: decodeEntities(raw),
      start: tag.start + 1 + m.index,
      end: tag.start + 1 + m.index + m[0].length,
    });
  }
  return out;
}

function decodeEntities(s: string): string {
  if (s.indexOf('&') === -1) {
    return s;
  }
  let out = '';
  let j = 0;
  while (j < s.length) {
    const amp = s.indexOf('&', j);
    if (amp === -1) {
      out += s.slice(j);
      break;
    }
    out += s.slice(j, amp);
    const ent = decodeEntity(s, amp, s.length);
    if (ent) {
      out += ent.value;
      j = amp + ent.length;
    } else {
      out += '&';
      j = amp + 1;
    }
  }
  return out;
}

/** Whether an attribute carries hidden text that stripping must take with a removed region. */
export function isHiddenTextAttribute(tagName: string, a: { name: string; value: string }): boolean {
  return (
    isTextAttribute(tagName, a.name) ||
    a.name === 'style' ||
    a.name === 'srcdoc' ||
    (URI_ATTRIBUTES.has(a.name) && /^\s*data:/i.test(a.value))
  );
}

/** The strings of every CSS `content:` declaration, each declaration's strings joined (`"機" "密"` reads 機密). */
export function cssContentStrings(css: string): string[] {
  const out: string[] = [];
  const text = css.indexOf('/*') === -1 ? css : css.replace(/\/\*[\s\S]*?(\*\/|$)/g, ' ');
  // `align-content:` and the like are other properties: `content` must not follow a name character.
  const re = /(^|[^\w\\-])content\s*:/gi;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    let value = '';
    let j = re.lastIndex;
    while (j < text.length) {
      const c = text[j] as string;
      if (c === ';' || c === '}') {
        break;
      }
      if (c === '"' || c === "'") {
        const s = cssString(text, j);
        value += s.value;
        j = s.end;
        continue;
      }
      j++;
    }
    re.lastIndex = j;
    if (value.trim() !== '') {
      out.push(value);
    }
  }
  return out;
}

/** A CSS string starting at the quote at `at`, with its escapes decoded (`"\6A5F\5BC6"` is 機密). */
function cssString(text: string, at: number): { value: string; end: number } {
  const quote = text[at];
  let value = '';
  let j = at + 1;
  while (j < text.length) {
    const c = text[j] as string;
    if (c === quote) {
      return { value, end: j + 1 };
    }
    if (c === '\n') {
      return { value, end: j }; // an unterminated string ends at the line, as CSS says
    }
    if (c === '\\') {
      const hex = /^[0-9a-fA-F]{1,6}[ \t\n\r\f]?/.exec(text.slice(j + 1, j + 8));
      if (hex) {
        const cp = parseInt(hex[0], 16);
        value += cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : '\ufffd';
        j += 1 + hex[0].length;
        continue;
      }
      const next = text[j + 1];
      if (next === '\n') {
        j += 2; // a line continuation
        continue;
      }
      if (next !== undefined) {
        value += next;
      }
      j += 2;
      continue;
    }
    value += c;
    j++;
  }
  return { value, end: j };
}

/** Strict UTF-8, without `TextDecoder` (not guaranteed in the classic runtime); null when the bytes are not UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  const parts: string[] = [];
  let chunk: number[] = [];
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i] as number;
    let cp: number;
    let n: number;
    if (b < 0x80) {
      cp = b;
      n = 1;
    } else if (b >= 0xc2 && b <= 0xdf) {
      cp = b & 0x1f;
      n = 2;
    } else if (b >= 0xe0 && b <= 0xef) {
      cp = b & 0x0f;
      n = 3;
    } else if (b >= 0xf0 && b <= 0xf4) {
      cp = b & 0x07;
      n = 4;
    } else {
      return null;
    }
    if (i + n > bytes.length) {
      return null;
    }
    for (let k = 1; k < n; k++) {
      const c = bytes[i + k] as number;
      if ((c & 0xc0) !== 0x80) {
        return null;
      }
      cp = (cp << 6) | (c & 0x3f);
    }
    if ((n === 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n === 4 && (cp < 0x10000 || cp > 0x10ffff))) {
      return null;
    }
    chunk.push(cp);
    if (chunk.length >= 4096) {
      parts.push(String.fromCodePoint(...chunk));
      chunk = [];
    }
    i += n;
  }
  parts.push(String.fromCodePoint(...chunk));
  return parts.join('');
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 (standard or URL-safe, whitespace ignored) to bytes; null when it is not base64. */
export function decodeBase64(s: string): Uint8Array | null {
  const clean = s.replace(/[\s]/g, '').replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (clean.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(clean)) {
    return null;
  }
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let o = 0;
  for (let i = 0; i < clean.length; i += 4) {
    const a = BASE64.indexOf(clean[i] as string);
    const b = BASE64.indexOf(clean[i + 1] as string);
    const c = i + 2 < clean.length ? BASE64.indexOf(clean[i + 2] as string) : 0;
    const d = i + 3 < clean.length ? BASE64.indexOf(clean[i + 3] as string) : 0;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = (n >> 16) & 0xff;
    if (i + 2 < clean.length) {
      out[o++] = (n >> 8) & 0xff;
    }
    if (i + 3 < clean.length) {
      out[o++] = n & 0xff;
    }
  }
  return out;
}

/** Percent-decodes a URI's data into bytes; characters that are not escapes count as their UTF-8. */
function percentDecode(s: string): Uint8Array {
  if (s.indexOf('%') === -1 && !/[\u0080-\uffff]/.test(s)) {
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) {
      out[i] = s.charCodeAt(i);
    }
    return out;
  }
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      const w = c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
      const u = utf8Of(s.slice(i, i + w));
      for (let k = 0; k < u.length; k++) {
        bytes.push(u[k] as number);
      }
      i += w - 1;
    }
  }
  return Uint8Array.from(bytes);
}

function utf8Of(s: string): number[] {
  const cp = s.codePointAt(0) as number;
  if (cp < 0x800) {
    return [0xc0 | (cp >> 6), 0x80 | (cp & 63)];
  }
  if (cp < 0x10000) {
    return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
  }
  return [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
}

/** Bytes of a `data:` URI as text under its charset (UTF-8, ASCII, Latin-1); null otherwise (the part is then unread). */
function decodeCharset(bytes: Uint8Array, charset: string): string | null {
  const label = charset.trim().toLowerCase();
  if (label === '' || label === 'utf-8' || label === 'utf8' || label === 'us-ascii' || label === 'ascii') {
    return decodeUtf8(bytes);
  }
  if (label === 'iso-8859-1' || label === 'latin1' || label === 'l1') {
    let s = '';
    for (let i = 0; i < bytes.length; i++) {
      s += String.fromCharCode(bytes[i] as number);
    }
    return s;
  }
  // Other charsets are not decoded here: the core has no TextDecoder of its own (the on-send build substitutes one
  // that imports the core, a cycle), and such a data: URI is rare enough to be unread rather than guessed.
  return null;
}

interface HiddenContext {
  readonly texts: HiddenText[];
  readonly unread: UnreadHtmlPart[];
  dataUris: number;
  decodedChars: number;
  tooManyDataUris: boolean;
}

/**
 * The hidden text of an HTML document: comments (Outlook's conditional comments read as the HTML they hold),
 * text-bearing attributes, CSS `content:` strings, ruby annotations, `<noscript>` and `<template>` content, `srcdoc`
 * and the content of `data:` URIs (text and HTML decoded, images unread). Pass `tokens` when they are at hand.
 */
export function htmlHiddenText(html: string, tokens?: readonly HtmlToken[]): HiddenHtml {
  const ctx: HiddenContext = { texts: [], unread: [], dataUris: 0, decodedChars: 0, tooManyDataUris: false };
  collectHidden(html, tokens ?? tokeniseHtml(html), 0, ctx, 0, null);
  return { texts: ctx.texts, unread: ctx.unread };
}

/**
 * Collects from `html`, which sits at `base` in the top-level source, or, when `owner` is set, was decoded from
 * something at `owner` (a `data:` URI, a `srcdoc`) and so has no source offsets of its own.
 */
function collectHidden(
  html: string,
  tokens: readonly HtmlToken[],
  base: number,
  ctx: HiddenContext,
  depth: number,
  owner: { start: number; end: number } | null,
): void {
  const span = (start: number, end: number): { start: number; end: number } =>
    owner ?? { start: base + start, end: base + end };
  const add = (kind: HiddenTextKind, text: string, start: number, end: number): void => {
    if (text.trim() !== '') {
      const where = span(start, end);
      ctx.texts.push({ kind, text, start: where.start, end: where.end });
    }
  };
  const nested = (kind: HiddenTextKind, inner: string, at: number, start: number, end: number): void => {
    if (inner.indexOf('<') === -1 && inner.indexOf('&') === -1) {
      add(kind, inner, start, end); // plain text, as most comments are: nothing to parse
      return;
    }
    if (depth + 1 > HIDDEN_HTML_LIMITS.maxDepth) {
      // Too deep to parse: read it as it stands, and say that what it nests was not decoded.
      add(kind, inner, start, end);
      if (/<|data:|&/i.test(inner)) {
        ctx.unread.push({
          kind,
          reason: 'too-large',
          detail: `HTML nested deeper than ${HIDDEN_HTML_LIMITS.maxDepth}`,
          ...span(start, end),
        });
      }
      return;
    }
    const innerTokens = tokeniseHtml(inner);
    add(kind, htmlToText(inner, innerTokens).text, start, end);
    collectHidden(inner, innerTokens, owner ? 0 : base + at, ctx, depth + 1, owner ? owner : null);
  };
  const ruby = new RubyTracker();
  let annotation = { group: -1, text: '', start: 0, end: 0 };
  const flushAnnotation = (): void => {
    if (annotation.group !== -1) {
      add('ruby', annotation.text, annotation.start, annotation.end);
    }
    annotation = { group: -1, text: '', start: 0, end: 0 };
  };
  // Where an attribute worth parsing may be, found in one pass: most tags (class=MsoNormal, style without content:)
  // have none, and parsing every tag's attributes would cost as much as the text extraction itself.
  const hints: number[] = [];
  ATTRIBUTE_HINT.lastIndex = 0;
  for (let m = ATTRIBUTE_HINT.exec(html); m !== null; m = ATTRIBUTE_HINT.exec(html)) {
    hints.push(m.index);
  }
  let hint = 0;
  let lastOpen: HtmlToken | null = null;
  for (const t of tokens) {
    if (t.kind === 'tag') {
      ruby.onTag(t);
      while (hint < hints.length && (hints[hint] as number) < t.start) {
        hint++;
      }
      if (!t.closing) {
        lastOpen = t;
        if (hint < hints.length && (hints[hint] as number) < t.end) {
          readTag(html, t, ctx, depth, span, add);
        }
      }
      continue;
    }
    if (t.kind === 'text') {
      if (ruby.inAnnotation) {
        if (annotation.group !== ruby.group) {
          flushAnnotation();
          annotation = { group: ruby.group, text: '', start: t.start, end: t.end };
        }
        annotation.text += decodeEntities(html.slice(t.start, t.end));
        annotation.end = t.end;
      }
      continue;
    }
    if (t.name === '#comment') {
      const closed = html.startsWith('-->', t.end - 3) && t.end - t.start >= 7;
      let from = t.start + 4;
      let to = closed ? t.end - 3 : t.end;
      // Outlook's conditional comments hold HTML that Outlook renders: read them as HTML, without the condition.
      const cond = /^\[if[^\]]*\]>/i.exec(html.slice(from, Math.min(to, from + 80)));
      if (cond) {
        from += cond[0].length;
        const endif = /<!\[endif\]\s*$/i.exec(html.slice(Math.max(from, to - 40), to));
        if (endif) {
          to -= endif[0].length;
        }
      }
      if (to > from) {
        nested('comment', html.slice(from, to), from, t.start, t.end);
      }
    } else if (t.name === 'style' && lastOpen?.name === 'style') {
      for (const s of cssContentStrings(html.slice(t.start, t.end))) {
        add('css', s, t.start, t.end);
      }
    } else if ((t.name === 'noscript' || t.name === 'template') && lastOpen?.name === t.name) {
      nested(t.name, html.slice(t.start, t.end), t.start, t.start, t.end);
    }
  }
  flushAnnotation();
}

function readTag(
  html: string,
  t: HtmlToken,
  ctx: HiddenContext,
  depth: number,
  span: (start: number, end: number) => { start: number; end: number },
  add: (kind: HiddenTextKind, text: string, start: number, end: number) => void,
): void {
  const name = t.name ?? '';
  for (const a of tagAttributes(html, t)) {
    if (isTextAttribute(name, a.name)) {
      add('attr', a.value, t.start, t.end);
    } else if (a.name === 'style') {
      for (const s of cssContentStrings(a.value)) {
        add('css', s, t.start, t.end);
      }
    } else if (a.name === 'srcdoc') {
      readDecoded('text/html', a.value, t, ctx, depth, span, add);
    } else if (URI_ATTRIBUTES.has(a.name) && /^\s*data:/i.test(a.value)) {
      readDataUri(a.value.trim(), t, ctx, depth, span, add);
    }
  }
}

function readDataUri(
  uri: string,
  t: HtmlToken,
  ctx: HiddenContext,
  depth: number,
  span: (start: number, end: number) => { start: number; end: number },
  add: (kind: HiddenTextKind, text: string, start: number, end: number) => void,
): void {
  const where = span(t.start, t.end);
  const unread = (reason: UnreadHtmlPart['reason'], detail: string): void => {
    ctx.unread.push({ kind: 'data', reason, detail, ...where });
  };
  ctx.dataUris++;
  if (ctx.dataUris > HIDDEN_HTML_LIMITS.maxDataUris) {
    if (!ctx.tooManyDataUris) {
      ctx.tooManyDataUris = true;
      unread('too-large', `more than ${HIDDEN_HTML_LIMITS.maxDataUris} data: URIs`);
    }
    return;
  }
  const comma = uri.indexOf(',');
  if (comma === -1) {
    unread('malformed', 'data: URI without data');
    return;
  }
  const params = uri
    .slice(5, comma)
    .split(';')
    .map((p) => p.trim());
  const type = (params[0] ?? '').toLowerCase() || 'text/plain';
  const base64 = params.some((p) => p.toLowerCase() === 'base64');
  const charsetParam = params.filter((p) => /^charset=/i.test(p))[0];
  const charset = charsetParam ? charsetParam.slice(8).replace(/^"|"$/g, '') : '';
  const label = `data:${type.slice(0, 60)}`;
  if (/^image\//.test(type) && !DATA_HTML_TYPES.has(type)) {
    // An inline image, as a cid: image is: no text to read without OCR.
    unread('image-only', label);
    return;
  }
  if (!DATA_HTML_TYPES.has(type) && !DATA_TEXT_TYPES.test(type)) {
    unread('unsupported-format', label);
    return;
  }
  const payload = uri.slice(comma + 1);
  if (payload.length > HIDDEN_HTML_LIMITS.maxDataUriChars) {
    unread('too-large', `${label}, ${payload.length} characters`);
    return;
  }
  const bytes = base64
    ? decodeBase64(payload.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))))
    : percentDecode(payload);
  if (!bytes) {
    unread('malformed', `${label}: not base64`);
    return;
  }
  const text = decodeCharset(bytes, charset);
  if (text === null) {
    unread('unreadable-charset', `${label}: bytes do not decode as ${charset || 'utf-8'}`);
    return;
  }
  readDecoded(type, text, t, ctx, depth, span, add);
}

/** Decoded content (a `data:` URI's, a `srcdoc`): HTML and SVG read as HTML, anything else as text. */
function readDecoded(
  type: string,
  text: string,
  t: HtmlToken,
  ctx: HiddenContext,
  depth: number,
  span: (start: number, end: number) => { start: number; end: number },
  add: (kind: HiddenTextKind, text: string, start: number, end: number) => void,
): void {
  const where = span(t.start, t.end);
  ctx.decodedChars += text.length;
  if (ctx.decodedChars > HIDDEN_HTML_LIMITS.maxDecodedChars) {
    ctx.unread.push({ kind: 'data', reason: 'too-large', detail: 'decoded data: content over the limit', ...where });
    return;
  }
  if (!DATA_HTML_TYPES.has(type)) {
    add('data', text, t.start, t.end);
    return;
  }
  if (depth + 1 > HIDDEN_HTML_LIMITS.maxDepth) {
    add('data', text, t.start, t.end);
    ctx.unread.push({
      kind: 'data',
      reason: 'too-large',
      detail: `HTML nested deeper than ${HIDDEN_HTML_LIMITS.maxDepth}`,
      ...where,
    });
    return;
  }
  const innerTokens = tokeniseHtml(text);
  add('data', htmlToText(text).text, t.start, t.end);
  collectHidden(text, innerTokens, 0, ctx, depth + 1, where);
}

/** How each kind of hidden text is weighed: a comment as a comment, an attribute as metadata, the rest as body text. */
const HIDDEN_POSITION: Readonly<Record<HiddenTextKind, SegmentPosition>> = {
  comment: 'comment',
  attr: 'metadata',
  css: 'body',
  ruby: 'body',
  noscript: 'body',
  template: 'body',
  data: 'body',
};

const HIDDEN_KINDS: readonly HiddenTextKind[] = ['comment', 'attr', 'css', 'ruby', 'noscript', 'template', 'data'];

/** One segment per kind of hidden text, with where each piece sits in it (to map a finding back to its source). */
export interface HiddenSegment {
  readonly segment: TextSegment;
  /** The pieces in the segment's text, in order; `offset` is where each starts in `segment.text`. */
  readonly pieces: readonly { readonly offset: number; readonly piece: HiddenText }[];
}

/**
 * The hidden text as segments `<location>#<kind>` (`body#comment`, `attachment:a.html#attr`), pieces of a kind
 * joined by a blank line so no mark forms across two of them, and the unread parts as unscannable.
 */
export function hiddenSegments(
  hidden: HiddenHtml,
  location: string,
): { segments: HiddenSegment[]; unscannable: Unscannable[] } {
  const segments: HiddenSegment[] = [];
  for (const kind of HIDDEN_KINDS) {
    const pieces: { offset: number; piece: HiddenText }[] = [];
    const parts: string[] = [];
    let offset = 0;
    for (const piece of hidden.texts) {
      if (piece.kind !== kind) {
        continue;
      }
      pieces.push({ offset, piece });
      parts.push(piece.text);
      offset += piece.text.length + 2;
    }
    if (pieces.length > 0) {
      segments.push({
        segment: { location: `${location}#${kind}`, text: parts.join('\n\n'), position: HIDDEN_POSITION[kind] },
        pieces,
      });
    }
  }
  const unscannable = hidden.unread.map((u): Unscannable => ({
    location: `${location}#${u.kind}`,
    reason: u.reason,
    detail: u.detail,
  }));
  return { segments, unscannable };
}

/** The piece of a hidden segment that `offset` falls in. */
export function hiddenPieceAt(
  segment: HiddenSegment,
  offset: number,
): { readonly offset: number; readonly piece: HiddenText } | undefined {
  let lo = 0;
  let hi = segment.pieces.length - 1;
  let found: { offset: number; piece: HiddenText } | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const p = segment.pieces[mid] as { offset: number; piece: HiddenText };
    if (p.offset <= offset) {
      found = p;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/**
 * An HTML document as segments for scanning: its visible text at `location` and its hidden text at
 * `<location>#<kind>`, with the parts that could not be read. For an attachment or a nested message; the message body
 * goes through `scanHtmlBody`, which also knows what a strip removes.
 */
export function htmlSegments(
  html: string,
  location: string,
  position: SegmentPosition = 'body',
): { segments: TextSegment[]; unscannable: Unscannable[] } {
  const extracted = htmlToText(html);
  const hidden = hiddenSegments(htmlHiddenText(html, extracted.tokens), location);
  return {
    segments: [{ location, text: extracted.text, position }, ...hidden.segments.map((h) => h.segment)],
    unscannable: hidden.unscannable,
  };
}
