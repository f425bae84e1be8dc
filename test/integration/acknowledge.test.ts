import { createAcknowledgementRecorder } from '../../src/server/acknowledge';
import { chainPending } from '../../src/server/store/audit';
import type { Db, QueryOptions } from '../../src/server/store/db';
import { migrate } from '../../src/server/store/migrations';
import { openStore, STORES } from '../support/stores';

describe.each(STORES)('acknowledgement group commit on %s', (kind) => {
  let db: Db;
  let statements: number;

  beforeEach(async () => {
    db = await openStore(kind);
    await migrate(db);
    for (const [id, tenant] of [
      ['m1', 't1'],
      ['m2', 't1'],
      ['foreign', 't2'],
    ]) {
      await db.query(
        "INSERT INTO meetings (id, tenant_id, title, level, reminder, chair_oid) VALUES ($1, $2, 'x', '密', 'r', 'chair')",
        [id, tenant],
      );
    }
    // Counts the statements that reach the store, to see that concurrent acknowledgements share them.
    statements = 0;
    const query = db.query.bind(db);
    db.query = (<Row>(sql: string, params?: readonly unknown[], options?: QueryOptions) => {
      statements++;
      return query<Row>(sql, params, options);
    }) as Db['query'];
  });

  afterEach(async () => {
    await db.close();
  });

  const input = (meetingId: string, oid: string, name = `使用者 ${oid}`) => ({
    meetingId,
    tenantId: 't1',
    oid,
    name,
    upn: `${oid}@example.gov.tw`,
    client: 'test',
  });

  it('records each user once, in fewer statements than requests, and audits each acknowledgement once', async () => {
    const recorder = createAcknowledgementRecorder(db, { concurrency: kind === 'postgres' ? 4 : 1 });
    // Every user three times, interleaved, across two meetings.
    const calls = [];
    for (let round = 0; round < 3; round++) {
      for (let u = 0; u < 100; u++) {
        calls.push(recorder.record(input(u % 2 === 0 ? 'm1' : 'm2', `u${u}`)));
      }
    }
    const results = await Promise.all(calls);
    expect(statements).toBeLessThan(results.length / 2);
    const byUser = new Map<string, { created: number; at: Set<number> }>();
    results.forEach((r, k) => {
      if (r.meeting !== 'found') {
        throw new Error('meeting not found');
      }
      const u = `u${k % 100}`;
      const seen = byUser.get(u) ?? { created: 0, at: new Set<number>() };
      seen.created += r.created ? 1 : 0;
      seen.at.add(r.acknowledgedAt.getTime());
      byUser.set(u, seen);
    });
    expect(byUser.size).toBe(100);
    for (const [, seen] of byUser) {
      expect(seen.created).toBe(1);
      expect(seen.at.size).toBe(1);
    }
    const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM acknowledgements');
    expect(Number(rows.rows[0]?.n)).toBe(100);
    expect(await chainPending(db)).toBe(100);
    const audit = await db.query<{ actor_oid: string; data: { meetingId: string; client: string } | string }>(
      "SELECT actor_oid, data FROM audit_events WHERE kind = 'acknowledgement' ORDER BY seq",
    );
    expect(new Set(audit.rows.map((r) => r.actor_oid)).size).toBe(100);
    const first = audit.rows.find((r) => r.actor_oid === 'u3');
    const data = typeof first?.data === 'string' ? JSON.parse(first.data) : first?.data;
    expect(data).toEqual({ meetingId: 'm2', client: 'test' });
  });

  it('answers an unknown meeting and another tenant’s meeting with not_found, without disturbing the batch', async () => {
    const recorder = createAcknowledgementRecorder(db, { concurrency: 1 });
    const [a, b, c, d] = await Promise.all([
      recorder.record(input('m1', 'a')),
      recorder.record(input('no-such-meeting', 'b')),
      recorder.record(input('foreign', 'c')),
      recorder.record(input('m1', 'd')),
    ]);
    expect(a).toMatchObject({ meeting: 'found', created: true });
    expect(b).toEqual({ meeting: 'not_found' });
    expect(c).toEqual({ meeting: 'not_found' });
    expect(d).toMatchObject({ meeting: 'found', created: true });
    const rows = await db.query<{ user_oid: string }>('SELECT user_oid FROM acknowledgements ORDER BY user_oid');
    expect(rows.rows.map((r) => r.user_oid)).toEqual(['a', 'd']);
  });

  it('fails only the row the store refuses; its neighbours in the batch are recorded', async () => {
    const recorder = createAcknowledgementRecorder(db, { concurrency: 1 });
    const calls = Array.from({ length: 10 }, (_, k) =>
      // PostgreSQL text cannot hold NUL: a name like this (it comes from a token) is refused by the store.
      recorder.record(input('m1', `n${k}`, k === 4 ? 'bad\u0000name' : `name ${k}`)),
    );
    const settled = await Promise.allSettled(calls);
    expect(settled.map((s) => s.status)).toEqual(
      Array.from({ length: 10 }, (_, k) => (k === 4 ? 'rejected' : 'fulfilled')),
    );
    const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM acknowledgements');
    expect(Number(rows.rows[0]?.n)).toBe(9);
    expect(await chainPending(db)).toBe(9);
  });
});
