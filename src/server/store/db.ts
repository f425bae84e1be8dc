/**
 * One SQL dialect over two drivers: embedded PGlite (the default, in DATA_DIR) and PostgreSQL (`pg`, for scale-out).
 * Typed structurally, so the rest of the server never sees which one it has.
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';

import { PGlite } from '@electric-sql/pglite';
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

class PgliteDb implements Db {
  readonly kind = 'pglite' as const;
  private readonly failures = new FailureLog();
  constructor(private readonly pg: PGlite) {}
  async query<Row>(sql: string, params: readonly unknown[] = []): Promise<{ rows: Row[] }> {
    const r = await this.failures.watch(this.pg.query<Row>(sql, params as unknown[]));
    return { rows: r.rows };
  }
  async exec(sql: string): Promise<void> {
    await this.failures.watch(this.pg.exec(sql));
  }
  lastFailure(): StoreFailure | null {
    return this.failures.last;
  }
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.failures.watch(
      this.pg.transaction((tx) =>
        fn({
          query: async <Row>(sql: string, params: readonly unknown[] = []) => ({
            rows: (await tx.query<Row>(sql, params as unknown[])).rows,
          }),
          exec: async (sql: string) => {
            await tx.exec(sql);
          },
        }),
      ),
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
  close(): Promise<void> {
    return this.pg.close();
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
  const pg = inMemory ? new PGlite() : new PGlite(target.dataDir);
  await pg.waitReady;
  return new PgliteDb(pg);
}
