/**
 * The audit log: append-only and hash-chained. Each event stores the previous event's hash and its own hash over a
 * canonical JSON form, so an edited, deleted or reordered row breaks the chain where `verifyAuditChain` will find it.
 * Events carry rule ids, levels, sizes and hashes, never message content (the API rejects what looks like content).
 */
import { createHash } from 'node:crypto';

import { type AuditKey, type AuditPublicKey, verifySignature } from '../audit-key';
import type { Db, Queryable, QueryOptions } from './db';

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

/**
 * The signing key a store's audit writes use. Kept beside the Db (and each of its transactions) rather than passed to
 * every route that appends: a route appends with the transaction it has, and a store opened without a key (tests,
 * the verify command) writes rows without signatures, which the server's sealer will not seal.
 */
const auditKeys = new WeakMap<object, AuditKey>();

/**
 * `db`, whose audit writes (appends, pending rows, chaining) are signed with `key`. A plain wrapper that hands every
 * call to `db`: only its transactions differ, each marked with the key.
 */
export function withAuditKey(db: Db, key: AuditKey): Db {
  const keyed: Db = {
    kind: db.kind,
    query: <Row>(sql: string, params?: readonly unknown[], options?: QueryOptions) =>
      db.query<Row>(sql, params, options),
    exec: (sql) => db.exec(sql),
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) =>
      db.transaction((tx) => {
        auditKeys.set(tx, key);
        return fn(tx);
      }),
    withAdvisoryLock: <T>(lockKey: string, fn: (conn: Queryable) => Promise<T>) => db.withAdvisoryLock(lockKey, fn),
    lastFailure: () => db.lastFailure(),
    close: () => db.close(),
  };
  auditKeys.set(keyed, key);
  return keyed;
}

export function auditKeyOf(q: Queryable): AuditKey | undefined {
  return auditKeys.get(q);
}

/** What an event's MAC covers: its place and both hashes (the hash covers the content). */
const eventMacMessage = (seq: number, prevHash: string, hash: string): string =>
  `audit-event/1\n${seq}\n${prevHash}\n${hash}`;

export interface PendingRow {
  readonly id: string;
  readonly at: string;
  readonly tenantId: string;
  readonly actorOid: string | null;
  readonly kind: string;
  readonly data: unknown;
}

/** What a pending row's signature and MAC cover; its id too, so a signed row cannot be copied into a second one. */
export function pendingMessage(row: PendingRow, keyId: string): string {
  return canonicalJson({
    v: 'audit-pending/1',
    id: row.id,
    at: row.at,
    tenantId: row.tenantId,
    actorOid: row.actorOid,
    kind: row.kind,
    data: row.data,
    keyId,
  });
}

/** The signature columns of a pending row. */
export function sealPending(key: AuditKey, row: PendingRow): { keyId: string; signature: string; mac: string } {
  const message = pendingMessage(row, key.keyId);
  return { keyId: key.keyId, signature: key.sign(message), mac: key.mac(message) };
}

const isoOf = (v: Date | string): string => (v instanceof Date ? v : new Date(v)).toISOString();
const jsonOf = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);

/** An audit_pending row's columns as read: drivers give bigint, timestamps and jsonb as numbers, objects or text. */
interface PendingColumns {
  id: string | number;
  at: Date | string;
  tenant_id: string;
  actor_oid: string | null;
  kind: string;
  data: unknown;
  key_id: string | null;
  signature: string | null;
  mac: string | null;
}

/** The columns of {@link PendingColumns}, for a SELECT. */
const PENDING_COLUMNS = 'id, at, tenant_id, actor_oid, kind, data, key_id, signature, mac';

/** An audit_pending row as it was signed. */
function pendingRowOf(p: PendingColumns): PendingRow {
  return {
    id: String(p.id),
    at: isoOf(p.at),
    tenantId: p.tenant_id,
    actorOid: p.actor_oid,
    kind: p.kind,
    data: jsonOf(p.data),
  };
}

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
  const key = auditKeyOf(tx);
  const values = [seq, at, input.tenantId, input.actorOid, input.kind, JSON.stringify(input.data), prevHash, hash];
  // Without a key (tests, a store before migration 8) the row has no MAC, which no sealer will accept after the
  // first checkpoint.
  await tx.query(
    key
      ? 'INSERT INTO audit_events (seq, at, tenant_id, actor_oid, kind, data, prev_hash, hash, mac) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)'
      : 'INSERT INTO audit_events (seq, at, tenant_id, actor_oid, kind, data, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
    key ? [...values, key.mac(eventMacMessage(seq, prevHash, hash))] : values,
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
  const at = now().toISOString();
  const data = JSON.stringify(input.data);
  const key = auditKeyOf(tx);
  if (!key) {
    await tx.query('INSERT INTO audit_pending (at, tenant_id, actor_oid, kind, data) VALUES ($1, $2, $3, $4, $5)', [
      at,
      input.tenantId,
      input.actorOid,
      input.kind,
      data,
    ]);
    return;
  }
  // The id first: the signature covers it. (The data as stored and read back, as the chainer and verify will see it.)
  const id = String(
    (await tx.query<{ id: string | number }>("SELECT nextval('audit_pending_id_seq') AS id")).rows[0]?.id,
  );
  const seal = sealPending(key, {
    id,
    at,
    tenantId: input.tenantId,
    actorOid: input.actorOid,
    kind: input.kind,
    data: JSON.parse(data),
  });
  await tx.query(
    'INSERT INTO audit_pending (id, at, tenant_id, actor_oid, kind, data, key_id, signature, mac) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
    [id, at, input.tenantId, input.actorOid, input.kind, data, seal.keyId, seal.signature, seal.mac],
  );
}

/** A pending row the chainer would not chain: its signature or MAC does not verify under the server's key. */
export interface RejectedPending {
  readonly id: string;
  readonly reason: string;
}

/**
 * Moves up to `max` waiting events into the chain, in the order they were recorded. Returns how many it took
 * (rejected ones included).
 * With `ifFree`, it gives up at once (returning 0) when another instance holds the chain lock: that instance is
 * already chaining, and waiting would only hold a pooled connection that acknowledgements need.
 * With a key ({@link withAuditKey}), each row's MAC is checked first: a row edited, inserted or copied in the store is
 * not chained but moved to audit_pending_rejected, and an `audit.pending-rejected` event (its id, the reason, a hash
 * of the row) takes its place in the chain, so the tampering is itself on the record.
 */
export async function chainPending(
  db: Db,
  max = 2000,
  options: { ifFree?: boolean; onRejected?: (rejected: readonly RejectedPending[]) => void } = {},
): Promise<number> {
  const key = auditKeyOf(db);
  const rejected: RejectedPending[] = [];
  const moved = await db.transaction(async (tx) => {
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
      await tx.query<PendingColumns>(`SELECT ${PENDING_COLUMNS} FROM audit_pending ORDER BY id LIMIT $1`, [max])
    ).rows;
    if (pending.length === 0) {
      return 0;
    }
    const head = await auditHead(tx);
    let seq = head ? head.seq : 0;
    let prevHash = head ? head.hash : GENESIS_HASH;
    const values: unknown[] = [];
    const tuples: string[] = [];
    const push = (at: string, tenantId: string, actorOid: string | null, kind: string, data: unknown): void => {
      seq++;
      const hash = eventHash(prevHash, { seq, at, tenantId, actorOid, kind, data: data as Record<string, unknown> });
      const base = values.length;
      tuples.push(`(${Array.from({ length: 9 }, (_, k) => `$${base + k + 1}`).join(', ')})`);
      values.push(
        seq,
        at,
        tenantId,
        actorOid,
        kind,
        JSON.stringify(data),
        prevHash,
        hash,
        key ? key.mac(eventMacMessage(seq, prevHash, hash)) : null,
      );
      prevHash = hash;
    };
    for (const p of pending) {
      const row = pendingRowOf(p);
      const reason = !key
        ? null
        : p.key_id !== key.keyId
          ? `signed by ${p.key_id === null ? 'no key' : `another key (${p.key_id})`}, not this server's (${key.keyId})`
          : p.mac !== key.mac(pendingMessage(row, key.keyId))
            ? 'its MAC does not match the row (edited, inserted or copied in the store)'
            : null;
      if (reason === null) {
        push(row.at, row.tenantId, row.actorOid, row.kind, row.data);
      } else {
        rejected.push({ id: row.id, reason });
        const rowSha256 = createHash('sha256')
          .update(pendingMessage(row, p.key_id ?? ''))
          .digest('hex');
        push(new Date().toISOString(), '', null, 'audit.pending-rejected', { pendingId: row.id, reason, rowSha256 });
      }
    }
    await tx.query(
      `INSERT INTO audit_events (seq, at, tenant_id, actor_oid, kind, data, prev_hash, hash, mac) VALUES ${tuples.join(', ')}`,
      values,
    );
    const ids = pending.map((p) => String(p.id));
    if (rejected.length > 0) {
      await tx.query(
        `INSERT INTO audit_pending_rejected (id, at, tenant_id, actor_oid, kind, data, key_id, signature, mac, reason)
         SELECT p.id, p.at, p.tenant_id, p.actor_oid, p.kind, p.data, p.key_id, p.signature, p.mac, r.reason
           FROM audit_pending p JOIN unnest($1::bigint[], $2::text[]) AS r(id, reason) ON r.id = p.id`,
        [rejected.map((r) => r.id), rejected.map((r) => r.reason)],
      );
    }
    await tx.query('DELETE FROM audit_pending WHERE id = ANY($1::bigint[])', [ids]);
    return pending.length;
  });
  if (rejected.length > 0) {
    options.onRejected?.(rejected);
  }
  return moved;
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

/**
 * Chains waiting events every `intervalMs` until stopped; `stop` drains what is left. `catchUp` chains everything
 * waiting now, waiting for the chain lock if another instance holds it: start-up runs it before serving, so rows a
 * crash left are in the chain first. The timer's ticks give up instead when another instance holds the lock (it is
 * chaining already), so they never hold a pooled connection that acknowledgements need.
 */
export function startAuditChainer(
  db: Db,
  intervalMs = 50,
  onError: (e: Error) => void = () => undefined,
  onRejected?: (rejected: readonly RejectedPending[]) => void,
): { catchUp(): Promise<void>; stop(): Promise<void> } {
  const drain = async (ifFree: boolean): Promise<void> => {
    while ((await chainPending(db, 2000, { ifFree, ...(onRejected ? { onRejected } : {}) })) > 0) {
      // keep going while there is a backlog
    }
  };
  const tick = oneAtATime(() => drain(true), onError);
  const timer = setInterval(() => void tick.run(), intervalMs);
  return {
    catchUp: () => drain(false),
    async stop() {
      clearInterval(timer);
      while (tick.busy()) {
        await new Promise((r) => setTimeout(r, 5));
      }
      await tick.run();
    },
  };
}

export interface Checkpoint {
  /** 1, 2, 3 …: a checkpoint deleted from the middle leaves a gap, and each names the one before it. */
  readonly n: number;
  /** The sealed head: the chain's event `seq` has hash `head`. */
  readonly seq: number;
  readonly head: string;
  /** The previous checkpoint's hash ({@link GENESIS_HASH} for the first). */
  readonly prev: string;
  readonly at: string;
  readonly keyId: string;
  /** Ed25519 over {@link checkpointMessage}, base64. */
  readonly signature: string;
  /** SHA-256 of {@link checkpointMessage}: what the next checkpoint names. */
  readonly hash: string;
}

export function checkpointMessage(c: Omit<Checkpoint, 'signature' | 'hash'>): string {
  return canonicalJson({
    v: 'audit-checkpoint/1',
    n: c.n,
    seq: c.seq,
    head: c.head,
    prev: c.prev,
    at: c.at,
    keyId: c.keyId,
  });
}

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

interface CheckpointRow {
  n: string | number;
  seq: string | number;
  head_hash: string;
  prev_hash: string;
  at: Date | string;
  key_id: string;
  signature: string;
  hash: string;
}

const CHECKPOINT_COLUMNS = 'n, seq, head_hash, prev_hash, at, key_id, signature, hash';

function checkpointOf(r: CheckpointRow): Checkpoint {
  return {
    n: Number(r.n),
    seq: Number(r.seq),
    head: r.head_hash,
    prev: r.prev_hash,
    at: isoOf(r.at),
    keyId: r.key_id,
    signature: r.signature,
    hash: r.hash,
  };
}

export async function lastCheckpoint(db: Queryable): Promise<Checkpoint | null> {
  const row = (
    await db.query<CheckpointRow>(`SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints ORDER BY n DESC LIMIT 1`)
  ).rows[0];
  return row ? checkpointOf(row) : null;
}

/** Why the server would not sign a checkpoint: the chain since the last one is not (all) its own. */
export class AuditSealRefused extends Error {
  constructor(reason: string) {
    super(`稽核鏈未通過檢查，拒絕簽署檢查點 / Audit chain does not verify; checkpoint NOT signed: ${reason}`);
    this.name = 'AuditSealRefused';
  }
}

/** What a sealer remembers between checkpoints: the newest one it has seen, so it notices one deleted. */
export interface SealMemory {
  seen: { n: number; hash: string } | null;
}

export type SealResult =
  | { readonly sealed: Checkpoint; readonly unkeyedEvents: number }
  | { readonly skipped: 'empty' | 'unchanged' | 'raced' };

/**
 * Signs a checkpoint of the chain's head, after checking everything since the last checkpoint is this server's own:
 * that checkpoint still in place (and not older than one this server saw), its head still in the chain, and every
 * event after it linked and carrying the server's MAC. A correctly hashed event written straight into the store
 * has no valid MAC, so it is never sealed: {@link AuditSealRefused} instead, for the caller to log loudly.
 * Events from before signed checkpoints existed (no MAC) are sealed only by the very first checkpoint, after their
 * links and hashes are checked.
 */
export async function sealAuditChain(
  db: Db,
  key: AuditKey,
  memory: SealMemory = { seen: null },
  now: () => Date = () => new Date(),
): Promise<SealResult> {
  const last = await lastCheckpoint(db);
  if (memory.seen && (!last || last.n < memory.seen.n)) {
    throw new AuditSealRefused(
      `checkpoint #${memory.seen.n} is gone from the store (the newest is ${last ? `#${last.n}` : 'none'}): checkpoints were deleted`,
    );
  }
  if (last) {
    if (sha256(checkpointMessage(last)) !== last.hash) {
      throw new AuditSealRefused(`checkpoint #${last.n} does not match its own hash (edited)`);
    }
    if (last.keyId === key.keyId && !verifySignature(key, checkpointMessage(last), last.signature)) {
      throw new AuditSealRefused(`checkpoint #${last.n}'s signature does not verify (forged or edited)`);
    }
  }
  const head = await auditHead(db);
  if (!head) {
    if (last) {
      throw new AuditSealRefused(`checkpoint #${last.n} sealed event ${last.seq}, but the chain is empty (truncated)`);
    }
    return { skipped: 'empty' };
  }
  const base = last ? { seq: last.seq, hash: last.head } : { seq: 0, hash: GENESIS_HASH };
  if (head.seq < base.seq) {
    throw new AuditSealRefused(
      `checkpoint #${last?.n} sealed event ${base.seq}, but the chain ends at ${head.seq} (truncated)`,
    );
  }
  let unkeyedEvents = 0;
  // The first checkpoint: what came before it may have no MAC to check, so each event's hash is checked as well, in
  // the same walk.
  const first = last === null;
  if (base.seq > 0) {
    const sealed = (await db.query<{ hash: string }>('SELECT hash FROM audit_events WHERE seq = $1', [base.seq]))
      .rows[0];
    if (!sealed) {
      throw new AuditSealRefused(`event ${base.seq}, sealed by checkpoint #${last?.n}, is gone`);
    }
    if (sealed.hash !== base.hash) {
      throw new AuditSealRefused(`event ${base.seq} is not the one checkpoint #${last?.n} sealed (rewritten)`);
    }
  }
  let prevHash = base.hash;
  let nextSeq = base.seq + 1;
  while (nextSeq <= head.seq) {
    const rows = (
      await db.query<EventRow & { mac: string | null }>(
        `SELECT seq, prev_hash, hash, mac${first ? ', at, tenant_id, actor_oid, kind, data' : ''}
           FROM audit_events WHERE seq >= $1 AND seq <= $2 ORDER BY seq LIMIT 1000`,
        [nextSeq, head.seq],
      )
    ).rows;
    if (rows.length === 0) {
      throw new AuditSealRefused(`event ${nextSeq} is missing`);
    }
    for (const r of rows) {
      const seq = Number(r.seq);
      if (seq !== nextSeq) {
        throw new AuditSealRefused(`event ${nextSeq} is missing`);
      }
      if (r.prev_hash !== prevHash) {
        throw new AuditSealRefused(`event ${seq}: prev_hash does not match the event before it`);
      }
      if (first && hashOfRow(r) !== r.hash) {
        throw new AuditSealRefused(`event ${seq}: hash does not match the event (edited)`);
      }
      if (r.mac === null && first) {
        unkeyedEvents++;
      } else if (r.mac !== key.mac(eventMacMessage(seq, r.prev_hash, r.hash))) {
        throw new AuditSealRefused(
          `event ${seq} was not written by a server holding this key (${key.keyId}): inserted or rewritten in the store`,
        );
      }
      prevHash = r.hash;
      nextSeq++;
    }
  }
  if (prevHash !== head.hash) {
    throw new AuditSealRefused(`the chain changed while it was checked (head #${head.seq})`);
  }
  if (last && head.seq === last.seq) {
    memory.seen = { n: last.n, hash: last.hash };
    return { skipped: 'unchanged' };
  }
  const written = await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [CHAIN_LOCK]);
    const newest = await lastCheckpoint(tx);
    if ((newest?.n ?? 0) !== (last?.n ?? 0)) {
      return null;
    }
    const body = {
      n: (last?.n ?? 0) + 1,
      seq: head.seq,
      head: head.hash,
      prev: last?.hash ?? GENESIS_HASH,
      at: now().toISOString(),
      keyId: key.keyId,
    };
    const message = checkpointMessage(body);
    const checkpoint: Checkpoint = { ...body, signature: key.sign(message), hash: sha256(message) };
    await tx.query(`INSERT INTO audit_checkpoints (${CHECKPOINT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
      checkpoint.n,
      checkpoint.seq,
      checkpoint.head,
      checkpoint.prev,
      checkpoint.at,
      checkpoint.keyId,
      checkpoint.signature,
      checkpoint.hash,
    ]);
    return checkpoint;
  });
  if (!written) {
    return { skipped: 'raced' };
  }
  memory.seen = { n: written.n, hash: written.hash };
  return { sealed: written, unkeyedEvents };
}

export interface SealerOptions {
  /** Seal when this many events are unsealed. */
  readonly everyEvents: number;
  /** Seal when the oldest unsealed event is this old (checked each `pollMs`). */
  readonly everyMs: number;
  readonly pollMs?: number;
  readonly onSealed?: (c: Checkpoint, unkeyedEvents: number) => void;
  /** The chain did not verify: nothing was signed. Called on each refused attempt. */
  readonly onRefused: (e: AuditSealRefused) => void;
  readonly onError?: (e: Error) => void;
}

/**
 * Seals the chain every `everyEvents` events or `everyMs`, whichever first, and once more at `stop` (shutdown).
 * `sealNow` seals at once (start-up, before serving): a refusal goes to `onRefused`, any other error is thrown. One
 * memory serves every seal, so a checkpoint deleted after any of them is noticed by the next.
 */
export function startAuditSealer(
  db: Db,
  key: AuditKey,
  options: SealerOptions,
): { sealNow(): Promise<void>; stop(): Promise<void> } {
  const memory: SealMemory = { seen: null };
  let sealedSeq = -1;
  let unsealedSince: number | null = null;
  // After a refusal, the next try waits `everyMs`: the log says it loudly once per interval, not once per poll.
  let retryAt = 0;
  const attemptOnce = async (): Promise<void> => {
    try {
      const result = await sealAuditChain(db, key, memory);
      if ('sealed' in result) {
        options.onSealed?.(result.sealed, result.unkeyedEvents);
      }
      retryAt = 0;
    } catch (e) {
      if (e instanceof AuditSealRefused) {
        retryAt = Date.now() + options.everyMs;
        options.onRefused(e);
      } else {
        throw e;
      }
    } finally {
      // Read again next time: another instance may have sealed further.
      sealedSeq = -1;
      unsealedSince = null;
    }
  };
  // One seal at a time, whoever asks (a tick, start-up, stop): two at once would only race for the same checkpoint.
  let inFlight: Promise<void> | null = null;
  const attempt = async (): Promise<void> => {
    while (inFlight) {
      await inFlight.catch(() => undefined);
    }
    inFlight = attemptOnce();
    try {
      await inFlight;
    } finally {
      inFlight = null;
    }
  };
  const tick = oneAtATime(
    async () => {
      const head = await auditHead(db);
      if (!head) {
        return;
      }
      if (sealedSeq < 0) {
        sealedSeq = (await lastCheckpoint(db))?.seq ?? 0;
      }
      if (head.seq <= sealedSeq) {
        return;
      }
      unsealedSince ??= Date.now();
      if (
        Date.now() >= retryAt &&
        (head.seq - sealedSeq >= options.everyEvents || Date.now() - unsealedSince >= options.everyMs)
      ) {
        await attempt();
      }
    },
    options.onError ?? (() => undefined),
  );
  const timer = setInterval(() => void tick.run(), options.pollMs ?? Math.min(1000, options.everyMs));
  timer.unref();
  const idle = async (): Promise<void> => {
    while (tick.busy()) {
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  return {
    sealNow: attempt,
    async stop() {
      clearInterval(timer);
      await idle();
      await attempt().catch((e: unknown) => options.onError?.(e as Error));
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

/**
 * Walks the chain in order and reports the first broken link, or an anchor the chain no longer reaches, and how many
 * rows wait to be chained.
 */
export async function verifyAuditChain(db: Queryable, pageSize = 1000, anchor: ChainAnchor = {}): Promise<ChainReport> {
  const report = await checkChain(db, pageSize, anchor);
  if (report.broken) {
    return report;
  }
  const pending = Number(
    (await db.query<{ n: string | number }>('SELECT count(*) AS n FROM audit_pending')).rows[0]?.n ?? 0,
  );
  return pending > 0 ? { ...report, pending } : report;
}

/** The chain's links and an anchor, without the pending rows (each caller reads those once, its own way). */
async function checkChain(
  db: Queryable,
  pageSize: number,
  anchor: ChainAnchor,
  onEvent?: (seq: number, hash: string) => void,
): Promise<ChainReport> {
  const chain = await verifyLinks(db, pageSize, anchor.head, onEvent);
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

/** An audit_events row as read. */
interface EventRow {
  seq: string | number;
  at: Date | string;
  tenant_id: string;
  actor_oid: string | null;
  kind: string;
  data: unknown;
  prev_hash: string;
  hash: string;
}

/** The hash a row's content gives: a row whose stored hash differs was edited. */
function hashOfRow(r: EventRow): string {
  const data = jsonOf(r.data) as Record<string, unknown>;
  return eventHash(r.prev_hash, {
    seq: Number(r.seq),
    at: isoOf(r.at),
    tenantId: r.tenant_id,
    actorOid: r.actor_oid,
    kind: r.kind,
    data,
  });
}

async function verifyLinks(
  db: Queryable,
  pageSize: number,
  head: string | undefined,
  onEvent?: (seq: number, hash: string) => void,
): Promise<LinksWalked> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  let after = 0;
  let sawHead = false;
  const done = (report: ChainReport): LinksWalked => ({ report, sawHead });
  for (;;) {
    const rows = (
      await db.query<EventRow>(
        'SELECT seq, at, tenant_id, actor_oid, kind, data, prev_hash, hash FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2',
        [after, pageSize],
      )
    ).rows;
    if (rows.length === 0) {
      return done({ ok: true, events: count });
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
      if (hashOfRow(r) !== r.hash) {
        return broken('hash does not match the event (edited)');
      }
      prevHash = r.hash;
      onEvent?.(seq, r.hash);
      sawHead ||= r.hash === head;
      expectedSeq++;
      count++;
      after = seq;
    }
  }
}

export interface SealReport {
  readonly ok: boolean;
  /** The first problem with the checkpoints or the pending rows. */
  readonly problem?: string;
  readonly checkpoints: number;
  readonly lastCheckpoint?: { readonly n: number; readonly seq: number; readonly at: string; readonly keyId: string };
  /** Events after the last checkpoint: linked, but nothing signed vouches for them yet. */
  readonly unsealed: number;
  /** Rows recorded but not yet chained, and how many of them carry a valid signature. */
  readonly pending: { readonly count: number; readonly signed: number; readonly bad: number };
  /** Pending rows the server refused to chain (kept aside in audit_pending_rejected). */
  readonly rejected: number;
}

/**
 * The chain checked against its signed checkpoints with the public key(s) kept outside the store: each checkpoint's
 * signature, the checkpoints' own chain (numbered, each naming the one before: one deleted shows), and each sealed
 * head still in the chain. A rewrite with fresh hashes or a truncation of sealed events fails; events after the last
 * checkpoint are counted as unsealed; pending rows are checked one by one against their signatures.
 */
export async function verifySealedAuditChain(
  db: Queryable,
  keys: readonly AuditPublicKey[],
  anchor: ChainAnchor = {},
): Promise<ChainReport & { readonly seal: SealReport }> {
  const checkpoints = (
    await db.query<CheckpointRow>(`SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints ORDER BY n`)
  ).rows.map(checkpointOf);
  const sealedAt = new Map<number, Checkpoint[]>();
  for (const c of checkpoints) {
    sealedAt.set(c.seq, [...(sealedAt.get(c.seq) ?? []), c]);
  }
  const mismatched: string[] = [];
  const chain = await checkChain(db, 1000, anchor, (seq, hash) => {
    for (const c of sealedAt.get(seq) ?? []) {
      if (c.head !== hash) {
        mismatched.push(`event ${seq} is not the one checkpoint #${c.n} sealed (rewritten)`);
      }
    }
  });
  let problem: string | undefined = mismatched[0];
  const fail = (why: string): void => {
    problem ??= why;
  };
  let prev: Checkpoint | null = null;
  for (const [i, c] of checkpoints.entries()) {
    const message = checkpointMessage(c);
    const key = keys.find((k) => k.keyId === c.keyId);
    if (c.n !== i + 1) {
      fail(`checkpoint #${i + 1} is missing (deleted)`);
    } else if (c.prev !== (prev?.hash ?? GENESIS_HASH)) {
      fail(`checkpoint #${c.n} does not name checkpoint #${c.n - 1} before it (deleted or replaced)`);
    } else if (sha256(message) !== c.hash) {
      fail(`checkpoint #${c.n} does not match its hash (edited)`);
    } else if (!key) {
      fail(`checkpoint #${c.n} is signed by key ${c.keyId}, which was not given with --public-key`);
    } else if (!verifySignature(key, message, c.signature)) {
      fail(`checkpoint #${c.n}'s signature does not verify (forged or edited)`);
    } else if (prev && c.seq < prev.seq) {
      fail(`checkpoint #${c.n} seals event ${c.seq}, before checkpoint #${prev.n}'s ${prev.seq}`);
    } else if (chain.ok && c.seq > chain.events) {
      fail(`checkpoint #${c.n} sealed event ${c.seq}, but the chain ends at ${chain.events} (truncated)`);
    }
    prev = c;
  }
  const last = checkpoints[checkpoints.length - 1];
  const pendingRows = (await db.query<PendingColumns>(`SELECT ${PENDING_COLUMNS} FROM audit_pending ORDER BY id`)).rows;
  let signed = 0;
  for (const p of pendingRows) {
    const key = keys.find((k) => k.keyId === p.key_id);
    const row = pendingRowOf(p);
    if (key && p.signature !== null && verifySignature(key, pendingMessage(row, key.keyId), p.signature)) {
      signed++;
    } else {
      fail(
        `pending row ${row.id} ${key ? 'has no valid signature (edited or inserted in the store)' : `is signed by ${p.key_id ?? 'no key'}, not a key given`}`,
      );
    }
  }
  const rejected = Number(
    (await db.query<{ n: string | number }>('SELECT count(*) AS n FROM audit_pending_rejected')).rows[0]?.n ?? 0,
  );
  const seal: SealReport = {
    ok: problem === undefined,
    ...(problem !== undefined ? { problem } : {}),
    checkpoints: checkpoints.length,
    ...(last ? { lastCheckpoint: { n: last.n, seq: last.seq, at: last.at, keyId: last.keyId } } : {}),
    unsealed: Math.max(0, chain.events - (last?.seq ?? 0)),
    pending: { count: pendingRows.length, signed, bad: pendingRows.length - signed },
    rejected,
  };
  return {
    ...chain,
    ...(pendingRows.length > 0 && !chain.broken ? { pending: pendingRows.length } : {}),
    ok: chain.ok && seal.ok,
    seal,
  };
}
