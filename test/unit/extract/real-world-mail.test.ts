import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

import { runScan } from '../../../src/cli/main';

/** The shared corpus sits beside the repository, in CI too; a missing corpus is a failure, not a skip. */
const corpus = process.env.SG_SHARED_DIR
  ? path.join(process.env.SG_SHARED_DIR, 'corpora', 'real-world-mail')
  : path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'corpora', 'real-world-mail');

describe('real-world mail corpus', () => {
  it('is present', () => {
    expect(existsSync(corpus)).toBe(true);
    expect(readdirSync(corpus).filter((f) => f.endsWith('.eml')).length).toBeGreaterThanOrEqual(100);
  });

  it('every message parses and answers allow or unscannable, never a usage or I/O error', async () => {
    let out = '';
    let err = '';
    const code = await runScan(['--json', corpus], { stdout: (s) => (out += s), stderr: (s) => (err += s) });
    expect(err).toBe('');
    expect(code).not.toBe(2);
    const doc = JSON.parse(out) as {
      results: { path: string; verdict: string; findings: unknown[]; unscannable: unknown[] }[];
    };
    const emls = doc.results.filter((r) => r.path.endsWith('.eml'));
    expect(emls.length).toBe(readdirSync(corpus).filter((f) => f.endsWith('.eml')).length);
    const wrong = emls.filter((r) => r.findings.length > 0 || (r.verdict !== 'allow' && r.unscannable.length === 0));
    expect(wrong.map((r) => path.basename(r.path))).toEqual([]);
    const allowed = emls.filter((r) => r.verdict === 'allow').length;
    console.log(`real-world mail: ${emls.length} messages, ${allowed} allow, ${emls.length - allowed} unscannable`);
  }, 240_000);
});
