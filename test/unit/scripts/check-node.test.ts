import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

import { nodeVersionProblem, requiredRange } from '../../../scripts/check-node.cjs';

const root = path.resolve(__dirname, '..', '..', '..');
const run = promisify(execFile);

/** Runs `args` under a Node that reports `version` (the check reads process.version, nothing else). */
async function asNode(version: string, args: string[]): Promise<{ code: number; stderr: string }> {
  const preload = path.join(tmpdir(), `sg-node-${version}.cjs`);
  writeFileSync(preload, `Object.defineProperty(process, 'version', { value: ${JSON.stringify(version)} });\n`);
  try {
    const { stderr } = await run(process.execPath, ['--require', preload, ...args], { cwd: root });
    return { code: 0, stderr };
  } catch (e) {
    const err = e as { code: number; stderr: string };
    return { code: err.code, stderr: err.stderr };
  }
}

describe('the Node.js version check', () => {
  it("reads the minimum from package.json's engines, the range npm checks at install", () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(requiredRange()).toBe(pkg.engines.node);
    expect(requiredRange()).toMatch(/^>=\d+\.\d+\.\d+$/);
  });

  it.each([
    ['v20.19.0', true],
    ['v20.20.2', true],
    ['v22.1.0', true],
    ['v24.0.0', true],
    ['v20.18.3', false],
    ['v20.9.0', false],
    ['v18.20.4', false],
    ['v8.17.0', false],
    ['v100.0.0', true],
  ])('%s meets >=20.19.0: %s', (version, meets) => {
    const problem = nodeVersionProblem(version, '>=20.19.0');
    expect(problem === null).toBe(meets);
    if (problem) {
      expect(problem).toContain('需要 Node.js 20.19.0 以上');
      expect(problem).toContain(`needs Node.js 20.19.0 or later; this is ${version}`);
    }
  });

  it('refuses a range it cannot read rather than passing everything', () => {
    expect(() => nodeVersionProblem('v20.20.0', '^20')).toThrow(/engines\.node/);
  });

  it('stops scripts/setup.sh and the server at start-up on an older Node, with the message, before anything else', async () => {
    const script = await asNode('v18.20.4', [path.join(root, 'scripts', 'check-node.cjs')]);
    expect(script.code).toBe(1);
    expect(script.stderr).toContain('this is v18.20.4');
    const server = await asNode('v18.20.4', ['--import', 'tsx', path.join(root, 'src', 'server', 'main.ts')]);
    expect(server.code).toBe(2);
    expect(server.stderr).toContain('secrecy-guard: Secrecy Guard 需要 Node.js');
    const current = await asNode(process.version, [path.join(root, 'scripts', 'check-node.cjs')]);
    expect(current).toEqual({ code: 0, stderr: '' });
  }, 120_000);

  it('is run first by scripts/setup.sh and by npm start', () => {
    const setup = readFileSync(path.join(root, 'scripts', 'setup.sh'), 'utf8');
    expect(setup.indexOf('check-node.cjs')).toBeGreaterThan(-1);
    expect(setup.indexOf('check-node.cjs')).toBeLessThan(setup.indexOf('apt-get'));
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } };
    expect(pkg.scripts.start).toMatch(/^node scripts\/check-node\.cjs && /);
  });
});
