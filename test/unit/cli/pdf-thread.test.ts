import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { DEFAULT_POLICY } from '../../../src/core/policy';

const root = path.resolve(__dirname, '..', '..', '..');
/** A clean PDF: allowed when read, so a block here can only come from the reader failing closed. */
const plainPdf = path.join(root, 'test', 'fixtures', 'docs', 'plain.pdf');

interface Run {
  code: number | null;
  out: string;
  err: string;
}

/** The CLI as users run it, with the PDF thread made to fail (test-only hook, see FAULT in pdf-loader.ts). */
function scanWithFault(fault: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['run', '--silent', 'scan', '--', '--json', ...args],
      { cwd: root, env: { ...process.env, NODE_ENV: 'test', SECRECY_GUARD_TEST_PDF_THREAD_FAULT: fault } },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: number }).code ?? null) : 0;
        resolve({ code, out: stdout, err: stderr });
      },
    );
  });
}

type Doc = { results: { verdict: string; unscannable: { reason: string; location: string }[] }[] };

describe('CLI: the PDF reader thread failing fails closed, with output', () => {
  it('reads the clean PDF as allow when the thread behaves (the fault hook is off)', async () => {
    const run = await scanWithFault('', [plainPdf]);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.out) as Doc).results[0]?.verdict).toBe('allow');
  });

  it('a thread that dies mid-document: the PDF is unscannable, printed, exit 1', async () => {
    const run = await scanWithFault('exit-on-page', [plainPdf]);
    expect(run.code).toBe(1);
    const result = (JSON.parse(run.out) as Doc).results[0];
    expect(result?.verdict).toBe('block');
    expect(result?.unscannable).toEqual([
      expect.objectContaining({ reason: 'error', location: 'attachment:plain.pdf/page1' }),
    ]);
  });

  it('a thread that hangs on a page: the PDF is a timeout within the budget, printed, exit 1', async () => {
    const policyFile = path.join(mkdtempSync(path.join(tmpdir(), 'sg-pdf-')), 'policy.json');
    writeFileSync(
      policyFile,
      JSON.stringify({ ...DEFAULT_POLICY, limits: { ...DEFAULT_POLICY.limits, scanTimeoutMs: 500 } }),
    );
    const run = await scanWithFault('hang-on-page', ['--policy', policyFile, plainPdf]);
    expect(run.code).toBe(1);
    const result = (JSON.parse(run.out) as Doc).results[0];
    expect(result?.verdict).toBe('block');
    expect(result?.unscannable).toEqual([expect.objectContaining({ reason: 'timeout' })]);
  });
});
