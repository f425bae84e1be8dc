/**
 * Side-by-side text scan: this tree's detectSegment against another tree's, over the same mail and government-prose
 * inputs, each timed as in run.ts (CPU time, median of runs) beside an indexOf('密') pass. Issue 11 asks that the
 * text-scan ratio be no worse than before its work started; two ratios taken in separate runs on a shared machine
 * differ by more than that margin, so the old and new scans are timed alternately in one process.
 *
 *   git archive c3931dc src/core | tar -x -C /tmp/old && ln -s "$PWD/node_modules" /tmp/old/node_modules
 *   npx tsx test/bench/text-vs.ts /tmp/old [sizes in MB, default 1,4,16]
 *
 * The other tree is only read, never copied into this repository.
 */
import path from 'node:path';

import { detectSegment } from '../../src/core/detect';
import type { Finding, TextSegment } from '../../src/core/types';
import { mailText } from './corpus';
import { govProse } from './gov-prose';

type Detect = (segment: TextSegment) => Finding[];

function cpuOnce(fn: () => unknown, minMs: number): number {
  const t0 = process.cpuUsage();
  let reps = 0;
  let used = 0;
  do {
    fn();
    reps++;
    const d = process.cpuUsage(t0);
    used = (d.user + d.system) / 1000;
  } while (used < minMs);
  return used / reps;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function indexOfPass(text: string): number {
  let n = 0;
  for (let p = text.indexOf('密'); p !== -1; p = text.indexOf('密', p + 1)) {
    n++;
  }
  return n;
}

const RUNS: Record<number, number> = { 1: 31, 4: 15, 16: 7, 64: 1 };

async function main(): Promise<void> {
  const oldDir = process.argv[2];
  if (!oldDir) {
    throw new Error('usage: tsx test/bench/text-vs.ts <old tree> [sizes MB, e.g. 1,4,16]');
  }
  const sizes = (process.argv[3] ?? '1,4,16').split(',').map(Number);
  const old = (await import(path.resolve(oldDir, 'src/core/detect.ts'))) as { detectSegment: Detect };
  const scanners: [string, Detect][] = [
    ['new', detectSegment],
    ['old', old.detectSegment],
  ];
  const inputs: [string, (bytes: number) => string][] = [
    ['mail', (bytes) => mailText(bytes)],
    ['gov prose', (bytes) => govProse(bytes)],
  ];
  console.log(`text scan, this tree (new) against ${oldDir} (old): CPU ms, median of runs, ratio to indexOf('密')`);
  for (const [input, generate] of inputs) {
    for (const size of sizes) {
      const text = generate(size * 1_000_000);
      const segment: TextSegment = { location: 'body', text, position: 'body' };
      const runs = RUNS[size] ?? 3;
      const counts = scanners.map(([, scan]) => scan(segment).length);
      for (let i = 0; i < Math.min(3, runs - 1); i++) {
        for (const [, scan] of scanners) {
          scan(segment);
        }
      }
      const base: number[] = [];
      const times: number[][] = scanners.map(() => []);
      for (let r = 0; r < runs; r++) {
        base.push(cpuOnce(() => indexOfPass(text), 20));
        // Alternate the order so neither scan always runs right after the other's garbage.
        const order = r % 2 === 0 ? [0, 1] : [1, 0];
        for (const k of order) {
          const scan = (scanners[k] as [string, Detect])[1];
          (times[k] as number[]).push(cpuOnce(() => scan(segment), 0));
        }
      }
      const b = median(base);
      const [n, o] = times.map(median) as [number, number];
      // Each round's own new/old: a burst of load on the machine moves both scans of a round alike.
      const paired = median((times[0] as number[]).map((t, r) => t / ((times[1] as number[])[r] as number)));
      console.log(
        `${input.padEnd(9)} ${String(size).padStart(2)} MB: new ${n.toFixed(1)} ms (${(n / b).toFixed(1)}×), ` +
          `old ${o.toFixed(1)} ms (${(o / b).toFixed(1)}×), indexOf ${b.toFixed(2)} ms → new/old ${(n / o).toFixed(2)} ` +
          `(paired ${paired.toFixed(2)}) ` +
          `[findings new ${counts[0]}, old ${counts[1]}; ${runs} runs]`,
      );
    }
  }
}
void main().then(() => process.exit(0));
