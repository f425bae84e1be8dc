/**
 * Who is expected at a meeting: the meeting chat's members from Microsoft Graph when the server can read them as the
 * chair, otherwise the participants seen so far (everyone who opened the meeting's pages or acknowledged). Graph
 * trouble of any kind falls back to the participants seen; it never fails the request. Graph answers, and Graph
 * refusals, are remembered briefly per meeting, so a roster page that refreshes does not hammer Graph.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';

import type { Invitee, InviteeList } from '../shared/api';
import type { Caller } from './auth';
import { type GraphDirectory, type GraphFailure, GraphUnavailable } from './graph';
import { caller, loadMeeting, MEETING_PARAMS, type MeetingRow, requireChair } from './http';
import type { Db, Queryable } from './store/db';

/** Participants recorded per meeting; beyond this, newcomers are not recorded (the roster still has acknowledgers). */
export const MAX_PARTICIPANTS = 5000;
/** How long a Graph answer stands for a meeting. */
const GRAPH_TTL_MS = 60_000;
/** How long a Graph refusal stands when Graph gave no Retry-After. */
const REFUSAL_TTL_MS = 60_000;
const MAX_RETRY_AFTER_MS = 10 * 60_000;
/** Meetings whose Graph answers are kept; the oldest go first. */
const MAX_CACHED_MEETINGS = 1000;

export interface InviteeLookup {
  /** The invitees as the chair may see them; `bearer` is the chair's own token, for the on-behalf-of exchange. */
  list(meeting: MeetingRow, me: Caller, bearer: string): Promise<InviteeList>;
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
        return seenList(db, meeting.tenant_id, meeting.id);
      }
      const key = `${me.tenantId}\u0000${meeting.id}`;
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
      return seenList(db, meeting.tenant_id, meeting.id);
    },
  };
}

/**
 * Records that a signed-in user opened the meeting. Cheap on repeat visits (an index probe, no write); a newcomer is
 * inserted only while the meeting has fewer than {@link MAX_PARTICIPANTS} (two newcomers racing may pass it by one).
 * Acknowledgers need no row here: the acknowledgements are read alongside.
 */
export async function recordParticipant(db: Queryable, meeting: MeetingRow, me: Caller): Promise<void> {
  await db.query(
    `INSERT INTO meeting_participants (tenant_id, meeting_id, user_oid, display_name, upn)
     SELECT $6, $1, $2, $3, $4
      WHERE NOT EXISTS (SELECT 1 FROM meeting_participants WHERE tenant_id = $6 AND meeting_id = $1 AND user_oid = $2)
        AND (SELECT count(*) FROM meeting_participants WHERE tenant_id = $6 AND meeting_id = $1) < $5
     ON CONFLICT (tenant_id, meeting_id, user_oid) DO NOTHING`,
    [meeting.id, me.oid, me.name.slice(0, 200), me.upn?.slice(0, 320) ?? null, MAX_PARTICIPANTS, meeting.tenant_id],
    { name: 'record-participant' },
  );
}

/**
 * The participants seen, as an invitee list. Once {@link MAX_PARTICIPANTS} are listed, newcomers were not recorded (or
 * are beyond the limit), so the list says it is cut off.
 */
async function seenList(db: Queryable, tenantId: string, meetingId: string): Promise<InviteeList> {
  const invitees = await participantsSeen(db, tenantId, meetingId);
  return invitees.length >= MAX_PARTICIPANTS
    ? { source: 'seen', invitees, truncated: true }
    : { source: 'seen', invitees };
}

/** Everyone who opened the meeting or acknowledged it, once each, in the order they first appeared. */
export async function participantsSeen(db: Queryable, tenantId: string, meetingId: string): Promise<Invitee[]> {
  const rows = (
    await db.query<{ user_oid: string; display_name: string; upn: string | null }>(
      `SELECT user_oid, display_name, upn FROM (
         SELECT DISTINCT ON (user_oid) user_oid, display_name, upn, at FROM (
           SELECT user_oid, display_name, upn, first_seen_at AS at FROM meeting_participants
            WHERE tenant_id = $3 AND meeting_id = $1
           UNION ALL
           SELECT user_oid, display_name, upn, acknowledged_at AS at FROM acknowledgements
            WHERE tenant_id = $3 AND meeting_id = $1
         ) s ORDER BY user_oid, at
       ) d ORDER BY at, user_oid LIMIT $2`,
      [meetingId, MAX_PARTICIPANTS, tenantId],
    )
  ).rows;
  return rows.map((r) => ({ oid: r.user_oid, name: r.display_name, upn: r.upn }));
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
}
