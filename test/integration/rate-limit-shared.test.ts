/**
 * Rate limits across instances: on PostgreSQL every instance counts in the shared store, so a user gets the limit
 * once, whichever instance the load balancer sends each request to.
 */
import type { FastifyInstance } from 'fastify';

import { buildApp, inProcessEventBus } from '../../src/server/app';
import { countRequest, sweepRateLimits } from '../../src/server/rate-limit-store';
import { type Db, openDb } from '../../src/server/store/db';
import { migrate } from '../../src/server/store/migrations';
import { type FakeEntra, startFakeEntra } from '../fakes/entra';
import { entraVerifier } from '../support/entra-verifier';
import { freshPostgresUrl } from '../support/stores';

const LIMIT = 6;

let entra: FakeEntra;
let db: Db;
let second: Db;
let a: FastifyInstance;
let b: FastifyInstance;
beforeAll(async () => {
  entra = await startFakeEntra();
});
afterAll(async () => {
  await entra.close();
});
beforeEach(async () => {
  // Two instances, each with its own pool, on one fresh PostgreSQL database.
  const url = await freshPostgresUrl();
  db = await openDb({ databaseUrl: url });
  await migrate(db);
  second = await openDb({ databaseUrl: url });
  const build = (store: Db) =>
    buildApp({ db: store, events: inProcessEventBus(), verifier: entraVerifier(entra), rateLimitPerMinute: LIMIT });
  a = await build(db);
  b = await build(second);
});
afterEach(async () => {
  await a.close();
  await b.close();
  await second.close();
  await db.close();
});

const get = (app: FastifyInstance, token: string) =>
  app.inject({ method: 'GET', url: '/api/policy', headers: { authorization: `Bearer ${token}` } });

describe('rate limits shared by the instances on one PostgreSQL', () => {
  it('a user gets the limit once across two instances, whichever serves each request', async () => {
    const user = await entra.token({ oid: 'rate-user' });
    const codes: number[] = [];
    for (let i = 0; i < LIMIT + 2; i++) {
      codes.push((await get(i % 2 === 0 ? a : b, user)).statusCode);
    }
    expect(codes).toEqual([...Array<number>(LIMIT).fill(200), 429, 429]);
    const refused = await get(a, user);
    expect(refused.json()).toMatchObject({ code: 'rate_limited' });
    expect(Number(refused.headers['x-ratelimit-limit'])).toBe(LIMIT);
    // Another user has a count of their own.
    expect((await get(b, await entra.token({ oid: 'rate-other' }))).statusCode).toBe(200);
  });

  it('concurrent requests on both instances are each counted once', async () => {
    const user = await entra.token({ oid: 'rate-burst' });
    const codes = (await Promise.all(Array.from({ length: 20 }, (_, i) => get(i % 2 === 0 ? a : b, user)))).map(
      (r) => r.statusCode,
    );
    expect(codes.filter((c) => c === 200)).toHaveLength(LIMIT);
    expect(codes.filter((c) => c === 429)).toHaveLength(20 - LIMIT);
  });

  it('a window that has ended starts again at one, and the sweep deletes ended windows only', async () => {
    expect(await countRequest(db, 'k', 60_000)).toMatchObject({ current: 1 });
    expect(await countRequest(second, 'k', 60_000)).toMatchObject({ current: 2 });
    const short = await countRequest(db, 'short', 50);
    expect(short.current).toBe(1);
    expect(short.ttl).toBeLessThanOrEqual(50);
    // Wait on the database's clock, not this process's: the window is over when PostgreSQL says so.
    await db.query('SELECT pg_sleep(0.1)');
    expect(await countRequest(db, 'short', 50)).toMatchObject({ current: 1 });
    await db.query('SELECT pg_sleep(0.1)');
    await sweepRateLimits(db);
    const keys = (await db.query<{ key: string }>('SELECT key FROM rate_limit_counts ORDER BY key')).rows;
    expect(keys.map((r) => r.key)).toEqual(['k']);
  });
});
