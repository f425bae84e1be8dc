/**
 * A fake Microsoft Graph serving, as documented:
 * - `GET /v1.0/chats/{chat-id}/members` (chat-list-members): a list of `aadUserConversationMember` with
 *   `@odata.context`, paged with `@odata.nextLink` (`$skiptoken`);
 * - `GET /v1.0/chats/{chat-id}` (chat-get, Chat.ReadBasic or more): the chat with its `topic`, `chatType: meeting` and
 *   `onlineMeetingInfo` (`calendarEventId`, `joinWebUrl`, `organizer` as a teamworkUserIdentity), to its members only;
 * - `GET /v1.0/me/onlineMeetings?$filter=JoinWebUrl eq '…'` (onlinemeeting-get, OnlineMeetings.Read or ReadWrite):
 *   a collection holding the signed-in user's own meeting with that join URL (`subject`, `startDateTime`,
 *   `endDateTime`), empty for anyone else's (delegated access reaches /me's meetings only), 400 without the filter.
 * It trusts tokens the fake Entra issued for it (signature from Entra's JWKS, issuer, audience = this Graph, `scp`
 * with a permission the call takes) and answers as Graph does: 401 InvalidAuthenticationToken, 403 Forbidden (missing
 * scope, or the user is not in the chat), 404 NotFound, 429 TooManyRequests with Retry-After, 5xx with Retry-After.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';

import { createRemoteJWKSet, jwtVerify } from 'jose';

import type { FakeEntra } from './entra';

export interface FakeMember {
  readonly userId: string;
  readonly displayName: string;
  readonly email: string | null;
  readonly tenantId?: string;
}

/** Delegated permissions that allow listing a chat's members (least privileged first). */
const MEMBER_SCOPES = ['ChatMember.Read', 'Chat.ReadBasic', 'ChatMember.ReadWrite', 'Chat.Read', 'Chat.ReadWrite'];
/** Delegated permissions for Get chat. */
const CHAT_SCOPES = ['Chat.ReadBasic', 'Chat.Read', 'Chat.ReadWrite'];
/** Delegated permissions for Get onlineMeeting. */
const MEETING_SCOPES = ['OnlineMeetings.Read', 'OnlineMeetings.ReadWrite'];

/** A meeting chat's meeting, as Get chat and Get onlineMeeting tell it. */
export interface FakeMeeting {
  readonly topic: string | null;
  readonly organizerId: string;
  readonly subject: string;
  readonly startDateTime: string;
  readonly endDateTime: string;
}

export interface FakeGraph {
  /** The origin to configure as GRAPH_BASE_URL. */
  readonly baseUrl: string;
  setChat(chatId: string, members: readonly FakeMember[]): void;
  /** The meeting behind a chat set with {@link setChat}: its topic, organizer, subject and times. */
  setMeeting(chatId: string, meeting: FakeMeeting): void;
  /** Members per page. @default 100 */
  pageSize: number;
  /** The next `times` requests fail with this status (429 and 503 carry Retry-After: `retryAfter`). */
  fail(status: 403 | 404 | 429 | 500 | 503, options?: { times?: number; retryAfter?: number }): void;
  /** Delay every answer by this many milliseconds (a Graph that does not answer in time). */
  delayMs: number;
  /**
   * Holds every answer (those already waiting and those to come) until the returned function is called: a Graph that
   * has not answered yet, for as long as the test needs, whatever the machine's load.
   */
  hold(): () => void;
  /** Makes nextLinks point at another origin, as a tampered page would. */
  nextLinkOrigin: string | null;
  /** Send member pages with `transfer-encoding: chunked` (no content-length), as Graph may. @default false */
  chunked: boolean;
  /** Whitespace (valid JSON) added to every member page, to make an answer as large as a hostile one. @default 0 */
  padBytes: number;
  /** Back to a Graph with no chats, no injected failures, no delay, one page of 100. */
  reset(): void;
  /** Requests received, and the Authorization header of each. */
  readonly requests: readonly { readonly url: string; readonly authorization: string | null }[];
  close(): Promise<void>;
}

export async function startFakeGraph(entra: FakeEntra): Promise<FakeGraph> {
  const chats = new Map<string, readonly FakeMember[]>();
  const meetings = new Map<string, FakeMeeting>();
  const joinUrl = (chatId: string): string =>
    `https://teams.microsoft.com/l/meetup-join/${encodeURIComponent(chatId)}/0?context=%7b%22Tid%22%3a%22fake%22%7d`;
  const failures: { status: number; retryAfter: number }[] = [];
  const requests: { url: string; authorization: string | null }[] = [];
  const jwks = createRemoteJWKSet(new URL(entra.jwksUrl));
  let baseUrl = '';
  let held: { readonly until: Promise<void>; readonly release: () => void } | null = null;

  const error = (res: ServerResponse, status: number, code: string, message: string, headers = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(
      JSON.stringify({
        error: {
          code,
          message,
          innerError: { date: new Date().toISOString(), 'request-id': randomUUID(), 'client-request-id': randomUUID() },
        },
      }),
    );
  };

  const graph: FakeGraph = {
    baseUrl: '',
    pageSize: 100,
    delayMs: 0,
    nextLinkOrigin: null,
    chunked: false,
    padBytes: 0,
    requests,
    setChat: (chatId, members) => {
      chats.set(chatId, members);
    },
    setMeeting: (chatId, meeting) => {
      meetings.set(chatId, meeting);
    },
    fail: (status, options = {}) => {
      for (let i = 0; i < (options.times ?? 1); i++) {
        failures.push({ status, retryAfter: options.retryAfter ?? 2 });
      }
    },
    hold: () => {
      if (!held) {
        let release = (): void => undefined;
        const until = new Promise<void>((resolve) => (release = resolve));
        held = { until, release };
      }
      const gate = held;
      return () => {
        if (held === gate) {
          held = null;
        }
        gate.release();
      };
    },
    reset: () => {
      held?.release();
      held = null;
      chats.clear();
      meetings.clear();
      failures.length = 0;
      graph.pageSize = 100;
      graph.delayMs = 0;
      graph.nextLinkOrigin = null;
      graph.chunked = false;
      graph.padBytes = 0;
    },
    close: () => {
      held?.release();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', baseUrl);
    const m = /^\/v1\.0\/chats\/([^/]+)\/members$/.exec(url.pathname);
    const chatPath = /^\/v1\.0\/chats\/([^/]+)$/.exec(url.pathname);
    const meetingsPath = url.pathname === '/v1.0/me/onlineMeetings';
    if (req.method !== 'GET' || !(m || chatPath || meetingsPath)) {
      error(res, 400, 'BadRequest', `Resource not found for the segment '${url.pathname.split('/').pop()}'.`);
      return;
    }
    requests.push({ url: url.toString(), authorization: req.headers.authorization ?? null });
    void (async () => {
      if (graph.delayMs > 0) {
        await new Promise((resolve) => setTimeout(resolve, graph.delayMs));
      }
      await held?.until;
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!token) {
        error(res, 401, 'InvalidAuthenticationToken', 'Access token is empty.');
        return;
      }
      let claims: Record<string, unknown>;
      try {
        ({ payload: claims } = await jwtVerify(token, jwks, { audience: baseUrl, algorithms: ['RS256'] }));
      } catch {
        error(res, 401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.');
        return;
      }
      if (claims.iss !== entra.issuer.replace('{tenantid}', String(claims.tid))) {
        error(res, 401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid issuer.');
        return;
      }
      const scopes = String(claims.scp ?? '').split(' ');
      const needed = m ? MEMBER_SCOPES : chatPath ? CHAT_SCOPES : MEETING_SCOPES;
      if (!needed.some((s) => scopes.includes(s))) {
        error(
          res,
          403,
          'Forbidden',
          `Missing scope permissions on the request. API requires one of '${needed.join(', ')}'.`,
        );
        return;
      }
      const failure = failures.shift();
      if (failure) {
        const codes: Record<number, string> = {
          403: 'Forbidden',
          404: 'NotFound',
          429: 'TooManyRequests',
          500: 'InternalServerError',
          503: 'ServiceUnavailable',
        };
        const retry =
          failure.status === 429 || failure.status === 503 ? { 'retry-after': String(failure.retryAfter) } : {};
        error(res, failure.status, codes[failure.status] as string, `Injected ${failure.status}.`, retry);
        return;
      }
      const type = { 'content-type': 'application/json; odata.metadata=minimal; charset=utf-8' };
      if (meetingsPath) {
        // Graph takes the joinWebUrl filter (and only it) here: a list of all of /me's meetings is not offered.
        const filter = /^JoinWebUrl eq '((?:[^']|'')*)'$/i.exec(url.searchParams.get('$filter') ?? '');
        if (!filter) {
          error(
            res,
            400,
            'BadRequest',
            'Filter expression expected - /onlineMeetings?$filter=JoinWebUrl eq {joinWebUrl}.',
          );
          return;
        }
        const wanted = (filter[1] as string).replace(/''/g, "'");
        const found = [...meetings.entries()].find(
          ([id, meeting]) => joinUrl(id) === wanted && meeting.organizerId === claims.oid,
        );
        res.writeHead(200, type);
        res.end(
          JSON.stringify({
            '@odata.context': `${baseUrl}/v1.0/$metadata#users('${String(claims.oid)}')/onlineMeetings`,
            value: found
              ? [
                  {
                    id: Buffer.from(`1*${found[1].organizerId}*0**${found[0]}`).toString('base64'),
                    creationDateTime: found[1].startDateTime,
                    startDateTime: found[1].startDateTime,
                    endDateTime: found[1].endDateTime,
                    joinWebUrl: wanted,
                    subject: found[1].subject,
                    chatInfo: { threadId: found[0], messageId: '0', replyChainMessageId: null },
                    participants: {
                      organizer: { upn: null, role: 'presenter', identity: { user: { id: found[1].organizerId } } },
                      attendees: [],
                    },
                  },
                ]
              : [],
          }),
        );
        return;
      }
      const chatId = decodeURIComponent((m ?? chatPath)?.[1] as string);
      const members = chats.get(chatId);
      if (!members) {
        error(res, 404, 'NotFound', `Chat ${chatId} not found.`);
        return;
      }
      if (!members.some((x) => x.userId === claims.oid)) {
        error(res, 403, 'Forbidden', 'Forbidden: the caller is not a member of this chat.');
        return;
      }
      if (chatPath) {
        const meeting = meetings.get(chatId);
        res.writeHead(200, type);
        res.end(
          JSON.stringify({
            '@odata.context': `${baseUrl}/v1.0/$metadata#chats/$entity`,
            id: chatId,
            topic: meeting?.topic ?? null,
            createdDateTime: '2026-12-01T01:00:00Z',
            lastUpdatedDateTime: '2026-12-01T01:00:00Z',
            chatType: meeting ? 'meeting' : 'group',
            webUrl: `https://teams.microsoft.com/l/chat/${encodeURIComponent(chatId)}/0`,
            tenantId: claims.tid,
            ...(meeting
              ? {
                  onlineMeetingInfo: {
                    calendarEventId: null,
                    joinWebUrl: joinUrl(chatId),
                    organizer: {
                      id: meeting.organizerId,
                      displayName: null,
                      userIdentityType: 'aadUser',
                      tenantId: claims.tid,
                    },
                  },
                }
              : {}),
            viewpoint: { isHidden: false, lastMessageReadDateTime: '2026-12-01T01:00:00Z' },
          }),
        );
        return;
      }
      const skip = Number(Buffer.from(url.searchParams.get('$skiptoken') ?? 'MA', 'base64url').toString() || '0');
      const page = members.slice(skip, skip + graph.pageSize);
      const next = skip + graph.pageSize < members.length ? skip + graph.pageSize : null;
      const self = `${graph.nextLinkOrigin ?? baseUrl}/v1.0/chats/${encodeURIComponent(chatId)}/members`;
      const body = JSON.stringify({
        '@odata.context': `${baseUrl}/v1.0/$metadata#chats('${encodeURIComponent(chatId)}')/members`,
        ...(skip === 0 ? { '@odata.count': members.length } : {}),
        ...(next !== null
          ? { '@odata.nextLink': `${self}?$skiptoken=${Buffer.from(String(next)).toString('base64url')}` }
          : {}),
        value: page.map((x) => ({
          '@odata.type': '#microsoft.graph.aadUserConversationMember',
          id: Buffer.from(`1#${chatId}#${x.userId}`).toString('base64'),
          roles: ['owner'],
          displayName: x.displayName,
          visibleHistoryStartDateTime: '0001-01-01T00:00:00Z',
          userId: x.userId,
          email: x.email,
          tenantId: x.tenantId ?? claims.tid,
        })),
      });
      const bytes = Buffer.from(`{${' '.repeat(graph.padBytes)}${body.slice(1)}`, 'utf8');
      if (!graph.chunked) {
        res.writeHead(200, { ...type, 'content-length': bytes.length });
        res.end(bytes);
        return;
      }
      res.writeHead(200, type);
      res.on('error', () => undefined); // the client may stop reading a page it finds too large
      for (let at = 0; at < bytes.length && !res.destroyed; at += 64 * 1024) {
        if (!res.write(bytes.subarray(at, at + 64 * 1024))) {
          await new Promise((resolve) => {
            res.once('drain', resolve);
            res.once('close', resolve);
          });
        }
      }
      res.end();
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  (graph as { baseUrl: string }).baseUrl = baseUrl;
  return graph;
}
