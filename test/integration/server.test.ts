import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { Client } from 'pg';

import { readConfig } from '../../src/server/config';
import { LISTENER_APPLICATION_NAME, postgresEventBus } from '../../src/server/events';
import { startServer } from '../../src/server/main';
import { verifyAuditChain } from '../../src/server/store/audit';
import { openDb, storeTarget } from '../../src/server/store/db';
import { AUDIENCE, type FakeEntra, startFakeEntra, TENANT } from '../fakes/entra';
import { httpsCall } from '../support/https-call';
import { freePort } from '../support/net';
import { freshPostgresUrl, STORES } from '../support/stores';

const insecure = new Agent({ rejectUnauthorized: false, keepAlive: true, maxSockets: 64 });
/** Over this suite's keep-alive agent: the load tests open many requests at once. */
const call = (url: string, options?: Parameters<typeof httpsCall>[1]): ReturnType<typeof httpsCall> =>
  httpsCall(url, options, insecure);
const root = path.resolve(__dirname, '..', '..');

let entra: FakeEntra;
beforeAll(async () => {
  entra = await startFakeEntra();
});
afterAll(async () => {
  await entra.close();
  insecure.destroy();
});

const authEnv = (): Record<string, string> => ({
  AUTH_JWKS_URL: entra.jwksUrl,
  AUTH_ISSUER: entra.issuer,
  AUTH_AUDIENCE: AUDIENCE,
  AUTH_TENANT_IDS: TENANT,
});

describe('server start-up', () => {
  it('serves HTTPS with a generated development certificate, reused on restart, and frameable headers', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sg-srv-'));
    const config = readConfig({ ...authEnv(), PORT: String(await freePort()), HOST: '127.0.0.1', DATA_DIR: dataDir });
    const first = await startServer(config, { logger: false });
    const res = await call(`${first.url}/healthz`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ ok: true, store: 'pglite', storeHealth: { ok: true } });
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toMatch(/frame-ancestors [^;]*https:\/\/teams\.microsoft\.com/);
    expect(csp).toMatch(/frame-ancestors [^;]*https:\/\/outlook\.office\.com/);
    expect(res.headers['x-frame-options']).toBeUndefined();
    expect(res.headers['strict-transport-security']).toBeDefined();
    const cert1 = (first.app.server as unknown as { key?: unknown }).key;
    await first.close();
    const second = await startServer(config, { logger: false });
    expect(await call(`${second.url}/api/policy`)).toMatchObject({ status: 401 });
    expect((second.app.server as unknown as { key?: unknown }).key).toEqual(cert1);
    await second.close();
  });
});

describe('server start-up that fails late', () => {
  it('closes what it opened: the same DATA_DIR starts again in this process once the port is free', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sg-srv-'));
    // The port is taken: listen is start-up's last step, after the store, the lock, the bus and the audit timers.
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    const env = { ...authEnv(), HOST: '127.0.0.1', DATA_DIR: dataDir };
    try {
      await expect(startServer(readConfig({ ...env, PORT: String(port) }), { logger: false })).rejects.toMatchObject({
        code: 'EADDRINUSE',
      });
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
    // The store lock was released and PGlite closed: a second start on the same folder opens it.
    const again = await startServer(readConfig({ ...env, PORT: String(await freePort()) }), { logger: false });
    try {
      expect((await call(`${again.url}/healthz`)).status).toBe(200);
    } finally {
      await again.close();
    }
  });
});

if (STORES.includes('postgres')) {
  describe('two instances on one PostgreSQL', () => {
    it('fan SSE events out across instances with LISTEN/NOTIFY', async () => {
      const url = await freshPostgresUrl();
      const dataDir = mkdtempSync(path.join(tmpdir(), 'sg-srv-'));
      const make = async () =>
        startServer(
          readConfig({
            ...authEnv(),
            PORT: String(await freePort()),
            HOST: '127.0.0.1',
            DATA_DIR: dataDir,
            DATABASE_URL: url,
          }),
          { logger: false },
        );
      const [a, b] = [await make(), await make()];
      try {
        const chair = await entra.token({ oid: 'chair-1' });
        const attendee = await entra.token({ oid: 'attendee-1', name: '陳委員' });
        const meeting = `${a.url}/api/meetings/m-1`;
        expect(
          (await call(meeting, { method: 'PUT', token: chair, body: { title: 't', level: '密', reminder: 'r' } }))
            .status,
        ).toBe(201);
        const event = new Promise<string>((resolve, reject) => {
          const req = request(
            `${meeting}/events`,
            { agent: insecure, headers: { authorization: `Bearer ${chair}` } },
            (res) => {
              let buf = '';
              res.on('data', (c: Buffer) => {
                buf += c.toString();
                if (buf.includes(': connected')) {
                  buf = buf.replace(': connected', '');
                  void call(`${b.url}/api/meetings/m-1/acknowledgements`, {
                    method: 'POST',
                    token: attendee,
                    body: {},
                  });
                }
                const m = /data: (.*)\n/.exec(buf);
                if (m) {
                  req.destroy();
                  resolve(m[1] as string);
                }
              });
            },
          );
          req.on('error', reject);
          req.end();
        });
        expect(JSON.parse(await event)).toMatchObject({ meetingId: 'm-1', oid: 'attendee-1', name: '陳委員' });
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}

if (STORES.includes('postgres')) {
  describe('the LISTEN connection drops (PostgreSQL restart, failover, an idle cut)', () => {
    /** Opens the chair's event stream; resolves once connected, with the events and whether the server ended it. */
    const openStream = (url: string, token: string) =>
      new Promise<{ status: number; events: string[]; ended: Promise<void>; close(): void }>((resolve, reject) => {
        const events: string[] = [];
        const req = request(url, { agent: insecure, headers: { authorization: `Bearer ${token}` } }, (res) => {
          let buf = '';
          const ended = new Promise<void>((done) => res.on('end', () => done()));
          res.on('data', (c: Buffer) => {
            buf += c.toString();
            for (let m = /data: (.*)\n/.exec(buf); m; m = /data: (.*)\n/.exec(buf)) {
              events.push(m[1] as string);
              buf = buf.slice((m.index ?? 0) + m[0].length);
            }
          });
          if (res.statusCode !== 200) {
            res.resume();
            resolve({ status: res.statusCode ?? 0, events, ended, close: () => req.destroy() });
            return;
          }
          res.once('data', () => resolve({ status: 200, events, ended, close: () => req.destroy() }));
        });
        req.on('error', reject);
        req.end();
      });

    it('ends open streams, refuses new ones until it LISTENs again, and then delivers; nothing acknowledged is lost', async () => {
      const url = await freshPostgresUrl();
      const server = await startServer(
        readConfig({
          ...authEnv(),
          PORT: String(await freePort()),
          HOST: '127.0.0.1',
          DATA_DIR: mkdtempSync(path.join(tmpdir(), 'sg-srv-')),
          DATABASE_URL: url,
        }),
        { logger: false },
      );
      const admin = new Client({ connectionString: url });
      await admin.connect();
      try {
        const chair = await entra.token({ oid: 'chair-1' });
        const meeting = `${server.url}/api/meetings/m-listen`;
        const body = { title: 't', level: '密', reminder: 'r' };
        expect((await call(meeting, { method: 'PUT', token: chair, body })).status).toBe(201);
        const acknowledge = async (oid: string): Promise<number> =>
          (await call(`${meeting}/acknowledgements`, { method: 'POST', token: await entra.token({ oid }), body: {} }))
            .status;
        const first = await openStream(`${meeting}/events`, chair);
        expect(first.status).toBe(200);

        // The listener's connection is killed, as a restart or a failover would.
        const killed = await admin.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()',
          [LISTENER_APPLICATION_NAME],
        );
        expect(killed.rowCount).toBe(1);
        // The open stream ends, so its client reconnects and refetches, instead of staying "live" and deaf.
        // Each wait below ends by itself when the server is right; one that never does is the test's own timeout
        // (no bound of a few seconds: on a loaded machine those failed while the code was right).
        await first.ended;
        // Acknowledgements still commit while nobody listens.
        expect(await acknowledge('while-down')).toBe(201);

        // Back: a new stream is accepted once the listener LISTENs again (503 until then), the roster has the
        // acknowledgement made meanwhile, and new ones arrive live.
        let second = await openStream(`${meeting}/events`, chair);
        while (second.status !== 200) {
          expect(second.status).toBe(503);
          await new Promise((r) => setTimeout(r, 100));
          second = await openStream(`${meeting}/events`, chair);
        }
        expect(second.status).toBe(200);
        const roster = JSON.parse((await call(`${meeting}/acknowledgements`, { token: chair })).body) as {
          acknowledgements: { oid: string }[];
        };
        expect(roster.acknowledgements.map((a) => a.oid)).toEqual(['while-down']);
        expect(await acknowledge('after')).toBe(201);
        // The next acknowledgement arrives on the new stream.
        while (second.events.length === 0) {
          await new Promise((r) => setTimeout(r, 20));
        }
        expect(JSON.parse(second.events[0] as string)).toMatchObject({ meetingId: 'm-listen', oid: 'after' });
        second.close();
      } finally {
        await admin.end();
        await server.close();
      }
    });

    it('a connection that goes silent (no FIN, no RST) is found by the heartbeat and replaced', async () => {
      const target = new URL(await freshPostgresUrl());
      // A TCP proxy in front of PostgreSQL that can swallow everything in both directions while keeping the sockets
      // open: what a dead NAT entry or a firewall's idle cut looks like from here.
      let blackHole = false;
      const sockets = new Set<Socket>();
      const proxy = createServer((down) => {
        const up = connect(Number(target.port), target.hostname);
        for (const s of [down, up]) {
          sockets.add(s);
          s.on('error', () => undefined);
          s.on('close', () => sockets.delete(s));
        }
        down.on('data', (d) => !blackHole && up.write(d));
        up.on('data', (d) => !blackHole && down.write(d));
        down.on('end', () => up.end());
        up.on('end', () => down.end());
      });
      await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
      const via = new URL(target);
      via.hostname = '127.0.0.1';
      via.port = String((proxy.address() as AddressInfo).port);
      const errors: string[] = [];
      const bus = await postgresEventBus(via.toString(), (e) => errors.push(e.message), {
        heartbeatMs: 100,
        heartbeatTimeoutMs: 300,
        connectTimeoutMs: 500,
        backoffMs: [50],
      });
      try {
        let lost = 0;
        bus.subscribe(
          't1',
          'm-silent',
          () => undefined,
          () => lost++,
        );
        expect(bus.isLive?.()).toBe(true);
        blackHole = true;
        for (let i = 0; i < 100 && lost === 0; i++) {
          await new Promise((r) => setTimeout(r, 20));
        }
        expect(lost).toBe(1);
        expect(bus.isLive?.()).toBe(false);
        expect(errors).toContain('the LISTEN connection did not answer a heartbeat');
        blackHole = false;
        for (let i = 0; i < 200 && !bus.isLive?.(); i++) {
          await new Promise((r) => setTimeout(r, 20));
        }
        expect(bus.isLive?.()).toBe(true);
        // Listening again: a notification sent now is delivered.
        const got = new Promise<string>((resolve) => bus.subscribe('t1', 'm-silent', (e) => resolve(e.oid)));
        bus.publish({
          tenantId: 't1',
          meetingId: 'm-silent',
          oid: 'back',
          name: 'n',
          upn: null,
          acknowledgedAt: new Date().toISOString(),
        });
        expect(await got).toBe('back');
      } finally {
        await bus.close();
        for (const s of sockets) {
          s.destroy();
        }
        await new Promise((r) => proxy.close(r));
      }
    });
  });
}

describe.each(STORES)('durability on %s', (kind) => {
  it('every acknowledgement that got a 2xx survives kill -9 of the server mid-burst, with its audit event', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sg-dur-'));
    const port = await freePort();
    const env = {
      ...process.env,
      ...authEnv(),
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      ...(kind === 'postgres' ? { DATABASE_URL: await freshPostgresUrl() } : {}),
    };
    const base = `https://127.0.0.1:${port}`;
    const start = async (): Promise<ChildProcess> => {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'server', 'main.ts')], {
        env,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      // Until it answers or exits: a fixed 20 s made a loaded machine's slow start look like a failure to start.
      for (let i = 0; i < 1200 && child.exitCode === null; i++) {
        try {
          if ((await call(`${base}/healthz`)).status === 200) {
            return child;
          }
        } catch {
          // not listening yet
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('server did not start');
    };
    let server = await start();
    const chair = await entra.token({ oid: 'chair' });
    expect(
      (
        await call(`${base}/api/meetings/burst`, {
          method: 'PUT',
          token: chair,
          body: { title: 't', level: '機密', reminder: 'r' },
        })
      ).status,
    ).toBe(201);
    const tokens = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => entra.token({ oid: `user-${i}`, name: `User ${i}` })),
    );
    const acknowledged: string[] = [];
    let killed = false;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < tokens.length) {
        const i = next++;
        try {
          const res = await call(`${base}/api/meetings/burst/acknowledgements`, {
            method: 'POST',
            token: tokens[i],
            body: {},
          });
          if (res.status >= 200 && res.status < 300) {
            acknowledged.push(`user-${i}`);
            if (!killed && acknowledged.length >= 300) {
              killed = true;
              server.kill('SIGKILL');
            }
          }
        } catch {
          // the server is gone: this request got no 2xx, so it promised nothing
        }
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    expect(killed).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    server = await start();
    try {
      const roster = await call(`${base}/api/meetings/burst/acknowledgements`, { token: chair });
      const present = new Set(
        (JSON.parse(roster.body) as { acknowledgements: { oid: string }[] }).acknowledgements.map((a) => a.oid),
      );
      const lost = acknowledged.filter((oid) => !present.has(oid));
      console.log(
        `durability (${kind}): ${acknowledged.length} acknowledged with 2xx before and after kill -9; ${present.size} present after restart; lost ${lost.length}`,
      );
      expect(lost).toEqual([]);

      // Each acknowledgement's audit event is in the same statement as its row: after a graceful stop (the chainer
      // drains), every acknowledgement has exactly one event in the chain, and the chain verifies.
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
      const db = await openDb(storeTarget(readConfig(env)));
      try {
        const audited = (
          await db.query<{ actor_oid: string; data: unknown }>(
            "SELECT actor_oid, data FROM audit_events WHERE kind = 'acknowledgement' ORDER BY seq",
          )
        ).rows;
        const oids = audited.map((r) => r.actor_oid);
        expect(new Set(oids).size).toBe(oids.length);
        expect([...oids].sort()).toEqual([...present].sort());
        expect(acknowledged.filter((oid) => !oids.includes(oid))).toEqual([]);
        expect(
          audited.every((r) => (typeof r.data === 'string' ? JSON.parse(r.data) : r.data).meetingId === 'burst'),
        ).toBe(true);
        expect(await verifyAuditChain(db)).toEqual({ ok: true, events: oids.length + 1 });
      } finally {
        await db.close();
      }
    } finally {
      server.kill('SIGKILL');
    }
  }, 180000);
});
