/** pdfjs for Node: the legacy build (no DOM needed), with its character maps from the installed package. */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

import type { PdfJs, PdfOptions } from '../extract';

const root = path.dirname(require.resolve('pdfjs-dist/package.json'));

export function nodePdfOptions(): PdfOptions {
  return {
    load: async () => (await import('pdfjs-dist/legacy/build/pdf.mjs')) as unknown as PdfJs,
    documentOptions: {
      // Taiwanese PDFs often use predefined CNS CMaps (UniCNS-UCS2-H); without them pdfjs returns no text.
      cMapUrl: pathToFileURL(path.join(root, 'cmaps') + path.sep).href,
      cMapPacked: true,
      standardFontDataUrl: pathToFileURL(path.join(root, 'standard_fonts') + path.sep).href,
    },
  };
}
