/**
 * A fake Microsoft Graph serving `GET /v1.0/chats/{chat-id}/members` as documented (chat-list-members): a list of
 * `aadUserConversationMember` with `@odata.context`, paged with `@odata.nextLink` (`$skiptoken`). It trusts tokens the
 * fake Entra issued for it (signature from Entra's JWKS, issuer, audience = this Graph, `scp` with a chat-member
 * permission) and answers as Graph does: 401 InvalidAuthenticationToken, 403 Forbidden (missing scope, or the user is
 * not in the chat), 404 NotFound, 429 TooManyRequests with Retry-After, 5xx with Retry-After.
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

export interface FakeGraph {
  /** The origin to configure as GRAPH_BASE_URL. */
  readonly baseUrl: string;
  setChat(chatId: string, members: readonly FakeMember[]): void;
  /** Members per page. @default 100 */
  pageSize: number;
  /** The next `times` member requests fail with this status (429 and 503 carry Retry-After: `retryAfter`). */
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
  /** Member-list requests received, and the Authorization header of each. */
  readonly requests: readonly { readonly url: string; readonly authorization: string | null }[];
  close(): Promise<void>;
}

export async function startFakeGraph(entra: FakeEntra): Promise<FakeGraph> {
  const chats = new Map<string, readonly FakeMember[]>();
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
    if (req.method !== 'GET' || !m) {
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
      if (!MEMBER_SCOPES.some((s) => scopes.includes(s))) {
        error(
          res,
          403,
          'Forbidden',
          `Missing scope permissions on the request. API requires one of '${MEMBER_SCOPES.join(', ')}'.`,
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
      const chatId = decodeURIComponent(m[1] as string);
      const members = chats.get(chatId);
      if (!members) {
        error(res, 404, 'NotFound', `Chat ${chatId} not found.`);
        return;
      }
      if (!members.some((x) => x.userId === claims.oid)) {
        error(res, 403, 'Forbidden', 'Forbidden: the caller is not a member of this chat.');
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
      const type = { 'content-type': 'application/json; odata.metadata=minimal; charset=utf-8' };
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
