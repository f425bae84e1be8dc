/**
 * The audit log: append-only and hash-chained. Each event stores the previous event's hash and its own hash over a
 * canonical JSON form, so an edited, deleted or reordered row breaks the chain where `verifyAuditChain` will find it.
 * Events carry rule ids, levels, sizes and hashes, never message content (the API rejects what looks like content).
 */
import { createHash } from 'node:crypto';

import type { Db, Queryable } from './db';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEventInput {
  readonly tenantId: string;
  readonly actorOid: string | null;
  readonly kind: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface AuditEvent extends AuditEventInput {
  readonly seq: number;
  readonly at: string;
  readonly prevHash: string;
  readonly hash: string;
}

/** JSON with object keys sorted at every level: one byte sequence per value, whatever order it was built in. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    .join(',')}}`;
}

export function eventHash(prevHash: string, e: Omit<AuditEvent, 'hash' | 'prevHash'>): string {
  const body = canonicalJson({
    seq: e.seq,
    at: e.at,
    tenantId: e.tenantId,
    actorOid: e.actorOid,
    kind: e.kind,
    data: e.data,
  });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

const CHAIN_LOCK = 'secrecy-guard:audit-chain';

/** Appends one event; the chain head is read and extended under a transaction-scoped advisory lock. */
export async function appendAudit(
  db: Db,
  input: AuditEventInput,
  now: () => Date = () => new Date(),
): Promise<AuditEvent> {
  return db.transaction(async (tx) => appendInTx(tx, input, now));
}

export async function appendInTx(
  tx: Queryable,
  input: AuditEventInput,
  now: () => Date = () => new Date(),
): Promise<AuditEvent> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [CHAIN_LOCK]);
  const head = await auditHead(tx);
  const seq = head ? head.seq + 1 : 1;
  const prevHash = head ? head.hash : GENESIS_HASH;
  const at = now().toISOString();
  const event = { seq, at, tenantId: input.tenantId, actorOid: input.actorOid, kind: input.kind, data: input.data };
  const hash = eventHash(prevHash, event);
  await tx.query(
    'INSERT INTO audit_events (seq, at, tenant_id, actor_oid, kind, data, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
    [seq, at, input.tenantId, input.actorOid, input.kind, JSON.stringify(input.data), prevHash, hash],
  );
  return { ...event, prevHash, hash };
}

/**
 * Records an event durably without taking the chain lock: it commits with the caller's transaction and is chained
 * by {@link chainPending} moments later. For the high-volume path, where one lock per request would cap throughput
 * at one commit at a time.
 */
export async function enqueueAudit(
  tx: Queryable,
  input: AuditEventInput,
  now: () => Date = () => new Date(),
): Promise<void> {
  await tx.query('INSERT INTO audit_pending (at, tenant_id, actor_oid, kind, data) VALUES ($1, $2, $3, $4, $5)', [
    now().toISOString(),
    input.tenantId,
    input.actorOid,
    input.kind,
    JSON.stringify(input.data),
  ]);
}

/**
 * Moves up to `max` waiting events into the chain, in the order they were recorded. Returns how many it moved.
 * With `ifFree`, it gives up at once (returning 0) when another instance holds the chain lock: that instance is
 * already chaining, and waiting would only hold a pooled connection that acknowledgements need.
 */
export async function chainPending(db: Db, max = 2000, options: { ifFree?: boolean } = {}): Promise<number> {
  return db.transaction(async (tx) => {
    if (options.ifFree) {
      const got = (
        await tx.query<{ got: boolean }>('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS got', [CHAIN_LOCK])
      ).rows[0];
      if (!got?.got) {
        return 0;
      }
    } else {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [CHAIN_LOCK]);
    }
    // Exactly the rows read are deleted, by their ids. A `DELETE … WHERE id <= last` would also delete a lower id whose
    // writer committed between the two statements (ids are handed out at insert, rows become visible at commit),
    // losing an event that was never chained. (One DELETE … RETURNING with an IN (SELECT … LIMIT) costs more.)
    const pending = (
      await tx.query<{
        id: string | number;
        at: Date | string;
        tenant_id: string;
        actor_oid: string | null;
        kind: string;
        data: unknown;
      }>('SELECT id, at, tenant_id, actor_oid, kind, data FROM audit_pending ORDER BY id LIMIT $1', [max])
    ).rows;
    if (pending.length === 0) {
      return 0;
    }
    const head = await auditHead(tx);
    let seq = head ? head.seq : 0;
    let prevHash = head ? head.hash : GENESIS_HASH;
    const values: unknown[] = [];
    const tuples: string[] = [];
    for (const p of pending) {
      seq++;
      const at = p.at instanceof Date ? p.at.toISOString() : new Date(p.at).toISOString();
      const data = (typeof p.data === 'string' ? JSON.parse(p.data) : p.data) as Record<string, unknown>;
      const hash = eventHash(prevHash, { seq, at, tenantId: p.tenant_id, actorOid: p.actor_oid, kind: p.kind, data });
      const base = values.length;
      tuples.push(
        `($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5}, $${base + 6}, $${base + 7}, $${base + 8})`,
      );
      values.push(seq, at, p.tenant_id, p.actor_oid, p.kind, JSON.stringify(data), prevHash, hash);
      prevHash = hash;
    }
    await tx.query(
      `INSERT INTO audit_events (seq, at, tenant_id, actor_oid, kind, data, prev_hash, hash) VALUES ${tuples.join(', ')}`,
      values,
    );
    await tx.query('DELETE FROM audit_pending WHERE id = ANY($1::bigint[])', [pending.map((p) => String(p.id))]);
    return pending.length;
  });
}

/** `work` for a timer: a call while the last one still runs is skipped, and errors go to `onError`. */
function oneAtATime(work: () => Promise<void>, onError: (e: Error) => void): { run(): Promise<void>; busy(): boolean } {
  let busy = false;
  return {
    busy: () => busy,
    async run() {
      if (busy) {
        return;
      }
      busy = true;
      try {
        await work();
      } catch (e) {
        onError(e as Error);
      } finally {
        busy = false;
      }
    },
  };
}

/** Chains waiting events every `intervalMs` until stopped; `stop` drains what is left. */
export function startAuditChainer(
  db: Db,
  intervalMs = 50,
  onError: (e: Error) => void = () => undefined,
): { stop(): Promise<void> } {
  const tick = oneAtATime(async () => {
    while ((await chainPending(db, 2000, { ifFree: true })) > 0) {
      // keep going while there is a backlog
    }
  }, onError);
  const timer = setInterval(() => void tick.run(), intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      while (tick.busy()) {
        await new Promise((r) => setTimeout(r, 5));
      }
      await tick.run();
    },
  };
}

/**
 * Reports the chain's head every `intervalMs` when it changed: the server logs it, so the operator has an anchor
 * outside the store (log shipping, syslog) to verify against with `audit-log verify --expect-head`.
 */
export function watchAuditHead(
  db: Queryable,
  intervalMs: number,
  onHead: (head: { seq: number; hash: string }) => void,
  onError: (e: Error) => void = () => undefined,
): { stop(): void } {
  let last: string | null = null;
  const look = oneAtATime(async () => {
    const head = await auditHead(db);
    if (head && head.hash !== last) {
      last = head.hash;
      onHead(head);
    }
  }, onError);
  const timer = setInterval(() => void look.run(), intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
    },
  };
}

export interface ChainReport {
  readonly ok: boolean;
  readonly events: number;
  /** The first broken link, if any. */
  readonly broken?: { readonly seq: number; readonly reason: string };
  /** Events recorded but not yet chained (normally chained within a fraction of a second). */
  readonly pending?: number;
  /** Why the chain, sound link by link, does not reach an anchor recorded outside the store. */
  readonly anchor?: string;
}

/**
 * What was known of the chain earlier, from outside the store (the head the server logged, a printed sign-in sheet):
 * the links alone cannot show that the last events were deleted, or that everything from some event on was rewritten
 * with fresh hashes, but either loses an event recorded earlier.
 */
export interface ChainAnchor {
  /** A hash the chain must still hold. */
  readonly head?: string;
  /** How many events the chain must at least have. */
  readonly minSeq?: number;
}

/** The last chained event, if any. */
export async function auditHead(db: Queryable): Promise<{ seq: number; hash: string } | null> {
  const row = (
    await db.query<{ seq: string | number; hash: string }>(
      'SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1',
    )
  ).rows[0];
  return row ? { seq: Number(row.seq), hash: row.hash } : null;
}

/** Walks the chain in order and reports the first broken link, or an anchor the chain no longer reaches. */
export async function verifyAuditChain(db: Queryable, pageSize = 1000, anchor: ChainAnchor = {}): Promise<ChainReport> {
  const chain = await verifyLinks(db, pageSize, anchor.head);
  if (!chain.report.ok) {
    return chain.report;
  }
  const { events } = chain.report;
  if (anchor.minSeq !== undefined && events < anchor.minSeq) {
    return {
      ...chain.report,
      ok: false,
      anchor: `the chain ends at event ${events}; at least ${anchor.minSeq} were expected (the last events are gone)`,
    };
  }
  if (anchor.head !== undefined && !chain.sawHead) {
    return {
      ...chain.report,
      ok: false,
      anchor: `event ${anchor.head} is not in the chain (the chain was truncated or rewritten from an earlier event)`,
    };
  }
  return chain.report;
}

interface LinksWalked {
  readonly report: ChainReport;
  /** Whether the anchor's hash was among the events walked. */
  readonly sawHead: boolean;
}

async function verifyLinks(db: Queryable, pageSize: number, head: string | undefined): Promise<LinksWalked> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  let after = 0;
  let sawHead = false;
  const done = (report: ChainReport): LinksWalked => ({ report, sawHead });
  for (;;) {
    const rows = (
      await db.query<{
        seq: string | number;
        at: Date | string;
        tenant_id: string;
        actor_oid: string | null;
        kind: string;
        data: unknown;
        prev_hash: string;
        hash: string;
      }>(
        'SELECT seq, at, tenant_id, actor_oid, kind, data, prev_hash, hash FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2',
        [after, pageSize],
      )
    ).rows;
    if (rows.length === 0) {
      const pending = Number(
        (await db.query<{ n: string | number }>('SELECT count(*) AS n FROM audit_pending')).rows[0]?.n ?? 0,
      );
      return done(pending > 0 ? { ok: true, events: count, pending } : { ok: true, events: count });
    }
    for (const r of rows) {
      const seq = Number(r.seq);
      const broken = (reason: string): LinksWalked => done({ ok: false, events: count, broken: { seq, reason } });
      if (seq !== expectedSeq) {
        return done({
          ok: false,
          events: count,
          broken: { seq: expectedSeq, reason: `event ${expectedSeq} is missing (next is ${seq})` },
        });
      }
      if (r.prev_hash !== prevHash) {
        return broken('prev_hash does not match the previous event (deleted, inserted or reordered)');
      }
      const at = r.at instanceof Date ? r.at.toISOString() : new Date(r.at).toISOString();
      const data = (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as Record<string, unknown>;
      const hash = eventHash(prevHash, { seq, at, tenantId: r.tenant_id, actorOid: r.actor_oid, kind: r.kind, data });
      if (hash !== r.hash) {
        return broken('hash does not match the event (edited)');
      }
      prevHash = r.hash;
      sawHead ||= r.hash === head;
      expectedSeq++;
      count++;
      after = seq;
    }
  }
}
