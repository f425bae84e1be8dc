/**
 * pdfjs on a worker thread of its own, for the CLI (see pdf-loader.ts). Plain JS and started without the parent's
 * loader flags, so Node loads pdfjs's 3.3 MB of modules natively instead of through tsx's transform (which made a
 * one-page PDF cost seconds on a busy machine). The protocol is the slice of pdfjs that src/extract/pdf.ts uses:
 * open, one page's text and annotations, the text its annotations' appearances draw, metadata, close.
 */
/* eslint-disable @typescript-eslint/explicit-function-return-type -- plain JS, which has no return types to write */
import { parentPort, workerData } from 'node:worker_threads';

/** Test-only fault (see FAULT in pdf-loader.ts): set only when the tests ask for it. */
const fault = workerData?.fault;

const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
// The fake worker pdfjs uses in Node imports its worker module on the first document; have it ready instead.
globalThis.pdfjsWorker = await import('pdfjs-dist/legacy/build/pdf.worker.mjs');

/**
 * The task pane's loop over the operator list (src/extract/pdf-annotation-text.ts, which imports nothing), loaded
 * through tsx's API as src/server/sign-in-sheet-pdf-thread.mjs loads its renderer. Only on the first annotation whose
 * words are drawn, not at start-up: most PDFs never need it, and pdfjs itself still loads natively.
 */
let appearanceModule;
function appearanceText() {
  appearanceModule ??= import('tsx/esm/api').then(({ tsImport }) =>
    tsImport('../extract/pdf-annotation-text.ts', import.meta.url),
  );
  return appearanceModule;
}

/** @type {Map<number, { task: any, doc: any }>} */
const docs = new Map();
let nextDoc = 1;

function errorOf(e) {
  return { name: e?.name ?? 'Error', message: e?.message ?? String(e) };
}

async function handle(msg) {
  switch (msg.op) {
    case 'open': {
      const task = pdfjs.getDocument(msg.params);
      try {
        const doc = await task.promise;
        const id = nextDoc++;
        docs.set(id, { task, doc });
        return { doc: id, numPages: doc.numPages };
      } catch (e) {
        await task.destroy().catch(() => undefined);
        throw e;
      }
    }
    case 'page': {
      if (fault === 'exit-on-page') {
        process.exit(3);
      }
      if (fault === 'hang-on-page') {
        return new Promise(() => undefined);
      }
      const page = await docs.get(msg.doc).doc.getPage(msg.n);
      try {
        const content = await page.getTextContent();
        // Only what extraction reads crosses the thread: glyph positions and fonts are not needed.
        const items = content.items.map((item) => ({ str: item.str, hasEOL: item.hasEOL }));
        const annotations = (await page.getAnnotations()).map((a) => ({
          id: a.id,
          hasAppearance: a.hasAppearance,
          subtype: a.subtype,
          contentsObj: a.contentsObj ? { str: a.contentsObj.str } : undefined,
          contents: a.contents,
          title: a.title,
          fieldValue: typeof a.fieldValue === 'string' ? a.fieldValue : undefined,
        }));
        return { items, annotations };
      } finally {
        page.cleanup();
      }
    }
    case 'annotationText': {
      const { annotationTextOf } = await appearanceText();
      const page = await docs.get(msg.doc).doc.getPage(msg.n);
      try {
        const ops = await page.getOperatorList({ annotationMode: pdfjs.AnnotationMode.ENABLE });
        return annotationTextOf(ops.fnArray, ops.argsArray, pdfjs.OPS, msg.ids);
      } finally {
        page.cleanup();
      }
    }
    case 'meta': {
      const meta = await docs.get(msg.doc).doc.getMetadata();
      return { info: meta.info ?? undefined };
    }
    case 'close': {
      const entry = docs.get(msg.doc);
      docs.delete(msg.doc);
      await entry?.doc.destroy().catch(() => undefined);
      return {};
    }
    default:
      throw new Error(`unknown op ${msg.op}`);
  }
}

parentPort.on('message', (msg) => {
  handle(msg).then(
    (result) => parentPort.postMessage({ id: msg.id, result }),
    (e) => parentPort.postMessage({ id: msg.id, error: errorOf(e) }),
  );
});
if (fault !== 'no-ready') {
  parentPort.postMessage({ ready: true });
}
