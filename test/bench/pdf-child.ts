/**
 * Run by extract-bench.ts in a fresh process, as the CLI runs (through tsx): starts the PDF reader, then scans one
 * file with scanFile, and prints both times. Starting the reader is off the scan budget's clock (Budget.offClock),
 * so the scan time is what the policy's time budget is charged.
 */
import { nodePdfOptions } from '../../src/cli/pdf-loader';
import { scanFile } from '../../src/cli/scan-files';
import { DEFAULT_POLICY } from '../../src/core';

async function main(): Promise<void> {
  const t0 = performance.now();
  await nodePdfOptions().load();
  const t1 = performance.now();
  const r = await scanFile(process.argv[2] as string, DEFAULT_POLICY, []);
  process.stdout.write(
    JSON.stringify({
      readerMs: t1 - t0,
      scanMs: performance.now() - t1,
      uptimeMs: process.uptime() * 1000,
      verdict: r.verdict,
      unscannable: r.unscannable.map((u) => u.reason),
    }),
  );
}
void main().then(() => process.exit(0));
