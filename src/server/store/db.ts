/**
 * One SQL dialect over two drivers: embedded PGlite (the default, in DATA_DIR) and PostgreSQL (`pg`, for scale-out).
 * Typed structurally, so the rest of the server never sees which one it has.
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

import { Pool, type PoolClient } from 'pg';

import { isStoreUnavailable, type StoreErrorSummary, storeErrorSummary } from './failure';

export interface QueryOptions {
  /**
   * Names the statement so PostgreSQL parses and plans it once per connection, not on every call. For the hot paths
   * only: a name must always stand for the same SQL text. PGlite, a single in-process connection, ignores it.
   */
  readonly name?: string;
}

export interface Queryable {
  query<Row = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<{ rows: Row[] }>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs `fn` while holding a session-level advisory lock, so concurrent start-ups do not race. */
  withAdvisoryLock<T>(key: string, fn: (db: Queryable) => Promise<T>): Promise<T>;
  /** The last time the store itself failed a caller (connection lost, disk full: see `isStoreUnavailable`). */
  lastFailure(): StoreFailure | null;
  close(): Promise<void>;
}

export interface StoreFailure {
  readonly at: Date;
  readonly error: StoreErrorSummary;
}

/** Remembers the last store failure any caller met, for `/healthz`; the error itself still goes to the caller. */
class FailureLog {
  last: StoreFailure | null = null;
  async watch<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (e) {
      if (isStoreUnavailable(e)) {
        this.last = { at: new Date(), error: storeErrorSummary(e) };
      }
      throw e;
    }
  }
}

interface PortableError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly fields: Record<string, unknown>;
}

interface Reply {
  readonly id?: number;
  readonly ready?: true;
  readonly startError?: PortableError;
  readonly result?: unknown;
  readonly error?: PortableError;
}

/** The thread's error again, with the fields failure.ts classifies by (code, severity, table...) where they were. */
function revived(p: PortableError): Error {
  const e = Object.assign(new Error(p.message), p.fields);
  e.name = p.name;
  if (p.stack) {
    e.stack = p.stack;
  }
  return e;
}

/** PGlite's own words for a closed instance, which failure.ts counts as the store being unavailable. */
const closedError = (): Error => new Error('PGlite is closed');

/** What happens to PGlite's thread, for the operator's log: it stopped, it was started again, or restarts gave up. */
export type PgliteThreadEvent =
  | { readonly kind: 'stopped'; readonly why: string }
  | { readonly kind: 'restarted'; readonly attempt: number }
  | { readonly kind: 'gave-up'; readonly attempts: number; readonly error: StoreErrorSummary };

export interface PgliteRestartOptions {
  /** Tries at a new thread after one stops; 0: none. @default 6 */
  readonly attempts?: number;
  /** The wait before the first try, doubled for each next one. @default 200 */
  readonly firstDelayMs?: number;
  readonly onEvent?: (event: PgliteThreadEvent) => void;
}

/** Starts a thread on the store; resolves once PGlite is open on it. */
async function startThread(dataDir: string | null): Promise<Worker> {
  // No loader flags (tsx, Jest's VM modules): the thread is plain JS, and loads PGlite itself.
  const worker = new Worker(path.join(__dirname, 'pglite-thread.mjs'), { execArgv: [], workerData: { dataDir } });
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number): void => reject(new Error(`PGlite thread exited (${code}) while opening`));
    worker.once('exit', onExit);
    worker.once('error', reject);
    worker.once('message', (reply: Reply) => {
      worker.removeListener('exit', onExit);
      worker.removeListener('error', reject);
      if (reply.startError) {
        void worker.terminate();
        reject(revived(reply.startError));
      } else {
        resolve();
      }
    });
  });
  return worker;
}

const threadStopped = (why: string): Error =>
  Object.assign(new Error(`PGlite thread stopped (${why}): the store is not queryable`), { code: '08006' });

/**
 * Embedded PGlite, run on a worker thread of its own (pglite-thread.mjs). PGlite executes every query synchronously
 * in WebAssembly on the thread that owns it; on the main thread, the pages of a 10,000-row roster or sign-in sheet held
 * up every other request (/healthz for 364–792 ms). A thread that stops (a WebAssembly abort, out of memory) fails
 * every query as the store being unavailable (503) and is reported once; a store on disk is then opened again on a
 * new thread, after the old one has exited (two PGlite instances on one folder corrupt it), with a few tries spaced
 * out. A transaction open on the stopped thread is lost with it: its later queries and its commit fail, never reaching
 * the new thread, and PostgreSQL's own recovery on re-opening drops what it had not committed.
 */
class PgliteDb implements Db {
  readonly kind = 'pglite' as const;
  private readonly failures = new FailureLog();
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  /**
   * `worker` is the thread now serving, `generation` counts the threads started (a transaction belongs to one).
   * `gone` is set while no thread serves: every call then fails at once, as nothing will answer it.
   * `closing` once `close` is called: new work fails as PGlite's own does on a closed instance, but a transaction
   * already open goes on to its end (see `call`). `nextId` numbers the requests. One object, never reassigned.
   */
  private readonly state: {
    worker: Worker;
    generation: number;
    gone: (() => Error) | null;
    closing: boolean;
    nextId: number;
  };

  private constructor(
    worker: Worker,
    private readonly dataDir: string | null,
    private readonly restart: PgliteRestartOptions,
  ) {
    this.state = { worker, generation: 1, gone: null, closing: false, nextId: 1 };
    this.serve(worker);
  }

  static async open(dataDir: string | null, restart: PgliteRestartOptions = {}): Promise<PgliteDb> {
    const db = new PgliteDb(await startThread(dataDir), dataDir, restart);
    db.settle();
    return db;
  }

  private serve(worker: Worker): void {
    const generation = this.state.generation;
    worker.on('message', (reply: Reply) => {
      const waiter = this.pending.get(reply.id as number);
      if (!waiter) {
        return;
      }
      this.pending.delete(reply.id as number);
      this.settle();
      if (reply.error) {
        waiter.reject(revived(reply.error));
      } else {
        waiter.resolve(reply.result);
      }
    });
    const stopped = (why: string): void => {
      if (generation !== this.state.generation) {
        return;
      }
      if (this.state.closing) {
        // PGlite ends its thread as it closes; what was still queued fails as it would have in-process.
        this.state.gone = closedError;
      } else if (!this.state.gone) {
        this.state.gone = () => threadStopped(why);
        this.restart.onEvent?.({ kind: 'stopped', why });
      }
      for (const waiter of this.pending.values()) {
        waiter.reject(this.state.gone());
      }
      this.pending.clear();
    };
    // Summarised as store errors are (first line, quoted text elided): the reason is logged.
    worker.on('error', (e) => stopped(storeErrorSummary(e).message));
    worker.on('exit', (code) => {
      stopped(`exit ${code}`);
      if (generation === this.state.generation && !this.state.closing) {
        void this.reopen();
      }
    });
  }

  /** A new thread on the same folder, once the stopped one has exited. An in-memory store had only what it held. */
  private async reopen(): Promise<void> {
    const attempts = this.dataDir === null ? 0 : (this.restart.attempts ?? 6);
    let error: unknown = new Error('no restart for an in-memory store');
    for (let attempt = 1; attempt <= attempts; attempt++) {
      await new Promise((r) => setTimeout(r, (this.restart.firstDelayMs ?? 200) * 2 ** (attempt - 1)).unref());
      if (this.state.closing) {
        return;
      }
      try {
        const worker = await startThread(this.dataDir);
        if (this.state.closing) {
          await worker.terminate();
          return;
        }
        this.state.generation++;
        this.state.worker = worker;
        this.serve(worker);
        this.state.gone = null;
        this.settle();
        this.restart.onEvent?.({ kind: 'restarted', attempt });
        return;
      } catch (e) {
        error = e;
      }
    }
    if (attempts > 0) {
      this.restart.onEvent?.({ kind: 'gave-up', attempts, error: storeErrorSummary(error) });
    }
  }

  /** The thread holds the process open only while a request is in flight, as PGlite in-process did not at all. */
  private settle(): void {
    if (this.pending.size === 0) {
      this.state.worker.unref();
    } else {
      this.state.worker.ref();
    }
  }

  private call<T>(msg: Record<string, unknown>, generation = this.state.generation): Promise<T> {
    if (this.state.gone) {
      return Promise.reject(this.state.gone());
    }
    // A transaction's work belongs to the thread it began on; a new thread numbers its own transactions afresh.
    if (generation !== this.state.generation) {
      return Promise.reject(threadStopped('its transaction was on a thread that stopped'));
    }
    // Only new work is refused while closing. PGlite's close waits for the transaction open on the thread to end, as
    // it did in-process; refusing that transaction's own queries and its commit or rollback (`tx` set) left it open
    // for ever, and the close waiting on it: a server closed under its audit chainer's transaction never closed.
    if (this.state.closing && msg.op !== 'close' && msg.tx === undefined) {
      return Promise.reject(closedError());
    }
    const id = this.state.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.settle();
      this.state.worker.postMessage({ ...msg, id });
    });
  }

  private on(tx: number | undefined, generation?: number): Queryable {
    return {
      query: async <Row>(sql: string, params: readonly unknown[] = []) => ({
        rows: await this.call<Row[]>({ op: 'query', sql, params, tx }, generation),
      }),
      exec: async (sql: string) => {
        await this.call({ op: 'exec', sql, tx }, generation);
      },
    };
  }

  query<Row>(sql: string, params: readonly unknown[] = []): Promise<{ rows: Row[] }> {
    return this.failures.watch(this.on(undefined).query<Row>(sql, params));
  }
  exec(sql: string): Promise<void> {
    return this.failures.watch(this.on(undefined).exec(sql));
  }
  lastFailure(): StoreFailure | null {
    return this.failures.last;
  }
  /**
   * `fn` runs here; its queries run on the thread inside one PGlite transaction, which holds PGlite's transaction
   * mutex until `fn` settles, so other queries wait as they did in-process.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.failures.watch(
      (async () => {
        const generation = this.state.generation;
        const tx = await this.call<number>({ op: 'begin' }, generation);
        let result: T;
        try {
          result = await fn(this.on(tx, generation));
        } catch (e) {
          await this.call({ op: 'end', tx, commit: false }, generation).catch(() => undefined);
          throw e;
        }
        await this.call({ op: 'end', tx, commit: true }, generation);
        return result;
      })(),
    );
  }
  async withAdvisoryLock<T>(key: string, fn: (db: Queryable) => Promise<T>): Promise<T> {
    // PGlite is one connection in one process; the lock still orders work queued on it.
    await this.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
    try {
      return await fn(this);
    } finally {
      await this.query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
    }
  }
  async close(): Promise<void> {
    if (this.state.closing) {
      return;
    }
    this.state.closing = true;
    if (this.state.gone) {
      this.state.gone = closedError;
      return;
    }
    try {
      await this.call({ op: 'close' }).catch((e: unknown) => {
        // The thread may end as PGlite closes, before its answer gets out: closed all the same.
        if (this.state.gone !== closedError) {
          throw e;
        }
      });
    } finally {
      this.state.gone = closedError;
      await this.state.worker.terminate();
    }
  }
}

class PostgresDb implements Db {
  readonly kind = 'postgres' as const;
  private readonly failures = new FailureLog();
  constructor(private readonly pool: Pool) {}
  async query<Row>(sql: string, params: readonly unknown[] = [], options?: QueryOptions): Promise<{ rows: Row[] }> {
    const r = await this.failures.watch(
      options?.name
        ? this.pool.query({ name: options.name, text: sql, values: params as unknown[] })
        : this.pool.query(sql, params as unknown[]),
    );
    return { rows: r.rows as Row[] };
  }
  async exec(sql: string): Promise<void> {
    await this.failures.watch(this.pool.query(sql));
  }
  lastFailure(): StoreFailure | null {
    return this.failures.last;
  }
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.failures.watch(
      this.checkedOut(async (client, discard) => {
        await client.query('BEGIN');
        try {
          const result = await fn(wrap(client));
          await client.query('COMMIT');
          return result;
        } catch (e) {
          // A connection that cannot roll back may still be inside this transaction: it must not be reused.
          await client.query('ROLLBACK').catch(discard);
          throw e;
        }
      }),
    );
  }
  withAdvisoryLock<T>(key: string, fn: (db: Queryable) => Promise<T>): Promise<T> {
    return this.failures.watch(
      this.checkedOut(async (client, discard) => {
        await client.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
        try {
          return await fn(wrap(client));
        } finally {
          // A session that may still hold the lock is closed, which releases it, rather than pooled holding it.
          await client.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch(discard);
        }
      }),
    );
  }
  /**
   * Runs `fn` on a connection of its own. pg-pool stops listening for a connection's 'error' while it is checked out,
   * and an 'error' nobody hears ends the process: a backend terminated or restarted under a transaction took the
   * whole server with it. So one is heard here until the connection is back. A connection that failed, or that
   * `fn` says is unfit (`discard`), goes back with the error, and the pool closes it instead of lending it again.
   * The caller gets the error: nothing here retries, since only the caller knows whether its work may be repeated.
   */
  private async checkedOut<T>(fn: (client: PoolClient, discard: (e: Error) => void) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    const discard = (e: Error): void => {
      broken ??= e;
    };
    client.on('error', discard);
    try {
      return await fn(client, discard);
    } catch (e) {
      if (isStoreUnavailable(e)) {
        discard(e as Error);
      }
      throw e;
    } finally {
      client.removeListener('error', discard);
      client.release(broken);
    }
  }
  close(): Promise<void> {
    return this.pool.end();
  }
}

function wrap(client: PoolClient): Queryable {
  return {
    query: async <Row>(sql: string, params: readonly unknown[] = [], options?: QueryOptions) => ({
      rows: (options?.name
        ? await client.query({ name: options.name, text: sql, values: params as unknown[] })
        : await client.query(sql, params as unknown[])
      ).rows as Row[],
    }),
    exec: async (sql: string) => {
      await client.query(sql);
    },
  };
}

/**
 * Where the configured store is: PostgreSQL when DATABASE_URL is set, else PGlite in DATA_DIR's `pglite` folder (the
 * development certificate lives beside it). The server and the audit-log command both open this, so they agree.
 */
export function storeTarget(config: { readonly databaseUrl: string | null; readonly dataDir: string }): {
  databaseUrl?: string;
  dataDir?: string;
} {
  return config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: path.resolve(config.dataDir, 'pglite') };
}

/**
 * Opens PGlite in `dataDir` (or in memory for `memory://`), or PostgreSQL for a `postgres://` URL.
 * `onError` hears of pooled PostgreSQL connections lost while idle (a restart, a failover, pg_terminate_backend): the
 * pool drops them and opens new ones on demand. Unheard, pg's 'error' event would end the process.
 */
export async function openDb(target: {
  databaseUrl?: string;
  dataDir?: string;
  onError?: (e: Error) => void;
  /** PGlite only: how a stopped thread is started again, and who hears of it. */
  pgliteRestart?: PgliteRestartOptions;
}): Promise<Db> {
  if (target.databaseUrl) {
    const pool = new Pool({ connectionString: target.databaseUrl, max: 20 });
    pool.on('error', target.onError ?? (() => undefined));
    return new PostgresDb(pool);
  }
  const inMemory = target.dataDir === undefined || target.dataDir === 'memory://';
  if (!inMemory) {
    mkdirSync(target.dataDir as string, { recursive: true });
  }
  return PgliteDb.open(inMemory ? null : (target.dataDir as string), target.pgliteRestart);
}
