/**
 * The browser and manifest tests test what ships: the webpack output in dist/. `ensureWebBuild()` builds it once when
 * it is missing or older than any source, so `npm test` on a fresh clone needs no separate build step. Jest runs test
 * files in parallel workers, so a lock directory makes the others wait for the one that builds.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

export const ROOT = path.resolve(__dirname, '..', '..');
export const DIST = path.join(ROOT, 'dist');
const STAMP = path.join(DIST, '.build-stamp');
const LOCK = path.join(ROOT, '.web-build.lock');
const SOURCES = ['src', 'addin', 'teams-app', 'manifest', 'scripts/build', 'webpack.config.js', 'package-lock.json'];

function newestMtime(p: string): number {
  if (!existsSync(p)) {
    return 0;
  }
  const st = statSync(p);
  if (!st.isDirectory()) {
    return st.mtimeMs;
  }
  let newest = st.mtimeMs;
  for (const entry of readdirSync(p)) {
    if (entry !== 'node_modules') {
      newest = Math.max(newest, newestMtime(path.join(p, entry)));
    }
  }
  return newest;
}

const isFresh = (): boolean =>
  existsSync(STAMP) && statSync(STAMP).mtimeMs >= Math.max(...SOURCES.map((s) => newestMtime(path.join(ROOT, s))));

/**
 * How long a hook that may build dist/, or wait for another worker's build, is given: a full production build on 2
 * cores at a load average of 10 takes minutes, and waiting for a build is not what any test measures.
 */
export const WEB_BUILD_TIMEOUT_MS = 900_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function ensureWebBuild(): Promise<void> {
  for (let waited = 0; ; waited += 500) {
    if (isFresh()) {
      return;
    }
    try {
      mkdirSync(LOCK);
    } catch {
      // Another worker is building; a lock older than 10 minutes was left by a killed run.
      if (waited > 600_000 || Date.now() - statSync(LOCK).mtimeMs > 600_000) {
        rmSync(LOCK, { recursive: true, force: true });
      }
      await sleep(500);
      continue;
    }
    try {
      if (!isFresh()) {
        execFileSync(process.execPath, [require.resolve('webpack-cli/bin/cli.js'), '--mode', 'production'], {
          cwd: ROOT,
          stdio: ['ignore', 'ignore', 'inherit'],
        });
        writeFileSync(STAMP, new Date().toISOString());
      }
      return;
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
}

/**
 * Builds one configuration of the project's webpack.config.js (production) into `outDir`, with `env` as the whole
 * environment: what a build step of the real build does, without touching dist/. Rejects as `execFile` does, with the
 * exit code, stdout and stderr.
 */
export function buildConfigInto(
  configName: string,
  outDir: string,
  env: NodeJS.ProcessEnv,
): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(
    process.execPath,
    [
      require.resolve('webpack-cli/bin/cli.js'),
      '--mode',
      'production',
      '--config-name',
      configName,
      '--output-path',
      outDir,
    ],
    { cwd: ROOT, env },
  );
}
