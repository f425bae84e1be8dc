/**
 * A throwaway PostgreSQL server for the test run, from Debian's `postgresql` package binaries: a fresh cluster in a
 * temporary directory on a free loopback port, trust auth, stopped and removed afterwards. Tests that need PostgreSQL
 * fail (never skip) when the binaries are missing, with the command that installs them.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { freePort } from './net';

export interface PostgresServer {
  readonly url: string;
  /**
   * `pg_ctl restart -m fast`: every backend is told to terminate (57P01 admin_shutdown), the server stops and starts
   * again on the same port and data. Resolves once it takes connections.
   */
  restart(): Promise<void>;
  stop(): void;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
    : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) {
    throw new Error('PostgreSQL server binaries not found. Install them with: sudo apt-get install -y postgresql');
  }
  return path.join(root, versions[0] as string, 'bin');
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = binDir();
  const dir = mkdtempSync(path.join(tmpdir(), 'sg-pg-'));
  chmodSync(dir, 0o777);
  const data = path.join(dir, 'data');
  const port = await freePort();
  // initdb refuses to run as root; Debian's package creates the postgres user for this.
  const asPostgres = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  const command = (args: string[]): [string, string[]] => {
    const [cmd, ...rest] = [...asPostgres, ...args];
    return [cmd as string, rest];
  };
  const run = (args: string[]): void => {
    execFileSync(...command(args), { stdio: 'pipe' });
  };
  const pgCtl = (...action: string[]): string[] => [
    path.join(bin, 'pg_ctl'), '-D', data, '-l', path.join(dir, 'log'), '-w', '-t', '60',
    '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`, ...action,
  ]; // prettier-ignore
  run([path.join(bin, 'initdb'), '-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  run(pgCtl('start'));
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    // Asynchronously, so the test's own event loop (its load, the servers' answers) keeps running meanwhile.
    restart: () =>
      new Promise<void>((resolve, reject) =>
        execFile(...command(pgCtl('-m', 'fast', 'restart')), (e) => (e ? reject(e) : resolve())),
      ),
    stop: () => {
      try {
        run(pgCtl('-m', 'immediate', 'stop'));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
