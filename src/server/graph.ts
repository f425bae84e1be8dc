/**
 * A meeting's invitees from Microsoft Graph, read as the chair: the chair's own bearer token is exchanged on their
 * behalf (Entra v2 OBO) for a Graph token with delegated `ChatMember.Read`, and the meeting chat's members are the
 * invitees. Every failure is a {@link GraphUnavailable} with a reason, never a crash; the caller falls back.
 *
 * The Teams meeting id in a tab's context is base64 of `0#<thread id>#0`, the thread being the meeting chat
 * (microsoft-teams-library-js#539 shows one; Graph's own onlineMeeting id is a different encoding). A bare thread id
 * is accepted too.
 */
import { Client, type Context, GraphError, type Middleware } from '@microsoft/microsoft-graph-client';

import type { Invitee } from '../shared/api';
import { GRAPH_MEETING_DETAILS_SCOPES, GRAPH_ON_BEHALF_OF_SCOPE } from '../shared/entra-registration';
import { asDisplayText, badString } from './text-input';

export interface GraphOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  /** The token endpoint; `{tenantid}` is replaced by the caller's tenant. */
  readonly tokenUrl: string;
  /** Graph's origin (and path prefix) before `/v1.0`. */
  readonly baseUrl: string;
  /** The whole exchange and every page together. @default 5000 */
  readonly timeoutMs?: number;
}

export type GraphFailure =
  | 'meeting_id' // not a Teams meeting id with a chat thread in it
  | 'obo_refused' // the token endpoint said no (consent, a bad secret, a token it will not exchange)
  | 'forbidden' // Graph 401/403
  | 'not_found' // Graph 404 (a channel meeting, an expired chat)
  | 'throttled' // Graph 429
  | 'unavailable' // Graph 5xx, a network error, a timeout, an unreadable answer
  | 'timeout';

export class GraphUnavailable extends Error {
  constructor(
    readonly reason: GraphFailure,
    message: string,
    /** How long Graph asked us to stay away (Retry-After), in milliseconds. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'GraphUnavailable';
  }
}

export interface ChatMembers {
  readonly invitees: readonly Invitee[];
  /** True when the bound on pages or members stopped the listing. */
  readonly truncated: boolean;
}

/** What Graph says of a meeting, to prefill the chair's configuration page; each part null when Graph did not say. */
export interface MeetingDetails {
  /** The organizer's Entra object id (the meeting chat's `onlineMeetingInfo.organizer.id`). */
  readonly organizerOid: string | null;
  /** The onlineMeeting's subject, else the meeting chat's topic. */
  readonly title: string | null;
  /** ISO 8601 UTC; both or neither, the end after the start. */
  readonly startsAt: string | null;
  readonly endsAt: string | null;
}

export interface GraphDirectory {
  chatMembers(request: {
    readonly bearer: string;
    readonly tenantId: string;
    readonly meetingId: string;
  }): Promise<ChatMembers>;
  /**
   * The meeting's name and times, read as the caller: `GET /chats/{id}` (Chat.ReadBasic) gives the topic, organizer
   * and join URL; `GET /me/onlineMeetings?$filter=JoinWebUrl eq '…'` (OnlineMeetings.Read, the organizer's own
   * meetings only) the subject and times. A failure of the second leaves the topic standing; of the first, throws.
   */
  meetingDetails(request: {
    readonly bearer: string;
    readonly tenantId: string;
    readonly meetingId: string;
  }): Promise<MeetingDetails>;
}

/** A meeting chat has at most a few thousand members; Teams meetings take 1,000 interactive attendees. */
export const MAX_MEMBERS = 5000;
const MAX_PAGES = 50;
const MAX_NAME = 200;
const MAX_UPN = 320;
/** A meeting's title as the configuration page takes it (`PUT /api/meetings/{id}`). */
const MAX_TITLE = 500;
/** Larger than any real page of members or token answer; a bigger body is not read. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;
const THREAD_ID = /^19:[A-Za-z0-9_=.-]{1,400}@thread\.(v2|skype|tacv2)$/;

/** The meeting chat's thread id from a Teams meeting id (base64 of `0#<thread>#0`) or a bare thread id; else null. */
export function meetingChatId(meetingId: string): string | null {
  if (THREAD_ID.test(meetingId)) {
    return meetingId;
  }
  if (!/^[A-Za-z0-9+/_-]+=*$/.test(meetingId) || meetingId.length > 1200) {
    return null;
  }
  const decoded = Buffer.from(meetingId, 'base64').toString('utf8');
  const m = /^\d+#(19:[^#]+)#\d+$/.exec(decoded);
  return m && THREAD_ID.test(m[1] as string) ? (m[1] as string) : null;
}

/** Attaches the Graph token, and only to Graph's own origin (a paging link elsewhere never gets it). */
class BearerMiddleware implements Middleware {
  #next: Middleware | undefined;
  constructor(
    private readonly token: string,
    private readonly origin: string,
  ) {}
  async execute(context: Context): Promise<void> {
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    if (new URL(url).origin !== this.origin) {
      throw new GraphUnavailable('unavailable', `refusing to send the Graph token to ${new URL(url).origin}`);
    }
    context.options = {
      ...context.options,
      headers: { ...(context.options?.headers as Record<string, string>), authorization: `Bearer ${this.token}` },
    };
    await this.#next?.execute(context);
  }
  setNext(next: Middleware): void {
    this.#next = next;
  }
}

/**
 * Sends the request with the deadline's signal and no redirects. It replaces the library's default chain, whose
 * retry handler would wait out a Retry-After of up to three minutes while the chair waits for the page.
 */
class DeadlineFetch implements Middleware {
  constructor(private readonly signal: AbortSignal) {}
  async execute(context: Context): Promise<void> {
    const response = await fetch(context.request, {
      ...(context.options as RequestInit),
      signal: this.signal,
      redirect: 'error',
    });
    const body = await readCapped(response);
    // The library reads the body from here; it gets the bytes already read, under the same status and headers.
    context.response = new Response(NULL_BODY_STATUSES.has(response.status) ? null : body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  }
}

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/**
 * The whole body, at most {@link MAX_BODY_BYTES}: a declared length over it is refused before reading, and a body
 * without one (chunked) is counted as it arrives and dropped the moment it passes the bound.
 */
async function readCapped(response: Response): Promise<Uint8Array<ArrayBuffer>> {
  const declared = response.headers.get('content-length');
  if (Number(declared ?? 0) > MAX_BODY_BYTES) {
    void response.body?.cancel();
    throw new GraphUnavailable('unavailable', `an answer of ${declared} bytes is too large`);
  }
  if (!response.body) {
    return new Uint8Array(0);
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      return Buffer.concat(chunks, total);
    }
    total += value.byteLength;
    if (total > MAX_BODY_BYTES) {
      void reader.cancel();
      throw new GraphUnavailable('unavailable', `an answer of more than ${MAX_BODY_BYTES} bytes is too large`);
    }
    chunks.push(value);
  }
}

/**
 * A name or address from Graph, shown as a token's are ({@link asDisplayText}): a NUL or a lone surrogate becomes
 * U+FFFD, and the cut never splits a pair, so a member's name can neither fail a PostgreSQL write nor change silently.
 */
const str = (v: unknown, max: number): string | null =>
  typeof v === 'string' && v.trim() !== '' ? asDisplayText(v.trim(), max) : null;

/** A user id from Graph, or null: an id that is not clean text identifies nobody (a token with such an oid is refused). */
const oidOf = (v: unknown): string | null => (typeof v === 'string' && !badString(v) ? str(v, 64) : null);

/** One conversationMember as an invitee; members without a name or an id (a bot, a phone line) are left out. */
function toInvitee(member: unknown): Invitee | null {
  if (typeof member !== 'object' || member === null) {
    return null;
  }
  const m = member as Record<string, unknown>;
  // Without a usable id the member counts by address.
  const oid = oidOf(m.userId);
  const upn = str(m.email, MAX_UPN);
  const name = str(m.displayName, MAX_NAME) ?? upn;
  if (name === null || (oid === null && upn === null)) {
    return null;
  }
  return { oid, name, upn };
}

function retryAfterMs(value: string | null | undefined): number | null {
  if (!value) {
    return null;
  }
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) {
    return seconds * 1000;
  }
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

export function createGraphDirectory(options: GraphOptions): GraphDirectory {
  const base = options.baseUrl.replace(/\/+$/, '');
  const origin = new URL(base).origin;
  const versionRoot = `${base}/v1.0`;
  const timeoutMs = options.timeoutMs ?? 5000;

  async function onBehalfOf(
    bearer: string,
    tenantId: string,
    signal: AbortSignal,
    scopes: readonly string[] = [GRAPH_ON_BEHALF_OF_SCOPE],
  ): Promise<string> {
    const url = options.tokenUrl.replace('{tenantid}', encodeURIComponent(tenantId));
    let status: number;
    let body: Record<string, unknown>;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
          client_id: options.clientId,
          client_secret: options.clientSecret,
          assertion: bearer,
          scope: scopes.map((scope) => `${origin}/${scope}`).join(' '),
          requested_token_use: 'on_behalf_of',
        }),
        signal,
        redirect: 'error',
      });
      status = res.status;
      body = JSON.parse(new TextDecoder().decode(await readCapped(res))) as Record<string, unknown>;
    } catch (e) {
      throw signal.aborted
        ? new GraphUnavailable('timeout', 'the token endpoint did not answer in time')
        : new GraphUnavailable('unavailable', `the token endpoint failed: ${(e as Error).message.slice(0, 200)}`);
    }
    if (status !== 200 || typeof body.access_token !== 'string') {
      // Entra's error body: { error, error_description: "AADSTS65001: …", error_codes, suberror? }.
      const code = typeof body.error === 'string' ? body.error : `http_${status}`;
      const description = typeof body.error_description === 'string' ? body.error_description.split('\n')[0] : '';
      throw new GraphUnavailable(
        status >= 500 ? 'unavailable' : 'obo_refused',
        `on-behalf-of refused: ${code} ${description ?? ''}`.trim().slice(0, 300),
      );
    }
    return body.access_token;
  }

  const clientFor = (token: string, signal: AbortSignal): Client =>
    Client.initWithMiddleware({
      baseUrl: base,
      defaultVersion: 'v1.0',
      middleware: [new BearerMiddleware(token, origin), new DeadlineFetch(signal)],
    });

  return {
    async meetingDetails({ bearer, tenantId, meetingId }) {
      const chatId = meetingChatId(meetingId);
      if (chatId === null) {
        throw new GraphUnavailable('meeting_id', 'the meeting id does not name a Teams meeting chat');
      }
      const signal = AbortSignal.timeout(timeoutMs);
      const client = clientFor(await onBehalfOf(bearer, tenantId, signal, GRAPH_MEETING_DETAILS_SCOPES), signal);
      let chat: Record<string, unknown>;
      try {
        chat = (await client.api(`/chats/${encodeURIComponent(chatId)}`).get()) as Record<string, unknown>;
      } catch (e) {
        throw asUnavailable(e, signal);
      }
      const info = (typeof chat.onlineMeetingInfo === 'object' && chat.onlineMeetingInfo) || {};
      const organizer = (info as { organizer?: { id?: unknown } }).organizer;
      const organizerOid = oidOf(organizer?.id);
      const joinWebUrl = (info as { joinWebUrl?: unknown }).joinWebUrl;
      let meeting: Record<string, unknown> = {};
      if (typeof joinWebUrl === 'string' && /^https:\/\/\S{1,2000}$/.test(joinWebUrl)) {
        try {
          // An OData string literal (a quote inside doubled), percent-encoded whole as Graph's example shows it: the
          // library's filter() passes the value as is, and the join URL's own %xx escapes would be decoded once.
          const filter = encodeURIComponent(`JoinWebUrl eq '${joinWebUrl.replace(/'/g, "''")}'`);
          const page = (await client.api(`/me/onlineMeetings?$filter=${filter}`).get()) as { value?: unknown };
          const first: unknown = Array.isArray(page.value) ? page.value[0] : undefined;
          meeting = typeof first === 'object' && first !== null ? (first as Record<string, unknown>) : {};
        } catch (e) {
          // Not the organizer's, or no consent to OnlineMeetings.Read: the topic still stands. Out of time: nothing.
          if (signal.aborted) {
            throw asUnavailable(e, signal);
          }
        }
      }
      const at = (v: unknown): number | null => {
        const t = typeof v === 'string' && v.length <= 40 ? Date.parse(v) : NaN;
        return Number.isNaN(t) ? null : t;
      };
      const start = at(meeting.startDateTime);
      const end = at(meeting.endDateTime);
      const timed = start !== null && end !== null && end > start;
      return {
        organizerOid,
        title: str(meeting.subject, MAX_TITLE) ?? str(chat.topic, MAX_TITLE),
        startsAt: timed ? new Date(start).toISOString() : null,
        endsAt: timed ? new Date(end).toISOString() : null,
      };
    },

    async chatMembers({ bearer, tenantId, meetingId }) {
      const chatId = meetingChatId(meetingId);
      if (chatId === null) {
        throw new GraphUnavailable('meeting_id', 'the meeting id does not name a Teams meeting chat');
      }
      const signal = AbortSignal.timeout(timeoutMs);
      const client = clientFor(await onBehalfOf(bearer, tenantId, signal), signal);
      const invitees: Invitee[] = [];
      const seen = new Set<string>();
      let path: string | null = `/chats/${encodeURIComponent(chatId)}/members`;
      let pages = 0;
      while (path !== null) {
        if (pages >= MAX_PAGES || invitees.length >= MAX_MEMBERS) {
          return { invitees, truncated: true };
        }
        pages++;
        let page: { value?: unknown; '@odata.nextLink'?: unknown };
        try {
          page = (await client.api(path).get()) as typeof page;
        } catch (e) {
          throw asUnavailable(e, signal);
        }
        if (!Array.isArray(page.value)) {
          throw new GraphUnavailable('unavailable', 'Graph answered without a member list');
        }
        let full = false;
        for (const member of page.value) {
          const invitee = toInvitee(member);
          const key = invitee ? (invitee.oid ?? `upn:${invitee.upn?.toLowerCase()}`) : '';
          if (invitee && !seen.has(key)) {
            if (invitees.length >= MAX_MEMBERS) {
              full = true;
              break;
            }
            seen.add(key);
            invitees.push(invitee);
          }
        }
        if (full) {
          return { invitees, truncated: true };
        }
        const next = page['@odata.nextLink'];
        // Only a link back into the same Graph is followed; the library is handed the part after the version.
        path = typeof next === 'string' && next.startsWith(`${versionRoot}/`) ? next.slice(versionRoot.length) : null;
        if (typeof next === 'string' && path === null) {
          return { invitees, truncated: true };
        }
      }
      return { invitees, truncated: false };
    },
  };
}

function asUnavailable(e: unknown, signal: AbortSignal): GraphUnavailable {
  if (e instanceof GraphUnavailable) {
    return e;
  }
  if (signal.aborted) {
    return new GraphUnavailable('timeout', 'Microsoft Graph did not answer in time');
  }
  if (e instanceof GraphError) {
    const status = e.statusCode;
    const detail = `Graph ${status}${e.code ? ` ${e.code}` : ''}`;
    if (status === 401 || status === 403) {
      return new GraphUnavailable('forbidden', detail);
    }
    if (status === 404) {
      return new GraphUnavailable('not_found', detail);
    }
    if (status === 429) {
      return new GraphUnavailable('throttled', detail, retryAfterMs(e.headers?.get('retry-after')));
    }
    return new GraphUnavailable('unavailable', detail, retryAfterMs(e.headers?.get('retry-after')));
  }
  return new GraphUnavailable('unavailable', `Microsoft Graph failed: ${String(e).slice(0, 200)}`);
}
