import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

import { buildApp, inProcessEventBus } from '../../src/server/app';
import type { Db } from '../../src/server/store/db';
import { migrate } from '../../src/server/store/migrations';
import type { FakeEntra } from '../fakes/entra';
import { entraVerifier } from './entra-verifier';
import { openStore, type StoreKind } from './stores';

/**
 * A migrated store of `kind` and the API on it, its per-minute and per-day limits out of the way: for files that send
 * many requests from one caller and test something other than the limits.
 */
export async function openUnlimitedApi(kind: StoreKind, entra: FakeEntra): Promise<{ db: Db; app: FastifyInstance }> {
  const db = await openStore(kind);
  await migrate(db);
  const app = await buildApp({
    db,
    events: inProcessEventBus(),
    verifier: entraVerifier(entra),
    rateLimitPerMinute: 1_000_000,
    meetingsPerDay: 1_000_000,
  });
  return { db, app };
}

/** One request to the app `current()` gives now (a file may build a new one per test), as `token` if given. */
export const injector =
  (current: () => FastifyInstance) =>
  (method: 'GET' | 'PUT' | 'POST', url: string, token?: string, payload?: unknown): Promise<LightMyRequestResponse> =>
    current().inject({
      method,
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
