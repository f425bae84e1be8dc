/**
 * When the store fails under a request or at start-up: a full disk answers 503 `store_unavailable` (the client knows
 * its write may not have happened) instead of 500 `internal`; `/healthz` says how the store is; a DATA_DIR that cannot
 * be written stops start-up with a message naming it; a lost pooled connection is logged without the connection's
 * secrets or the SQL it ran.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import type { FastifyInstance } from 'fastify';
import { Client } from 'pg';

import { buildApp, inProcessEventBus } from '../../src/server/app';
import { readConfig } from '../../src/server/config';
import { startServer } from '../../src/server/main';
import type { Db, Queryable, QueryOptions } from '../../src/server/store/db';
import { openDb } from '../../src/server/store/db';
import { storeHealthCheck } from '../../src/server/store/health';
import { migrate } from '../../src/server/store/migrations';
import { AUDIENCE, type FakeEntra, startFakeEntra, TENANT } from '../fakes/entra';
import { entraVerifier } from '../support/entra-verifier';
import { freePort } from '../support/net';
import { catchPgliteThreads } from '../support/pglite-threads';
import { freshPostgresUrl, openStore, STORES } from '../support/stores';

const root = path.resolve(__dirname, '..', '..');

let entra: FakeEntra;
beforeAll(async () => {
  entra = await startFakeEntra();
});
afterAll(async () => {
  await entra.close();
});

const authEnv = (): Record<string, string> => ({
  AUTH_JWKS_URL: entra.jwksUrl,
  AUTH_ISSUER: entra.issuer,
  AUTH_AUDIENCE: AUDIENCE,
  AUTH_TENANT_IDS: TENANT,
});

/**
 * PostgreSQL's own disk-full error, raised by the store itself so it reaches the server through the real driver:
 * the SQLSTATE, message and hint PostgreSQL gives when it cannot extend a relation's file (md.c, `mdextend`).
 */
const RAISE_DISK_FULL = `DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = 'disk_full',
  MESSAGE = 'could not extend file "base/16384/16451": No space left on device', HINT = 'Check free disk space.'; END $$`;
/** What Node's file system calls throw on a full disk (`fs.writeSync`). */
const enospc = (): Error =>
  Object.assign(new Error('ENOSPC: no space left on device, write'), { errno: -28, code: 'ENOSPC', syscall: 'write' });

const isWrite = (sql: string): boolean => /\b(INSERT|UPDATE|DELETE)\b/i.test(sql);

/** `db` on a full disk: reads work, every write fails as `fail` does. */
function fullDisk(db: Db, fail: 'postgres-53100' | 'enospc'): Db {
  const guard = (q: Queryable): Queryable => ({
    query: async <Row>(sql: string, params?: readonly unknown[], options?: QueryOptions) => {
      if (!isWrite(sql)) {
        return q.query<Row>(sql, params, options);
      }
      if (fail === 'enospc') {
        throw enospc();
      }
      await q.query(RAISE_DISK_FULL);
      throw new Error('unreachable: the store raised nothing');
    },
    exec: async (sql: string) =>
      isWrite(sql)
        ? guard(q)
            .query(sql)
            .then(() => undefined)
        : q.exec(sql),
  });
  const outer = guard(db);
  return {
    kind: db.kind,
    query: outer.query,
    exec: outer.exec,
    transaction: (fn) => db.transaction((tx) => fn(guard(tx))),
    withAdvisoryLock: (key, fn) => db.withAdvisoryLock(key, (conn) => fn(guard(conn))),
    lastFailure: () => db.lastFailure(),
    close: () => db.close(),
  };
}

describe.each(STORES)('a full disk on %s', (kind) => {
  let db: Db;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = await openStore(kind);
    await migrate(db);
    const setup = await buildApp({ db, events: inProcessEventBus(), verifier: entraVerifier(entra) });
    const created = await setup.inject({
      method: 'PUT',
      url: '/api/meetings/m-full',
      headers: { authorization: `Bearer ${await entra.token({ oid: 'chair' })}` },
      payload: { title: 't', level: '密', reminder: 'r' },
    });
    expect(created.statusCode).toBe(201);
    await setup.close();
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await db.close();
  });

  it.each(['postgres-53100', 'enospc'] as const)(
    'every write answers 503 store_unavailable (%s), not 500, and stores nothing',
    async (fail) => {
      await app?.close();
      app = await buildApp({ db: fullDisk(db, fail), events: inProcessEventBus(), verifier: entraVerifier(entra) });
      const as = async (oid: string) => ({ authorization: `Bearer ${await entra.token({ oid })}` });
      const answers = [
        await app.inject({ method: 'POST', url: '/api/meetings/m-full/acknowledgements', headers: await as('a1') }),
        await app.inject({
          method: 'PUT',
          url: '/api/meetings/m-new',
          headers: await as('chair-2'),
          payload: { title: 't', level: '密', reminder: 'r' },
        }),
        await app.inject({
          method: 'POST',
          url: '/api/audit',
          headers: await as('sender'),
          payload: { kind: 'decision', verdict: 'allow' },
        }),
      ];
      for (const res of answers) {
        expect({ status: res.statusCode, code: (res.json() as { code: string }).code }).toEqual({
          status: 503,
          code: 'store_unavailable',
        });
        expect(res.headers['retry-after']).toBe('5');
      }
      expect((await db.query('SELECT 1 FROM acknowledgements')).rows).toEqual([]);
      expect((await db.query("SELECT 1 FROM meetings WHERE id = 'm-new'")).rows).toEqual([]);
      expect((await db.query('SELECT 1 FROM audit_pending')).rows).toEqual([]);
      if (fail === 'postgres-53100') {
        // The store's own failure is what /healthz reports as the last error.
        expect(db.lastFailure()?.error).toMatchObject({ code: '53100' });
      }
    },
    60_000,
  );
});

describe('/healthz reports the store', () => {
  it('answers 200 with a passing write probe, and 503 naming the last store error once requests fail on it', async () => {
    const server = await startServer(
      readConfig({
        ...authEnv(),
        PORT: String(await freePort()),
        HOST: '127.0.0.1',
        DATA_DIR: mkdtempSync(path.join(tmpdir(), 'sg-health-')),
      }),
      { logger: false },
    );
    try {
      const healthy = await server.app.inject({ url: '/healthz' });
      expect(healthy.statusCode).toBe(200);
      expect(healthy.json()).toMatchObject({ ok: true, store: 'pglite', storeHealth: { ok: true } });
      // The store goes away under the server (a disk pulled, a file system gone read-only, PGlite aborted).
      await server.db.close();
      const token = await entra.token({ oid: 'chair' });
      const write = await server.app.inject({
        method: 'PUT',
        url: '/api/meetings/m-h',
        headers: { authorization: `Bearer ${token}` },
        payload: { title: 't', level: '密', reminder: 'r' },
      });
      expect(write.statusCode).toBe(503);
      const sick = await server.app.inject({ url: '/healthz' });
      expect(sick.statusCode).toBe(503);
      const body = sick.json() as {
        ok: boolean;
        storeHealth: { ok: boolean; lastError?: { message: string; at: string } };
      };
      expect(body.ok).toBe(false);
      expect(body.storeHealth.ok).toBe(false);
      expect(body.storeHealth.lastError?.message).toBe('PGlite is closed');
      expect(Number.isNaN(Date.parse(body.storeHealth.lastError?.at ?? ''))).toBe(false);
    } finally {
      await server.close().catch(() => undefined);
    }
  }, 120_000);

  it('answers 503 store_unavailable to requests and on /healthz once the PGlite thread dies, and the server stays up', async () => {
    const caught = catchPgliteThreads();
    let server: Awaited<ReturnType<typeof startServer>> | undefined;
    try {
      server = await startServer(
        readConfig({
          ...authEnv(),
          PORT: String(await freePort()),
          HOST: '127.0.0.1',
          DATA_DIR: mkdtempSync(path.join(tmpdir(), 'sg-thread-')),
        }),
        // No restart: the gap a restart closes is held open, to be looked at.
        { logger: false, pgliteRestart: { attempts: 0 } },
      );
      expect((await server.app.inject({ url: '/healthz' })).statusCode).toBe(200);
      expect(caught.threads).toHaveLength(1);
      // The thread ends under the running server, as a WebAssembly abort or an out-of-memory would end it.
      const thread = caught.threads[0] as NonNullable<(typeof caught.threads)[0]>;
      const ended = new Promise((resolve) => thread.once('exit', resolve));
      await thread.terminate();
      await ended;
      const headers = { authorization: `Bearer ${await entra.token({ oid: 'chair' })}` };
      const answers = [
        await server.app.inject({
          method: 'PUT',
          url: '/api/meetings/m-t',
          headers,
          payload: { title: 't', level: '密', reminder: 'r' },
        }),
        await server.app.inject({ url: '/api/meetings/m-t', headers }),
      ];
      for (const res of answers) {
        expect({ status: res.statusCode, code: (res.json() as { code: string }).code }).toEqual({
          status: 503,
          code: 'store_unavailable',
        });
      }
      const sick = await server.app.inject({ url: '/healthz' });
      expect(sick.statusCode).toBe(503);
      expect(sick.json()).toMatchObject({
        ok: false,
        store: 'pglite',
        storeHealth: {
          ok: false,
          lastError: { code: '08006', message: expect.stringContaining('PGlite thread stopped') },
        },
      });
      // Still serving: the listening socket is open and answers a request that needs no store.
      expect(server.app.server.listening).toBe(true);
      expect((await server.app.inject({ url: '/no-such-page' })).statusCode).toBe(404);
    } finally {
      caught.restore();
      await server?.close().catch(() => undefined);
    }
  }, 120_000);

  it('logs a dead PGlite thread once and starts a new one on the same folder, after which writes succeed', async () => {
    const caught = catchPgliteThreads();
    const lines: Array<{ level: number; msg: string }> = [];
    const stream = { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) };
    const logged = (words: string) => lines.filter((l) => l.msg.includes(words));
    let server: Awaited<ReturnType<typeof startServer>> | undefined;
    try {
      server = await startServer(
        readConfig({
          ...authEnv(),
          PORT: String(await freePort()),
          HOST: '127.0.0.1',
          DATA_DIR: mkdtempSync(path.join(tmpdir(), 'sg-restart-')),
        }),
        { logger: { stream }, pgliteRestart: { firstDelayMs: 10 } },
      );
      const headers = { authorization: `Bearer ${await entra.token({ oid: 'chair' })}` };
      const before = await server.app.inject({
        method: 'PUT',
        url: '/api/meetings/m-before',
        headers,
        payload: { title: '停止前', level: '密', reminder: 'r' },
      });
      expect(before.statusCode).toBe(201);
      const thread = caught.threads[0] as NonNullable<(typeof caught.threads)[0]>;
      await thread.terminate();
      while (logged('PGlite thread restarted').length === 0) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(caught.threads).toHaveLength(2);
      const put = await server.app.inject({
        method: 'PUT',
        url: '/api/meetings/m-after',
        headers,
        payload: { title: '重啟後', level: '密', reminder: 'r' },
      });
      expect(put.statusCode).toBe(201);
      const read = [
        await server.app.inject({ url: '/api/meetings/m-after', headers }),
        await server.app.inject({ url: '/api/meetings/m-before', headers }),
      ];
      expect(read.map((r) => [r.statusCode, (r.json() as { title: string }).title])).toEqual([
        [200, '重啟後'],
        [200, '停止前'],
      ]);
      // One line for the death, in both languages, an error; one for the restart.
      const deaths = logged('PGlite thread stopped');
      expect(deaths).toHaveLength(1);
      expect(deaths[0]?.msg).toContain('內建資料庫執行緒已停止');
      expect(deaths[0]?.level).toBe(50);
      expect(logged('PGlite thread restarted')).toHaveLength(1);
    } finally {
      caught.restore();
      await server?.close().catch(() => undefined);
    }
  }, 120_000);

  it('probes by writing at most once per interval, and reports the probe failing', async () => {
    const db = await openDb({ dataDir: 'memory://' });
    let clock = 1_000_000;
    let probes = 0;
    let failing = false;
    const counted: Db = {
      ...db,
      kind: db.kind,
      query: db.query.bind(db),
      exec: db.exec.bind(db),
      withAdvisoryLock: db.withAdvisoryLock.bind(db),
      lastFailure: db.lastFailure.bind(db),
      close: db.close.bind(db),
      transaction: (fn) => {
        probes++;
        return failing ? db.query(RAISE_DISK_FULL).then(() => fn(db)) : db.transaction(fn);
      },
    };
    try {
      const health = storeHealthCheck(counted, { intervalMs: 5000, now: () => clock });
      expect(await health()).toMatchObject({ ok: true });
      await Promise.all([health(), health(), health()]);
      expect(probes).toBe(1);
      failing = true;
      clock += 4999;
      expect(await health()).toMatchObject({ ok: true });
      clock += 1;
      const sick = await health();
      expect(probes).toBe(2);
      expect(sick).toMatchObject({ ok: false, probeError: { code: '53100' } });
      failing = false;
      clock += 5000;
      // Passing again; the disk-full error stays on record as the last error, with its time.
      expect(await health()).toMatchObject({ ok: true, lastError: { code: '53100' } });
    } finally {
      await db.close();
    }
  }, 240_000);
});

/**
 * Runs the server as a child; its exit and stderr. As root, without the capabilities that let root write anywhere
 * (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), so the folder's permissions apply to it as to any user, while it can still
 * read a checkout only root may read (a private folder such as /root or a `mktemp -d` directory).
 */
function runServer(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  const asRoot = process.getuid?.() === 0;
  const server = [process.execPath, '--import', 'tsx', path.join(root, 'src', 'server', 'main.ts')];
  const dropped = '-dac_override,-dac_read_search';
  const [command, ...args] = asRoot
    ? ['setpriv', `--bounding-set=${dropped}`, `--inh-caps=${dropped}`, ...server]
    : server;
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(command as string, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not stop: ${stderr}`));
    }, 180_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

/** Makes `dir` and everything under it read-only, as a read-only mount or a foreign owner would. */
function readOnly(dir: string): void {
  for (const name of readdirSync(dir)) {
    const entry = path.join(dir, name);
    if (statSync(entry).isDirectory()) {
      readOnly(entry);
    } else {
      chmodSync(entry, 0o444);
    }
  }
  chmodSync(dir, 0o555);
}

describe('a DATA_DIR that cannot be written', () => {
  it.each([
    ['a new, empty folder', false],
    ['a folder with an existing store', true],
  ])(
    'stops start-up naming the folder (%s)',
    async (_what, withStore) => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'sg-ro-'));
      if (withStore) {
        const db = await openDb({ dataDir: path.join(dataDir, 'pglite') });
        await migrate(db);
        await db.close();
      } else {
        mkdirSync(dataDir, { recursive: true });
      }
      readOnly(dataDir);
      const { code, stderr } = await runServer({
        ...process.env,
        ...authEnv(),
        PORT: String(await freePort()),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
      });
      expect(code).toBe(2);
      expect(stderr).toContain(`DATA_DIR: 資料夾 ${dataDir}`);
      expect(stderr).toContain('無法寫入');
      expect(stderr).toContain(`the folder ${dataDir} is not writable`);
      expect(stderr).toMatch(/EACCES|EROFS|EPERM/);
      chmodSync(dataDir, 0o755);
    },
    90_000,
  );

  if (STORES.includes('postgres')) {
    it('stops start-up when only the generated audit signing key would be written there (PostgreSQL, own TLS files)', async () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'sg-ro-key-'));
      readOnly(dataDir);
      // Any readable file passes the TLS check at start-up; the folder check comes before either is used.
      const readable = path.join(root, 'package.json');
      const { code, stderr } = await runServer({
        ...process.env,
        ...authEnv(),
        PORT: String(await freePort()),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        DATABASE_URL: await freshPostgresUrl(),
        TLS_CERT: readable,
        TLS_KEY: readable,
        AUDIT_SIGNING_KEY: '',
      });
      expect(code).toBe(2);
      expect(stderr).toContain(`the folder ${dataDir} is not writable`);
      chmodSync(dataDir, 0o755);
    }, 240_000);
  }
});

if (STORES.includes('postgres')) {
  describe('a pooled connection lost while idle', () => {
    it("is logged by its code and message, without the client's cancel secretKey or the SQL it ran", async () => {
      const url = await freshPostgresUrl();
      const port = await freePort();
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'server', 'main.ts')], {
        env: {
          ...process.env,
          ...authEnv(),
          PORT: String(port),
          HOST: '127.0.0.1',
          DATA_DIR: mkdtempSync(path.join(tmpdir(), 'sg-log-')),
          DATABASE_URL: url,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
      const admin = new Client({ connectionString: url });
      try {
        for (let i = 0; i < 1800 && !stdout.includes('Secrecy Guard server started'); i++) {
          await new Promise((r) => setTimeout(r, 100));
        }
        expect(stdout).toContain('Secrecy Guard server started');
        // Pooled connections now idle, having run (named) statements: the audit chainer's and the head watcher's.
        await new Promise((r) => setTimeout(r, 300));
        await admin.connect();
        // A connection killed while it runs a query (the audit chainer's, every 50 ms) fails that query instead of
        // being lost while idle, which on a loaded machine is the likelier case: kill again until one was idle.
        for (let attempt = 0; attempt < 20 && !stdout.includes('idle pooled connection was lost'); attempt++) {
          await admin.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = current_database() AND application_name <> 'secrecy-guard-listener' AND state = 'idle'",
          );
          for (let i = 0; i < 100 && !stdout.includes('idle pooled connection was lost'); i++) {
            await new Promise((r) => setTimeout(r, 50));
          }
        }
        const lines = stdout.split('\n').filter((l) => l.includes('idle pooled connection was lost'));
        expect(lines.length).toBeGreaterThan(0);
        for (const line of lines) {
          const entry = JSON.parse(line) as { err: Record<string, unknown> };
          expect(entry.err).toMatchObject({
            code: '57P01',
            message: 'terminating connection due to administrator command',
          });
          expect(line).not.toMatch(/secretKey|processID|"client"|SELECT|INSERT|audit_/i);
        }
        expect(child.exitCode).toBeNull();
      } finally {
        await admin.end().catch(() => undefined);
        child.kill('SIGKILL');
      }
    }, 300_000);
  });
}
