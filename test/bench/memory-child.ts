/**
 * Run by extract-bench.ts in a fresh process: builds a ~50 MB attachment set (documents, PDFs, archives and a large
 * text file), then either extracts it (`extract`) or only holds it (`baseline`), and prints the peak RSS.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import { nodePdfOptions } from '../../src/cli/pdf-loader';
import { DEFAULT_POLICY } from '../../src/core';
import { budgetFor, extractFile, newJob } from '../../src/extract';

const dir = path.resolve(__dirname, '..', 'fixtures', 'bench');
const files: { name: string; bytes: Uint8Array }[] = [];
let total = 0;
const add = (name: string, bytes: Uint8Array): void => {
  files.push({ name, bytes });
  total += bytes.length;
};
const pdf = new Uint8Array(readFileSync(path.join(dir, 'bench-report.pdf')));
const odt = new Uint8Array(readFileSync(path.join(dir, 'bench-report.odt')));
const docx = new Uint8Array(readFileSync(path.join(dir, 'bench-report.docx')));
for (let i = 0; i < 60; i++) {
  add(`r${i}.pdf`, pdf);
}
for (let i = 0; i < 200; i++) {
  add(`r${i}.odt`, odt);
}
for (let i = 0; i < 200; i++) {
  add(`r${i}.docx`, docx);
}
const line = '會議資料請參閱附件，並請準時出席。Please confirm your attendance. 密碼請勿外流。\n';
add('big.txt', new TextEncoder().encode(line.repeat(Math.ceil((50e6 - total) / Buffer.byteLength(line)))));

async function main(): Promise<void> {
  const t0 = Date.now();
  if (process.argv[2] === 'extract') {
    const budget = budgetFor({ ...DEFAULT_POLICY.limits, scanTimeoutMs: 600000, maxMessageBytes: 200e6 });
    const options = { limits: budget.limits, expired: budget.expired, pdf: nodePdfOptions() };
    const job = newJob(options);
    for (const f of files) {
      await extractFile(f.name, f.bytes, { ...options, job });
    }
  }
  process.stdout.write(
    JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, inputBytes: total, ms: Date.now() - t0 }),
  );
}
void main();
