/**
 * Extraction throughput per format, against mammoth (docx) and pdfjs getTextContent (pdf) on the same files in the
 * same run, and peak memory for a 50 MB attachment set (measured in child processes, against a baseline child that
 * holds the same input without extracting).
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import mammoth from 'mammoth';
import { PDFDocument } from 'pdf-lib';

import { nodePdfOptions } from '../../src/cli/pdf-loader';
import { DEFAULT_POLICY } from '../../src/core';
import {
  blocksWhatIsLeft,
  budgetFor,
  EVERY_SCOPE,
  extractFile,
  type ExtractOptions,
  type PdfJs,
} from '../../src/extract';

const dir = path.resolve(__dirname, '..', 'fixtures', 'bench');
const load = (name: string): Uint8Array => new Uint8Array(readFileSync(path.join(dir, name)));

/** The median time of `runs` runs of `fn`, in milliseconds. */
export async function medianMs(fn: () => unknown, runs: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] as number;
}

function options(): ExtractOptions {
  const budget = budgetFor({ ...DEFAULT_POLICY.limits, scanTimeoutMs: 600000 });
  return { limits: budget.limits, expired: budget.expired, pdf: nodePdfOptions() };
}

/** pdfjs itself, in this thread, as a library user would call it: the baseline for our reader. */
async function pdfjsText(bytes: Uint8Array): Promise<number> {
  const pdfjs = (await import('pdfjs-dist/legacy/build/pdf.mjs')) as unknown as PdfJs;
  const doc = await pdfjs.getDocument({
    data: bytes.slice(),
    isEvalSupported: false,
    verbosity: 0,
    ...nodePdfOptions().documentOptions,
  }).promise;
  let chars = 0;
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    for (const item of content.items) {
      chars += item.str?.length ?? 0;
    }
  }
  await doc.destroy();
  return chars;
}

const mbps = (bytes: number, ms: number): string => `${(bytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s`;

/** The first `pages` pages of a PDF, as a new PDF. */
/** `pages` pages of the plain test PDF, the last one the header-marked one. */
async function lastPageMarked(pages: number): Promise<Uint8Array> {
  const docs = path.resolve(__dirname, '..', 'fixtures', 'docs');
  const plain = await PDFDocument.load(readFileSync(path.join(docs, 'plain.pdf')));
  const marked = await PDFDocument.load(readFileSync(path.join(docs, 'header-mark.pdf')));
  const out = await PDFDocument.create();
  for (let i = 0; i < pages; i++) {
    const [page] = await out.copyPages(i === pages - 1 ? marked : plain, [0]);
    out.addPage(page as Parameters<PDFDocument['addPage']>[0]);
  }
  return out.save();
}

async function firstPages(bytes: Uint8Array, pages: number): Promise<Uint8Array> {
  const src = await PDFDocument.load(bytes);
  const out = await PDFDocument.create();
  for (const page of await out.copyPages(
    src,
    Array.from({ length: pages }, (_, i) => i),
  )) {
    out.addPage(page);
  }
  return out.save();
}

/**
 * `BENCH_BUSY=N` starts N busy loops for the PDF lines (a loaded machine, as reported in the field: a load average of
 * about 10 on two cores), each bounded to two minutes and killed when the lines are done.
 */
function busyLoops(): () => void {
  const n = Number(process.env.BENCH_BUSY ?? 0);
  const children = Array.from({ length: n }, () =>
    spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore', timeout: 120_000 }),
  );
  return () => {
    for (const c of children) {
      c.kill('SIGKILL');
    }
  };
}

export async function pdfBench(): Promise<void> {
  const busy = Number(process.env.BENCH_BUSY ?? 0);
  console.log(`\nPDF reading${busy ? ` with ${busy} busy loops running` : ''} (BENCH_BUSY=N to load the machine)`);
  const stop = busyLoops();
  try {
    const onePage = path.resolve(__dirname, '..', 'fixtures', 'docs', 'plain.pdf');
    const cold: { readerMs: number; scanMs: number; uptimeMs: number; verdict: string; unscannable: string[] }[] = [];
    for (let i = 0; i < 3; i++) {
      cold.push(
        JSON.parse(
          execFileSync(process.execPath, [...process.execArgv, path.join(__dirname, 'pdf-child.ts'), onePage], {
            encoding: 'utf8',
          }),
        ),
      );
    }
    cold.sort((a, b) => a.scanMs - b.scanMs);
    const mid = cold[1] as (typeof cold)[number];
    console.log(
      `  one page, fresh CLI process: scan ${mid.scanMs.toFixed(0)} ms of the ${DEFAULT_POLICY.limits.scanTimeoutMs} ms ` +
        `budget, after starting the reader (off the clock) in ${mid.readerMs.toFixed(0)} ms; process ${mid.uptimeMs.toFixed(0)} ms; verdicts ${cold.map((c) => c.verdict + (c.unscannable.length ? `(${c.unscannable.join(',')})` : '')).join(' ')}`,
    );
    const warmOne = new Uint8Array(readFileSync(onePage));
    await extractFile('plain.pdf', warmOne, options());
    const oneMs = await medianMs(() => extractFile('plain.pdf', warmOne, options()), 7);
    console.log(`  one page, reader loaded: ${oneMs.toFixed(1)} ms`);
    const fifty = await firstPages(load('bench-report.pdf'), 50);
    await extractFile('fifty.pdf', fifty, options());
    const fiftyMs = await medianMs(() => extractFile('fifty.pdf', fifty, options()), 3);
    // The early stop the CLI and the task pane share (the pane's form: it must block for every recipient scope).
    const stopping = (name: string): { options: ExtractOptions; pagesRead: () => string } => {
      let pages = '';
      return {
        options: {
          ...options(),
          conclusive: blocksWhatIsLeft(name, DEFAULT_POLICY, EVERY_SCOPE),
          onProgress: (p) => {
            if (p.pages) {
              pages = `${p.pages.read}/${p.pages.total}`;
            }
          },
        },
        pagesRead: () => pages,
      };
    };
    const first = stopping('fifty.pdf');
    const stopMs = await medianMs(() => extractFile('fifty.pdf', fifty, first.options), 3);
    console.log(
      `  50 pages (${(fifty.length / 1024).toFixed(0)} KB): ${fiftyMs.toFixed(0)} ms → ${(50 / (fiftyMs / 1000)).toFixed(0)} pages/s; ` +
        `stopping at the first page that blocks (its mark is on page 1): ${stopMs.toFixed(0)} ms, ${first.pagesRead()} pages read`,
    );
    const lastMarked = await lastPageMarked(50);
    const last = stopping('last.pdf');
    const lastMs = await medianMs(() => extractFile('last.pdf', lastMarked, last.options), 3);
    console.log(
      `  50 pages, the mark only on the last (the edges are read first): ${lastMs.toFixed(0)} ms, ${last.pagesRead()} pages read`,
    );
  } finally {
    stop();
  }
}

const docs = path.resolve(__dirname, '..', 'fixtures', 'docs');

/** A deterministic pseudo-random sequence (xorshift), so every run mutates the same way. */
function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

/**
 * What test/unit/extract/documents.test.ts no longer times: the fuzz seeds mutated (bytes overwritten, or cut off),
 * each extraction against the same file unmutated in this run, and the zip bomb against a same-size ordinary ZIP.
 * A mutated file must cost about what the file does, never a runaway.
 */
export async function hostileFilesBench(): Promise<void> {
  console.log('\nhostile files (ratio = mutated ÷ the same file unmutated, in this run)');
  const seeds = ['header-mark.odt', 'header-mark.docx', 'header-mark.pdf', 'header-mark.rtf', 'classified.di'];
  const next = xorshift(20261124);
  const ratios: number[] = [];
  let worst = { name: '', ms: 0, ratio: 0 };
  for (const name of seeds) {
    const bytes = new Uint8Array(readFileSync(path.join(docs, name)));
    await extractFile(name, bytes, options());
    const plain = await medianMs(() => extractFile(name, bytes, options()), 5);
    for (let i = 0; i < 20; i++) {
      const mutated = bytes.slice();
      for (let k = 1 + (next() % 20); k > 0; k--) {
        mutated[next() % mutated.length] = next() & 0xff;
      }
      const input = i % 4 === 3 ? mutated.subarray(0, next() % mutated.length) : mutated;
      const ms = await medianMs(() => extractFile(name, input, options()), 1);
      ratios.push(ms / plain);
      if (ms / plain > worst.ratio) {
        worst = { name, ms, ratio: ms / plain };
      }
    }
  }
  ratios.sort((a, b) => a - b);
  console.log(
    `  ${ratios.length} mutated files: median ${ratios[Math.floor(ratios.length / 2)]!.toFixed(2)}×, ` +
      `worst ${worst.ratio.toFixed(1)}× (${worst.name}, ${worst.ms.toFixed(0)} ms)`,
  );
  const bomb = new Uint8Array(readFileSync(path.join(docs, 'bomb.zip')));
  const nested = new Uint8Array(readFileSync(path.join(docs, 'nested.zip')));
  const bombMs = await medianMs(() => extractFile('bomb.zip', bomb, options()), 5);
  const nestedMs = await medianMs(() => extractFile('nested.zip', nested, options()), 5);
  console.log(
    `  zip bomb (${(bomb.length / 1024).toFixed(0)} KB → 200 MB): refused in ${bombMs.toFixed(1)} ms; an ordinary ZIP ` +
      `(${(nested.length / 1024).toFixed(0)} KB) ${nestedMs.toFixed(1)} ms → ratio ${(bombMs / nestedMs).toFixed(2)}×`,
  );
}

export async function extractionBench(): Promise<void> {
  console.log('\nextraction throughput (file bytes per second; median)');
  for (const name of ['bench-report.odt', 'bench-report.docx', 'bench-report.pdf']) {
    const bytes = load(name);
    await extractFile(name, bytes, options());
    const runs = name.endsWith('.pdf') ? 5 : 15;
    const ours = await medianMs(() => extractFile(name, bytes, options()), runs);
    let line = `  ${name.padEnd(18)} ${(bytes.length / 1024).toFixed(0).padStart(4)} KB: secrecy-guard ${ours.toFixed(1)} ms (${mbps(bytes.length, ours)})`;
    if (name.endsWith('.docx')) {
      const buffer = Buffer.from(bytes);
      await mammoth.extractRawText({ buffer });
      const ref = await medianMs(() => mammoth.extractRawText({ buffer }), runs);
      line += `; mammoth.extractRawText ${ref.toFixed(1)} ms → ratio ${(ours / ref).toFixed(2)}×`;
    }
    if (name.endsWith('.pdf')) {
      await pdfjsText(bytes);
      const ref = await medianMs(() => pdfjsText(bytes), runs);
      line += `; raw pdfjs getTextContent ${ref.toFixed(1)} ms → ratio ${(ours / ref).toFixed(2)}×`;
    }
    console.log(line);
  }
  const child = (mode: string): { maxRssKb: number; inputBytes: number; ms: number } =>
    JSON.parse(
      execFileSync(process.execPath, [...process.execArgv, path.join(__dirname, 'memory-child.ts'), mode], {
        encoding: 'utf8',
        env: { ...process.env },
      }),
    ) as { maxRssKb: number; inputBytes: number; ms: number };
  const base = child('baseline');
  const run = child('extract');
  const extra = (run.maxRssKb - base.maxRssKb) / 1024;
  console.log(
    `\npeak memory, ${(run.inputBytes / 1e6).toFixed(1)} MB attachment set: max RSS ${(run.maxRssKb / 1024).toFixed(0)} MB vs ` +
      `${(base.maxRssKb / 1024).toFixed(0)} MB for a process holding the same input → ${extra.toFixed(0)} MB for extraction ` +
      `(${(extra / (run.inputBytes / 1e6)).toFixed(2)}× the input); extracted in ${(run.ms / 1000).toFixed(1)} s`,
  );
}
