/**
 * Renders sign-in sheet PDFs on a worker thread of its own (see sign-in-sheet-pdf-worker.ts), so laying out and saving
 * thousands of rows never holds up the server's event loop, and the memory pdf-lib takes goes when the thread does.
 * Plain JS started without the parent's loader flags, as src/cli/pdf-thread.mjs is: it loads the TypeScript renderer
 * through tsx's API, which works the same under `tsx src/server/main.ts` and under Jest.
 */
/* eslint-disable @typescript-eslint/explicit-function-return-type -- plain JS, which has no return types to write */
import { parentPort } from 'node:worker_threads';

import { tsImport } from 'tsx/esm/api';

const { renderSignInSheetPdf } = await tsImport('./sign-in-sheet-pdf.ts', import.meta.url);
const { fontChainFrom } = await tsImport('./pdf-font.ts', import.meta.url);

/** The fonts parsed once per thread, for as long as the thread lives. */
let chain;
let chainKey;

/** Sheets being handed over, by job id: the head first, then its rows in slices, then the word to render. */
const arriving = new Map();

async function render(id) {
  const { sheet, fonts } = arriving.get(id);
  arriving.delete(id);
  const key = JSON.stringify(fonts);
  if (key !== chainKey) {
    chain = fontChainFrom(fonts);
    chainKey = key;
  }
  return renderSignInSheetPdf(sheet, chain);
}

parentPort.on('message', (msg) => {
  if (msg.op === 'start') {
    arriving.set(msg.id, { sheet: msg.sheet, fonts: msg.fonts });
    return;
  }
  if (msg.op === 'rows') {
    const list = arriving.get(msg.id)?.sheet[msg.list];
    for (const row of msg.rows) {
      list?.push(row);
    }
    return;
  }
  render(msg.id).then(
    (pdf) =>
      parentPort.postMessage(
        { id: msg.id, pdf: { buffer: pdf.buffer, byteOffset: pdf.byteOffset, byteLength: pdf.byteLength } },
        [pdf.buffer],
      ),
    (e) => parentPort.postMessage({ id: msg.id, error: String(e?.message ?? e).slice(0, 500) }),
  );
});
parentPort.postMessage({ ready: true });
