import { type PostgresServer, startPostgres } from './postgres';

declare global {
  var __SG_POSTGRES__: PostgresServer | undefined;
}

/** Starts one PostgreSQL server for the whole run, unless TEST_DATABASE_URL names one already. */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_DATABASE_URL) {
    return;
  }
  const server = await startPostgres();
  globalThis.__SG_POSTGRES__ = server;
  process.env.TEST_DATABASE_URL = server.url;
}
