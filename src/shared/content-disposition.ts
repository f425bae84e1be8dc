/**
 * The file name a server gives a download in `content-disposition` (RFC 6266): `filename*` (RFC 5987/8187,
 * `UTF-8''…` or `ISO-8859-1''…`, percent-encoded) wins over `filename` (a token or a quoted string). The name is
 * reduced to a plain file name: no folders, no control or bidi-override characters, never empty, `.` or `..`.
 */

/** The parameters of a header value, names in lower case; values unquoted. Null when the header cannot be parsed. */
function parameters(header: string): Map<string, string> | null {
  const params = new Map<string, string>();
  // `type; name=value; name="quoted \"value\""`: the disposition type first, then the parameters.
  const re = /;\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s"]+)\s*/g;
  const start = header.indexOf(';');
  if (start === -1) {
    return params;
  }
  let at = start;
  let m: RegExpExecArray | null;
  re.lastIndex = at;
  while ((m = re.exec(header)) !== null) {
    if (m.index !== at) {
      return null;
    }
    const name = (m[1] as string).toLowerCase();
    const raw = m[2] as string;
    const value = raw.charAt(0) === '"' ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
    if (!params.has(name)) {
      params.set(name, value);
    }
    at = re.lastIndex;
  }
  return at === header.length ? params : null;
}

/** `charset'language'percent-encoded`; null when the charset is unknown or the encoding is broken. */
function decodeExtValue(value: string): string | null {
  const m = /^([!#$&+^`{}~0-9A-Za-z-]+)'[^']*'((?:%[0-9A-Fa-f]{2}|[!#$&+.^_`|~0-9A-Za-z-])*)$/.exec(value);
  if (!m) {
    return null;
  }
  const charset = (m[1] as string).toLowerCase();
  const encoded = m[2] as string;
  if (charset === 'utf-8') {
    try {
      return decodeURIComponent(encoded);
    } catch {
      return null; // not UTF-8
    }
  }
  if (charset === 'iso-8859-1') {
    return encoded.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
  return null;
}

/** A name safe to offer as a download: the last path segment, without controls or invisible direction marks. */
function plainFileName(name: string): string | null {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g, '')
    .trim();
  return clean === '' || clean === '.' || clean === '..' ? null : clean;
}

/** The download's file name from a `content-disposition` header, or null when it names none (or cannot be read). */
export function fileNameFromContentDisposition(header: string | null | undefined): string | null {
  if (!header) {
    return null;
  }
  const params = parameters(header.trim());
  if (!params) {
    return null;
  }
  const extended = params.get('filename*');
  const decoded = extended === undefined ? null : decodeExtValue(extended);
  if (decoded !== null) {
    const name = plainFileName(decoded);
    if (name !== null) {
      return name;
    }
  }
  const plain = params.get('filename');
  return plain === undefined ? null : plainFileName(plain);
}
