import { createAcknowledgementRecorder, reminderSha256 } from '../../src/server/acknowledge';
import { chainPending } from '../../src/server/store/audit';
import type { Db, QueryOptions } from '../../src/server/store/db';
import { migrate, MIGRATIONS } from '../../src/server/store/migrations';
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
    shown: null,
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
    // The version acknowledged: the meeting's level and the SHA-256 of its reminder ('r').
    expect(data).toEqual({ meetingId: 'm2', client: 'test', level: '密', reminderSha256: reminderSha256('r') });
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

  it('records the level and reminder acknowledged; a change asks again, and the renewal replaces the row', async () => {
    const recorder = createAcknowledgementRecorder(db, { concurrency: 1 });
    const version = async (oid: string) =>
      (
        await db.query<{ level: string; reminder_sha256: string; acknowledged_at: Date | string }>(
          "SELECT level, reminder_sha256, acknowledged_at FROM acknowledgements WHERE meeting_id = 'm1' AND user_oid = $1",
          [oid],
        )
      ).rows[0];
    const shownFirst = { level: '密', reminderSha256: reminderSha256('r') };
    const first = await recorder.record({ ...input('m1', 'v1'), shown: shownFirst });
    expect(first).toMatchObject({ meeting: 'found', created: true });
    expect(await version('v1')).toMatchObject({ level: '密', reminder_sha256: shownFirst.reminderSha256 });
    // Again for the same version: nothing changes, the first time stands.
    const same = await recorder.record({ ...input('m1', 'v1'), shown: shownFirst });
    expect(same).toEqual({
      meeting: 'found',
      created: false,
      acknowledgedAt: (first as { acknowledgedAt: Date }).acknowledgedAt,
    });

    // The chair raises the level and rewrites the reminder.
    await db.query("UPDATE meetings SET level = '絕對機密', reminder = '新的提醒' WHERE id = 'm1'");
    // A page still showing the old version cannot acknowledge the new one.
    expect(await recorder.record({ ...input('m1', 'v1'), shown: shownFirst })).toEqual({ meeting: 'stale' });
    expect(await recorder.record({ ...input('m1', 'v2'), shown: shownFirst })).toEqual({ meeting: 'stale' });
    expect(await version('v2')).toBeUndefined();
    expect(await version('v1')).toMatchObject({ level: '密' });
    // Shown the new version, the attendee acknowledges it: the row is renewed, and audited again.
    const shownNew = { level: '絕對機密', reminderSha256: reminderSha256('新的提醒') };
    const renewed = await recorder.record({ ...input('m1', 'v1'), shown: shownNew });
    expect(renewed).toMatchObject({ meeting: 'found', created: true });
    expect((renewed as { acknowledgedAt: Date }).acknowledgedAt.getTime()).toBeGreaterThanOrEqual(
      (first as { acknowledgedAt: Date }).acknowledgedAt.getTime(),
    );
    expect(await version('v1')).toMatchObject({ level: '絕對機密', reminder_sha256: shownNew.reminderSha256 });
    expect(await chainPending(db)).toBe(2);
    const audit = await db.query<{ data: Record<string, unknown> | string }>(
      "SELECT data FROM audit_events WHERE kind = 'acknowledgement' AND actor_oid = 'v1' ORDER BY seq",
    );
    expect(audit.rows.map((r) => (typeof r.data === 'string' ? JSON.parse(r.data) : r.data).level)).toEqual([
      '密',
      '絕對機密',
    ]);
  });

  it('keys meetings by tenant: the same meeting id in two tenants takes each tenant’s acknowledgements apart', async () => {
    await db.query(
      "INSERT INTO meetings (id, tenant_id, title, level, reminder, chair_oid) VALUES ('m1', 't2', 'y', '機密', 'r2', 'chair2')",
    );
    const recorder = createAcknowledgementRecorder(db, { concurrency: 1 });
    const [ours, theirs] = await Promise.all([
      recorder.record(input('m1', 'same-user')),
      recorder.record({ ...input('m1', 'same-user'), tenantId: 't2' }),
    ]);
    expect(ours).toMatchObject({ meeting: 'found', created: true });
    expect(theirs).toMatchObject({ meeting: 'found', created: true });
    const rows = await db.query<{ tenant_id: string; level: string }>(
      "SELECT tenant_id, level FROM acknowledgements WHERE meeting_id = 'm1' ORDER BY tenant_id",
    );
    // Each acknowledgement carries its own tenant's meeting version.
    expect(rows.rows).toEqual([
      { tenant_id: 't1', level: '密' },
      { tenant_id: 't2', level: '機密' },
    ]);
  });

  it('migration 7 keys meetings, participants and receipts by tenant, keeping what was there', async () => {
    const old = await openStore(kind);
    try {
      await old.exec(
        'CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      for (const m of MIGRATIONS.filter((m) => m.version < 7)) {
        await old.exec(m.sql);
        await old.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      }
      await old.query(
        "INSERT INTO meetings (id, tenant_id, title, level, reminder, chair_oid) VALUES ('m', 't1', 'x', '密', 'r', 'c')",
      );
      await old.query(
        "INSERT INTO acknowledgements (meeting_id, tenant_id, user_oid, display_name) VALUES ('m', 't1', 'u1', 'a')",
      );
      await old.query("INSERT INTO meeting_participants (meeting_id, user_oid, display_name) VALUES ('m', 'u2', 'b')");
      await old.query(
        `INSERT INTO paper_receipts (id, tenant_id, sender, recipients, parts, status)
         VALUES ('R-1', 't1', 's', '[]', '[]', 'pending')`,
      );
      // Migration 7 alone: a later one (9) replaces the participants table this checks.
      expect(
        await migrate(
          old,
          MIGRATIONS.filter((m) => m.version <= 7),
        ),
      ).toEqual([7]);
      expect((await old.query<{ tenant_id: string }>('SELECT tenant_id FROM meeting_participants')).rows).toEqual([
        { tenant_id: 't1' },
      ]);
      // The same ids now go into another tenant; the same ids in the same tenant are still refused.
      await old.query(
        "INSERT INTO meetings (id, tenant_id, title, level, reminder, chair_oid) VALUES ('m', 't2', 'y', '密', 'r', 'c')",
      );
      await old.query(
        `INSERT INTO paper_receipts (id, tenant_id, sender, recipients, parts, status)
         VALUES ('R-1', 't2', 's', '[]', '[]', 'pending')`,
      );
      await expect(
        old.query(
          "INSERT INTO meetings (id, tenant_id, title, level, reminder, chair_oid) VALUES ('m', 't1', 'z', '密', 'r', 'c')",
        ),
      ).rejects.toThrow();
      // An acknowledgement must name a meeting of its own tenant.
      await expect(
        old.query(
          "INSERT INTO acknowledgements (meeting_id, tenant_id, user_oid, display_name) VALUES ('m', 't3', 'u1', 'a')",
        ),
      ).rejects.toThrow();
      // Deleting a tenant's meeting takes its acknowledgements and participants, and not the other tenant's.
      await old.query("DELETE FROM meetings WHERE tenant_id = 't1' AND id = 'm'");
      expect((await old.query('SELECT 1 FROM acknowledgements')).rows).toHaveLength(0);
      expect((await old.query('SELECT 1 FROM meeting_participants')).rows).toHaveLength(0);
      expect((await old.query("SELECT 1 FROM meetings WHERE tenant_id = 't2'")).rows).toHaveLength(1);
    } finally {
      await old.close();
    }
  });

  it('migration 4 gives earlier acknowledgements the current version only when the meeting has not changed since', async () => {
    const old = await openStore(kind);
    try {
      // A store as it was before migration 4, with a meeting changed after one of its acknowledgements.
      await old.exec(
        'CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      for (const m of MIGRATIONS.filter((m) => m.version < 4)) {
        await old.exec(m.sql);
        await old.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      }
      await old.query(
        `INSERT INTO meetings (id, tenant_id, title, level, reminder, chair_oid, updated_at)
         VALUES ('m', 't1', 'x', '機密', '提醒', 'chair', '2025-05-14T02:00:00Z')`,
      );
      await old.query(
        `INSERT INTO acknowledgements (meeting_id, tenant_id, user_oid, display_name, acknowledged_at)
         VALUES ('m', 't1', 'before-change', 'a', '2025-05-14T01:00:00Z'), ('m', 't1', 'after-change', 'b', '2025-05-14T03:00:00Z')`,
      );
      expect(await migrate(old)).toEqual(MIGRATIONS.filter((m) => m.version >= 4).map((m) => m.version));
      const rows = await old.query<{ user_oid: string; level: string | null; reminder_sha256: string | null }>(
        'SELECT user_oid, level, reminder_sha256 FROM acknowledgements ORDER BY user_oid',
      );
      expect(rows.rows).toEqual([
        { user_oid: 'after-change', level: '機密', reminder_sha256: reminderSha256('提醒') },
        // Acknowledged before the meeting was last changed: nobody knows what it was given for.
        { user_oid: 'before-change', level: null, reminder_sha256: null },
      ]);
    } finally {
      await old.close();
    }
  });
});
