/**
 * Recording acknowledgements with group commit. Requests that arrive while a statement is running wait and go
 * together in the next one: one statement (and one commit) does the meeting check, the acknowledgements, their audit
 * records and, on PostgreSQL, the notifications for a whole batch. Each caller is answered only after the statement
 * that holds its row has committed, so a 2xx still means durable. Under light load a batch is one request and nothing
 * waits; under heavy load batches grow, which is what keeps PGlite (one connection) and PostgreSQL (one WAL flush per
 * commit) ahead of the request rate.
 */
import { createHash } from 'node:crypto';

import { auditKeyOf, sealPending } from './store/audit';
import type { Db, Queryable } from './store/db';

/** The meeting's reminder as the acknowledgement records it: the level and the SHA-256 of the reminder's text. */
export interface ReminderVersion {
  readonly level: string;
  readonly reminderSha256: string;
}

export interface AcknowledgementInput {
  readonly meetingId: string;
  readonly tenantId: string;
  readonly oid: string;
  readonly name: string;
  readonly upn: string | null;
  readonly client: string | null;
  /** What the attendee's page showed; when the meeting has changed since, nothing is recorded (`stale`). */
  readonly shown: ReminderVersion | null;
}

export type AcknowledgementResult =
  | { readonly meeting: 'not_found' }
  /** The chair changed the level or the reminder after the attendee's page loaded it. */
  | { readonly meeting: 'stale' }
  /** `created`: a new acknowledgement, or one renewed for the meeting's current version. */
  | { readonly meeting: 'found'; readonly created: boolean; readonly acknowledgedAt: Date };

/** The SHA-256 of a reminder's text (UTF-8), hex: how an acknowledgement names the text it was given for. */
export const reminderSha256 = (reminder: string): string => createHash('sha256').update(reminder, 'utf8').digest('hex');

/** The SQL for a meeting row's reminder hash (the same as {@link reminderSha256}). */
export const REMINDER_SHA256_SQL = (meeting: string): string =>
  `encode(sha256(convert_to(${meeting}.reminder, 'UTF8')), 'hex')`;

export interface AcknowledgementRecorder {
  record(input: AcknowledgementInput): Promise<AcknowledgementResult>;
}

/** Enough to amortise a commit, small enough that one statement stays short. */
const MAX_BATCH = 256;

// An acknowledgement records the version it was given for. One already there for the current version stands (its
// time is kept); one for an earlier version is renewed (time and version), which is what asking again means.
const BATCH_SQL = `
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[],
                       $9::text[], $10::text[])
    WITH ORDINALITY AS t(meeting_id, tenant_id, user_oid, display_name, upn, client, at, shown_level, shown_sha256, n)
),
target AS (
  SELECT i.*, m.level, ${REMINDER_SHA256_SQL('m')} AS reminder_sha256
    FROM input i JOIN meetings m ON m.id = i.meeting_id AND m.tenant_id = i.tenant_id
),
ins AS (
  INSERT INTO acknowledgements AS a (meeting_id, tenant_id, user_oid, display_name, upn, client, level, reminder_sha256)
  SELECT meeting_id, tenant_id, user_oid, display_name, upn, client, level, reminder_sha256
    FROM target
   WHERE shown_level IS NULL OR (shown_level = level AND shown_sha256 = reminder_sha256)
   ORDER BY n
  ON CONFLICT (tenant_id, meeting_id, user_oid) DO UPDATE
    SET display_name = EXCLUDED.display_name, upn = EXCLUDED.upn, client = EXCLUDED.client,
        level = EXCLUDED.level, reminder_sha256 = EXCLUDED.reminder_sha256, acknowledged_at = now()
    WHERE a.level IS DISTINCT FROM EXCLUDED.level OR a.reminder_sha256 IS DISTINCT FROM EXCLUDED.reminder_sha256
  RETURNING meeting_id, tenant_id, user_oid, display_name, upn, client, acknowledged_at, level, reminder_sha256
),
aud AS (
  INSERT INTO audit_pending (at, tenant_id, actor_oid, kind, data)
  SELECT i.at, ins.tenant_id, ins.user_oid, 'acknowledgement',
         jsonb_build_object('meetingId', ins.meeting_id, 'client', ins.client, 'level', ins.level,
                            'reminderSha256', ins.reminder_sha256)
    FROM ins JOIN input i ON i.tenant_id = ins.tenant_id AND i.meeting_id = ins.meeting_id AND i.user_oid = ins.user_oid
    ORDER BY i.n
  RETURNING id, tenant_id, actor_oid, data
),
note AS (
  SELECT pg_notify($8, json_build_object('tenantId', tenant_id, 'meetingId', meeting_id, 'oid', user_oid, 'name', display_name, 'upn', upn,
    'acknowledgedAt', to_char(acknowledged_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::text)
    FROM ins WHERE $8::text IS NOT NULL
)
SELECT i.n::int AS n,
       (t.meeting_id IS NOT NULL) AS meeting,
       (i.shown_level IS NOT NULL AND (i.shown_level IS DISTINCT FROM t.level
                                       OR i.shown_sha256 IS DISTINCT FROM t.reminder_sha256)) AS stale,
       ins.acknowledged_at AS inserted,
       CASE WHEN a.level = t.level AND a.reminder_sha256 = t.reminder_sha256 THEN a.acknowledged_at END AS existing,
       (SELECT count(*) FROM note)::int AS notified,
       aud.id AS pending_id,
       aud.data AS pending_data
  FROM input i
  LEFT JOIN target t ON t.n = i.n
  LEFT JOIN ins ON ins.tenant_id = i.tenant_id AND ins.meeting_id = i.meeting_id AND ins.user_oid = i.user_oid
  LEFT JOIN acknowledgements a ON a.tenant_id = i.tenant_id AND a.meeting_id = i.meeting_id AND a.user_oid = i.user_oid
  LEFT JOIN aud ON aud.tenant_id = i.tenant_id AND aud.actor_oid = i.user_oid AND aud.data->>'meetingId' = i.meeting_id
 ORDER BY i.n`;

// The signatures of the batch's pending audit rows, in the batch's transaction: no row is ever committed unsigned.
const SEAL_SQL = `
UPDATE audit_pending p SET key_id = s.key_id, signature = s.signature, mac = s.mac
  FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS s(id, key_id, signature, mac)
 WHERE p.id = s.id`;

interface Waiting {
  readonly input: AcknowledgementInput;
  readonly at: string;
  resolve(result: AcknowledgementResult): void;
  reject(error: unknown): void;
}

interface Row {
  n: number;
  meeting: boolean;
  stale: boolean;
  inserted: Date | string | null;
  existing: Date | string | null;
  pending_id: string | number | null;
  pending_data: unknown;
}

const asDate = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));

/**
 * `concurrency` is how many batch statements may run at once: 1 for PGlite (one connection anyway), a few for
 * PostgreSQL so a batch's round trip and commit overlap with the next one's.
 * `channel` is the LISTEN/NOTIFY channel, when events go through PostgreSQL.
 */
export function createAcknowledgementRecorder(
  db: Db,
  options: { concurrency: number; channel?: string | null },
): AcknowledgementRecorder {
  const queue: Waiting[] = [];
  let running = 0;

  const runBatch = async (batch: readonly Waiting[]): Promise<void> => {
    // The same user twice in one batch would match one inserted row twice; the later ones go in the next batch.
    const seen = new Set<string>();
    const now: Waiting[] = [];
    for (const w of batch) {
      const key = `${w.input.meetingId}\u0000${w.input.oid}`;
      if (seen.has(key)) {
        queue.push(w);
      } else {
        seen.add(key);
        now.push(w);
      }
    }
    let rows: Row[];
    try {
      rows = await statement(db, now, options.channel ?? null);
    } catch (e) {
      if (now.length === 1) {
        now[0]?.reject(e);
        return;
      }
      // One bad row must not fail its neighbours: each goes again on its own.
      for (const w of now) {
        await runBatch([w]);
      }
      return;
    }
    const byN = new Map(rows.map((r) => [Number(r.n), r]));
    for (const [k, w] of now.entries()) {
      const row = byN.get(k + 1);
      if (!row || !row.meeting) {
        w.resolve({ meeting: 'not_found' });
      } else if (row.stale) {
        w.resolve({ meeting: 'stale' });
      } else if (row.inserted !== null) {
        w.resolve({ meeting: 'found', created: true, acknowledgedAt: asDate(row.inserted) });
      } else if (row.existing !== null) {
        w.resolve({ meeting: 'found', created: false, acknowledgedAt: asDate(row.existing) });
      } else {
        // A concurrent statement wrote this user's row after ours took its snapshot: read it again.
        queue.push(w);
      }
    }
  };

  const pump = (): void => {
    while (running < options.concurrency && queue.length > 0) {
      const batch = queue.splice(0, MAX_BATCH);
      running++;
      void runBatch(batch)
        .catch((e: unknown) => {
          for (const w of batch) {
            w.reject(e);
          }
        })
        .finally(() => {
          running--;
          pump();
        });
    }
  };

  // A batch starts one event-loop turn after the first request that would join it, so every request whose bytes
  // are already read joins too. Without this, the first request of every burst would find an idle recorder and run
  // as a batch of one (every request, when PGlite ran its statements synchronously on this thread).
  let scheduled = false;
  const schedule = (): void => {
    if (!scheduled) {
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        pump();
      });
    }
  };

  return {
    record(input) {
      return new Promise<AcknowledgementResult>((resolve, reject) => {
        queue.push({ input, at: new Date().toISOString(), resolve, reject });
        schedule();
      });
    },
  };
}

/**
 * With an audit key, the batch and the signatures of the audit rows it wrote commit together (one Ed25519 signature
 * and one MAC per row: what `npm run bench -- server` measures as the seal's cost).
 */
async function statement(db: Db, batch: readonly Waiting[], channel: string | null): Promise<Row[]> {
  const key = auditKeyOf(db);
  if (!key) {
    return batchStatement(db, batch, channel);
  }
  return db.transaction(async (tx) => {
    const rows = await batchStatement(tx, batch, channel);
    const seals: { id: string; keyId: string; signature: string; mac: string }[] = [];
    for (const r of rows) {
      const w = batch[Number(r.n) - 1];
      if (r.pending_id === null || !w) {
        continue;
      }
      const id = String(r.pending_id);
      seals.push({
        id,
        ...sealPending(key, {
          id,
          at: new Date(w.at).toISOString(),
          tenantId: w.input.tenantId,
          actorOid: w.input.oid,
          kind: 'acknowledgement',
          data: typeof r.pending_data === 'string' ? JSON.parse(r.pending_data) : r.pending_data,
        }),
      });
    }
    if (seals.length > 0) {
      await tx.query(
        SEAL_SQL,
        [seals.map((x) => x.id), seals.map((x) => x.keyId), seals.map((x) => x.signature), seals.map((x) => x.mac)],
        { name: 'acknowledge-seal' },
      );
    }
    return rows;
  });
}

async function batchStatement(db: Queryable, batch: readonly Waiting[], channel: string | null): Promise<Row[]> {
  const col = <T>(f: (w: Waiting) => T): T[] => batch.map(f);
  const { rows } = await db.query<Row>(
    BATCH_SQL,
    [
      col((w) => w.input.meetingId),
      col((w) => w.input.tenantId),
      col((w) => w.input.oid),
      col((w) => w.input.name),
      col((w) => w.input.upn),
      col((w) => w.input.client),
      col((w) => w.at),
      channel,
      col((w) => w.input.shown?.level ?? null),
      col((w) => w.input.shown?.reminderSha256 ?? null),
    ],
    { name: 'acknowledge-batch' },
  );
  return rows;
}
