/**
 * Who is expected at a meeting (應到): the meeting chat's members from Microsoft Graph when the server can read them as
 * the chair, otherwise the list the chair gave (`PUT /api/meetings/{id}/invitees`; empty until given). Nobody becomes
 * an invitee by opening the meeting or acknowledging. Graph trouble of any kind falls back to the chair's list; it
 * never fails the request. Graph answers, and Graph
 * refusals, are remembered briefly per meeting, so a roster page that refreshes does not hammer Graph.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';

import { type Invitee, INVITEE_ADDRESS_PATTERN, INVITEE_LIMITS, type InviteeList } from '../shared/api';
import type { Caller } from './auth';
import { type GraphDirectory, type GraphFailure, GraphUnavailable } from './graph';
import { caller, loadMeeting, MEETING_PARAMS, type MeetingRow, requireChair } from './http';
import { appendInTx } from './store/audit';
import type { Db, Queryable } from './store/db';
import { requireTitleOrName } from './text-input';

/** The most invitees a chair lists for one meeting. */
export const MAX_CHAIR_INVITEES = INVITEE_LIMITS.count;
const INVITEES_BODY_LIMIT = 2 * 1024 * 1024;
/** How long a Graph answer stands for a meeting. */
const GRAPH_TTL_MS = 60_000;
/** How long a Graph refusal stands when Graph gave no Retry-After. */
const REFUSAL_TTL_MS = 60_000;
const MAX_RETRY_AFTER_MS = 10 * 60_000;
/** Meetings whose Graph answers are kept; the oldest go first. */
const MAX_CACHED_MEETINGS = 1000;

/** A meeting's entry in the Graph cache: meeting ids are unique only within a tenant. */
const cacheKey = (tenantId: string, meetingId: string): string => `${tenantId}\u0000${meetingId}`;

export interface InviteeLookup {
  /** The invitees as the chair may see them; `bearer` is the chair's own token, for the on-behalf-of exchange. */
  list(meeting: MeetingRow, me: Caller, bearer: string): Promise<InviteeList>;
  /**
   * How many are expected (應到), for anyone's view of the meeting (the stage's 「已確認 3／應到 5」), without asking
   * Graph (only the chair's token may): the last complete Graph answer this server got for the chair, else the chair's
   * list. Null when neither names anyone, or Graph's list was cut off (then it is "at least", not a number).
   */
  expectedCount(meeting: MeetingRow): Promise<number | null>;
}

type Cached =
  | { readonly until: number; readonly invitees: readonly Invitee[]; readonly truncated: boolean }
  | { readonly until: number; readonly failure: GraphFailure };

export interface InviteeLookupOptions {
  readonly db: Queryable;
  /** Null when the server is not configured for Graph (no AUTH_CLIENT_SECRET). */
  readonly graph: GraphDirectory | null;
  readonly now?: () => number;
  /** Told why Graph was not used, for the log. */
  readonly onFallback?: (meetingId: string, reason: GraphFailure | 'not_configured', detail: string) => void;
}

export function createInviteeLookup(options: InviteeLookupOptions): InviteeLookup {
  const { db, graph } = options;
  const now = options.now ?? Date.now;
  const cache = new Map<string, Cached>();
  const inFlight = new Map<string, Promise<Cached>>();

  const remember = (key: string, entry: Cached): Cached => {
    cache.delete(key);
    cache.set(key, entry);
    if (cache.size > MAX_CACHED_MEETINGS) {
      cache.delete(cache.keys().next().value as string);
    }
    return entry;
  };

  const ask = async (meeting: MeetingRow, me: Caller, bearer: string, key: string): Promise<Cached> => {
    try {
      const { invitees, truncated } = await (graph as GraphDirectory).chatMembers({
        bearer,
        tenantId: me.tenantId,
        meetingId: meeting.id,
      });
      return remember(key, { until: now() + GRAPH_TTL_MS, invitees, truncated });
    } catch (e) {
      const failure = e instanceof GraphUnavailable ? e : new GraphUnavailable('unavailable', String(e));
      options.onFallback?.(meeting.id, failure.reason, failure.message);
      const wait = Math.min(failure.retryAfterMs ?? REFUSAL_TTL_MS, MAX_RETRY_AFTER_MS);
      return remember(key, { until: now() + Math.max(wait, 1000), failure: failure.reason });
    }
  };

  return {
    async list(meeting, me, bearer) {
      if (graph === null) {
        return chairList(db, meeting.tenant_id, meeting.id);
      }
      const key = cacheKey(me.tenantId, meeting.id);
      let entry = cache.get(key);
      if (!entry || entry.until <= now()) {
        let pending = inFlight.get(key);
        if (!pending) {
          pending = ask(meeting, me, bearer, key).finally(() => inFlight.delete(key));
          inFlight.set(key, pending);
        }
        entry = await pending;
      }
      if ('invitees' in entry) {
        return entry.truncated
          ? { source: 'graph', invitees: entry.invitees, truncated: true }
          : { source: 'graph', invitees: entry.invitees };
      }
      return chairList(db, meeting.tenant_id, meeting.id);
    },
    async expectedCount(meeting) {
      // An answer past its time still counts: the chair's own pages ask again, and a count a minute old beats none.
      const entry = cache.get(cacheKey(meeting.tenant_id, meeting.id));
      if (entry && 'invitees' in entry) {
        return entry.truncated || entry.invitees.length === 0 ? null : entry.invitees.length;
      }
      const row = (
        await db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM meeting_invitees WHERE tenant_id = $1 AND meeting_id = $2',
          [meeting.tenant_id, meeting.id],
        )
      ).rows[0];
      const n = Number(row?.n ?? 0);
      return n > 0 ? n : null;
    },
  };
}

/**
 * The chair's list, as an invitee list. Opening a meeting's pages or acknowledging never adds anyone to it: only Graph's
 * member list or the chair says who was invited, so 應到 counts people someone named, not whoever turned up.
 */
async function chairList(db: Queryable, tenantId: string, meetingId: string): Promise<InviteeList> {
  const rows = (
    await db.query<{ user_oid: string | null; display_name: string; upn: string | null }>(
      `SELECT user_oid, display_name, upn FROM meeting_invitees
        WHERE tenant_id = $1 AND meeting_id = $2 ORDER BY position LIMIT $3`,
      [tenantId, meetingId, MAX_CHAIR_INVITEES],
    )
  ).rows;
  return { source: 'chair', invitees: rows.map((r) => ({ oid: r.user_oid, name: r.display_name, upn: r.upn })) };
}

/** The caller's own bearer token, as the auth hook verified it. */
export function bearerOf(request: FastifyRequest): string {
  return (request.headers.authorization ?? '').replace(/^Bearer /, '');
}

export function registerInviteeRoutes(app: FastifyInstance, db: Db, invitees: InviteeLookup): void {
  app.get<{ Params: { meetingId: string } }>(
    '/api/meetings/:meetingId/invitees',
    { schema: { params: MEETING_PARAMS } },
    async (request): Promise<InviteeList> => {
      const me = caller(request);
      const meeting = await loadMeeting(db, me, request.params.meetingId);
      requireChair(me, meeting);
      return invitees.list(meeting, me, bearerOf(request));
    },
  );

  /** The chair says who was invited, replacing any list given before; used when Graph cannot be asked. */
  app.put<{ Params: { meetingId: string }; Body: { invitees: { name: string; upn?: string; oid?: string }[] } }>(
    '/api/meetings/:meetingId/invitees',
    {
      // A full list (5,000 names with addresses) is some hundreds of KB, past the API's 64 KB for other bodies.
      bodyLimit: INVITEES_BODY_LIMIT,
      schema: {
        params: MEETING_PARAMS,
        body: {
          type: 'object',
          required: ['invitees'],
          additionalProperties: false,
          properties: {
            invitees: {
              type: 'array',
              maxItems: MAX_CHAIR_INVITEES,
              items: {
                type: 'object',
                required: ['name'],
                additionalProperties: false,
                properties: {
                  name: { type: 'string', minLength: 1, maxLength: INVITEE_LIMITS.name },
                  upn: { type: 'string', maxLength: INVITEE_LIMITS.upn, pattern: INVITEE_ADDRESS_PATTERN },
                  oid: { type: 'string', pattern: '^[0-9a-fA-F-]{1,64}$' },
                },
              },
            },
          },
        },
      },
    },
    async (request): Promise<InviteeList> => {
      const me = caller(request);
      const list = request.body.invitees;
      list.forEach((invitee, i) => requireTitleOrName(`invitees/${i}/name`, invitee.name));
      const given = list.map((x) => ({ oid: x.oid ?? null, name: x.name, upn: x.upn ?? null }));
      await db.transaction(async (tx) => {
        const meeting = await loadMeeting(tx, me, request.params.meetingId);
        requireChair(me, meeting);
        await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`invitees:${me.tenantId}:${meeting.id}`]);
        await tx.query('DELETE FROM meeting_invitees WHERE tenant_id = $1 AND meeting_id = $2', [
          me.tenantId,
          meeting.id,
        ]);
        if (list.length > 0) {
          await tx.query(
            `INSERT INTO meeting_invitees (tenant_id, meeting_id, position, user_oid, display_name, upn)
             SELECT $1, $2, i.ord - 1, i.oid, i.name, i.upn
               FROM ROWS FROM (jsonb_to_recordset($3::jsonb) AS (oid text, name text, upn text))
                    WITH ORDINALITY AS i(oid, name, upn, ord)`,
            [me.tenantId, meeting.id, JSON.stringify(given)],
          );
        }
        await appendInTx(tx, {
          tenantId: me.tenantId,
          actorOid: me.oid,
          kind: 'meeting.invitees-set',
          data: { meetingId: meeting.id, count: list.length },
        });
      });
      return { source: 'chair', invitees: given };
    },
  );
}
