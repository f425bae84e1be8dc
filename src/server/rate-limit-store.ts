/**
 * Rate-limit counters in PostgreSQL, for several instances behind one load balancer: each instance counting alone
 * would let a user make the limit times the number of instances. One statement per counted request, atomic under
 * concurrent instances (an upsert on the key's row), in a fixed window per key. Expired rows are swept now and then.
 */
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';

import type { Queryable } from './store/db';

/** Counted requests between sweeps of expired windows. */
const SWEEP_EVERY = 1000;

/**
 * Counts `key` in the window of `timeWindowMs` that holds now, starting a new window when the last one is over:
 * `{ current, ttl }` as @fastify/rate-limit reads them (requests in this window, ms until it ends).
 */
export async function countRequest(
  db: Queryable,
  key: string,
  timeWindowMs: number,
): Promise<{ current: number; ttl: number }> {
  const row = (
    await db.query<{ count: number; ttl: number }>(
      `INSERT INTO rate_limit_counts AS r (key, window_start, window_ms, count)
       VALUES ($1, clock_timestamp(), $2, 1)
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN r.window_start + r.window_ms * interval '1 millisecond' <= clock_timestamp()
                      THEN 1 ELSE r.count + 1 END,
         window_start = CASE WHEN r.window_start + r.window_ms * interval '1 millisecond' <= clock_timestamp()
                             THEN clock_timestamp() ELSE r.window_start END,
         window_ms = CASE WHEN r.window_start + r.window_ms * interval '1 millisecond' <= clock_timestamp()
                          THEN $2 ELSE r.window_ms END
       RETURNING count,
         greatest(0, ceil(extract(epoch FROM (window_start + window_ms * interval '1 millisecond' - clock_timestamp())) * 1000))::int AS ttl`,
      [key, timeWindowMs],
      { name: 'rate-limit-count' },
    )
  ).rows[0];
  return { current: Number(row?.count ?? 1), ttl: Number(row?.ttl ?? timeWindowMs) };
}

/** Deletes windows that ended: a key not seen since holds no row. */
export async function sweepRateLimits(db: Queryable): Promise<void> {
  await db.query(
    `DELETE FROM rate_limit_counts WHERE window_start + window_ms * interval '1 millisecond' < clock_timestamp()`,
  );
}

/** A store class for @fastify/rate-limit's `store` option, counting in `db`. */
export function sharedRateLimitStore(db: Queryable, onSweepError: (e: Error) => void): FastifyRateLimitStoreCtor {
  let counted = 0;
  class SharedStore implements FastifyRateLimitStore {
    /**
     * A route with its own limit counts apart from the global limit (as @fastify/rate-limit's own stores do): sharing
     * the key would make every earlier API request of the caller count against, say, the 20 exports a minute.
     */
    private prefix = '';
    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
    ): void {
      if (++counted % SWEEP_EVERY === 0) {
        sweepRateLimits(db).catch(onSweepError);
      }
      countRequest(db, this.prefix + key, timeWindow).then(
        (result) => callback(null, result),
        (e: unknown) => callback(e instanceof Error ? e : new Error(String(e))),
      );
    }
    child(routeOptions: object): FastifyRateLimitStore {
      // At run time the plugin passes its merged parameters, with the route under `routeInfo` (its types say otherwise).
      const route = (routeOptions as { routeInfo?: { method?: unknown; url?: unknown } }).routeInfo;
      const store = new SharedStore();
      store.prefix = `${this.prefix}${String(route?.method ?? '')} ${String(route?.url ?? '')}|`;
      return store;
    }
  }
  return SharedStore;
}
