/**
 * The scan command reads a file's own name (issue 11 §2): a document, a text or mail file read as a message, and one
 * too large to open, each blocked by a mark in its name alone; ordinary names beside them are allowed.
 */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { runScan } from '../../../src/cli/main';
import { DEFAULT_POLICY } from '../../../src/core/policy';

const docs = path.resolve(__dirname, '..', '..', 'fixtures', 'docs');
/** Room for the plain document, not for the file made too large. */
const LIMIT = 64 * 1024;

interface Result {
  path: string;
  verdict: string;
  level: string | null;
  findings: { rule: string; location: string; strippable: boolean }[];
  unscannable: { reason: string }[];
}

async function scanJson(args: string[]): Promise<Record<string, Result>> {
  let out = '';
  await runScan(['--json', ...args], { stdout: (s) => (out += s), stderr: () => undefined });
  const results = (JSON.parse(out) as { results: Result[] }).results;
  return Object.fromEntries(results.map((r) => [path.basename(r.path), r]));
}

describe('scan: a mark in a file’s own name', () => {
  it('blocks a document, a text file, a mail and a file too large to open by their names alone', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sg-cli-names-'));
    const clean = '項目,金額\n文具,1200\n';
    writeFileSync(path.join(dir, '【機密】115年度國防預算分配表.csv'), clean);
    writeFileSync(path.join(dir, '機密_底價.txt'), '底價如下。\n');
    copyFileSync(path.join(docs, 'plain.docx'), path.join(dir, '115年度預算_密.docx'));
    writeFileSync(path.join(dir, '極機密-轉寄.eml'), 'Subject: hello\r\nContent-Type: text/plain\r\n\r\nhi\r\n');
    writeFileSync(path.join(dir, '機密-底價.xlsx'), Buffer.alloc(LIMIT + 1));
    // Hard negatives: the same contents under ordinary names.
    writeFileSync(path.join(dir, '密碼變更說明.txt'), '底價如下。\n');
    writeFileSync(path.join(dir, '機密性評估表.csv'), clean);
    copyFileSync(path.join(docs, 'plain.docx'), path.join(dir, '保密宣導.docx'));
    writeFileSync(path.join(dir, '宣導.eml'), 'Subject: hello\r\nContent-Type: text/plain\r\n\r\nhi\r\n');
    const policyFile = path.join(dir, 'policy.json');
    writeFileSync(
      policyFile,
      JSON.stringify({ ...DEFAULT_POLICY, limits: { ...DEFAULT_POLICY.limits, maxFileBytes: LIMIT } }),
    );

    const r = await scanJson(['--policy', policyFile, dir]);
    const summary = (name: string) => {
      const x = r[name] as Result;
      return [x.verdict, x.level, x.findings.map((f) => `${f.location} ${f.strippable}`)];
    };
    expect(summary('【機密】115年度國防預算分配表.csv')).toEqual([
      'block',
      '機密',
      ['attachment:【機密】115年度國防預算分配表.csv#name false'],
    ]);
    expect(summary('機密_底價.txt')).toEqual(['block', '機密', ['attachment:機密_底價.txt#name false']]);
    expect(summary('115年度預算_密.docx')).toEqual(['block', '密', ['attachment:115年度預算_密.docx#name false']]);
    expect(summary('極機密-轉寄.eml')).toEqual(['block', '極機密', ['attachment:極機密-轉寄.eml#name false']]);
    // Too large to open: unscannable, and its name still gives the level.
    expect(summary('機密-底價.xlsx')).toEqual(['block', '機密', ['attachment:機密-底價.xlsx#name false']]);
    expect(r['機密-底價.xlsx']?.unscannable.map((u) => u.reason)).toEqual(['too-large']);

    for (const name of ['密碼變更說明.txt', '機密性評估表.csv', '保密宣導.docx', '宣導.eml']) {
      expect([name, ...summary(name)]).toEqual([name, 'allow', null, []]);
    }
  });
});
