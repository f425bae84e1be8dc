/**
 * Versioned migrations, applied at start-up under an advisory lock: several instances starting together on one
 * PostgreSQL apply each migration exactly once.
 */
import type { Db } from './db';

export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'meetings, acknowledgements, audit log, paper receipts, policy versions',
    sql: `
CREATE TABLE meetings (
  id text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 512),
  tenant_id text NOT NULL,
  title text NOT NULL CHECK (length(title) <= 500),
  sensitive boolean NOT NULL DEFAULT true,
  level text NOT NULL CHECK (level IN ('機敏', '密', '機密', '極機密', '絕對機密')),
  reminder text NOT NULL CHECK (length(reminder) <= 2000),
  spokesperson text CHECK (length(spokesperson) <= 200),
  chair_oid text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE acknowledgements (
  meeting_id text NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
  tenant_id text NOT NULL,
  user_oid text NOT NULL,
  display_name text NOT NULL,
  upn text,
  client text,
  acknowledged_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (meeting_id, user_oid)
);
CREATE TABLE audit_events (
  seq bigint PRIMARY KEY,
  at timestamptz NOT NULL,
  tenant_id text NOT NULL,
  actor_oid text,
  kind text NOT NULL,
  data jsonb NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL UNIQUE
);
CREATE TABLE paper_receipts (
  id text PRIMARY KEY,
  tenant_id text NOT NULL,
  sender text NOT NULL,
  recipients jsonb NOT NULL,
  parts jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'sent', 'signed', 'cancelled')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE policy_versions (
  version integer PRIMARY KEY,
  document jsonb NOT NULL,
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now()
);`,
  },
  {
    version: 2,
    name: 'audit events waiting to be chained',
    // High-volume events (acknowledgements, mail decisions) commit here without waiting for the chain's single lock;
    // the chainer moves them into audit_events in batches.
    sql: `
CREATE TABLE audit_pending (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  tenant_id text NOT NULL,
  actor_oid text,
  kind text NOT NULL,
  data jsonb NOT NULL
);`,
  },
  {
    version: 3,
    name: 'participants seen per meeting',
    // Who opened a meeting's pages: the invitees when Microsoft Graph cannot be asked. Acknowledgers are read from
    // acknowledgements, so the acknowledgement path writes nothing here.
    sql: `
CREATE TABLE meeting_participants (
  meeting_id text NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
  user_oid text NOT NULL,
  display_name text NOT NULL CHECK (length(display_name) <= 200),
  upn text CHECK (length(upn) <= 320),
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (meeting_id, user_oid)
);`,
  },
  {
    version: 4,
    name: 'the level and reminder each acknowledgement was given for',
    // What the attendee was shown, so a sheet never attests to a level or reminder the chair set afterwards. Rows
    // from before: a meeting untouched since the acknowledgement was then as it is now, so those rows take its
    // current version; for the others nobody knows, and they stay NULL (an earlier version: asked again).
    sql: `
ALTER TABLE acknowledgements
  ADD COLUMN level text CHECK (level IN ('機敏', '密', '機密', '極機密', '絕對機密')),
  ADD COLUMN reminder_sha256 text CHECK (reminder_sha256 ~ '^[0-9a-f]{64}$');
UPDATE acknowledgements a
   SET level = m.level, reminder_sha256 = encode(sha256(convert_to(m.reminder, 'UTF8')), 'hex')
  FROM meetings m
 WHERE m.id = a.meeting_id AND m.updated_at <= a.acknowledged_at;`,
  },
  {
    version: 5,
    name: 'a policy per tenant',
    // One deployment may serve several agencies (AUTH_TENANT_IDS): each tenant's Policy.Admin sets that tenant's policy
    // and no other. A version written before this was written by the tenant its `policy.updated` audit event names
    // (recorded in the same transaction); a row without that event belongs to no tenant ('') and is served to none.
    sql: `
ALTER TABLE policy_versions ADD COLUMN tenant_id text;
UPDATE policy_versions p SET tenant_id = a.tenant_id
  FROM audit_events a
 WHERE a.kind = 'policy.updated' AND a.data->>'version' = p.version::text;
UPDATE policy_versions SET tenant_id = '' WHERE tenant_id IS NULL;
ALTER TABLE policy_versions ALTER COLUMN tenant_id SET NOT NULL;
ALTER TABLE policy_versions DROP CONSTRAINT policy_versions_pkey;
ALTER TABLE policy_versions ADD PRIMARY KEY (tenant_id, version);`,
  },
  {
    version: 6,
    name: 'meetings by chair and creation time',
    // The daily allowance of new meetings per user counts these on every meeting created.
    sql: `CREATE INDEX meetings_by_chair ON meetings (tenant_id, chair_oid, created_at);`,
  },
  {
    version: 7,
    name: 'meetings and receipts keyed by tenant',
    // An id names a meeting or a receipt within its tenant: another tenant using the same id (by chance, or by
    // learning it) gets its own, instead of being refused, or squatting the id before its owner configures it.
    sql: `
ALTER TABLE acknowledgements DROP CONSTRAINT acknowledgements_meeting_id_fkey;
ALTER TABLE meeting_participants DROP CONSTRAINT meeting_participants_meeting_id_fkey;
ALTER TABLE meetings DROP CONSTRAINT meetings_pkey;
ALTER TABLE meetings ADD PRIMARY KEY (tenant_id, id);
ALTER TABLE acknowledgements DROP CONSTRAINT acknowledgements_pkey;
ALTER TABLE acknowledgements ADD PRIMARY KEY (tenant_id, meeting_id, user_oid);
ALTER TABLE acknowledgements ADD FOREIGN KEY (tenant_id, meeting_id) REFERENCES meetings (tenant_id, id) ON DELETE CASCADE;
ALTER TABLE meeting_participants ADD COLUMN tenant_id text;
UPDATE meeting_participants p SET tenant_id = m.tenant_id FROM meetings m WHERE m.id = p.meeting_id;
ALTER TABLE meeting_participants ALTER COLUMN tenant_id SET NOT NULL;
ALTER TABLE meeting_participants DROP CONSTRAINT meeting_participants_pkey;
ALTER TABLE meeting_participants ADD PRIMARY KEY (tenant_id, meeting_id, user_oid);
ALTER TABLE meeting_participants ADD FOREIGN KEY (tenant_id, meeting_id) REFERENCES meetings (tenant_id, id) ON DELETE CASCADE;
ALTER TABLE paper_receipts DROP CONSTRAINT paper_receipts_pkey;
ALTER TABLE paper_receipts ADD PRIMARY KEY (tenant_id, id);`,
  },
  {
    version: 8,
    name: 'signed audit checkpoints; pending audit rows signed',
    // A checkpoint is the chain's head signed with a key the database does not hold (Ed25519, AUDIT_SIGNING_KEY), each
    // naming the one before it, so rewriting, truncating or appending to the sealed chain fails `verify --public-key`.
    // Pending rows carry the same key's signature until they are chained; `mac` is the server's own cheap check (an
    // HMAC under a key derived from the private key) that an event or pending row is its own before it seals it. Rows
    // the chainer finds forged are kept aside, not chained.
    sql: `
CREATE TABLE audit_checkpoints (
  n bigint PRIMARY KEY,
  seq bigint NOT NULL,
  head_hash text NOT NULL,
  prev_hash text NOT NULL,
  at timestamptz NOT NULL,
  key_id text NOT NULL,
  signature text NOT NULL,
  hash text NOT NULL UNIQUE
);
ALTER TABLE audit_events ADD COLUMN mac text;
ALTER TABLE audit_pending ADD COLUMN key_id text, ADD COLUMN signature text, ADD COLUMN mac text;
CREATE TABLE audit_pending_rejected (
  id bigint NOT NULL,
  at timestamptz,
  tenant_id text,
  actor_oid text,
  kind text,
  data jsonb,
  key_id text,
  signature text,
  mac text,
  reason text NOT NULL,
  rejected_at timestamptz NOT NULL DEFAULT now()
);`,
  },
  {
    version: 9,
    name: 'acknowledgements in sheet order',
    // The roster and the sign-in sheet read a meeting's acknowledgements a page at a time in this order (keyset);
    // without it every page sorted the whole meeting again (50 ms a page at 10,000 rows, on PGlite's thread).
    sql: `CREATE INDEX acknowledgements_in_order ON acknowledgements (tenant_id, meeting_id, acknowledged_at, user_oid);`,
  },
  {
    version: 10,
    name: 'policy versions past 2^31',
    // An integer column capped versions at 2,147,483,647: a tenant that saved that version could never save another.
    // The policy's own bound is now the largest integer JSON carries exactly to the add-in (MAX_POLICY_VERSION).
    sql: `ALTER TABLE policy_versions ALTER COLUMN version TYPE bigint;`,
  },
  {
    version: 11,
    name: 'invitees named by the chair, not participants seen',
    // Opening a meeting made the opener an invitee (應到) whenever Graph could not be asked. Only Graph's member list or
    // the chair now says who was invited; the rows of who opened a meeting say nothing about that, so they go.
    sql: `
CREATE TABLE meeting_invitees (
  tenant_id text NOT NULL,
  meeting_id text NOT NULL,
  position integer NOT NULL CHECK (position >= 0),
  user_oid text CHECK (length(user_oid) <= 64),
  display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
  upn text CHECK (length(upn) <= 320),
  PRIMARY KEY (tenant_id, meeting_id, position),
  FOREIGN KEY (tenant_id, meeting_id) REFERENCES meetings (tenant_id, id) ON DELETE CASCADE
);
DROP TABLE meeting_participants;`,
  },
  {
    version: 12,
    name: 'rate-limit counters shared by the instances',
    // With several instances on one PostgreSQL each counting alone, a user got the limit once per instance. Unlogged:
    // a counter lost in a crash only lets a user start a fresh window, and counting costs no WAL flush.
    sql: `
CREATE UNLOGGED TABLE rate_limit_counts (
  key text PRIMARY KEY,
  window_start timestamptz NOT NULL,
  window_ms integer NOT NULL CHECK (window_ms > 0),
  count integer NOT NULL
);`,
  },
  {
    version: 13,
    name: "the meeting's time and place, for the sign-in sheet",
    // The sheet printed only the day the acknowledgements fell on; a sign-in sheet names when and where the meeting was.
    sql: `
ALTER TABLE meetings ADD COLUMN starts_at timestamptz;
ALTER TABLE meetings ADD COLUMN ends_at timestamptz;
ALTER TABLE meetings ADD COLUMN place text CHECK (length(place) <= 200);
ALTER TABLE meetings ADD CONSTRAINT meetings_schedule CHECK ((starts_at IS NULL) = (ends_at IS NULL) AND (ends_at > starts_at OR ends_at IS NULL));`,
  },
  {
    version: 14,
    name: 'receipts from before salted commitments keep no guessable values',
    // Receipts written before salted commitments hold each removed part's plain SHA-256 and exact length: a short part
    // is guessed back from them in a few thousand tries. Each such part keeps its level and kind, its length rounded
    // up as lengthBucket does (a power of two, 64 to 2^30) and a `legacy` mark; nothing is left to match the paper
    // against. Audit events of that time are not rewritten: the chain and its signed checkpoints commit to them (see
    // the README, "What the server knows about a removed part").
    sql: `
UPDATE paper_receipts r
   SET parts = (
     SELECT jsonb_agg(
              CASE WHEN p ? 'sha256' OR p ? 'length' THEN
                jsonb_build_object(
                  'level', p->'level',
                  'lengthAtMost', CASE WHEN jsonb_typeof(p->'length') = 'number' THEN
                    (SELECT coalesce(min(1::bigint << g), 1::bigint << 30)
                       FROM generate_series(6, 30) AS g
                      WHERE (1::bigint << g) >= (p->>'length')::numeric) END,
                  'kind', CASE WHEN p->>'kind' = 'attachment' THEN 'attachment' ELSE 'text' END,
                  'legacy', true)
              ELSE p END
              ORDER BY i)
       FROM jsonb_array_elements(r.parts) WITH ORDINALITY AS t(p, i))
 WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(r.parts) AS q(p) WHERE p ? 'sha256' OR p ? 'length');`,
  },
];

/** Applies the migrations not yet applied; returns the versions it applied. */
export async function migrate(db: Db, migrations: typeof MIGRATIONS = MIGRATIONS): Promise<number[]> {
  return db.withAdvisoryLock('secrecy-guard:migrations', async (conn) => {
    await conn.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set(
      (await conn.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) =>
        Number(r.version),
      ),
    );
    const applied: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) {
        continue;
      }
      await conn.query('BEGIN');
      try {
        await conn.exec(m.sql);
        await conn.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        await conn.query('COMMIT');
      } catch (e) {
        // The migration's own error is the one to report, not a ROLLBACK's on a connection already lost.
        await conn.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
      applied.push(m.version);
    }
    return applied;
  });
}
