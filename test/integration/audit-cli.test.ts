import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { runAuditLog } from '../../src/cli/audit-log';
import { GENERATED_PUBLIC_KEY_FILE, loadAuditKey } from '../../src/server/audit-key';
import { readConfig } from '../../src/server/config';
import { startServer } from '../../src/server/main';
import { appendAudit, enqueueAudit, eventHash, sealAuditChain, withAuditKey } from '../../src/server/store/audit';
import { type Db, openDb, storeTarget } from '../../src/server/store/db';
import { migrate } from '../../src/server/store/migrations';
import { AUDIENCE, startFakeEntra, TENANT } from '../fakes/entra';
import { freePort } from '../support/net';
import { freshPostgresUrl, type StoreKind, STORES } from '../support/stores';

async function run(argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runAuditLog(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) }, env);
  return { code, out, err };
}

/** A fresh store of `kind`, as the environment that names it to the command. */
async function freshStoreEnv(kind: StoreKind): Promise<NodeJS.ProcessEnv> {
  return kind === 'pglite'
    ? { DATA_DIR: path.join(mkdtempSync(path.join(tmpdir(), 'sg-data-')), 'data') }
    : { DATABASE_URL: await freshPostgresUrl() };
}

/** Events 3 to 6 deleted and appended again with fresh, correct hashes: every link checks out. */
async function rewriteFromEvent3(db: Db): Promise<void> {
  await db.query('DELETE FROM audit_events WHERE seq >= 3');
  for (let i = 2; i < 6; i++) {
    await appendAudit(db, { tenantId: 't', actorOid: 'u', kind: 'decision', data: { n: i, forged: true } });
  }
}

/**
 * Starts the server on embedded PGlite in `dataDir`, has a chair create one meeting (one audit event), runs
 * `whileRunning`, and stops the server.
 */
async function withServerAfterOneMeeting(dataDir: string, whileRunning: () => Promise<void> = async () => undefined) {
  const entra = await startFakeEntra();
  const env = {
    DATA_DIR: dataDir,
    AUTH_JWKS_URL: entra.jwksUrl,
    AUTH_ISSUER: entra.issuer,
    AUTH_AUDIENCE: AUDIENCE,
    AUTH_TENANT_IDS: TENANT,
  };
  try {
    const server = await startServer(readConfig({ ...env, PORT: String(await freePort()), HOST: '127.0.0.1' }), {
      logger: false,
    });
    try {
      const res = await server.app.inject({
        method: 'PUT',
        url: '/api/meetings/m-1',
        headers: { authorization: `Bearer ${await entra.token()}` },
        payload: { title: 't', level: '密', reminder: 'r' },
      });
      expect(res.statusCode).toBe(201);
      await whileRunning();
    } finally {
      await server.close();
    }
  } finally {
    await entra.close();
  }
}

describe.each(STORES)('audit-log verify on %s', (kind) => {
  it('reports an intact chain, then the first broken link after tampering', async () => {
    const env = await freshStoreEnv(kind);
    const db = await openDb(storeTarget(readConfig(env)));
    await migrate(db);
    for (let i = 0; i < 6; i++) {
      await appendAudit(db, { tenantId: 't', actorOid: 'u', kind: 'decision', data: { n: i } });
    }
    await db.close();

    expect(await run(['verify'], env)).toMatchObject({
      code: 0,
      out: expect.stringMatching(/Audit chain intact: 6 events/),
    });

    const again = await openDb(storeTarget(readConfig(env)));
    await again.query(`UPDATE audit_events SET kind = 'override' WHERE seq = 4`);
    await again.close();
    const broken = await run(['verify', '--json'], env);
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.out)).toMatchObject({ ok: false, events: 3, broken: { seq: 4 } });
  });
});

describe.each(STORES)('audit-log verify against an anchor on %s', (kind) => {
  const open = (env: NodeJS.ProcessEnv) => openDb(storeTarget(readConfig(env)));

  it('detects the last events deleted, or the chain rewritten with fresh hashes, given the head recorded earlier', async () => {
    const env = await freshStoreEnv(kind);
    const db = await open(env);
    await migrate(db);
    const events = [];
    for (let i = 0; i < 6; i++) {
      events.push(await appendAudit(db, { tenantId: 't', actorOid: 'u', kind: 'decision', data: { n: i } }));
    }
    await db.close();
    const head = events[5]?.hash as string;

    // The head as the server logged it (and as verify prints it), kept outside the store.
    const intact = await run(['verify'], env);
    expect(intact).toMatchObject({ code: 0, out: expect.stringContaining(`#6 ${head}`) });
    expect(await run(['verify', '--expect-head', head, '--min-seq', '6'], env)).toMatchObject({ code: 0 });
    expect(await run(['verify', '--expect-head', events[3]?.hash as string], env)).toMatchObject({ code: 0 });

    // Truncate the tail: the links that remain are all sound.
    const tamper = await open(env);
    await tamper.query('DELETE FROM audit_events WHERE seq > 4');
    await tamper.close();
    expect(await run(['verify'], env)).toMatchObject({ code: 0 });
    expect(await run(['verify', '--expect-head', head], env)).toMatchObject({
      code: 1,
      out: expect.stringMatching(/not in the chain/),
    });
    const short = await run(['verify', '--min-seq', '6', '--json'], env);
    expect(short.code).toBe(1);
    expect(JSON.parse(short.out)).toMatchObject({ ok: false, events: 4, anchor: expect.stringMatching(/at least 6/) });

    // Rewrite event 3 onwards with recomputed hashes: every link checks out, but the recorded head is gone.
    const rewrite = await open(env);
    await rewriteFromEvent3(rewrite);
    await rewrite.close();
    expect(await run(['verify', '--min-seq', '6'], env)).toMatchObject({ code: 0 });
    expect(await run(['verify', '--expect-head', head], env)).toMatchObject({ code: 1 });
  });
});

describe.each(STORES)('audit-log verify --public-key on %s', (kind) => {
  it('fails a truncated or rewritten sealed chain, and reports a forged append as unsealed (failing --expect-sealed)', async () => {
    const keyDir = mkdtempSync(path.join(tmpdir(), 'sg-key-'));
    const key = loadAuditKey({ file: null, dataDir: keyDir });
    const pub = path.join(keyDir, GENERATED_PUBLIC_KEY_FILE);
    const env = await freshStoreEnv(kind);
    const open = async () => {
      const raw = await openDb(storeTarget(readConfig(env)));
      return { raw, db: withAuditKey(raw, key) };
    };
    const { raw, db } = await open();
    await migrate(raw);
    for (let i = 0; i < 6; i++) {
      await appendAudit(db, { tenantId: 't', actorOid: 'u', kind: 'decision', data: { n: i } });
    }
    await sealAuditChain(db, key);
    // A correctly hashed event appended in the store, as anyone with write access could.
    const head = (await raw.query<{ hash: string }>('SELECT hash FROM audit_events WHERE seq = 6')).rows[0]
      ?.hash as string;
    const at = new Date().toISOString();
    const forged = { seq: 7, at, tenantId: 't', actorOid: 'x', kind: 'override', data: {} };
    await raw.query(
      'INSERT INTO audit_events (seq, at, tenant_id, actor_oid, kind, data, prev_hash, hash) VALUES (7, $1, $2, $3, $4, $5, $6, $7)',
      [at, 't', 'x', 'override', '{}', head, eventHash(head, forged)],
    );
    await raw.close();

    const plain = await run(['verify'], env);
    expect(plain).toMatchObject({ code: 0, out: expect.stringMatching(/Signatures NOT checked/) });
    const unsealed = await run(['verify', '--public-key', pub], env);
    expect(unsealed).toMatchObject({
      code: 0,
      out: expect.stringMatching(/UNSEALED: 1 events after the last checkpoint/),
    });
    expect(unsealed.out).toMatch(/Sealed: 1 checkpoints verify; the last, #1, seals events 1–6/);
    expect(await run(['verify', '--public-key', pub, '--expect-sealed'], env)).toMatchObject({
      code: 1,
      out: expect.stringMatching(/more than --max-unsealed 0[\s\S]*FAIL/),
    });
    expect(await run(['verify', '--public-key', pub, '--max-unsealed', '1'], env)).toMatchObject({ code: 0 });
    const json = await run(['verify', '--public-key', pub, '--expect-sealed', '--json'], env);
    expect(JSON.parse(json.out)).toMatchObject({
      ok: false,
      seal: { unsealed: 1 },
      tooUnsealed: { unsealed: 1, max: 0 },
    });

    // Truncated below the sealed head: the links that remain are sound, the checkpoint is not.
    const t = await open();
    await t.raw.query('DELETE FROM audit_events WHERE seq > 4');
    await t.raw.close();
    expect(await run(['verify'], env)).toMatchObject({ code: 0 });
    expect(await run(['verify', '--public-key', pub], env)).toMatchObject({
      code: 1,
      out: expect.stringMatching(/SIGNED CHECKPOINTS FAIL: checkpoint #1 sealed event 6, but the chain ends at 4/),
    });

    // Rewritten from event 3 with fresh hashes, back to 6 events.
    const r = await open();
    await rewriteFromEvent3(r.raw);
    await r.raw.close();
    expect(await run(['verify', '--min-seq', '6'], env)).toMatchObject({ code: 0 });
    expect(await run(['verify', '--public-key', pub], env)).toMatchObject({
      code: 1,
      out: expect.stringMatching(/event 6 is not the one checkpoint #1 sealed \(rewritten\)/),
    });
  }, 240000);
});

describe('audit-log verify against a running server on embedded PGlite', () => {
  it('refuses clearly while the server holds the store, and verifies it sealed once the server stopped', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sg-data-'));
    const env = { DATA_DIR: dataDir };
    const pub = path.join(dataDir, GENERATED_PUBLIC_KEY_FILE);
    await withServerAfterOneMeeting(dataDir, async () => {
      const live = await run(['verify', '--public-key', pub], env);
      expect(live).toMatchObject({
        code: 2,
        err: expect.stringMatching(/伺服器執行中無法驗證[\s\S]*cannot be verified while the server runs/),
      });
      expect(live.err).toContain(`pid ${process.pid}`);
    });
    // The shutdown checkpoint sealed the meeting's event.
    const report = await run(['verify', '--public-key', pub, '--expect-sealed'], env);
    expect(report).toMatchObject({ code: 0, out: expect.stringMatching(/Unsealed: 0 events[\s\S]*PASS/) });
  }, 240000);
});

describe('the server at start-up on embedded PGlite', () => {
  it('chains the pending rows a crash left (refusing a forged one) and seals them before it serves', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sg-data-'));
    const env = { DATA_DIR: dataDir };
    // What a kill -9 leaves: signed pending rows under the server's key, and one inserted by hand.
    const key = loadAuditKey({ file: null, dataDir });
    const raw = await openDb(storeTarget(readConfig(env)));
    await migrate(raw);
    const db = withAuditKey(raw, key);
    for (const oid of ['a', 'b']) {
      await db.transaction((tx) =>
        enqueueAudit(tx, { tenantId: 't', actorOid: oid, kind: 'acknowledgement', data: {} }),
      );
    }
    await raw.query(
      "INSERT INTO audit_pending (at, tenant_id, actor_oid, kind, data) VALUES (now(), 't', 'forger', 'acknowledgement', '{}')",
    );
    await raw.close();
    const server = await startServer(readConfig({ ...env, PORT: String(await freePort()), HOST: '127.0.0.1' }), {
      logger: false,
    });
    try {
      // Read as the server left it on listening, before any timer of its own could run.
      const pending = await server.db.query<{ n: string | number }>('SELECT count(*) AS n FROM audit_pending');
      expect(Number(pending.rows[0]?.n)).toBe(0);
      const checkpoints = await server.db.query<{ seq: string | number }>('SELECT seq FROM audit_checkpoints');
      expect(checkpoints.rows.map((r) => Number(r.seq))).toEqual([3]);
      const kinds = await server.db.query<{ actor_oid: string | null; kind: string }>(
        'SELECT actor_oid, kind FROM audit_events ORDER BY seq',
      );
      expect(kinds.rows).toEqual([
        { actor_oid: 'a', kind: 'acknowledgement' },
        { actor_oid: 'b', kind: 'acknowledgement' },
        { actor_oid: null, kind: 'audit.pending-rejected' },
      ]);
    } finally {
      await server.close();
    }
    const report = await run(
      ['verify', '--public-key', path.join(dataDir, GENERATED_PUBLIC_KEY_FILE), '--expect-sealed'],
      env,
    );
    expect(report).toMatchObject({ code: 0, out: expect.stringMatching(/REJECTED: 1 pending rows/) });
  }, 240000);
});

describe('the server after start-up on embedded PGlite', () => {
  it('remembers the checkpoint it signed at start-up: once that is deleted, it signs no new one over the gap', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sg-data-'));
    const env = { DATA_DIR: dataDir };
    const raw = await openDb(storeTarget(readConfig(env)));
    await migrate(raw);
    await appendAudit(withAuditKey(raw, loadAuditKey({ file: null, dataDir })), {
      tenantId: 't',
      actorOid: 'u',
      kind: 'decision',
      data: {},
    });
    await raw.close();
    const server = await startServer(readConfig({ ...env, PORT: String(await freePort()), HOST: '127.0.0.1' }), {
      logger: false,
    });
    try {
      const signed = await server.db.query<{ n: string | number }>('SELECT n FROM audit_checkpoints');
      expect(signed.rows.map((r) => Number(r.n))).toEqual([1]);
      await server.db.query('DELETE FROM audit_checkpoints');
      await appendAudit(server.db, { tenantId: 't', actorOid: 'u', kind: 'decision', data: {} });
    } finally {
      // The shutdown checkpoint is refused: checkpoint #1, which this server saw, is gone.
      await server.close();
    }
    const after = await openDb(storeTarget(readConfig(env)));
    try {
      expect((await after.query('SELECT n FROM audit_checkpoints')).rows).toEqual([]);
    } finally {
      await after.close();
    }
  }, 240000);
});

describe('audit-log verify reads the store the server writes', () => {
  it('finds the events a server recorded in DATA_DIR', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sg-data-'));
    await withServerAfterOneMeeting(dataDir);
    const report = await run(['verify', '--json'], { DATA_DIR: dataDir });
    expect(report.code).toBe(0);
    expect(JSON.parse(report.out)).toMatchObject({ ok: true, events: 1, head: { seq: 1 } });
  }, 60000);
});

describe('the secrecy-guard command', () => {
  it('runs audit-log verify from bin/ with DATA_DIR, as installed', () => {
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'sg-bin-')), 'data');
    const out = execFileSync(
      path.resolve(__dirname, '../../bin/secrecy-guard.cjs'),
      ['audit-log', 'verify', '--json'],
      {
        env: { ...process.env, DATA_DIR: dataDir },
        encoding: 'utf8',
      },
    );
    expect(JSON.parse(out)).toEqual({ ok: true, events: 0 });
  });
});

describe('audit-log usage', () => {
  it('rejects unknown subcommands and bad configuration with exit 2', async () => {
    expect(await run(['frobnicate'], {})).toMatchObject({ code: 2, err: expect.stringMatching(/Usage/) });
    for (const bad of [
      ['verify', '--expect-head'],
      ['verify', '--expect-head', 'abc'],
      ['verify', '--min-seq', '-1'],
      ['verify', '--min-seq', 'x'],
      ['verify', '--frob'],
    ]) {
      expect(await run(bad, {})).toMatchObject({ code: 2, err: expect.stringMatching(/Usage/) });
    }
    expect(await run(['verify'], { DATABASE_URL: 'mysql://x' })).toMatchObject({
      code: 2,
      err: expect.stringMatching(/DATABASE_URL/),
    });
  });
});
