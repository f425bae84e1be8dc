/**
 * Embedded PGlite runs on a thread of its own: its WebAssembly executes each query synchronously, and on the main
 * thread a long query held up every other request (/healthz among them) until it finished.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { type Db, openDb, type PgliteThreadEvent } from '../../src/server/store/db';
import { isStoreUnavailable } from '../../src/server/store/failure';
import { catchPgliteThreads } from '../support/pglite-threads';

/** What `work` rejects with (null when it resolves). */
const failureOf = (work: Promise<unknown> | undefined): Promise<unknown> =>
  Promise.resolve(work).then(
    () => null,
    (e: unknown) => e,
  );

describe('embedded PGlite on its own thread', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openDb({ dataDir: 'memory://' });
  });
  afterAll(async () => {
    await db.close();
  });

  it('leaves the main thread free to run other work while a query executes', async () => {
    // A store in a folder: its files are the host's, so a query sees a file this thread writes into it.
    const dir = mkdtempSync(path.join(tmpdir(), 'sg-pglite-thread-'));
    const onDisk = await openDb({ dataDir: dir });
    try {
      // Waits until `released` exists in the store's folder, or gives up after a bounded number of naps.
      await onDisk.exec(`CREATE FUNCTION wait_for_release() RETURNS boolean LANGUAGE plpgsql AS $$
        BEGIN
          FOR i IN 1..6000 LOOP
            IF (pg_stat_file('released', true)).size IS NOT NULL THEN
              RETURN true;
            END IF;
            PERFORM pg_sleep(0.01);
          END LOOP;
          RETURN false;
        END $$`);
      const TURNS = 100;
      let turns = 0;
      let answered = false;
      const query = onDisk.query<{ released: boolean }>('SELECT wait_for_release() AS released').finally(() => {
        answered = true;
      });
      // This thread writes `released` only after TURNS turns of its event loop, each while the query is unanswered.
      // PGlite on this thread (as before) ran the query synchronously: not one turn, and the query gave up (false).
      await new Promise<void>((resolve) => {
        const spin = (): void => {
          if (!answered && ++turns < TURNS) {
            setImmediate(spin);
            return;
          }
          writeFileSync(path.join(dir, 'released'), '');
          resolve();
        };
        setImmediate(spin);
      });
      expect((await query).rows[0]?.released).toBe(true);
      expect(turns).toBe(TURNS);
    } finally {
      await onDisk.close();
    }
  }, 120_000);

  it('closes after a transaction already open ends, which commits; what comes after fails as a closed store', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sg-pglite-close-'));
    const first = await openDb({ dataDir: dir });
    await first.exec('CREATE TABLE seal (n int)');
    let inside: () => void = () => undefined;
    const opened = new Promise<void>((r) => (inside = r));
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    // A transaction open when close is called (the audit chainer's, as the server shuts down) finishes its work.
    const tx = first.transaction(async (q) => {
      await q.query('INSERT INTO seal VALUES (1)');
      inside();
      await held;
      await q.query('INSERT INTO seal VALUES (2)');
      return 'done';
    });
    await opened;
    const closed = first.close();
    const late = await first.query('SELECT 1').catch((e: unknown) => e);
    release();
    expect(await tx).toBe('done');
    await closed;
    expect(late).toBeInstanceOf(Error);
    expect((late as Error).message).toBe('PGlite is closed');
    expect(isStoreUnavailable(late)).toBe(true);
    expect(first.lastFailure()?.error.message).toBe('PGlite is closed');
    // Its rows were committed before the store closed.
    const again = await openDb({ dataDir: dir });
    try {
      expect((await again.query<{ n: number }>('SELECT n FROM seal ORDER BY n')).rows).toEqual([{ n: 1 }, { n: 2 }]);
    } finally {
      await again.close();
    }
  }, 120_000);

  it('returns the types PGlite parses, and errors with the fields store failures are classified by', async () => {
    const { rows } = await db.query<{ at: Date; big: bigint; n: number; bytes: Uint8Array; doc: unknown }>(
      "SELECT now() AS at, 9007199254740993::bigint AS big, 3::int AS n, '\\x0102'::bytea AS bytes, '{\"a\":1}'::jsonb AS doc",
    );
    // Made in the main thread's realm from the thread's message, so Jest's sandboxed `Date` is not their constructor.
    expect(Object.prototype.toString.call(rows[0]?.at)).toBe('[object Date]');
    expect(rows[0]?.big).toBe(9007199254740993n);
    expect(rows[0]?.n).toBe(3);
    expect(Object.prototype.toString.call(rows[0]?.bytes)).toBe('[object Uint8Array]');
    expect(Array.from(rows[0]?.bytes ?? [])).toEqual([1, 2]);
    expect(rows[0]?.doc).toEqual({ a: 1 });
    await db.exec('CREATE TABLE seat (id int PRIMARY KEY)');
    await db.query('INSERT INTO seat VALUES (1)');
    const e = (await db.query('INSERT INTO seat VALUES (1)').catch((err: unknown) => err)) as Error & {
      code?: string;
      constraint?: string;
      table?: string;
    };
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({ code: '23505', constraint: 'seat_pkey', table: 'seat' });
    expect(isStoreUnavailable(e)).toBe(false);
  });

  it('runs a transaction as one: rolled back when its function throws, and other queries wait for it', async () => {
    await db.exec('CREATE TABLE ack (id int)');
    const order: string[] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    const tx = db.transaction(async (q) => {
      await q.query('INSERT INTO ack VALUES (1)');
      await held;
      order.push('tx');
      throw new Error('changed my mind');
    });
    await new Promise((r) => setTimeout(r, 50));
    const outside = db.query<{ n: number }>('SELECT count(*)::int AS n FROM ack').then((r) => {
      order.push('outside');
      return r.rows[0]?.n;
    });
    await new Promise((r) => setTimeout(r, 50));
    release();
    await expect(tx).rejects.toThrow('changed my mind');
    expect(await outside).toBe(0);
    expect(order).toEqual(['tx', 'outside']);
  });

  it('starts a new thread on the same folder when its thread stops; a transaction open on the old one never commits', async () => {
    const caught = catchPgliteThreads();
    const events: PgliteThreadEvent[] = [];
    const dir = mkdtempSync(path.join(tmpdir(), 'sg-pglite-restart-'));
    const onDisk = await openDb({ dataDir: dir, pgliteRestart: { firstDelayMs: 10, onEvent: (e) => events.push(e) } });
    try {
      await onDisk.exec('CREATE TABLE t (v text)');
      await onDisk.query("INSERT INTO t VALUES ('committed before')");
      // A transaction that has written a row and not yet committed when the thread dies under it.
      let inside: ((v: void) => void) | undefined;
      const proceed = new Promise<void>((r) => (inside = r));
      let txQuery: ((sql: string) => Promise<unknown>) | undefined;
      const opened = new Promise<void>((ready) => {
        void onDisk
          .transaction(async (tx) => {
            await tx.query("INSERT INTO t VALUES ('half a transaction')");
            txQuery = (sql) => tx.query(sql);
            ready();
            await proceed;
            await tx.query("INSERT INTO t VALUES ('after the thread died')");
          })
          .catch(() => undefined);
      });
      await opened;
      const first = caught.threads[0] as NonNullable<(typeof caught.threads)[0]>;
      await first.terminate();
      // Until a new thread serves, every call fails as the store being unavailable.
      expect(isStoreUnavailable(await failureOf(onDisk.query('SELECT 1')))).toBe(true);
      while (!events.some((e) => e.kind === 'restarted')) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(caught.threads).toHaveLength(2);
      // The new thread numbers its transactions afresh: one open there must not take in the old transaction's work.
      let release: ((v: void) => void) | undefined;
      const held = new Promise<void>((r) => (release = r));
      let newTxOpen: ((v: void) => void) | undefined;
      const newTxOpened = new Promise<void>((r) => (newTxOpen = r));
      const newTx = onDisk.transaction(async (tx) => {
        await tx.query("INSERT INTO t VALUES ('new thread')");
        newTxOpen?.();
        await held;
      });
      await newTxOpened;
      expect(isStoreUnavailable(await failureOf(txQuery?.("INSERT INTO t VALUES ('stray')")))).toBe(true);
      inside?.();
      release?.();
      await newTx;
      const rows = await onDisk.query<{ v: string }>('SELECT v FROM t ORDER BY v');
      expect(rows.rows.map((r) => r.v)).toEqual(['committed before', 'new thread']);
      expect(events.map((e) => e.kind)).toEqual(['stopped', 'restarted']);
    } finally {
      caught.restore();
      await onDisk.close();
    }
  }, 120_000);
});
