/**
 * Store failures a request cannot help: the database went away (a restart, a failover, pg_terminate_backend), cannot
 * take connections yet, or cannot write (a full disk, a read-only or failing file system). The request in flight
 * answers 503 `store_unavailable` and nobody retries it silently: the client knows its write did not happen and may
 * send it again. Everything else stays a 500.
 */

/** SQLSTATE classes and codes that mean the store, not the request, failed. */
const UNAVAILABLE_SQLSTATE = [
  /^08/, // connection_exception (08000, 08003 connection_does_not_exist, 08006 connection_failure, ...)
  /^53/, // insufficient_resources: 53100 disk_full, 53200 out_of_memory, 53300 too_many_connections
  /^57P0[1-4]$/, // admin_shutdown, crash_shutdown, cannot_connect_now, database_dropped
  /^58/, // system_error: 58030 io_error (a failing disk)
  /^XX001$/, // data_corrupted: a page the disk gave back wrong
];

/** Node's and the file system's error codes for the same. */
const UNAVAILABLE_ERRNO = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOSPC',
  'EDQUOT',
  'EROFS',
  'EIO',
]);

/**
 * Messages pg and PGlite give without a code: a connection that ended under a query, a client the pool already knows
 * is broken, a connect that timed out, a file system error inside PGlite's WebAssembly file system.
 */
const UNAVAILABLE_MESSAGE =
  /^Connection terminated|Client has encountered a connection error|is not queryable|timeout exceeded when trying to connect|Connection timeout|No space left on device|Read-only file system|Disk quota exceeded|PGlite is closed/i;

export function isStoreUnavailable(e: unknown): boolean {
  if (!(e instanceof Error)) {
    return false;
  }
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_ERRNO.has(code) || UNAVAILABLE_SQLSTATE.some((re) => re.test(code)))) {
    return true;
  }
  return UNAVAILABLE_MESSAGE.test(e.message);
}

export interface StoreErrorSummary {
  readonly code?: string;
  readonly message: string;
  /** The constraint or table PostgreSQL names: schema, never data. */
  readonly constraint?: string;
  readonly table?: string;
}

/**
 * What may be logged of a store error: its code and first line. pg's errors can carry the client that failed
 * (pg-pool sets `err.client`, with its connection's cancel `secretKey` and the active query's SQL and parameters) and
 * PostgreSQL's `detail`, `where` and `internalQuery` (row values, SQL text); a logger that serialises the whole error
 * writes all of that out. PostgreSQL quotes the offending value in some messages (`invalid input syntax for type
 * integer: "…"`), so quoted text is left out too.
 */
export function storeErrorSummary(e: unknown): StoreErrorSummary {
  if (!(e instanceof Error)) {
    return { message: 'non-error thrown' };
  }
  const code = (e as { code?: unknown }).code;
  const message = (e.message.split('\n')[0] ?? '').replace(/"[^"]*"?/g, '"…"').slice(0, 300);
  const name = (key: 'constraint' | 'table'): Record<string, string> => {
    const value = (e as { constraint?: unknown; table?: unknown })[key];
    return typeof value === 'string' && /^[\w.]{1,63}$/.test(value) ? { [key]: value } : {};
  };
  return {
    ...(typeof code === 'string' && /^[0-9A-Z_]{1,32}$/.test(code) ? { code } : {}),
    message,
    ...name('constraint'),
    ...name('table'),
  };
}

/**
 * An error as it may be logged: a database error (PostgreSQL's, or PGlite's, which also carries the statement's
 * `query` and `params`) as its summary; any other error as it is, stack and all.
 */
export function loggableError(e: unknown): unknown {
  const fields = e as { severity?: unknown; code?: unknown; client?: unknown; query?: unknown };
  if (
    e instanceof Error &&
    ((typeof fields.severity === 'string' && typeof fields.code === 'string') ||
      fields.client !== undefined ||
      fields.query !== undefined)
  ) {
    return { type: e.name, ...storeErrorSummary(e) };
  }
  return e;
}
