import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

import { runScan } from '../../../src/cli/main';
import { DEFAULT_POLICY } from '../../../src/core/policy';

const root = path.resolve(__dirname, '..', '..', '..');
const samples = path.join(root, 'test', 'fixtures', 'samples');

async function scan(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runScan(args, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

function tmp(): string {
  return mkdtempSync(path.join(tmpdir(), 'sg-cli-'));
}

describe('scan command', () => {
  it('prints the JSON document of the design and exits 1 when anything is not allowed', async () => {
    const { code, out } = await scan(['--json', samples]);
    expect(code).toBe(1);
    const doc = JSON.parse(out) as {
      results: { path: string; verdict: string; level: string | null; findings: unknown[]; unscannable: unknown[] }[];
    };
    const byName = Object.fromEntries(doc.results.map((r) => [path.basename(r.path), r]));
    expect(byName['01-meeting-notice.txt']).toMatchObject({
      verdict: 'allow',
      level: null,
      findings: [],
      unscannable: [],
    });
    expect(byName['02-classified-letter.txt']).toMatchObject({ verdict: 'block', level: '機密' });
    expect(byName['03-portion-marked.html']).toMatchObject({ verdict: 'strip', level: '密' });
    expect(byName['04-forwarded.eml']).toMatchObject({ verdict: 'block', level: '機密' });
    for (const r of doc.results) {
      expect(Object.keys(r).sort()).toEqual(['findings', 'level', 'path', 'unscannable', 'verdict']);
    }
  });

  it('exits 0 when every result is allow, and prints a zh-TW/en table without --json', async () => {
    const { code, out } = await scan([path.join(samples, '01-meeting-notice.txt')]);
    expect(code).toBe(0);
    expect(out).toMatch(/判定 Verdict: 放行 allow/);
    expect(out).toMatch(/共 1 個檔案 files/);
  });

  it('judges --to recipients against the policy internal domains', async () => {
    const dir = tmp();
    const policyFile = path.join(dir, 'policy.json');
    writeFileSync(
      policyFile,
      JSON.stringify({
        ...DEFAULT_POLICY,
        internalDomains: ['example.gov.tw'],
        actions: { ...DEFAULT_POLICY.actions, internal: { ...DEFAULT_POLICY.actions.internal, 機敏: 'allow' } },
      }),
    );
    const file = path.join(dir, 'a.txt');
    writeFileSync(file, '機敏資料\n會議資料如附件。');
    expect((await scan(['--policy', policyFile, '--to', 'a@example.gov.tw,b@example.gov.tw', file])).code).toBe(0);
    expect((await scan(['--policy', policyFile, '--to', 'a@example.gov.tw,x@gmail.com', file])).code).toBe(1);
    expect((await scan(['--policy', policyFile, file])).code).toBe(1);
  });

  it('reports unreadable, oversized, broken and unknown files as unscannable, never allow', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'binary.txt'), Buffer.from([0x41, 0x00, 0xff, 0xfe, 0x00]));
    writeFileSync(path.join(dir, 'report.docx'), 'PK\x03\x04');
    writeFileSync(path.join(dir, 'mystery.bin'), Buffer.from([0x00, 0x13, 0x37, 0x00, 0xfe]));
    // Text is text by its bytes, whatever its extension.
    writeFileSync(path.join(dir, 'notes.rb'), '# 機密\nputs 1\n');
    writeFileSync(path.join(dir, 'big.txt'), 'a'.repeat(2048));
    const policyFile = path.join(dir, 'small.json');
    writeFileSync(
      policyFile,
      JSON.stringify({ ...DEFAULT_POLICY, limits: { ...DEFAULT_POLICY.limits, maxFileBytes: 1024 } }),
    );
    const { code, out } = await scan(['--json', '--policy', policyFile, dir]);
    expect(code).toBe(1);
    const results = (
      JSON.parse(out) as { results: { path: string; verdict: string; unscannable: { reason: string }[] }[] }
    ).results;
    const reasons = Object.fromEntries(
      results
        .filter((r) => !r.path.endsWith('.json'))
        .map((r) => [path.basename(r.path), [r.verdict, r.unscannable[0]?.reason]]),
    );
    expect(reasons).toEqual({
      'big.txt': ['block', 'too-large'],
      'binary.txt': ['block', 'unreadable'],
      'mystery.bin': ['block', 'unknown-type'],
      'notes.rb': ['block', undefined],
      'report.docx': ['block', 'malformed'],
    });
  });

  it('reads Big5 text and a declared HTML charset', async () => {
    const dir = tmp();
    // 「機密」 in Big5 is BE F7 B1 4B.
    writeFileSync(path.join(dir, 'big5.txt'), Buffer.from([0xbe, 0xf7, 0xb1, 0x4b, 0x0a]));
    writeFileSync(
      path.join(dir, 'page.html'),
      Buffer.concat([
        Buffer.from('<html><head><meta charset="big5"></head><body><p>'),
        Buffer.from([0xbe, 0xf7, 0xb1, 0x4b]),
        Buffer.from('</p></body></html>'),
      ]),
    );
    const { out } = await scan(['--json', dir]);
    const results = (JSON.parse(out) as { results: { level: string | null }[] }).results;
    expect(results.map((r) => r.level)).toEqual(['機密', '機密']);
  });

  it('takes the type from the content, whatever the name: a renamed .docx or .pdf is read as what it is', async () => {
    const dir = tmp();
    const docs = path.join(root, 'test', 'fixtures', 'docs');
    const cases: [source: string, asName: string, part: RegExp][] = [
      ['header-mark.docx', 'renamed.txt', /^attachment:renamed\.txt\/word\/header1\.xml#header$/],
      ['header-mark.docx', 'renamed.html', /^attachment:renamed\.html\/word\/header1\.xml#header$/],
      ['header-mark.docx', 'renamed.eml', /^attachment:renamed\.eml\/word\/header1\.xml#header$/],
      ['header-mark.pdf', 'renamed-pdf.txt', /^attachment:renamed-pdf\.txt\/page1#text$/],
    ];
    for (const [source, asName] of cases) {
      writeFileSync(path.join(dir, asName), readFileSync(path.join(docs, source)));
    }
    // And the other way round: plain text named like a document is still text.
    writeFileSync(path.join(dir, 'letter.docx'), readFileSync(path.join(samples, '02-classified-letter.txt')));
    const { code, out } = await scan(['--json', dir]);
    expect(code).toBe(1);
    const doc = JSON.parse(out) as {
      results: { path: string; level: string | null; findings: { location: string }[]; unscannable: unknown[] }[];
    };
    const byName = new Map(doc.results.map((r) => [path.basename(r.path), r]));
    for (const [, asName, part] of cases) {
      const r = byName.get(asName);
      expect({ asName, level: r?.level, unscannable: r?.unscannable }).toEqual({
        asName,
        level: '機密',
        unscannable: [],
      });
      expect(r?.findings.map((f) => f.location)).toContainEqual(expect.stringMatching(part));
    }
    expect(byName.get('letter.docx')).toMatchObject({ level: '機密', unscannable: [] });
  });

  it('--help lists every type the scanner reads, and the ones it never allows as unreadable', async () => {
    const { code, out } = await scan(['--help']);
    expect(code).toBe(0);
    const [reads, never] = out.split('一律不放行');
    for (const type of ['.eml', 'winmail.dat', '.docx', '.xlsx', '.pptx', '.odt', '.ods', '.odp', '.fodt', '.pdf']) {
      expect(reads).toContain(type);
    }
    for (const type of ['.rtf', '.di', '.txt', '.html', 'Big5', 'UTF-16', '.zip']) {
      expect(reads).toContain(type);
    }
    for (const type of ['.doc ', '.xls ', '.ppt', 'images', 'encrypted']) {
      expect(never).toContain(type);
    }
  });

  it('walks directories recursively', async () => {
    const dir = tmp();
    mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
    writeFileSync(path.join(dir, 'a', 'b', 'deep.txt'), '極機密');
    writeFileSync(path.join(dir, 'top.txt'), '你好');
    const { out } = await scan(['--json', dir]);
    expect(
      (JSON.parse(out) as { results: { path: string; level: string | null }[] }).results.map((r) => [
        path.relative(dir, r.path),
        r.level,
      ]),
    ).toEqual([
      [path.join('a', 'b', 'deep.txt'), '極機密'],
      ['top.txt', null],
    ]);
  });

  it.each([
    [[], /至少一個路徑|at least one PATH/],
    [['--bogus', 'x'], /Unknown option: --bogus/],
    [['--to'], /--to needs a value/],
    [['--policy', '/nonexistent/policy.json', 'x'], /No such file/],
  ])('usage errors exit 2 with a clear message: %j', async (args, message) => {
    const { code, err } = await scan(args as string[]);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err).toMatch(/Usage/);
  });

  it('a bad policy exits 2 naming the problem', async () => {
    const dir = tmp();
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...DEFAULT_POLICY, unscannable: { internal: 'allow', external: 'block' } }));
    const notJson = path.join(dir, 'not.json');
    writeFileSync(notJson, '{');
    expect(await scan(['--policy', bad, samples])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/\/unscannable\/internal/),
    });
    expect(await scan(['--policy', notJson, samples])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/not valid JSON/),
    });
  });

  it('a missing file is an I/O error (exit 2) but the other files are still reported', async () => {
    const { code, out, err } = await scan([
      '--json',
      path.join(samples, '01-meeting-notice.txt'),
      '/nonexistent/mail.eml',
    ]);
    expect(code).toBe(2);
    expect(err).toMatch(/nonexistent\/mail\.eml: 找不到檔案 \/ No such file/);
    expect((JSON.parse(out) as { results: unknown[] }).results).toHaveLength(1);
  });

  it('runs as the README says: npm run --silent scan', async () => {
    const run = promisify(execFile);
    const { stdout } = await run(
      'npm',
      ['run', '--silent', 'scan', '--', '--json', path.join(samples, '01-meeting-notice.txt')],
      { cwd: root },
    );
    expect((JSON.parse(stdout) as { results: { verdict: string }[] }).results[0]?.verdict).toBe('allow');
    await expect(
      run('npm', ['run', '--silent', 'scan', '--', path.join(samples, '02-classified-letter.txt')], { cwd: root }),
    ).rejects.toMatchObject({ code: 1 });
  });
});
