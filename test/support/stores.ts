/**
 * The store matrix: every integration test runs against embedded PGlite and a real PostgreSQL server. Each call
 * gets a fresh database (PGlite in memory; a new database on the shared server), so test files do not interfere.
 */
import { randomBytes } from 'node:crypto';

import { Client } from 'pg';

import { type Db, openDb } from '../../src/server/store/db';

export const STORES = (['pglite', 'postgres'] as const).filter(
  (kind) =>
    process.env.STORES?.split(',')
      .map((s) => s.trim())
      .includes(kind) ?? true,
);
export type StoreKind = (typeof STORES)[number];

/** A URL for a brand-new database on the test PostgreSQL server. */
export async function freshPostgresUrl(): Promise<string> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) {
    throw new Error(
      'TEST_DATABASE_URL is not set: the Jest global setup starts PostgreSQL (see test/support/postgres.ts)',
    );
  }
  const name = `sg_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function openStore(kind: StoreKind): Promise<Db> {
  return kind === 'pglite' ? openDb({ dataDir: 'memory://' }) : openDb({ databaseUrl: await freshPostgresUrl() });
}
