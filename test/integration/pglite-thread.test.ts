/**
 * Embedded PGlite runs on a thread of its own: its WebAssembly executes each query synchronously, and on the main
 * thread a long query held up every other request (/healthz among them) until it finished.
 */
import { type Db, openDb } from '../../src/server/store/db';
import { isStoreUnavailable } from '../../src/server/store/failure';

describe('embedded PGlite on its own thread', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openDb({ dataDir: 'memory://' });
  });
  afterAll(async () => {
    await db.close();
  });

  it('leaves the main thread free to run other work while a query executes', async () => {
    let turns = 0;
    let finished = false;
    const spin = (): void => {
      turns++;
      if (!finished) {
        setImmediate(spin);
      }
    };
    setImmediate(spin);
    // pg_sleep blocks the thread PGlite runs on; on the main thread, not one event-loop turn could run meanwhile.
    await db.query('SELECT pg_sleep(0.5)');
    finished = true;
    expect(turns).toBeGreaterThan(100);
  });

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
});
