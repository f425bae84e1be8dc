/**
 * Two server processes on one PostgreSQL, under authenticated writes, while PostgreSQL (a) has every backend
 * terminated and (b) restarts (`pg_ctl restart -m fast`). A private PostgreSQL server, so the restart does not cut the
 * other test files' connections. Before the fix a backend dying under a checked-out connection ended the process
 * ("Unhandled 'error' event ... Connection terminated unexpectedly").
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { Client } from 'pg';

import { verifyAuditChain } from '../../src/server/store/audit';
import { openDb } from '../../src/server/store/db';
import { AUDIENCE, type FakeEntra, startFakeEntra, TENANT } from '../fakes/entra';
import { freePort } from '../support/net';
import { type PostgresServer, startPostgres } from '../support/postgres';
import { STORES } from '../support/stores';

const root = path.resolve(__dirname, '..', '..');
const insecure = new Agent({ rejectUnauthorized: false, keepAlive: true, maxSockets: 64 });

interface Res {
  status: number;
  body: string;
}

/** One request; `status` 0 when the connection failed, -1 when no answer came in time (a hang). */
function https(url: string, options: { method?: string; token?: string; body?: unknown } = {}): Promise<Res> {
  return new Promise((resolve) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = request(
      url,
      {
        agent: insecure,
        method: options.method ?? 'GET',
        headers: {
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', () => resolve({ status: 0, body: '' }));
      },
    );
    // Far beyond any answer the server gives; a request still open then is a hang, which this test is about.
    req.setTimeout(60_000, () => {
      req.destroy();
      resolve({ status: -1, body: '' });
    });
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end(payload);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Instance {
  readonly base: string;
  readonly child: ChildProcess;
  stderr: string;
  exit: { code: number | null; signal: string | null } | null;
}

/** Every process started, so none outlives the test whatever fails. */
const spawned: ChildProcess[] = [];

async function startInstance(env: NodeJS.ProcessEnv): Promise<Instance> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'server', 'main.ts')], {
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  spawned.push(child);
  const instance: Instance = { base: `https://127.0.0.1:${port}`, child, stderr: '', exit: null };
  child.stderr?.on('data', (c: Buffer) => (instance.stderr = (instance.stderr + c.toString()).slice(-4000)));
  child.on('exit', (code, signal) => (instance.exit = { code, signal }));
  // Generous: a loaded machine takes tens of seconds to start tsx and the server.
  for (const deadline = Date.now() + 180_000; Date.now() < deadline && !instance.exit;) {
    if ((await https(`${instance.base}/healthz`)).status === 200) {
      return instance;
    }
    await sleep(100);
  }
  throw new Error(`server did not start: ${instance.stderr}`);
}

if (STORES.includes('postgres')) {
  describe('PostgreSQL terminates every backend, then restarts, under load from two instances', () => {
    let entra: FakeEntra;
    let pg: PostgresServer;
    beforeAll(async () => {
      entra = await startFakeEntra();
      pg = await startPostgres();
    });
    afterAll(async () => {
      for (const child of spawned) {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
        }
      }
      await entra.close();
      pg.stop();
      insecure.destroy();
    });

    it('every process stays up, every 2xx write is stored, the others got 503 store_unavailable, the chain verifies', async () => {
      const url = new URL(pg.url);
      url.pathname = '/sg_restart';
      const admin = new Client({ connectionString: pg.url });
      await admin.connect();
      await admin.query('CREATE DATABASE sg_restart');
      await admin.end();
      const env = {
        ...process.env,
        AUTH_JWKS_URL: entra.jwksUrl,
        AUTH_ISSUER: entra.issuer,
        AUTH_AUDIENCE: AUDIENCE,
        AUTH_TENANT_IDS: TENANT,
        HOST: '127.0.0.1',
        DATA_DIR: mkdtempSync(path.join(tmpdir(), 'sg-restart-')),
        DATABASE_URL: url.toString(),
      };
      // One after the other: they share DATA_DIR's generated certificate, and migrate under the advisory lock anyway.
      const instances = [await startInstance(env), await startInstance(env)];
      try {
        const chair = await entra.token({ oid: 'chair' });
        const meeting = (i: Instance): string => `${i.base}/api/meetings/restart`;
        const created = await https(meeting(instances[0] as Instance), {
          method: 'PUT',
          token: chair,
          body: { title: 't', level: '機密', reminder: 'r' },
        });
        expect(created.status).toBe(201);

        // Three kinds of write, each with its own path to the store: an acknowledgement (batched pooled statements),
        // a mail decision (a transaction on a checked-out connection, chained later) and a new meeting (a transaction
        // that takes the chain lock and appends to the chain).
        type Write = { kind: 'ack' | 'decision' | 'meeting'; key: string; status: number; code?: string };
        const writes: Write[] = [];
        let stop = false;
        let n = 0;
        const tokens = new Map<string, string>();
        const token = async (oid: string): Promise<string> => {
          const t = tokens.get(oid) ?? (await entra.token({ oid, name: `User ${oid}` }));
          tokens.set(oid, t);
          return t;
        };
        const worker = async (w: number): Promise<void> => {
          while (!stop) {
            const i = n++;
            const at = instances[i % instances.length] as Instance;
            const kind = (['ack', 'decision', 'meeting'] as const)[w % 3] as Write['kind'];
            const key = `${kind}-${i}`;
            const res =
              kind === 'ack'
                ? await https(`${meeting(at)}/acknowledgements`, { method: 'POST', token: await token(key), body: {} })
                : kind === 'decision'
                  ? await https(`${at.base}/api/audit`, {
                      method: 'POST',
                      token: await token(`sender-${w}`),
                      body: { kind: 'decision', verdict: 'allow', messageIdHash: i.toString(16).padStart(64, '0') },
                    })
                  : await https(`${at.base}/api/meetings/${key}`, {
                      method: 'PUT',
                      token: await token(key),
                      body: { title: key, level: '密', reminder: 'r' },
                    });
            let code: string | undefined;
            try {
              code = (JSON.parse(res.body) as { code?: string }).code;
            } catch {
              // not JSON: recorded by status alone
            }
            writes.push({ kind, key, status: res.status, ...(code ? { code } : {}) });
            if (res.status < 200 || res.status >= 300) {
              // A failed write is not retried here either: it must be absent or present, never half there.
              await sleep(20);
            }
          }
        };
        const load = Promise.all(Array.from({ length: 18 }, (_, w) => worker(w)));
        /** Waits until writes succeed again on every instance (or a process is gone), then a little more load. */
        const recovered = async (): Promise<void> => {
          const from = writes.length;
          for (const deadline = Date.now() + 120_000; Date.now() < deadline && instances.every((x) => !x.exit);) {
            const since = writes.slice(from);
            if (since.filter((w) => w.status >= 200 && w.status < 300).length >= 60) {
              return;
            }
            await sleep(50);
          }
        };

        await recovered();
        const check = new Client({ connectionString: url.toString() });
        await check.connect();
        const terminated = await check.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = $1',
          ['sg_restart'],
        );
        await check.end();
        const afterTerminate = writes.length;
        await sleep(300);
        await recovered();
        await pg.restart();
        await sleep(300);
        await recovered();
        stop = true;
        await load;

        const alive = instances.filter((x) => !x.exit).length;
        const ok = writes.filter((w) => w.status >= 200 && w.status < 300);
        const failed = writes.filter((w) => !(w.status >= 200 && w.status < 300));
        console.log(
          `postgres restart: ${terminated.rowCount} backends terminated, then pg_ctl restart -m fast; ` +
            `${alive} of ${instances.length} processes up; ${writes.length} writes, ${ok.length} 2xx, ` +
            `${failed.length} failed (${[...new Set(failed.map((f) => `${f.status} ${f.code ?? ''}`))].join(', ')})`,
        );
        for (const x of instances) {
          expect({ exit: x.exit, stderr: x.exit ? x.stderr : '' }).toEqual({ exit: null, stderr: '' });
        }
        expect(terminated.rowCount).toBeGreaterThan(0);
        // The load ran through both events: writes failed, and writes succeeded after each.
        expect(failed.length).toBeGreaterThan(0);
        expect(writes.slice(afterTerminate).some((w) => w.status >= 200 && w.status < 300)).toBe(true);
        // A write that failed answered 503 store_unavailable: no 500, no hang, no dropped connection.
        expect(failed.filter((f) => !(f.status === 503 && f.code === 'store_unavailable'))).toEqual([]);

        // After a graceful stop (the chainers drain), every write that got a 2xx is in the store and in the chain.
        await Promise.all(
          instances.map(async (x) => {
            const exited = new Promise((r) => x.child.once('exit', r));
            x.child.kill('SIGTERM');
            await exited;
          }),
        );
        const db = await openDb({ databaseUrl: url.toString() });
        try {
          const acks = new Set(
            (
              await db.query<{ user_oid: string }>("SELECT user_oid FROM acknowledgements WHERE meeting_id = 'restart'")
            ).rows.map((r) => r.user_oid),
          );
          const meetings = new Set((await db.query<{ id: string }>('SELECT id FROM meetings')).rows.map((r) => r.id));
          const audited = (
            await db.query<{ kind: string; actor_oid: string; data: { messageIdHash?: string; meetingId?: string } }>(
              'SELECT kind, actor_oid, data FROM audit_events',
            )
          ).rows;
          const decisions = new Set(
            audited.filter((a) => a.kind === 'mail.decision').map((a) => parseInt(a.data.messageIdHash ?? '', 16)),
          );
          const ackEvents = new Set(audited.filter((a) => a.kind === 'acknowledgement').map((a) => a.actor_oid));
          const meetingEvents = new Set(
            audited.filter((a) => a.kind === 'meeting.chair-assigned').map((a) => a.data.meetingId),
          );
          const missing = ok.filter((w) =>
            w.kind === 'ack'
              ? !acks.has(w.key) || !ackEvents.has(w.key)
              : w.kind === 'meeting'
                ? !meetings.has(w.key) || !meetingEvents.has(w.key)
                : !decisions.has(Number(w.key.slice('decision-'.length))),
          );
          expect(missing).toEqual([]);
          expect((await db.query('SELECT 1 FROM audit_pending')).rows).toEqual([]);
          expect(await verifyAuditChain(db)).toMatchObject({ ok: true, events: audited.length });
        } finally {
          await db.close();
        }
      } finally {
        for (const x of instances) {
          if (!x.exit) {
            x.child.kill('SIGKILL');
          }
        }
      }
    }, 600_000);
  });
}
