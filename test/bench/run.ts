/**
 * `npm run bench`: scanning throughput and decision time, each as a ratio against a baseline measured in the same run
 * on the same input, so the figures mean the same on any machine.
 */
import { decide } from '../../src/core/decide';
import { detectSegment } from '../../src/core/detect';
import { findPersonalData } from '../../src/core/personal-data';
import { DEFAULT_POLICY } from '../../src/core/policy';
import { mailHtml, mailText } from './corpus';
import { extractionBench, hostileFilesBench, pdfBench } from './extract-bench';
import { govProse } from './gov-prose';
import { onSendBench } from './onsend-bench';
import { rosterBench } from './roster-bench';
import { serverBench, stormBench } from './server-bench';
import { signInSheetBench, signInSheetServerBench } from './sign-in-sheet-bench';

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

/**
 * CPU time of the process (all its threads, so the garbage collector's share counts), median of runs. The text scans
 * are timed this way: on a shared machine wall time is mostly waiting for a core, and ratios of it meant nothing.
 * A run repeats `fn` until it has used at least `minMs`, so a pass far shorter than the clock's step is still timed.
 */
function cpuMs(fn: () => unknown, runs: number, minMs = 0): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.cpuUsage();
    let reps = 0;
    let used = 0;
    do {
      fn();
      reps++;
      const d = process.cpuUsage(t0);
      used = (d.user + d.system) / 1000;
    } while (used < minMs);
    samples.push(used / reps);
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

/** One text input at one size: the scan against an indexOf pass over the same text, and the scan's ms per MB. */
function bench(input: string, text: string, runs: number): { msPerMb: number; ratio: number } {
  const mb = Buffer.byteLength(text, 'utf8') / 1e6;
  // Warm up on the small sizes; a 64 MB scan is its own warm-up cost and the JIT is hot by then.
  for (let i = 0; i < Math.min(3, runs - 1); i++) {
    indexOfPass(text);
    detectSegment({ location: 'body', text, position: 'body' });
  }
  const base = cpuMs(() => indexOfPass(text), Math.max(runs, 5), 20);
  let findings = 0;
  const scan = cpuMs(() => {
    findings = detectSegment({ location: 'body', text, position: 'body' }).length;
  }, runs);
  const ratio = scan / base;
  console.log(
    `text scan ${input.padEnd(10)} ${mb.toFixed(1).padStart(4)} MB UTF-8: scan ${scan.toFixed(1)} ms CPU (${(scan / mb).toFixed(2)} ms/MB, ${(mb / (scan / 1000)).toFixed(0)} MB/s), ` +
      `indexOf('密') pass ${base.toFixed(2)} ms (${(mb / (base / 1000)).toFixed(0)} MB/s) → ratio ${ratio.toFixed(1)}× ` +
      `[${findings} findings, ${runs} run${runs > 1 ? 's' : ''}]`,
  );
  return { msPerMb: scan / mb, ratio };
}

/** Sizes in MB and runs at each: the cost must grow linearly, so the largest size counts most and runs once. */
const TEXT_SIZES: readonly [number, number][] = [
  [1, 15],
  [4, 7],
  [16, 3],
  [64, 1],
];

/**
 * A portion mark opening each of N lines with no blank line between (【機】第N項內容說明。): every mark is a finding with
 * its own paragraph, and finding those once cost N² (8,000 lines took seconds). The ms/MB must stay flat with size.
 */
function portionLinesBench(): void {
  const sizes: readonly [number, number][] = [
    [2_000, 7],
    [8_000, 3],
    [32_000, 1],
  ];
  const perMb: number[] = [];
  for (const [lines, runs] of sizes) {
    let text = '';
    for (let i = 1; i <= lines; i++) {
      text += `【機】第${i}項內容說明。\n`;
    }
    const mb = Buffer.byteLength(text, 'utf8') / 1e6;
    detectSegment({ location: 'body', text, position: 'body' });
    let findings = 0;
    const scan = cpuMs(() => {
      findings = detectSegment({ location: 'body', text, position: 'body' }).length;
    }, runs);
    perMb.push(scan / mb);
    console.log(
      `text scan portion marks at line starts, ${String(lines).padStart(6)} lines (${(mb * 1000).toFixed(0)} KB UTF-8): ` +
        `${scan.toFixed(1)} ms CPU (${(scan / mb).toFixed(0)} ms/MB) [${findings} findings, ${runs} run${runs > 1 ? 's' : ''}]`,
    );
  }
  const first = perMb[0] as number;
  const last = perMb[perMb.length - 1] as number;
  console.log(
    `text scan portion marks at line starts: ms/MB ${perMb.map((x) => x.toFixed(0)).join(' / ')} at ` +
      `${sizes.map(([n]) => n).join(' / ')} lines → ${(last / first).toFixed(2)}× the smallest rate per MB (linear: ≈1)`,
  );
}

/**
 * Personal data (ID and 統一編號 numbers, each near its keyword) on a text dense with both, at 1× and 4× the size:
 * the rate per MB must stay flat. test/unit/core/personal-data.test.ts counts the regex steps instead of timing.
 */
function personalDataBench(): void {
  const unit = '身分證 A123456789；統編 04595257；';
  const perMb: number[] = [];
  for (const [n, runs] of [
    [5_000, 7],
    [20_000, 3],
  ] as const) {
    const text = unit.repeat(n);
    const mb = Buffer.byteLength(text, 'utf8') / 1e6;
    findPersonalData(text);
    const ms = cpuMs(() => findPersonalData(text), runs);
    perMb.push(ms / mb);
    console.log(
      `personal data, ${String(2 * n).padStart(6)} numbers (${(mb * 1000).toFixed(0)} KB): ${ms.toFixed(1)} ms CPU (${(ms / mb).toFixed(0)} ms/MB)`,
    );
  }
  console.log(
    `personal data: 4× the text costs ${((perMb[1] as number) / (perMb[0] as number)).toFixed(2)}× the rate per MB (linear: ≈1)`,
  );
}

function textBench(): void {
  console.log('\ntext scanning and decisions');
  const inputs: [string, (bytes: number) => string][] = [
    ['mail', (bytes) => mailText(bytes)],
    ['gov prose', (bytes) => govProse(bytes)],
    // The same documents with no line break at all, as text extracted from one long HTML or CSV line comes.
    ['gov 1 line', (bytes) => govProse(bytes).replace(/\n/g, ' ')],
  ];
  for (const [input, generate] of inputs) {
    const perMb: number[] = [];
    for (const [size, runs] of TEXT_SIZES) {
      perMb.push(bench(input, generate(size * 1_000_000), runs).msPerMb);
    }
    const first = perMb[0] as number;
    const last = perMb[perMb.length - 1] as number;
    console.log(
      `text scan ${input}: ms/MB ${perMb.map((x) => x.toFixed(2)).join(' / ')} at ${TEXT_SIZES.map(([s]) => s).join(' / ')} MB ` +
        `→ ${TEXT_SIZES[TEXT_SIZES.length - 1]?.[0]} MB costs ${(last / first).toFixed(2)}× the 1 MB rate per MB (linear: ≈1)`,
    );
  }

  portionLinesBench();
  personalDataBench();

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

/** `npm run bench` runs everything; `npm run bench -- text|extract|pdf|onsend|server|signin|roster` one part
 * (`onsend-load`: loading the on-send script only, cold and warm; `server-ack [runs]`: PGlite's saturated acknowledgements only; `server-storm`: the slow-headers storm only;
 * `signin-server [rows]`: the sheet on the running server only; `roster [attendees]`: click-to-roster in Chromium). */
async function main(): Promise<void> {
  const only = process.argv[2];
  console.log('Secrecy Guard benchmarks (median of runs; ratios against a baseline in the same run)');
  if (!only || only === 'text') {
    textBench();
  }
  if (!only || only === 'extract') {
    await extractionBench();
  }
  if (!only || only === 'extract') {
    await hostileFilesBench();
  }
  if (!only || only === 'extract' || only === 'pdf') {
    await pdfBench();
  }
  if (!only || only === 'onsend') {
    await onSendBench();
  }
  if (only === 'onsend-load') {
    await onSendBench({ loadOnly: true });
  }
  if (!only || only === 'server') {
    await serverBench();
  }
  if (only === 'server-storm') {
    await stormBench();
  }
  if (only === 'server-ack') {
    await serverBench({ saturatedOnly: true, runs: Number(process.argv[3] ?? 1) });
  }
  if (!only || only === 'signin') {
    await signInSheetBench();
    await signInSheetServerBench();
  }
  if (only === 'signin-server') {
    await signInSheetServerBench(Number(process.argv[3] ?? 10_000));
  }
  if (!only || only === 'roster') {
    await rosterBench(Number(process.argv[3] ?? 8));
  }
}
void main().then(() => process.exit(0));
