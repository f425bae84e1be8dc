import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { createAcknowledgementRecorder } from '../../src/server/acknowledge';
import { type AuditKey, loadAuditKey } from '../../src/server/audit-key';
import {
  appendAudit,
  AuditSealRefused,
  chainPending,
  enqueueAudit,
  eventHash,
  sealAuditChain,
  type SealMemory,
  startAuditSealer,
  verifySealedAuditChain,
  withAuditKey,
} from '../../src/server/store/audit';
import type { Db } from '../../src/server/store/db';
import { migrate } from '../../src/server/store/migrations';
import { openStore, STORES } from '../support/stores';

const newKey = (): AuditKey => loadAuditKey({ file: null, dataDir: mkdtempSync(path.join(tmpdir(), 'sg-key-')) });

/** What someone with write access to the database, but not the key, can do: a correctly hashed event at the end. */
async function forgeAppend(db: Db, data: Record<string, unknown>): Promise<void> {
  const head = (
    await db.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1')
  ).rows[0];
  const seq = Number(head?.seq ?? 0) + 1;
  const prevHash = head?.hash ?? '0'.repeat(64);
  const at = new Date().toISOString();
  const event = { seq, at, tenantId: 't', actorOid: 'u', kind: 'decision', data };
  await db.query(
    'INSERT INTO audit_events (seq, at, tenant_id, actor_oid, kind, data, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
    [seq, at, 't', 'u', 'decision', JSON.stringify(data), prevHash, eventHash(prevHash, event)],
  );
}

describe.each(STORES)('signed audit checkpoints on %s', (kind) => {
  let raw: Db;
  let db: Db;
  let key: AuditKey;

  beforeEach(async () => {
    raw = await openStore(kind);
    await migrate(raw);
    key = newKey();
    db = withAuditKey(raw, key);
  });

  afterEach(async () => {
    await raw.close();
  });

  const append = async (n: number, from = 0): Promise<void> => {
    for (let i = from; i < from + n; i++) {
      await appendAudit(db, { tenantId: 't', actorOid: 'u', kind: 'decision', data: { n: i } });
    }
  };

  it('seals the head; the sealed chain verifies with the public key, and not without it', async () => {
    await append(5);
    const first = await sealAuditChain(db, key);
    expect(first).toMatchObject({ sealed: { n: 1, seq: 5, keyId: key.keyId } });
    await append(3, 5);
    expect(await sealAuditChain(db, key)).toMatchObject({ sealed: { n: 2, seq: 8 } });
    expect(await sealAuditChain(db, key)).toEqual({ skipped: 'unchanged' });
    const report = await verifySealedAuditChain(db, [key]);
    expect(report).toMatchObject({
      ok: true,
      events: 8,
      seal: { ok: true, checkpoints: 2, unsealed: 0, lastCheckpoint: { n: 2, seq: 8 } },
    });
    const other = newKey();
    expect(await verifySealedAuditChain(db, [other])).toMatchObject({
      ok: false,
      seal: { problem: expect.stringMatching(/not given with --public-key/) },
    });
  });

  it('a forged append after the last checkpoint is reported unsealed, and the server refuses to seal it', async () => {
    await append(4);
    await sealAuditChain(db, key);
    await forgeAppend(raw, { n: 'forged' });
    // Correctly hashed: the links alone pass it.
    expect(await verifySealedAuditChain(db, [key])).toMatchObject({
      ok: true,
      events: 5,
      seal: { unsealed: 1, lastCheckpoint: { seq: 4 } },
    });
    await expect(sealAuditChain(db, key)).rejects.toThrow(AuditSealRefused);
    await expect(sealAuditChain(db, key)).rejects.toThrow(/event 5 was not written by a server holding this key/);
    // Genuine events after the forged one do not get it sealed either.
    await append(2, 10);
    await expect(sealAuditChain(db, key)).rejects.toThrow(/event 5/);
    expect((await verifySealedAuditChain(db, [key])).seal).toMatchObject({ checkpoints: 1, unsealed: 3 });
  });

  it('the sealer seals every N events and at stop, and refuses (loudly, nothing signed) once a forged row is in', async () => {
    const refused: string[] = [];
    const sealed: number[] = [];
    const sealer = startAuditSealer(db, key, {
      everyEvents: 3,
      everyMs: 3_600_000,
      pollMs: 10,
      onSealed: (c) => sealed.push(c.seq),
      onRefused: (e) => refused.push(e.message),
    });
    try {
      await append(3);
      for (let i = 0; i < 500 && sealed.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(sealed).toEqual([3]);
      await append(1, 3);
      await forgeAppend(raw, { n: 'forged' });
      await append(1, 5);
    } finally {
      await sealer.stop();
    }
    // The stop's own checkpoint is refused too: event 5 is not the server's.
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused[refused.length - 1]).toMatch(/checkpoint NOT signed: event 5 was not written by a server/);
    expect(sealed).toEqual([3]);
    expect((await verifySealedAuditChain(db, [key])).seal).toMatchObject({ checkpoints: 1, unsealed: 3 });
  });

  it('a truncation of sealed events fails', async () => {
    await append(6);
    await sealAuditChain(db, key);
    await raw.query('DELETE FROM audit_events WHERE seq > 4');
    expect(await verifySealedAuditChain(db, [key])).toMatchObject({
      ok: false,
      seal: { problem: expect.stringMatching(/sealed event 6, but the chain ends at 4 \(truncated\)/) },
    });
    await expect(sealAuditChain(db, key)).rejects.toThrow(/truncated/);
  });

  it('a rewrite of sealed events with fresh hashes fails', async () => {
    await append(6);
    await sealAuditChain(db, key);
    await raw.query('DELETE FROM audit_events WHERE seq >= 3');
    for (let i = 2; i < 6; i++) {
      await appendAudit(raw, { tenantId: 't', actorOid: 'u', kind: 'decision', data: { n: i, forged: true } });
    }
    const report = await verifySealedAuditChain(db, [key]);
    expect(report.broken).toBeUndefined();
    expect(report).toMatchObject({
      ok: false,
      events: 6,
      seal: { problem: expect.stringMatching(/event 6 is not the one checkpoint #1 sealed \(rewritten\)/) },
    });
    await expect(sealAuditChain(db, key)).rejects.toThrow(/rewritten/);
  });

  it('a checkpoint deleted from the middle breaks the checkpoint chain; the last one deleted, the server notices', async () => {
    const memory: SealMemory = { seen: null };
    for (let round = 0; round < 3; round++) {
      await append(2, round * 2);
      await sealAuditChain(db, key, memory);
    }
    await raw.query('DELETE FROM audit_checkpoints WHERE n = 2');
    expect(await verifySealedAuditChain(db, [key])).toMatchObject({
      ok: false,
      seal: { problem: expect.stringMatching(/checkpoint #2 is missing/) },
    });
    await raw.query('DELETE FROM audit_checkpoints WHERE n = 3');
    // What remains is a sound chain of one checkpoint (the age of the last one is what the verify output shows) …
    expect(await verifySealedAuditChain(db, [key])).toMatchObject({ seal: { checkpoints: 1, unsealed: 4 } });
    // … but the server that wrote #3 will not sign over its disappearance.
    await append(1, 6);
    await expect(sealAuditChain(db, key, memory)).rejects.toThrow(/checkpoint #3 is gone/);
  });

  it('an edited checkpoint fails its signature', async () => {
    await append(3);
    await sealAuditChain(db, key);
    await raw.query("UPDATE audit_checkpoints SET at = '2020-01-01T00:00:00Z'");
    expect((await verifySealedAuditChain(db, [key])).seal.problem).toMatch(/checkpoint #1 does not match its hash/);
  });

  it('a rotated key: old checkpoints verify with the old public key given beside the new one', async () => {
    await append(2);
    await sealAuditChain(db, key);
    const next = newKey();
    const rotated = withAuditKey(raw, next);
    await appendAudit(rotated, { tenantId: 't', actorOid: 'u', kind: 'decision', data: { n: 9 } });
    expect(await sealAuditChain(rotated, next)).toMatchObject({ sealed: { n: 2, keyId: next.keyId } });
    expect(await verifySealedAuditChain(raw, [next])).toMatchObject({
      ok: false,
      seal: { problem: expect.stringMatching(new RegExp(`checkpoint #1 is signed by key ${key.keyId}`)) },
    });
    expect(await verifySealedAuditChain(raw, [key, next])).toMatchObject({ ok: true, seal: { checkpoints: 2 } });
  });

  it('pending rows carry signatures; one edited or inserted in the store fails verify and is not chained', async () => {
    await db.transaction((tx) =>
      enqueueAudit(tx, { tenantId: 't', actorOid: 'a', kind: 'mail.block', data: { r: 1 } }),
    );
    await db.transaction((tx) =>
      enqueueAudit(tx, { tenantId: 't', actorOid: 'b', kind: 'mail.block', data: { r: 2 } }),
    );
    expect((await verifySealedAuditChain(db, [key])).seal).toMatchObject({
      ok: true,
      pending: { count: 2, signed: 2, bad: 0 },
    });
    await raw.query(`UPDATE audit_pending SET data = '{"r": 99}' WHERE actor_oid = 'b'`);
    await raw.query(
      "INSERT INTO audit_pending (at, tenant_id, actor_oid, kind, data) VALUES (now(), 't', 'x', 'mail.override', '{}')",
    );
    expect(await verifySealedAuditChain(db, [key])).toMatchObject({
      ok: false,
      seal: { pending: { count: 3, signed: 1, bad: 2 }, problem: expect.stringMatching(/pending row \d+/) },
    });
    const rejected: string[] = [];
    expect(await chainPending(db, 2000, { onRejected: (r) => rejected.push(...r.map((x) => x.reason)) })).toBe(3);
    expect(rejected).toHaveLength(2);
    const chained = (
      await raw.query<{ actor_oid: string | null; kind: string }>(
        'SELECT actor_oid, kind FROM audit_events ORDER BY seq',
      )
    ).rows;
    expect(chained).toEqual([
      { actor_oid: 'a', kind: 'mail.block' },
      { actor_oid: null, kind: 'audit.pending-rejected' },
      { actor_oid: null, kind: 'audit.pending-rejected' },
    ]);
    expect(await sealAuditChain(db, key)).toMatchObject({ sealed: { seq: 3 } });
    expect(await verifySealedAuditChain(db, [key])).toMatchObject({
      ok: true,
      seal: { pending: { count: 0 }, rejected: 2, unsealed: 0 },
    });
  });

  it("the acknowledgement batch signs its audit rows in the batch's transaction", async () => {
    await raw.query(
      "INSERT INTO meetings (id, tenant_id, title, level, reminder, chair_oid) VALUES ('m', 't', 'x', '密', 'r', 'c')",
    );
    const recorder = createAcknowledgementRecorder(db, { concurrency: kind === 'postgres' ? 4 : 1 });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        recorder.record({
          meetingId: 'm',
          tenantId: 't',
          oid: `u${i}`,
          name: `U${i}`,
          upn: null,
          client: 'test',
          shown: null,
        }),
      ),
    );
    expect((await verifySealedAuditChain(db, [key])).seal).toMatchObject({
      ok: true,
      pending: { count: 20, signed: 20, bad: 0 },
    });
    expect(await chainPending(db)).toBe(20);
    expect(await sealAuditChain(db, key)).toMatchObject({ sealed: { seq: 20 } });
    expect(await verifySealedAuditChain(db, [key])).toMatchObject({ ok: true, seal: { unsealed: 0, rejected: 0 } });
  });
});
