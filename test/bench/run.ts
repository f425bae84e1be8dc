/**
 * `npm run bench`: scanning throughput and decision time, each as a ratio against a baseline measured in the same run
 * on the same input, so the figures mean the same on any machine.
 */
import { decide } from '../../src/core/decide';
import { detectSegment } from '../../src/core/detect';
import { DEFAULT_POLICY } from '../../src/core/policy';
import { mailHtml, mailText } from './corpus';
import { extractionBench, pdfBench } from './extract-bench';
import { onSendBench } from './onsend-bench';
import { serverBench } from './server-bench';
import { signInSheetBench } from './sign-in-sheet-bench';

function timeMs(fn: () => unknown, runs: number): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] as number;
}

/** The baseline: one String.prototype.indexOf('密') pass over the whole text. */
function indexOfPass(text: string): number {
  let n = 0;
  for (let p = text.indexOf('密'); p !== -1; p = text.indexOf('密', p + 1)) {
    n++;
  }
  return n;
}

function bench(label: string, bytes: number, runs: number): void {
  const text = mailText(bytes);
  const mb = Buffer.byteLength(text, 'utf8') / 1e6;
  for (let i = 0; i < 3; i++) {
    indexOfPass(text);
    detectSegment({ location: 'body', text, position: 'body' });
  }
  const base = timeMs(() => indexOfPass(text), runs);
  const scan = timeMs(() => detectSegment({ location: 'body', text, position: 'body' }), runs);
  const findings = detectSegment({ location: 'body', text, position: 'body' }).length;
  console.log(
    `text scan ${label.padEnd(6)} ${mb.toFixed(1)} MB UTF-8: scan ${scan.toFixed(1)} ms (${(mb / (scan / 1000)).toFixed(0)} MB/s), ` +
      `indexOf('密') pass ${base.toFixed(2)} ms (${(mb / (base / 1000)).toFixed(0)} MB/s) → ratio ${(scan / base).toFixed(1)}× ` +
      `[${findings} findings]`,
  );
}

function textBench(): void {
  console.log('\ntext scanning and decisions');
  bench('1 MB', 1_000_000, 15);
  bench('10 MB', 10_000_000, 7);

  const html = mailHtml();
  const message = { subject: '會議通知', bodyHtml: html, recipients: ['a@example.gov.tw'] };
  for (let i = 0; i < 20; i++) {
    decide(message, DEFAULT_POLICY);
  }
  const decideMs = timeMs(() => decide(message, DEFAULT_POLICY), 101);
  const parseMs = timeMs(() => JSON.parse(JSON.stringify({ html })), 101);
  console.log(
    `\ndecide a ${(Buffer.byteLength(html) / 1024).toFixed(1)} KB HTML body: ${decideMs.toFixed(2)} ms ` +
      `(JSON round-trip of the same body ${parseMs.toFixed(3)} ms → ratio ${(decideMs / parseMs).toFixed(1)}×); verdict ${decide(message, DEFAULT_POLICY).verdict}`,
  );
}

/** `npm run bench` runs everything; `npm run bench -- text|extract|pdf|onsend|server|signin` one part
 * (`server-ack [runs]`: PGlite's saturated acknowledgements only). */
async function main(): Promise<void> {
  const only = process.argv[2];
  console.log('Secrecy Guard benchmarks (median of runs; ratios against a baseline in the same run)');
  if (!only || only === 'text') {
    textBench();
  }
  if (!only || only === 'extract') {
    await extractionBench();
  }
  if (!only || only === 'extract' || only === 'pdf') {
    await pdfBench();
  }
  if (!only || only === 'onsend') {
    await onSendBench();
  }
  if (!only || only === 'server') {
    await serverBench();
  }
  if (only === 'server-ack') {
    await serverBench({ saturatedOnly: true, runs: Number(process.argv[3] ?? 1) });
  }
  if (!only || only === 'signin') {
    await signInSheetBench();
  }
}
void main().then(() => process.exit(0));
