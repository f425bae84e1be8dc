/**
 * The CJK font for PDF sign-in sheets, found once at start-up: `PDF_FONT` if set, else the first of the system fonts
 * below that exists and reads as a Traditional Chinese font. npm has no single-file TTF of a Traditional Chinese font,
 * so the server relies on the machine's: Debian's 全字庫 TW-Sung (the government's own font, OGDL-TW) first.
 *
 * TW-Sung-98_1 covers the BMP; rarer characters in people's names live in its Ext-B and Plus companions, so every
 * other font found is kept as a fallback, read from disk only when a character needs it. A character no font has is
 * drawn as 〓 (the typesetter's mark for a missing glyph) and counted, never dropped silently.
 */
import { existsSync, readFileSync } from 'node:fs';

import fontkit, { type Font } from '@pdf-lib/fontkit';

import { ConfigError } from './config';

export interface FontCandidate {
  readonly path: string;
  /** For a collection (.ttc): the faces to prefer, by PostScript name; otherwise the first face with CJK glyphs. */
  readonly faces?: readonly string[];
}

const CNS = '/usr/share/fonts/truetype/cns11643';
const NOTO = '/usr/share/fonts/opentype/noto';
const WINDOWS = 'C:\\Windows\\Fonts';

/** In the order ARCHITECTURE §4 gives; companions right after the font they complete. */
export const SYSTEM_FONTS: readonly FontCandidate[] = [
  // Debian fonts-cns11643-sung: 全字庫正宋體, with its Ext-B (U+2xxxx) and Plus companions.
  { path: `${CNS}/TW-Sung-98_1.ttf` },
  { path: `${CNS}/TW-Sung-Ext-B-98_1.ttf` },
  { path: `${CNS}/TW-Sung-Plus-98_1.ttf` },
  // Debian fonts-noto-cjk: OpenType collections; the Traditional Chinese faces.
  { path: `${NOTO}/NotoSerifCJK-Regular.ttc`, faces: ['NotoSerifCJKtc-Regular', 'NotoSerifCJKTC-Regular'] },
  { path: `${NOTO}/NotoSansCJK-Regular.ttc`, faces: ['NotoSansCJKtc-Regular', 'NotoSansCJKTC-Regular'] },
  // Windows: 新細明體/細明體, their Ext-B companion, then 微軟正黑體.
  { path: `${WINDOWS}\\mingliu.ttc`, faces: ['PMingLiU', 'MingLiU'] },
  { path: `${WINDOWS}\\mingliub.ttc`, faces: ['PMingLiU-ExtB', 'MingLiU-ExtB'] },
  { path: `${WINDOWS}\\msjh.ttc`, faces: ['MicrosoftJhengHeiRegular'] },
  // macOS: 蘋方-繁.
  { path: '/System/Library/Fonts/PingFang.ttc', faces: ['PingFangTC-Regular'] },
];

/** Characters every sign-in sheet prints: a font without them is not a Traditional Chinese font. */
const REQUIRED = '本會議因具機敏性質，與會人員應行保密。簽到表';
/** Drawn where no font has the character. */
export const MISSING_GLYPH = '〓';

export interface PdfFontFace {
  readonly path: string;
  readonly postscriptName: string;
  /** The file's bytes, as pdf-lib is given them to embed (subset) the face. */
  readonly bytes: Uint8Array;
  readonly font: Font;
}

/** The primary face and, on demand, the fallbacks, with per-character coverage. */
export class PdfFontChain {
  readonly #faces: (PdfFontFace | null | undefined)[];
  readonly #paths: readonly FontCandidate[];
  readonly #coverage = new Map<number, number>();

  constructor(primary: PdfFontFace, fallbacks: readonly FontCandidate[]) {
    this.#faces = [primary, ...fallbacks.map(() => undefined)];
    this.#paths = fallbacks;
  }

  get primary(): PdfFontFace {
    return this.#faces[0] as PdfFontFace;
  }

  /**
   * Where every face comes from, the primary's file and face first: what a worker thread needs to load the same chain
   * ({@link fontChainFrom}) without the parsed fonts crossing threads.
   */
  get sources(): readonly FontCandidate[] {
    return [{ path: this.primary.path, faces: [this.primary.postscriptName] }, ...this.#paths];
  }

  /** The paths of the fallbacks, in the order they are tried. */
  get fallbackPaths(): readonly string[] {
    return this.#paths.map((p) => p.path);
  }

  /** The index of the first face with a glyph for `codePoint`, or -1; fallbacks are read the first time needed. */
  faceIndexFor(codePoint: number): number {
    const known = this.#coverage.get(codePoint);
    if (known !== undefined) {
      return known;
    }
    let found = -1;
    for (let i = 0; i < this.#faces.length; i++) {
      const face = this.face(i);
      if (face?.font.hasGlyphForCodePoint(codePoint)) {
        found = i;
        break;
      }
    }
    // Bounded: one entry per distinct character ever printed, and Unicode is finite.
    this.#coverage.set(codePoint, found);
    return found;
  }

  face(index: number): PdfFontFace | null {
    let face = this.#faces[index];
    if (face === undefined) {
      const candidate = this.#paths[index - 1] as FontCandidate;
      try {
        face = loadFace(candidate, false);
      } catch {
        face = null;
      }
      this.#faces[index] = face;
    }
    return face;
  }

  /**
   * A fontkit for pdf-lib that hands back the already-parsed face for bytes it knows, so each PDF embeds (and subsets)
   * without parsing a 35 MB font again, and picks the right face out of a collection.
   */
  readonly fontkit = {
    create: (bytes: Uint8Array, postscriptName?: string): Font => {
      for (const face of this.#faces) {
        if (face && face.bytes === bytes) {
          return face.font;
        }
      }
      return fontkit.create(bytes, postscriptName);
    },
  };
}

export type PdfFontResolution =
  | { readonly status: 'found'; readonly fonts: PdfFontChain; readonly source: 'PDF_FONT' | 'system' }
  | { readonly status: 'none'; readonly searched: readonly string[] };

/**
 * Reads a font file and picks its face. `strict` (for `PDF_FONT`) throws on anything unusable; otherwise an unusable
 * system font returns null and the search goes on.
 */
function loadFace(candidate: FontCandidate, strict: true): PdfFontFace;
function loadFace(candidate: FontCandidate, strict: boolean): PdfFontFace | null;
function loadFace(candidate: FontCandidate, strict: boolean): PdfFontFace | null {
  let bytes: Uint8Array;
  let parsed: Font | { fonts: Font[] };
  try {
    bytes = readFileSync(candidate.path);
    parsed = fontkit.create(bytes) as Font | { fonts: Font[] };
  } catch (e) {
    if (strict) {
      throw new ConfigError('PDF_FONT', `not a font fontkit can read: ${(e as Error).message.slice(0, 200)}`);
    }
    return null;
  }
  const faces: Font[] = 'fonts' in parsed && Array.isArray(parsed.fonts) ? parsed.fonts : [parsed as Font];
  const covers = (f: Font): boolean => [...REQUIRED].every((c) => f.hasGlyphForCodePoint(c.codePointAt(0) as number));
  const preferred = (candidate.faces ?? [])
    .map((name) => faces.find((f) => f.postscriptName === name))
    .find((f): f is Font => f !== undefined);
  const font = preferred ?? faces.find(covers) ?? (faces.length === 1 && !strict ? faces[0] : undefined);
  if (!font || (strict && !covers(font))) {
    if (strict) {
      throw new ConfigError('PDF_FONT', 'has no glyphs for 機敏會議: not a Traditional Chinese font');
    }
    return null;
  }
  return { path: candidate.path, postscriptName: font.postscriptName ?? candidate.path, bytes, font };
}

/**
 * Finds the font at start-up. `configured` is `PDF_FONT` (already checked readable by the configuration); a font it
 * names that cannot be used stops start-up. The system search never throws: finding nothing is `none`, and the PDF
 * route then answers 503 while CSV still works.
 *
 * @throws {ConfigError} naming PDF_FONT when that file is not a usable Traditional Chinese font.
 */
export function resolvePdfFonts(
  configured: string | null,
  candidates: readonly FontCandidate[] = SYSTEM_FONTS,
  exists: (path: string) => boolean = existsSync,
): PdfFontResolution {
  const present = candidates.filter((c) => c.path !== configured && exists(c.path));
  if (configured !== null) {
    return {
      status: 'found',
      fonts: new PdfFontChain(loadFace({ path: configured }, true), present),
      source: 'PDF_FONT',
    };
  }
  for (const [i, candidate] of present.entries()) {
    const face = loadFace(candidate, false);
    // A companion file (Ext-B, Plus) lacks the common characters, so it can complete a font but not be the font.
    if (face && [...REQUIRED].every((c) => face.font.hasGlyphForCodePoint(c.codePointAt(0) as number))) {
      return {
        status: 'found',
        fonts: new PdfFontChain(face, [...present.slice(i + 1), ...present.slice(0, i)]),
        source: 'system',
      };
    }
  }
  return { status: 'none', searched: candidates.map((c) => c.path) };
}

/**
 * What start-up chose, by path: the PDFs are made on worker threads, each of which parses the fonts itself
 * ({@link fontChainFrom}), so the server's thread keeps no parsed copy (the file's bytes and fontkit's tables, 35 MB
 * and more) once the choice has been checked.
 */
export type PdfFontChoice =
  | {
      readonly status: 'found';
      readonly source: 'PDF_FONT' | 'system';
      /** The primary face's PostScript name. */
      readonly face: string;
      /** The primary's file and face first, then the fallbacks in the order they are tried. */
      readonly sources: readonly FontCandidate[];
    }
  | { readonly status: 'none'; readonly searched: readonly string[] };

/**
 * {@link resolvePdfFonts}, kept as paths only: the parsed fonts it checked are left for the garbage collector.
 *
 * @throws {ConfigError} naming PDF_FONT when that file is not a usable Traditional Chinese font.
 */
export function choosePdfFonts(
  configured: string | null,
  candidates: readonly FontCandidate[] = SYSTEM_FONTS,
  exists: (path: string) => boolean = existsSync,
): PdfFontChoice {
  const found = resolvePdfFonts(configured, candidates, exists);
  return found.status === 'found'
    ? { status: 'found', source: found.source, face: found.fonts.primary.postscriptName, sources: found.fonts.sources }
    : found;
}

/**
 * The chain {@link PdfFontChain.sources} describes, loaded again (in a worker thread that renders the PDF).
 *
 * @throws {Error} when the primary face can no longer be read.
 */
export function fontChainFrom(sources: readonly FontCandidate[]): PdfFontChain {
  const [primary, ...fallbacks] = sources;
  const face = primary ? loadFace(primary, false) : null;
  if (!face) {
    throw new Error(`PDF font unreadable: ${primary?.path ?? '(none)'}`);
  }
  return new PdfFontChain(face, fallbacks);
}
