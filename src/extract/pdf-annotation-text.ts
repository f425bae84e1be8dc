/**
 * The text an annotation's appearance stream draws, from a page's operator list. A module of its own, importing
 * nothing, because the CLI's pdfjs thread (src/cli/pdf-thread.mjs) loads it through tsx's API: the thread runs the
 * same loop as the task pane without pulling in the rest of extraction.
 */
/** The pdfjs operator codes {@link annotationTextOf} reads (`pdfjs.OPS`). */
export interface PdfOps {
  readonly beginAnnotation: number;
  readonly endAnnotation: number;
  readonly showText: number;
  readonly showSpacedText: number;
}

/**
 * Collects, from a page's operator list rendered with its annotations (`getOperatorList({ annotationMode: ENABLE })`),
 * the unicode of the glyphs each annotation `ids` shows between its beginAnnotation and endAnnotation.
 */
export function annotationTextOf(
  fnArray: readonly number[],
  argsArray: readonly unknown[],
  ops: PdfOps,
  ids: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  let current: string | null = null;
  for (let i = 0; i < fnArray.length; i++) {
    const fn = fnArray[i];
    const args = argsArray[i] as unknown[] | null;
    if (fn === ops.beginAnnotation) {
      const id = args?.[0];
      current = typeof id === 'string' && ids.includes(id) ? id : null;
    } else if (fn === ops.endAnnotation) {
      current = null;
    } else if (current !== null && (fn === ops.showText || fn === ops.showSpacedText)) {
      const glyphs = Array.isArray(args?.[0]) ? (args?.[0] as unknown[]) : [];
      let text = '';
      for (const g of glyphs) {
        const unicode = g !== null && typeof g === 'object' ? (g as { unicode?: unknown }).unicode : undefined;
        text += typeof unicode === 'string' ? unicode : '';
      }
      out[current] = (out[current] ?? '') + text;
    }
  }
  return out;
}
