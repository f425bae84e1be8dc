/**
 * Legacy binary formats. Their text cannot be recovered reliably without a full reader, so they are always reported
 * unscannable (`legacy-format`), never allowed; what text can be recovered is scanned as well, so a visible mark
 * turns a warning into a block. Also TNEF (winmail.dat): its attachment list and plain body.
 */
import type { Unscannable } from '../core';

/** OLE compound file (.doc/.xls/.ppt/.msg, and password-protected OOXML). */
export function looksLikeCfb(bytes: Uint8Array): boolean {
  const magic = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
  return bytes.length >= 8 && magic.every((b, i) => bytes[i] === b);
}

function containsUtf16(bytes: Uint8Array, word: string): boolean {
  const needle: number[] = [];
  for (let i = 0; i < word.length; i++) {
    needle.push(word.charCodeAt(i) & 0xff, word.charCodeAt(i) >> 8);
  }
  outer: for (let i = 0; i + needle.length <= bytes.length; i++) {
    for (let k = 0; k < needle.length; k++) {
      if (bytes[i + k] !== needle[k]) {
        continue outer;
      }
    }
    return true;
  }
  return false;
}

/** Printable UTF-16LE runs of at least `min` characters: how Word, Excel and PowerPoint 97 keep non-ASCII text. */
export function utf16Runs(bytes: Uint8Array, min = 2): string[] {
  const runs: string[] = [];
  for (const start of [0, 1]) {
    let run = '';
    for (let i = start; i + 1 < bytes.length; i += 2) {
      const c = (bytes[i] as number) | ((bytes[i + 1] as number) << 8);
      const printable =
        (c >= 0x4e00 && c <= 0x9fff) ||
        (c >= 0x3000 && c <= 0x303f) ||
        (c >= 0xff00 && c <= 0xffef) ||
        (c >= 0x20 && c < 0x7f && run.length > 0 && /[\u4e00-\u9fff]/.test(run));
      if (printable) {
        run += String.fromCharCode(c);
      } else {
        if (run.length >= min && /[\u3000-\u9fff\uff00-\uffef]/.test(run)) {
          runs.push(run);
        }
        run = '';
      }
    }
    if (run.length >= min) {
      runs.push(run);
    }
  }
  return runs;
}

export function readCfb(bytes: Uint8Array, location: string): { text: string; unscannable: Unscannable } {
  if (containsUtf16(bytes, 'EncryptedPackage') || containsUtf16(bytes, 'EncryptionInfo')) {
    return { text: '', unscannable: { location, reason: 'encrypted', detail: 'password-protected Office document' } };
  }
  return {
    text: utf16Runs(bytes).join('\n'),
    unscannable: { location, reason: 'legacy-format', detail: '.doc/.xls/.ppt/.msg: text recovery is best-effort' },
  };
}

/** TNEF (winmail.dat) begins with this signature, little-endian. */
export function looksLikeTnef(bytes: Uint8Array): boolean {
  return bytes.length >= 6 && bytes[0] === 0x78 && bytes[1] === 0x9f && bytes[2] === 0x3e && bytes[3] === 0x22;
}

export interface TnefContent {
  readonly body: string | null;
  readonly attachments: { name: string; data: Uint8Array }[];
  /** The body is only in MAPI properties (usually compressed RTF), which this reader does not decode. */
  readonly mapiOnly: boolean;
  readonly truncated: boolean;
}

const ATT_BODY = 0x800c;
const ATT_ATTACH_TITLE = 0x8010;
const ATT_ATTACH_DATA = 0x800f;
const ATT_MAPI_PROPS = 0x9003;
const LVL_MESSAGE = 1;

/**
 * An attachment title: ANSI in the sender's code page, which in Taiwan is 950 (Big5); read as UTF-8 when it is valid
 * UTF-8, else as Big5 when it is valid Big5, else as windows-1252, so a Chinese name is read as the name it is.
 */
function ansiName(data: Uint8Array): string {
  for (const encoding of ['utf-8', 'big5']) {
    try {
      return new TextDecoder(encoding, { fatal: true }).decode(data);
    } catch {
      // the next code page
    }
  }
  return new TextDecoder('windows-1252').decode(data);
}

export function readTnef(bytes: Uint8Array): TnefContent {
  const u16 = (o: number): number => (bytes[o] as number) | ((bytes[o + 1] as number) << 8);
  const u32 = (o: number): number => (u16(o) | (u16(o + 2) << 16)) >>> 0;
  let o = 6;
  let body: string | null = null;
  let mapi = false;
  let truncated = false;
  const attachments: { name: string; data: Uint8Array }[] = [];
  let current: { name: string; data: Uint8Array } | null = null;
  while (o + 9 <= bytes.length) {
    const level = bytes[o] as number;
    const id = u32(o + 1) & 0xffff;
    const length = u32(o + 5);
    const start = o + 9;
    if (start + length + 2 > bytes.length) {
      truncated = true;
      break;
    }
    const data = bytes.subarray(start, start + length);
    if (level === LVL_MESSAGE && id === ATT_BODY) {
      body = new TextDecoder('windows-1252').decode(data).replace(/\0+$/, '');
    } else if (level === LVL_MESSAGE && id === ATT_MAPI_PROPS) {
      mapi = true;
    } else if (id === ATT_ATTACH_TITLE) {
      current = {
        name: ansiName(data).replace(/\0+$/, '') || 'attachment',
        data: new Uint8Array(0),
      };
      attachments.push(current);
    } else if (id === ATT_ATTACH_DATA) {
      if (!current) {
        current = { name: 'attachment', data: new Uint8Array(0) };
        attachments.push(current);
      }
      current.data = data;
    }
    o = start + length + 2;
  }
  return { body, attachments, mapiOnly: body === null && mapi, truncated };
}
