/**
 * The typed client the add-in and the Teams pages use, against the real server (PGlite) over HTTP: the round trips,
 * errors as ApiError, one retry with a fresh token after a 401, and the chair's event stream through fetch.
 */
import type { FastifyInstance } from 'fastify';

import { buildApp, inProcessEventBus } from '../../src/server/app';
import type { Db } from '../../src/server/store/db';
import { migrate } from '../../src/server/store/migrations';
import {
  type AcknowledgementEvent,
  ApiError,
  createApiClient,
  DEFAULT_REMINDER,
  type FetchLike,
} from '../../src/shared/api';
import { type EventStreamHandlers, followAcknowledgements, parseSse } from '../../src/shared/events';
import { type FakeEntra, startFakeEntra } from '../fakes/entra';
import { entraVerifier } from '../support/entra-verifier';
import { openStore } from '../support/stores';

let entra: FakeEntra;
let db: Db;
let app: FastifyInstance;
let baseUrl: string;

beforeAll(async () => {
  entra = await startFakeEntra();
  db = await openStore('pglite');
  await migrate(db);
  app = await buildApp({
    db,
    events: inProcessEventBus(),
    verifier: entraVerifier(entra),
  });
  baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app.close();
  await db.close();
  await entra.close();
});

const clientFor = (oid: string, name = oid, tokens?: string[]) =>
  createApiClient({
    baseUrl,
    fetch: (url, init) => fetch(url, init),
    client: 'test/api-client',
    getToken: async () => tokens?.shift() ?? entra.token({ oid, name, upn: `${oid}@example.gov.tw` }),
  });

it('configures, acknowledges and reads the roster; errors are ApiError with the server’s code', async () => {
  const chair = clientFor('chair-1', '王主席');
  const view = await chair.putMeeting('m-client', { title: '協調會議', level: '機密', reminder: DEFAULT_REMINDER });
  expect(view).toMatchObject({ id: 'm-client', level: '機密', isChair: true, acknowledgement: null });

  const attendee = clientFor('att-1', '陳委員');
  const { acknowledgedAt } = await attendee.acknowledge('m-client');
  expect(new Date(acknowledgedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
  expect((await attendee.getMeeting('m-client')).acknowledgement).toEqual({ acknowledgedAt, current: true });

  const roster = await chair.roster('m-client');
  expect(roster.map((r) => [r.oid, r.name])).toEqual([['att-1', '陳委員']]);

  // The client names the version its page showed; a version the chair has since replaced is refused.
  const shown = await attendee.getMeeting('m-client');
  await chair.putMeeting('m-client', { title: '協調會議', level: '極機密', reminder: DEFAULT_REMINDER });
  await expect(clientFor('att-9').acknowledge('m-client', shown)).rejects.toMatchObject({
    status: 409,
    code: 'meeting_changed',
  });
  const current = await attendee.getMeeting('m-client');
  expect(current.acknowledgement).toMatchObject({ current: false });
  await attendee.acknowledge('m-client', current);
  expect((await attendee.getMeeting('m-client')).acknowledgement).toMatchObject({ current: true });

  const refused = await attendee.roster('m-client').catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(ApiError);
  expect(refused).toMatchObject({ status: 403, code: 'not_chair' });
  await expect(attendee.getMeeting('no-such-meeting')).rejects.toMatchObject({
    status: 404,
    code: 'meeting_not_found',
  });
});

it('after a 401 asks once for a fresh token, and reports a refused second token as 401', async () => {
  const expired = await entra.token({ oid: 'att-2', expiresIn: -3600 });
  const fresh = await entra.token({ oid: 'att-2' });
  const asked: boolean[] = [];
  const client = createApiClient({
    baseUrl,
    fetch: (url, init) => fetch(url, init),
    getToken: async ({ forceRefresh }) => {
      asked.push(forceRefresh);
      return forceRefresh ? fresh : expired;
    },
  });
  await expect(client.policy()).resolves.toMatchObject({ schemaVersion: 1 });
  expect(asked).toEqual([false, true]);

  const alwaysExpired = createApiClient({ baseUrl, fetch: (u, i) => fetch(u, i), getToken: async () => expired });
  await expect(alwaysExpired.policy()).rejects.toMatchObject({ status: 401 });
});

it('reports an unreachable server as status 0, not as a verdict or a crash', async () => {
  const client = createApiClient({
    baseUrl: 'http://127.0.0.1:9',
    fetch: (u, i) => fetch(u, i),
    getToken: async () => 'x',
    timeoutMs: 2000,
  });
  await expect(client.policy()).rejects.toMatchObject({ status: 0, code: 'unreachable' });
});

it('reports a 200 that is not JSON (a proxy’s login page) as ApiError, never a bare SyntaxError', async () => {
  const client = createApiClient({
    baseUrl,
    fetch: async () =>
      new Response('<html><body>請先登入代理伺服器</body></html>', {
        status: 200,
        headers: { 'content-type': 'text/html; charset=utf-8' },
      }),
    getToken: async () => 'x',
  });
  const error: unknown = await client.policy().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApiError);
  expect(error).toMatchObject({ status: 200, code: 'invalid_response' });
  expect((error as ApiError).message).toContain('text/html');
});

it('follows the chair’s event stream and sees each acknowledgement', async () => {
  const chair = clientFor('chair-2');
  await chair.putMeeting('m-events', { title: 't', level: '密', reminder: DEFAULT_REMINDER });
  const seen: AcknowledgementEvent[] = [];
  let opened!: () => void;
  const open = new Promise<void>((r) => (opened = r));
  const stop = followAcknowledgements(
    { baseUrl, fetch: (u, i) => fetch(u, i), getToken: async () => entra.token({ oid: 'chair-2' }) },
    'm-events',
    { onAcknowledgement: (e) => seen.push(e), onOpen: () => opened() },
  );
  try {
    await open;
    await clientFor('att-3', '林委員').acknowledge('m-events');
    await clientFor('att-4', '張委員').acknowledge('m-events');
    for (let i = 0; i < 100 && seen.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(seen.map((e) => [e.meetingId, e.oid, e.name])).toEqual([
      ['m-events', 'att-3', '林委員'],
      ['m-events', 'att-4', '張委員'],
    ]);
  } finally {
    stop();
  }
});

it('parses server-sent events split anywhere, with comments and CRLF', () => {
  const text = ': connected\r\n\r\nevent: acknowledgement\r\ndata: {"a":1}\r\n\r\nevent: acknowledgement\ndata: {"a"';
  const first = parseSse(text);
  expect(first.events).toEqual([{ event: 'acknowledgement', data: '{"a":1}' }]);
  const second = parseSse(`${first.rest}:2}\n\n`);
  expect(second.events).toEqual([{ event: 'acknowledgement', data: '{"a":2}' }]);
  expect(second.rest).toBe('');
});

describe('the event stream notices a connection that is gone', () => {
  /** A `fetch` whose every answer is an event stream driven by `feed`, and how many times it was asked. */
  const streamingFetch = (feed: (controller: ReadableStreamDefaultController<Uint8Array>) => void) => {
    const calls = { count: 0 };
    const fetchLike: FetchLike = async (_url, init) => {
      calls.count++;
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          // What fetch does to a body still being read when its request is aborted: the read fails.
          init.signal?.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')));
          feed(controller);
        },
      });
      return {
        status: 200,
        ok: true,
        headers: new Headers({ 'content-type': 'text/event-stream' }),
        text: async () => '',
        arrayBuffer: async () => new ArrayBuffer(0),
        body,
      };
    };
    return { fetchLike, calls };
  };
  const text = (s: string): Uint8Array => new TextEncoder().encode(s);
  const follow = (
    fetchLike: FetchLike,
    handlers: Omit<EventStreamHandlers, 'onAcknowledgement'>,
    idleTimeoutMs?: number,
  ) =>
    followAcknowledgements(
      { baseUrl: 'https://sg.example', fetch: fetchLike, getToken: async () => 't', backoffMs: [10], idleTimeoutMs },
      'm',
      { onAcknowledgement: () => undefined, ...handlers },
    );
  /** Waits until `check` holds; one that never does is the test's own timeout, not a few seconds of a busy machine. */
  const waitFor = async (check: () => boolean): Promise<void> => {
    while (!check()) {
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  it('a stream the server ends: reconnects, and onOpen fires again (the roster refetches)', async () => {
    const { fetchLike } = streamingFetch((c) => {
      c.enqueue(text(': connected\n\n'));
      c.close();
    });
    let opens = 0;
    const stop = follow(fetchLike, { onOpen: () => opens++ });
    await waitFor(() => opens >= 3);
    stop();
    expect(opens).toBeGreaterThanOrEqual(3);
  });

  it('a stream that goes silent (half-open) is dropped after idleTimeoutMs and replaced', async () => {
    // Connected, then nothing ever again: no bytes, no end, no error, as after a laptop's sleep.
    const { fetchLike, calls } = streamingFetch((c) => c.enqueue(text(': connected\n\n')));
    const disconnects: (number | null)[] = [];
    let opens = 0;
    const stop = follow(fetchLike, { onOpen: () => opens++, onDisconnect: (d) => disconnects.push(d.status) }, 150);
    await waitFor(() => opens >= 2);
    stop();
    expect(opens).toBeGreaterThanOrEqual(2);
    expect(calls.count).toBeGreaterThanOrEqual(2);
    expect(disconnects[0]).toBeNull();
  });

  it('keep-alive comments keep a quiet stream open', async () => {
    let timer: ReturnType<typeof setInterval> | undefined;
    const { fetchLike, calls } = streamingFetch((c) => {
      c.enqueue(text(': connected\n\n'));
      timer = setInterval(() => c.enqueue(text(': keep-alive\n\n')), 40);
    });
    let disconnects = 0;
    const stop = follow(fetchLike, { onDisconnect: () => disconnects++ }, 150);
    await new Promise((r) => setTimeout(r, 600));
    stop();
    clearInterval(timer);
    expect({ disconnects, calls: calls.count }).toEqual({ disconnects: 0, calls: 1 });
  });
});
