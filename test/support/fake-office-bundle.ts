/**
 * The Office host fake bundled for the browser (test/e2e/taskpane/fake-office-entry.ts), with webpack's Node API,
 * rebuilt only when a source of the fake changed. Served in place of office.js by the browser tests.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import webpack from 'webpack';

import { ROOT } from './web-build';

const ENTRY = path.join(ROOT, 'test/e2e/taskpane/fake-office-entry.ts');
const SOURCES = [path.join(ROOT, 'src/dev/fakes/office'), ENTRY];
// Outside the tree (no linter or formatter should see a build output), one folder per checkout.
const OUT_DIR = path.join(tmpdir(), `sg-fake-office-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}`);
const OUT = path.join(OUT_DIR, 'office.js');

const newest = (p: string): number =>
  statSync(p).isDirectory()
    ? Math.max(statSync(p).mtimeMs, ...readdirSync(p).map((e) => newest(path.join(p, e))))
    : statSync(p).mtimeMs;

export async function fakeOfficeBundle(): Promise<string> {
  if (existsSync(OUT) && statSync(OUT).mtimeMs >= Math.max(...SOURCES.map(newest))) {
    return readFileSync(OUT, 'utf8');
  }
  // Built beside the file and renamed over it: two jest workers may build at once, and one must never read the
  // other's half-written file.
  const building = path.join(OUT_DIR, `building-${process.pid}`);
  mkdirSync(building, { recursive: true });
  await new Promise<void>((resolve, reject) => {
    webpack(
      {
        mode: 'development',
        devtool: false,
        target: ['web', 'es2019'],
        entry: ENTRY,
        output: { path: building, filename: 'office.js' },
        resolve: { extensions: ['.ts', '.js'] },
        module: {
          rules: [
            {
              test: /\.ts$/,
              use: {
                loader: 'swc-loader',
                options: { jsc: { parser: { syntax: 'typescript' }, target: 'es2019' }, module: { type: 'es6' } },
              },
            },
          ],
        },
      },
      (err, stats) => {
        if (err || stats?.hasErrors()) {
          reject(err ?? new Error(stats?.toString('errors-only')));
        } else {
          resolve();
        }
      },
    );
  });
  renameSync(path.join(building, 'office.js'), OUT);
  rmSync(building, { recursive: true, force: true });
  return readFileSync(OUT, 'utf8');
}
