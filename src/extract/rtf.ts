/**
 * RTF text runs, including the places marks hide: headers and footers (\header, \footer…), footnotes and
 * annotations, document info, and the WordArt watermark's text in `{\sp{\sn gtextUNICODE}{\sv …}}`. Bytes written as
 * \'hh are decoded in the document's code page (\ansicpg950 is Big5).
 */
import type { SegmentPosition } from '../core';
import { SegmentCollector } from './segments';

/** Destinations whose content is not document text. */
const SKIP = new Set([
  'fonttbl', 'colortbl', 'stylesheet', 'listtable', 'listoverridetable', 'pict', 'themedata', 'colorschememapping',
  'datastore', 'latentstyles', 'rsidtbl', 'generator', 'xmlnstbl', 'mmathPr', 'pgdsctbl', 'fldinst', 'objdata',
  'blipuid', 'defchp', 'defpap', 'panose', 'falt', 'wgrffmtfilter', 'filetbl', 'revtbl', 'operator', 'author',
  'creatim', 'revtim', 'printim', 'buptim', 'bkmkstart', 'bkmkend', 'xe', 'tc', 'nonshppict', 'shppict',
  'atnid', 'atnauthor', 'atndate', 'atnref', 'listtext', 'pntext', 'pntxta', 'pntxtb', 'userprops', 'docvar',
]); // prettier-ignore
const POSITIONS: Readonly<Record<string, { kind: string; position: SegmentPosition }>> = {
  header: { kind: 'header', position: 'header' },
  headerl: { kind: 'header', position: 'header' },
  headerr: { kind: 'header', position: 'header' },
  headerf: { kind: 'header', position: 'header' },
  footer: { kind: 'footer', position: 'footer' },
  footerl: { kind: 'footer', position: 'footer' },
  footerr: { kind: 'footer', position: 'footer' },
  footerf: { kind: 'footer', position: 'footer' },
  footnote: { kind: 'notes', position: 'body' },
  annotation: { kind: 'annotation', position: 'comment' },
  title: { kind: 'info', position: 'metadata' },
  subject: { kind: 'info', position: 'metadata' },
  keywords: { kind: 'info', position: 'metadata' },
  doccomm: { kind: 'info', position: 'metadata' },
  category: { kind: 'info', position: 'metadata' },
  company: { kind: 'info', position: 'metadata' },
};
const CODEPAGES: Readonly<Record<string, string>> = {
  '950': 'big5',
  '936': 'gbk',
  '932': 'shift_jis',
  '949': 'euc-kr',
  '1252': 'windows-1252',
  '65001': 'utf-8',
};

interface State {
  skip: boolean;
  kind: string;
  position: SegmentPosition;
  uc: number;
  /** Inside a shape property name (\sn) or value (\sv). */
  shape: 'sn' | 'sv' | null;
}

export function looksLikeRtf(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 5 &&
    String.fromCharCode(
      bytes[0] as number,
      bytes[1] as number,
      bytes[2] as number,
      bytes[3] as number,
      bytes[4] as number,
    ) === '{\\rtf'
  );
}

/** Reads RTF (as latin1 text, so \'hh bytes keep their values) into segments. */
export function readRtf(
  source: string,
  location: string,
): { segments: ReturnType<SegmentCollector['segments']>; wellFormed: boolean } {
  const out = new SegmentCollector(location);
  let codepage = 'windows-1252';
  const stack: State[] = [];
  let state: State = { skip: false, kind: 'body', position: 'body', uc: 1, shape: null };
  let pendingBytes: number[] = [];
  let shapeName = '';
  let lastShapeName = '';
  let skipChars = 0;
  let balanced = true;
  let groupStart = false;
  const emit = (text: string): void => {
    if (state.skip || text.length === 0) {
      return;
    }
    if (state.shape === 'sn') {
      shapeName += text;
      return;
    }
    if (state.shape === 'sv') {
      if (lastShapeName === 'gtextUNICODE' || lastShapeName === 'gtext') {
        out.add('rtf', 'watermark', 'watermark', text);
      }
      return;
    }
    out.add('rtf', state.kind, state.position, text);
  };
  const flushBytes = (): void => {
    if (pendingBytes.length > 0) {
      let text: string;
      try {
        text = new TextDecoder(codepage).decode(Uint8Array.from(pendingBytes));
      } catch {
        text = String.fromCharCode.apply(null, pendingBytes);
      }
      pendingBytes = [];
      emit(text);
    }
  };
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i] as string;
    if (c === '{') {
      flushBytes();
      stack.push(state);
      state = { ...state };
      groupStart = true;
      i++;
      continue;
    }
    if (c === '}') {
      flushBytes();
      if (state.shape === 'sn') {
        lastShapeName = shapeName.trim();
        shapeName = '';
      }
      if (state.shape === 'sv' && (lastShapeName === 'gtextUNICODE' || lastShapeName === 'gtext')) {
        out.newline('rtf', 'watermark', 'watermark');
      }
      const prev = stack.pop();
      if (!prev) {
        balanced = false;
        break;
      }
      state = prev;
      groupStart = false;
      i++;
      continue;
    }
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      if (next === "'") {
        const hex = source.slice(i + 2, i + 4);
        if (skipChars > 0) {
          skipChars--;
        } else if (/^[0-9a-fA-F]{2}$/.test(hex)) {
          pendingBytes.push(parseInt(hex, 16));
        }
        i += 4;
        continue;
      }
      flushBytes();
      if (next === '*') {
        // An ignorable destination: skipped unless it is one we read (shape text, annotations).
        const m = /^\\\*\\([a-zA-Z]+)/.exec(source.slice(i, i + 40));
        const word = m ? (m[1] as string) : '';
        if (!['shpinst', 'shptxt', 'annotation', 'footnote', 'sp', 'sn', 'sv', 'company', 'category'].includes(word)) {
          state.skip = true;
        }
        i += 2;
        continue;
      }
      if (!/[a-zA-Z]/.test(next)) {
        // Control symbols: \\ \{ \} are literal; \~ is a non-breaking space; line and others are breaks or nothing.
        if (next === '\\' || next === '{' || next === '}') {
          emit(next);
        } else if (next === '~') {
          emit('\u00a0');
        } else if (next === '\n' || next === '\r') {
          emit('\n');
        }
        i += 2;
        continue;
      }
      const m = /^\\([a-zA-Z]{1,32})(-?\d{1,10})? ?/.exec(source.slice(i, i + 48));
      if (!m) {
        i++;
        continue;
      }
      const word = m[1] as string;
      const param = m[2] !== undefined ? parseInt(m[2], 10) : null;
      i += m[0].length;
      if (word === 'ansicpg' && param !== null) {
        codepage = CODEPAGES[String(param)] ?? codepage;
      } else if (word === 'uc' && param !== null) {
        state.uc = param;
      } else if (word === 'u' && param !== null) {
        emit(String.fromCharCode(param < 0 ? param + 65536 : param));
        skipChars = state.uc;
        continue;
      } else if (word === 'par' || word === 'line' || word === 'row' || word === 'sect' || word === 'page') {
        emit('\n');
      } else if (word === 'tab' || word === 'cell') {
        emit('\t');
      } else if (groupStart && SKIP.has(word)) {
        state.skip = true;
      } else if (groupStart && POSITIONS[word]) {
        state.kind = (POSITIONS[word] as { kind: string }).kind;
        state.position = (POSITIONS[word] as { position: SegmentPosition }).position;
      } else if (word === 'sn') {
        state.shape = 'sn';
        shapeName = '';
      } else if (word === 'sv') {
        state.shape = 'sv';
      } else if (word === 'info') {
        state.kind = 'info';
        state.position = 'metadata';
      }
      groupStart = false;
      continue;
    }
    if (c === '\r' || c === '\n') {
      i++;
      continue;
    }
    if (skipChars > 0) {
      skipChars--;
      i++;
      continue;
    }
    groupStart = false;
    flushBytes();
    let j = i;
    while (
      j < n &&
      source[j] !== '\\' &&
      source[j] !== '{' &&
      source[j] !== '}' &&
      source[j] !== '\r' &&
      source[j] !== '\n'
    ) {
      j++;
    }
    emit(source.slice(i, j));
    i = j;
  }
  flushBytes();
  return { segments: out.segments(), wellFormed: balanced && stack.length === 0 };
}
