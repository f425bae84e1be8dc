import { createHash } from 'node:crypto';
import { type ClientRequest, request as httpRequest } from 'node:http';
import { connect } from 'node:net';

import type { FastifyInstance } from 'fastify';

import { DEFAULT_POLICY } from '../../src/core';
import { buildApp, inProcessEventBus } from '../../src/server/app';
import { createTokenVerifier } from '../../src/server/auth';
import { chainPending, verifyAuditChain } from '../../src/server/store/audit';
import type { Db } from '../../src/server/store/db';
import { migrate } from '../../src/server/store/migrations';
import { OUR_RECEIPT_NUMBER } from '../../src/shared/receipt-number';
import { API_SCOPE, AUDIENCE, CLIENT_ID, type FakeEntra, FOREIGN_TENANT, startFakeEntra, TENANT } from '../fakes/entra';
import { injector } from '../support/api-app';
import { entraVerifier } from '../support/entra-verifier';
import { openStore, STORES } from '../support/stores';

const CHAIR = '00000000-0000-0000-0000-00000000c4a1';
const ATTENDEE = '00000000-0000-0000-0000-0000000a77e1';
const MEETING = '19:meeting_NjA3ZjQ5ZTQtYmU2@thread.v2';
const meetingUrl = `/api/meetings/${encodeURIComponent(MEETING)}`;
/** A receipt as the add-in posts it: each part's level, length bucket and salted commitment. */
const RECEIPT = {
  recipients: ['partner@example.com'],
  parts: [{ level: '密', lengthAtMost: 64, commitment: 'b'.repeat(64), kind: 'text' }],
};
const settings = {
  title: '○○地區劃分協調會議',
  level: '機密',
  reminder: '本會議因具機敏性質，與會人員應行保密。',
  spokesperson: '李發言人',
};

/** Every route the app registered, as method and path pattern, read from Fastify's own route tree. */
function registeredRoutes(app: FastifyInstance): { method: string; url: string }[] {
  const routes: { method: string; url: string }[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+) \(([A-Z, ]+)\)$/.exec(line);
    if (!m) {
      continue;
    }
    const depth = (m[1] as string).length / 4;
    stack.length = depth;
    stack.push(m[2] as string);
    for (const method of (m[3] as string).split(', ')) {
      routes.push({ method, url: stack.join('') });
    }
  }
  return routes;
}

let entra: FakeEntra;
beforeAll(async () => {
  entra = await startFakeEntra();
});
afterAll(async () => {
  await entra.close();
});

/**
 * Which tokens make a caller: the same on either store, so one app on in-memory PGlite serves the whole matrix.
 */
describe('token checks', () => {
  let db: Db;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = await openStore('pglite');
    await migrate(db);
    app = await buildApp({ db, events: inProcessEventBus(), verifier: entraVerifier(entra) });
    const chair = await entra.token({ oid: CHAIR });
    await app.inject({
      method: 'PUT',
      url: meetingUrl,
      headers: { authorization: `Bearer ${chair}` },
      payload: settings,
    });
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });
  const call = (method: 'GET', url: string, token?: string) =>
    app.inject({ method, url, headers: token ? { authorization: `Bearer ${token}` } : {} });

  it.each([
    ['no token', async () => undefined, 'missing_token'],
    ['an expired token', () => entra.token({ expiresIn: -3600 }), 'invalid_token'],
    ['the wrong audience', () => entra.token({ aud: 'api://someone-else' }), 'invalid_token'],
    ['the wrong issuer', () => entra.token({ iss: 'https://evil.example/v2.0' }), 'invalid_token'],
    ['a foreign tenant', () => entra.token({ tid: FOREIGN_TENANT }), 'foreign_tenant'],
    ['a bad signature', () => entra.foreignKeyToken(), 'invalid_token'],
    ['alg none', async () => entra.unsignedToken(), 'invalid_token'],
    ['a malformed header', async () => 'not-a-jwt', 'invalid_token'],
    ['HS256 signed with the public key', () => entra.publicKeyHmacToken(), 'invalid_token'],
    [
      'an issuer naming another tenant than tid',
      () => entra.token({ iss: entra.issuer.replace('{tenantid}', FOREIGN_TENANT) }),
      'invalid_token',
    ],
    ['no oid', () => entra.token({ omit: ['oid'] }), 'invalid_token'],
    ['an oid that is not text (NUL, a lone surrogate)', () => entra.token({ oid: 'a\u0000\ud800' }), 'invalid_token'],
    ['no tid', () => entra.token({ omit: ['tid'] }), 'invalid_token'],
    ['no exp', () => entra.token({ omit: ['exp'] }), 'invalid_token'],
    ['no iat', () => entra.token({ omit: ['iat'] }), 'invalid_token'],
    ['nbf an hour ahead', () => entra.token({ notBefore: 3600 }), 'invalid_token'],
    ['issued two days ago, still unexpired', () => entra.token({ issuedAt: -2 * 86400 }), 'invalid_token'],
    ['an app-only token (client credentials, no scp)', () => entra.appToken(), 'invalid_token'],
    ['a user token without scp', () => entra.token({ scp: null }), 'invalid_token'],
    ['a user token for another scope', () => entra.token({ scp: 'User.Read Mail.Read' }), 'invalid_token'],
    ['an app-only token that claims a scope', () => entra.appToken({ scp: API_SCOPE }), 'invalid_token'],
  ])('%s → 401', async (_name, token, code) => {
    const t = await token();
    const res = await call('GET', meetingUrl, t);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code });
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('every registered /api route refuses a request without a token, however its path is spelled → 401', async () => {
    const routes = registeredRoutes(app);
    expect(routes.length).toBeGreaterThanOrEqual(15);
    for (const { method, url } of routes) {
      const concrete = url.replace(':meetingId', encodeURIComponent(MEETING)).replace(':id', 'R-1');
      // The router decodes percent-escapes, so each of these reaches the same handler as the plain path.
      const spellings = [
        concrete,
        concrete.replace('/api/', '/%61pi/'),
        concrete.replace('/api/', '/%61%70%69/'),
        concrete.replace(/^\/api\/([a-z])/, (_m, c: string) => `/api/%${c.charCodeAt(0).toString(16)}`),
      ];
      for (const path of spellings) {
        const res = await app.inject({ method: method as 'GET', url: path });
        expect([method, path, res.statusCode]).toEqual([method, path, 401]);
        if (method !== 'HEAD') {
          expect(res.json()).toMatchObject({ code: 'missing_token' });
        }
      }
    }
  });

  it('an ID token is not an access token → 401, where an access token for the same app passes', async () => {
    // Configured by AUTH_CLIENT_ID alone, the audience is the client id and api://<client id>: an ID token's audience.
    const byClientId = await buildApp({
      db,
      events: inProcessEventBus(),
      verifier: entraVerifier(entra, [TENANT], { clientId: CLIENT_ID }),
    });
    const get = async (token: string) =>
      byClientId.inject({ method: 'GET', url: meetingUrl, headers: { authorization: `Bearer ${token}` } });
    try {
      expect((await get(await entra.idToken({ oid: ATTENDEE }))).json()).toMatchObject({ code: 'invalid_token' });
      expect((await get(await entra.token({ oid: ATTENDEE, aud: `api://${CLIENT_ID}` }))).statusCode).toBe(200);
      expect((await get(await entra.token({ oid: ATTENDEE, aud: CLIENT_ID }))).statusCode).toBe(200);
    } finally {
      await byClientId.close();
    }
  });

  it('matches an allow-list written in upper case, and refuses to start with none for a per-tenant issuer', async () => {
    const upper = entraVerifier(entra, [TENANT.toUpperCase()]);
    await expect(upper.verify(`Bearer ${await entra.token({ oid: ATTENDEE })}`)).resolves.toMatchObject({
      tenantId: TENANT,
    });
    await expect(upper.verify(`Bearer ${await entra.token({ tid: FOREIGN_TENANT })}`)).rejects.toMatchObject({
      code: 'foreign_tenant',
    });
    expect(() => entraVerifier(entra, [])).toThrow(/AUTH_TENANT_IDS/);
  });

  it('puts the tenant in every place the issuer template names it', async () => {
    const verifier = createTokenVerifier({
      clientId: null,
      tenantIds: [TENANT],
      jwksUrl: entra.jwksUrl,
      issuer: `${entra.issuer}?tenant={tenantid}`,
      audience: AUDIENCE,
    });
    const iss = `${entra.issuer}?tenant={tenantid}`.replaceAll('{tenantid}', TENANT);
    await expect(verifier.verify(`Bearer ${await entra.token({ iss })}`)).resolves.toMatchObject({ tenantId: TENANT });
    const half = `${entra.issuer.replace('{tenantid}', TENANT)}?tenant={tenantid}`;
    await expect(verifier.verify(`Bearer ${await entra.token({ iss: half })}`)).rejects.toMatchObject({
      code: 'invalid_token',
    });
  });

  it('a token with several scopes, the API’s among them, passes', async () => {
    const t = await entra.token({ oid: ATTENDEE, scp: `User.Read ${API_SCOPE} offline_access` });
    expect((await call('GET', meetingUrl, t)).statusCode).toBe(200);
  });
});

/** The chairs' live streams, on one listening app: how many, for how long, and what a slow reader or a shutdown does. */
describe('live event streams', () => {
  let db: Db;
  let app: FastifyInstance | null;
  let bus: ReturnType<typeof inProcessEventBus>;
  let port: number;
  let chair: string;
  const limits = { perUser: 3, perInstance: 5, maxBufferedBytes: 32 * 1024 };

  beforeEach(async () => {
    db = await openStore('pglite');
    await migrate(db);
    bus = inProcessEventBus();
    app = await buildApp({ db, events: bus, verifier: entraVerifier(entra), eventStreams: limits });
    chair = await entra.token({ oid: CHAIR });
    for (let i = 0; i < 4; i++) {
      const token = await entra.token({ oid: `${CHAIR}-${i}` });
      await app.inject({
        method: 'PUT',
        url: `/api/meetings/m-${i}`,
        headers: { authorization: `Bearer ${token}` },
        payload: settings,
      });
    }
    await app.inject({
      method: 'PUT',
      url: meetingUrl,
      headers: { authorization: `Bearer ${chair}` },
      payload: settings,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
  });
  afterEach(async () => {
    await app?.close();
    await db.close();
  });

  interface Stream {
    readonly status: number;
    readonly body: () => string;
    readonly ended: Promise<void>;
    readonly request: ClientRequest;
  }
  /** Opens a stream and resolves once the head is in; `read: false` never reads a byte after the head. */
  const openStream = (path: string, token: string, options: { read?: boolean } = {}): Promise<Stream> =>
    new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${token}` } },
        (res) => {
          let buf = '';
          const ended = new Promise<void>((done) => {
            res.on('end', done);
            res.on('close', done);
          });
          if (options.read === false) {
            res.pause();
          } else {
            res.on('data', (c: Buffer) => (buf += c.toString()));
          }
          resolve({ status: res.statusCode ?? 0, body: () => buf, ended, request: req });
        },
      );
      req.on('error', reject);
      req.end();
    });
  const chairOf = (i: number) => entra.token({ oid: `${CHAIR}-${i}` });
  const within = <T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> =>
    Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms))]);

  it('caps the streams one user holds, and those of the whole instance', async () => {
    const streams: Stream[] = [];
    for (let i = 0; i < limits.perUser; i++) {
      streams.push(await openStream(`${meetingUrl}/events`, chair));
    }
    expect(streams.map((s) => s.status)).toEqual([200, 200, 200]);
    const refused = await app!.inject({
      method: 'GET',
      url: `${meetingUrl}/events`,
      headers: { authorization: `Bearer ${chair}` },
    });
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ code: 'too_many_streams' });
    // Closing one frees its place.
    streams.shift()?.request.destroy();
    await new Promise((r) => setTimeout(r, 100));
    streams.push(await openStream(`${meetingUrl}/events`, chair));
    expect(streams[streams.length - 1]?.status).toBe(200);
    // Other chairs fill the instance: 3 + 2 = 5, then 503.
    streams.push(await openStream('/api/meetings/m-0/events', await chairOf(0)));
    streams.push(await openStream('/api/meetings/m-1/events', await chairOf(1)));
    const busy = await openStream('/api/meetings/m-2/events', await chairOf(2));
    expect(busy.status).toBe(503);
    streams.forEach((s) => s.request.destroy());
  });

  it('ends a stream when the token that opened it expires', async () => {
    const shortLived = await entra.token({ oid: CHAIR, expiresIn: 2 });
    const stream = await openStream(`${meetingUrl}/events`, shortLived);
    expect(stream.status).toBe(200);
    expect(await within(stream.ended, 6000)).not.toBe('timeout');
    expect(bus.meetingsListenedTo()).toBe(0);
  });

  it('cuts off a client that stops reading instead of buffering every event for it', async () => {
    const stream = await openStream(`${meetingUrl}/events`, chair, { read: false });
    expect(stream.status).toBe(200);
    expect(bus.meetingsListenedTo()).toBe(1);
    const event = {
      tenantId: TENANT,
      meetingId: MEETING,
      oid: ATTENDEE,
      name: '陳'.repeat(200),
      upn: null,
      acknowledgedAt: '',
    };
    for (let i = 0; i < 20000 && bus.meetingsListenedTo() > 0; i++) {
      bus.publish({ ...event, acknowledgedAt: new Date(i).toISOString() });
      if (i % 500 === 0) {
        await new Promise((r) => setImmediate(r));
      }
    }
    expect(bus.meetingsListenedTo()).toBe(0);
    stream.request.destroy();
  });

  it('closing the server ends every open stream instead of waiting for them', async () => {
    const stream = await openStream(`${meetingUrl}/events`, chair);
    expect(stream.body()).toContain(': connected');
    const closing = app!.close();
    expect(await within(closing, 5000)).not.toBe('timeout');
    app = null;
    expect(await within(stream.ended, 2000)).not.toBe('timeout');
  });

  it('gives a client bounded time to send its request, while a stream outlives that time', async () => {
    await app?.close();
    app = await buildApp(
      { db, events: bus, verifier: entraVerifier(entra), eventStreams: { keepAliveMs: 300 } },
      { requestTimeoutMs: 1000, idleTimeoutMs: 2500 },
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
    const stream = await openStream(`${meetingUrl}/events`, chair);
    expect(stream.status).toBe(200);
    const slowly = (text: string): { answer: () => string; closed: Promise<void> } => {
      const socket = connect({ host: '127.0.0.1', port });
      let answer = '';
      socket.on('data', (c: Buffer) => (answer += c.toString()));
      const closed = new Promise<void>((r) => socket.on('close', () => r()));
      socket.write(text);
      return { answer: () => answer, closed };
    };
    // Half the headers, then nothing (slowloris); and the headers, then half a body.
    const headers = slowly(`POST /api/audit HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${chair}\r\n`);
    const body = slowly(
      `POST /api/audit HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${chair}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"kind":`,
    );
    expect(await within(headers.closed, 5000)).not.toBe('timeout');
    expect(headers.answer()).toMatch(/^HTTP\/1\.1 408/);
    expect(await within(body.closed, 5000)).not.toBe('timeout');
    bus.publish({
      tenantId: TENANT,
      meetingId: MEETING,
      oid: ATTENDEE,
      name: '陳委員',
      upn: null,
      acknowledgedAt: 'now',
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(stream.body()).toContain('event: acknowledgement');
    stream.request.destroy();
  });

  it('forgets a meeting on the bus once its last listener leaves', () => {
    const stop = [
      bus.subscribe(TENANT, 'a', () => undefined),
      bus.subscribe(TENANT, 'a', () => undefined),
      bus.subscribe(TENANT, 'b', () => undefined),
      // Another tenant's meeting of the same id is another meeting.
      bus.subscribe(FOREIGN_TENANT, 'a', () => undefined),
    ];
    expect(bus.meetingsListenedTo()).toBe(3);
    stop.forEach((s) => s());
    expect(bus.meetingsListenedTo()).toBe(0);
  });
});

describe.each(STORES)('API on %s', (kind) => {
  let db: Db;
  let app: FastifyInstance;
  let chair: string;
  let attendee: string;

  const build = async (tenantIds = [TENANT], rateLimitPerMinute?: number): Promise<FastifyInstance> =>
    buildApp({
      db,
      events: inProcessEventBus(),
      verifier: entraVerifier(entra, tenantIds),
      ...(rateLimitPerMinute ? { rateLimitPerMinute } : {}),
    });

  beforeEach(async () => {
    db = await openStore(kind);
    await migrate(db);
    app = await build();
    chair = await entra.token({ oid: CHAIR });
    attendee = await entra.token({ oid: ATTENDEE, name: '陳委員', upn: 'chen@example.gov.tw' });
  });
  afterEach(async () => {
    await app.close();
    await db.close();
  });

  const call = injector(() => app);

  it('the chair configures, an attendee acknowledges once, and the chair reads the roster', async () => {
    const created = await call('PUT', meetingUrl, chair, settings);
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ id: MEETING, level: '機密', isChair: true });

    const seen = await call('GET', meetingUrl, attendee);
    expect(seen.json()).toMatchObject({ reminder: settings.reminder, isChair: false, acknowledgement: null });

    const ack = await call('POST', `${meetingUrl}/acknowledgements`, attendee, { client: 'teams-side-panel' });
    expect(ack.statusCode).toBe(201);
    const { acknowledgedAt } = ack.json() as { acknowledgedAt: string };
    expect(new Date(acknowledgedAt).toISOString()).toBe(acknowledgedAt);

    const again = await call('POST', `${meetingUrl}/acknowledgements`, attendee, {});
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ acknowledgedAt });
    expect((await call('GET', meetingUrl, attendee)).json()).toMatchObject({ acknowledgement: { acknowledgedAt } });

    const roster = await call('GET', `${meetingUrl}/acknowledgements`, chair);
    expect(roster.json()).toEqual({
      acknowledgements: [{ oid: ATTENDEE, name: '陳委員', upn: 'chen@example.gov.tw', acknowledgedAt, current: true }],
    });

    // The acknowledgement's audit event is durable at once and chained moments later.
    expect(await verifyAuditChain(db)).toEqual({ ok: true, events: 1, pending: 1 });
    expect(await chainPending(db)).toBe(1);
    expect(await verifyAuditChain(db)).toEqual({ ok: true, events: 2 });
    const kinds = (await db.query<{ kind: string }>('SELECT kind FROM audit_events ORDER BY seq')).rows.map(
      (r) => r.kind,
    );
    expect(kinds).toEqual(['meeting.chair-assigned', 'acknowledgement']);
  });

  it('an acknowledgement is of one level and reminder: a change asks again, a stale page is refused, the renewal counts', async () => {
    const view = (await call('PUT', meetingUrl, chair, settings)).json() as { reminderSha256: string };
    expect(view.reminderSha256).toBe(createHash('sha256').update(settings.reminder, 'utf8').digest('hex'));
    const shown = { level: settings.level, reminderSha256: view.reminderSha256 };
    const first = await call('POST', `${meetingUrl}/acknowledgements`, attendee, shown);
    expect(first.statusCode).toBe(201);
    const mine = async () =>
      (await call('GET', meetingUrl, attendee)).json() as {
        acknowledgement: { acknowledgedAt: string; current: boolean } | null;
        acknowledgementCount: number;
        level: string;
        reminderSha256: string;
      };
    expect(await mine()).toMatchObject({ acknowledgement: { current: true }, acknowledgementCount: 1 });

    // The chair raises the level: the attendee's acknowledgement is of an earlier version now.
    expect((await call('PUT', meetingUrl, chair, { ...settings, level: '絕對機密' })).statusCode).toBe(200);
    const after = await mine();
    expect(after).toMatchObject({
      acknowledgement: { acknowledgedAt: (first.json() as { acknowledgedAt: string }).acknowledgedAt, current: false },
      acknowledgementCount: 0,
    });
    const roster = async () =>
      (
        (await call('GET', `${meetingUrl}/acknowledgements`, chair)).json() as {
          acknowledgements: { current: boolean }[];
        }
      ).acknowledgements;
    expect(await roster()).toMatchObject([{ current: false }]);

    // A page still showing the old level is refused, and nothing changes.
    const stale = await call('POST', `${meetingUrl}/acknowledgements`, attendee, shown);
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'meeting_changed' });
    expect((await mine()).acknowledgement?.current).toBe(false);
    // Half a version is not a version.
    expect((await call('POST', `${meetingUrl}/acknowledgements`, attendee, { level: '絕對機密' })).statusCode).toBe(
      400,
    );

    // Shown the new one, the attendee acknowledges again: renewed, counted, and on the roster as current.
    const renewed = await call('POST', `${meetingUrl}/acknowledgements`, attendee, {
      level: after.level,
      reminderSha256: after.reminderSha256,
    });
    expect(renewed.statusCode).toBe(201);
    expect(await mine()).toMatchObject({ acknowledgement: { current: true }, acknowledgementCount: 1 });
    expect(await roster()).toMatchObject([{ current: true }]);
    // Rewriting the reminder (same level) asks again too.
    expect(
      (await call('PUT', meetingUrl, chair, { ...settings, level: '絕對機密', reminder: '新的提醒' })).statusCode,
    ).toBe(200);
    expect(await mine()).toMatchObject({ acknowledgement: { current: false }, acknowledgementCount: 0 });
  });

  it('tells everyone how many have acknowledged (the stage count), but only the chair who', async () => {
    await call('PUT', meetingUrl, chair, settings);
    const other = await entra.token({ oid: '00000000-0000-0000-0000-0000000a77e2', name: '林委員' });
    expect((await call('GET', meetingUrl, attendee)).json()).toMatchObject({
      acknowledgementCount: 0,
      acknowledgement: null,
    });
    await call('POST', `${meetingUrl}/acknowledgements`, attendee, {});
    await call('POST', `${meetingUrl}/acknowledgements`, attendee, {});
    const seenByOther = (await call('GET', meetingUrl, other)).json() as Record<string, unknown>;
    expect(seenByOther).toMatchObject({ acknowledgementCount: 1, acknowledgement: null, isChair: false });
    expect(JSON.stringify(seenByOther)).not.toContain(ATTENDEE);
    await call('POST', `${meetingUrl}/acknowledgements`, other, {});
    const seenByAttendee = (await call('GET', meetingUrl, attendee)).json() as {
      acknowledgementCount: number;
      acknowledgement: { acknowledgedAt: string } | null;
    };
    expect(seenByAttendee.acknowledgementCount).toBe(2);
    expect(seenByAttendee.acknowledgement?.acknowledgedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect((await call('GET', `${meetingUrl}/acknowledgements`, other)).statusCode).toBe(403);
  });

  it('an attendee acknowledges only as themselves: identity comes from the token, never the body', async () => {
    await call('PUT', meetingUrl, chair, settings);
    const forged = await call('POST', `${meetingUrl}/acknowledgements`, attendee, { oid: CHAIR, name: '王主席' });
    expect(forged.statusCode).toBe(400);
    expect(forged.json()).toMatchObject({ code: 'invalid_request' });
  });

  describe('authorisation matrix', () => {
    beforeEach(async () => {
      await call('PUT', meetingUrl, chair, settings);
    });

    it('an attendee reading the roster or the events → 403', async () => {
      expect((await call('GET', `${meetingUrl}/acknowledgements`, attendee)).statusCode).toBe(403);
      expect((await call('GET', `${meetingUrl}/events`, attendee)).json()).toMatchObject({ code: 'not_chair' });
    });

    it('another user cannot take over a configured meeting → 403', async () => {
      const res = await call('PUT', meetingUrl, attendee, { ...settings, level: '密' });
      expect(res.statusCode).toBe(403);
      expect((await call('GET', meetingUrl, chair)).json()).toMatchObject({ level: '機密' });
    });

    it('another allowed tenant sees nothing → 404; the same id there is its own meeting', async () => {
      await app.close();
      app = await build([TENANT, FOREIGN_TENANT]);
      const outsider = await entra.token({ oid: CHAIR, tid: FOREIGN_TENANT });
      const outsiderAttendee = await entra.token({ oid: ATTENDEE, tid: FOREIGN_TENANT });
      expect((await call('GET', meetingUrl, outsider)).statusCode).toBe(404);
      expect((await call('POST', `${meetingUrl}/acknowledgements`, outsider, {})).statusCode).toBe(404);
      expect((await call('GET', `${meetingUrl}/acknowledgements`, outsider)).statusCode).toBe(404);
      // The id cannot be squatted or refused across tenants: the other tenant configures a meeting of its own.
      const theirs = { ...settings, title: '他機關會議', level: '密' };
      expect((await call('PUT', meetingUrl, outsider, theirs)).statusCode).toBe(201);
      expect((await call('POST', `${meetingUrl}/acknowledgements`, outsiderAttendee, {})).statusCode).toBe(201);
      expect((await call('GET', meetingUrl, chair)).json()).toMatchObject({ title: settings.title, level: '機密' });
      expect((await call('GET', meetingUrl, outsider)).json()).toMatchObject({ title: '他機關會議', level: '密' });
      // Each roster holds its own tenant's acknowledgements only.
      expect((await call('GET', `${meetingUrl}/acknowledgements`, chair)).json()).toMatchObject({
        acknowledgements: [],
      });
      const foreignRoster = (await call('GET', `${meetingUrl}/acknowledgements`, outsider)).json() as {
        acknowledgements: { oid: string }[];
      };
      expect(foreignRoster.acknowledgements.map((a) => a.oid)).toEqual([ATTENDEE]);
      expect((await call('POST', `${meetingUrl}/acknowledgements`, attendee, {})).statusCode).toBe(201);
      expect((await call('GET', meetingUrl, outsider)).json()).toMatchObject({ acknowledgementCount: 1 });
      expect((await call('GET', meetingUrl, chair)).json()).toMatchObject({ acknowledgementCount: 1 });
      // The other tenant's chair still cannot change this tenant's meeting.
      expect((await call('GET', meetingUrl, chair)).json()).toMatchObject({ title: settings.title });
    });

    it('an unknown meeting → 404', async () => {
      expect((await call('GET', '/api/meetings/unknown-meeting', attendee)).json()).toMatchObject({
        code: 'meeting_not_found',
      });
    });
  });

  it('streams acknowledgements to the chair as they land (SSE)', async () => {
    await call('PUT', meetingUrl, chair, settings);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    const received = new Promise<string>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path: `${meetingUrl}/events`, headers: { authorization: `Bearer ${chair}` } },
        (res) => {
          expect(res.headers['content-type']).toMatch(/text\/event-stream/);
          let buf = '';
          res.on('data', (chunk: Buffer) => {
            buf += chunk.toString();
            if (buf.includes('event: acknowledgement')) {
              req.destroy();
              resolve(buf);
            } else if (buf.includes(': connected')) {
              void call('POST', `${meetingUrl}/acknowledgements`, attendee, {});
            }
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
    const stream = await received;
    const data = JSON.parse(/data: (.*)\n/.exec(stream)?.[1] ?? '{}') as { oid: string; meetingId: string };
    expect(data).toMatchObject({ oid: ATTENDEE, meetingId: MEETING });
  });

  it('records decision events without content, and rejects anything that looks like content', async () => {
    const ok = await call('POST', '/api/audit', attendee, {
      kind: 'decision',
      verdict: 'strip',
      level: '密',
      rules: ['portion', 'region.delimited'],
      findingCount: 2,
      removed: [{ level: '密', lengthAtMost: 64, commitment: 'a'.repeat(64), kind: 'text' }],
    });
    expect(ok.statusCode).toBe(202);
    for (const bad of [
      // The earlier format: an exact length and a plain SHA-256 let a short part be guessed back.
      { kind: 'strip', verdict: 'strip', removed: [{ level: '密', length: 18, sha256: 'a'.repeat(64) }] },
      { kind: 'decision', verdict: 'block', subject: '【機密】預算' },
      { kind: 'decision', verdict: 'block', rules: ['portion', '本會議因具機敏性質'] },
      {
        kind: 'decision',
        verdict: 'block',
        removed: [{ level: '密', lengthAtMost: 64, commitment: 'a'.repeat(64), kind: 'text', text: '地區劃分草案' }],
      },
      { kind: 'decision', verdict: 'maybe' },
    ]) {
      expect((await call('POST', '/api/audit', attendee, bad)).statusCode).toBe(400);
    }
    expect(await chainPending(db)).toBe(1);
    expect(await verifyAuditChain(db)).toEqual({ ok: true, events: 1 });
    const [stored] = (await db.query<{ data: unknown }>('SELECT data FROM audit_events')).rows;
    expect(JSON.stringify(stored?.data)).not.toMatch(/[\u4e00-\u9fff]{3}/);
  });

  it('takes rule ids and unscannable reasons only in their own shapes, and only so many characters of them', async () => {
    const event = (extra: Record<string, unknown>) => ({ kind: 'decision', verdict: 'block', ...extra });
    const post = async (extra: Record<string, unknown>) =>
      (await call('POST', '/api/audit', attendee, event(extra))).statusCode;
    const custom = (i: number) => `custom.${String(i).padStart(3, '0')}-${'x'.repeat(60)}`;
    expect(
      await post({
        rules: [
          'portion',
          'level.standalone',
          'english.subject-tag',
          'pii.national-id',
          'custom.budget-2026',
          custom(1),
        ],
        unscannable: ['encrypted', 'image-only', 'unreadable-charset'],
      }),
    ).toBe(202);
    expect(await post({ rules: ['thebudgetforthenorthernregionisfortymilliondollarsanddue'] })).toBe(400);
    expect(await post({ rules: ['a.b.c.d'] })).toBe(400);
    expect(await post({ rules: ['portion', 'portion'] })).toBe(400);
    expect(await post({ unscannable: ['meeting-moved-to-friday'] })).toBe(400);
    expect(await post({ unscannable: ['encrypted', 'encrypted'] })).toBe(400);
    // Each id in shape, but together far more text than a message's findings could name.
    const many = Array.from({ length: 40 }, (_, i) => custom(i));
    expect(await post({ rules: many })).toBe(400);
    expect(await post({ rules: many.slice(0, 10) })).toBe(202);
  });

  it('serves the policy, and only a policy admin changes it, with validation', async () => {
    expect((await call('GET', '/api/policy', attendee)).json()).toEqual(DEFAULT_POLICY);
    const next = { ...DEFAULT_POLICY, version: 2, internalDomains: ['example.gov.tw'] };
    expect((await call('PUT', '/api/policy', attendee, next)).statusCode).toBe(403);
    const admin = await entra.token({ oid: ATTENDEE, roles: ['Policy.Admin'] });
    expect(
      (await call('PUT', '/api/policy', admin, { ...next, unscannable: { internal: 'allow', external: 'block' } }))
        .statusCode,
    ).toBe(400);
    expect((await call('PUT', '/api/policy', admin, next)).statusCode).toBe(200);
    expect((await call('PUT', '/api/policy', admin, next)).statusCode).toBe(409);
    expect((await call('GET', '/api/policy', attendee)).json()).toMatchObject({
      version: 2,
      internalDomains: ['example.gov.tw'],
    });
  });

  it('keeps one policy per tenant: another tenant’s admin changes only their own, and each caller reads their own', async () => {
    await app.close();
    app = await build([TENANT, FOREIGN_TENANT]);
    const foreignAdmin = await entra.token({ oid: CHAIR, tid: FOREIGN_TENANT, roles: ['Policy.Admin'] });
    const weaker = { ...DEFAULT_POLICY, version: 5, internalDomains: ['foreign.example'] };
    expect((await call('PUT', '/api/policy', foreignAdmin, weaker)).statusCode).toBe(200);
    expect((await call('GET', '/api/policy', attendee)).json()).toEqual(DEFAULT_POLICY);
    expect((await call('GET', '/api/policy', foreignAdmin)).json()).toMatchObject({ version: 5 });
    // Versions count per tenant: this tenant's first change may be version 2 although another tenant is at 5.
    const admin = await entra.token({ oid: ATTENDEE, roles: ['Policy.Admin'] });
    const mine = { ...DEFAULT_POLICY, version: 2, internalDomains: ['example.gov.tw'] };
    expect((await call('PUT', '/api/policy', admin, mine)).statusCode).toBe(200);
    expect((await call('GET', '/api/policy', attendee)).json()).toMatchObject({ version: 2 });
    expect((await call('GET', '/api/policy', foreignAdmin)).json()).toMatchObject({ version: 5 });
  });

  it('answers 409, never 500, when policy admins race with the same version', async () => {
    const admin = await entra.token({ oid: ATTENDEE, roles: ['Policy.Admin'] });
    const next = { ...DEFAULT_POLICY, version: 2 };
    const codes = (await Promise.all(Array.from({ length: 6 }, () => call('PUT', '/api/policy', admin, next)))).map(
      (r) => r.statusCode,
    );
    expect(codes.sort()).toEqual([200, 409, 409, 409, 409, 409]);
  });

  it('a receipt number is the server’s to give: another user or tenant can neither choose one nor confirm one exists', async () => {
    const issued = await call('POST', '/api/receipts', attendee, RECEIPT);
    expect(issued.statusCode).toBe(201);
    const { id } = issued.json() as { id: string };
    expect(id).toMatch(OUR_RECEIPT_NUMBER);
    const neverIssued = 'SG-20991231-NVR1SS';
    const other = await entra.token({ oid: 'someone-else' });
    await app.close();
    app = await build([TENANT, FOREIGN_TENANT]);
    const foreign = await entra.token({ oid: ATTENDEE, tid: FOREIGN_TENANT });
    // Every answer about the taken number is the answer about a number never issued: nothing to tell them apart.
    const answer = async (token: string, number: string): Promise<string[][]> => [
      [String((await call('POST', '/api/receipts', token, { ...RECEIPT, id: number })).statusCode)],
      [String((await call('POST', '/api/receipts', token, { ...RECEIPT, id: number })).json().code)],
      [String((await call('PUT', `/api/receipts/${number}/status`, token, { status: 'sent' })).statusCode)],
      [String((await call('GET', `/api/receipts/${number}/print`, token)).statusCode)],
      [(await call('GET', `/api/receipts/${number}/print`, token)).body],
    ];
    for (const token of [other, foreign]) {
      expect(await answer(token, id)).toEqual(await answer(token, neverIssued));
      expect(await answer(token, id)).toEqual([['400'], ['invalid_request'], ['404'], ['404'], [expect.any(String)]]);
      const theirs = await call('POST', '/api/receipts', token, RECEIPT);
      expect(theirs.statusCode).toBe(201);
      expect((theirs.json() as { id: string }).id).not.toBe(id);
    }
    const ours = (await call('GET', '/api/receipts', attendee)).json() as {
      receipts: { id: string; status: string }[];
    };
    expect(ours.receipts).toEqual([expect.objectContaining({ id, status: 'pending' })]);
  });

  it('keeps paper-delivery receipts: level, length bucket and commitment of each part, the sender only, forward-only status', async () => {
    const created = await call('POST', '/api/receipts', attendee, RECEIPT);
    expect(created.statusCode).toBe(201);
    const { id } = created.json() as { id: string };
    // The same parts again are another receipt, with another number.
    const again = await call('POST', '/api/receipts', attendee, RECEIPT);
    expect(again.statusCode).toBe(201);
    expect((again.json() as { id: string }).id).not.toBe(id);
    // Text, a plain hash with an exact length (the earlier format) or a length that is not a bucket: refused.
    const part = RECEIPT.parts[0];
    for (const parts of [
      [{ ...part, text: '草案' }],
      [{ level: '密', length: 18, sha256: 'b'.repeat(64) }],
      [{ ...part, lengthAtMost: 18 }],
      [{ ...part, sha256: 'b'.repeat(64) }],
    ]) {
      expect([parts, (await call('POST', '/api/receipts', attendee, { ...RECEIPT, parts })).statusCode]).toEqual([
        parts,
        400,
      ]);
    }
    const mine = (await call('GET', '/api/receipts', attendee)).json() as {
      receipts: { id: string; status: string; parts: unknown }[];
    };
    expect(mine.receipts.find((r) => r.id === id)).toEqual(
      expect.objectContaining({ id, status: 'pending', parts: RECEIPT.parts }),
    );
    expect(((await call('GET', '/api/receipts', chair)).json() as { receipts: unknown[] }).receipts).toEqual([]);
    expect((await call('PUT', `/api/receipts/${id}/status`, chair, { status: 'sent' })).statusCode).toBe(404);
    expect((await call('PUT', `/api/receipts/${id}/status`, attendee, { status: 'signed' })).statusCode).toBe(409);
    expect((await call('PUT', `/api/receipts/${id}/status`, attendee, { status: 'sent' })).json()).toEqual({
      id,
      status: 'sent',
    });
    expect((await call('PUT', `/api/receipts/${id}/status`, attendee, { status: 'signed' })).statusCode).toBe(200);
    expect((await call('PUT', `/api/receipts/${id}/status`, attendee, { status: 'cancelled' })).statusCode).toBe(409);
    expect(await verifyAuditChain(db)).toEqual({ ok: true, events: 4 });
    const kinds = (await db.query<{ kind: string }>('SELECT kind FROM audit_events ORDER BY seq')).rows.map(
      (r) => r.kind,
    );
    expect(kinds).toEqual(['receipt.created', 'receipt.created', 'receipt.sent', 'receipt.signed']);
  });

  it('refuses NUL, unpaired surrogates, control, bidi and BOM characters in any string with 400, never 500', async () => {
    const admin = await entra.token({ oid: ATTENDEE, roles: ['Policy.Admin'] });
    const receipt = { parts: RECEIPT.parts };
    const override = {
      kind: 'override',
      verdict: 'warn',
      justification: '會議臨時改期需通知外部委員\ud800',
    };
    const cases: [string, 'PUT' | 'POST', string, unknown][] = [
      ['NUL in a title', 'PUT', meetingUrl, { ...settings, title: 'a\u0000b' }],
      ['an unpaired surrogate in a reminder', 'PUT', meetingUrl, { ...settings, reminder: 'x\udc00' }],
      ['NUL in a recipient', 'POST', '/api/receipts', { ...receipt, recipients: ['a\u0000b@example.com'] }],
      ['a lone surrogate in a recipient', 'POST', '/api/receipts', { ...receipt, recipients: ['a\ud83d@x.tw'] }],
      ['a bell in a recipient', 'POST', '/api/receipts', { ...receipt, recipients: ['a\u0007b@x.tw'] }],
      [
        'a right-to-left override in a recipient',
        'POST',
        '/api/receipts',
        { ...receipt, recipients: ['moc.\u202eevil@x.tw'] },
      ],
      ['a zero-width space in a recipient', 'POST', '/api/receipts', { ...receipt, recipients: ['a\u200bb@x.tw'] }],
      ['an unpaired surrogate in a justification', 'POST', '/api/audit', override],
      ['an unpaired surrogate in a policy', 'PUT', '/api/policy', { ...DEFAULT_POLICY, version: 2, name: 'p\ud800' }],
      ['NUL in a policy', 'PUT', '/api/policy', { ...DEFAULT_POLICY, version: 2, name: 'p\u0000' }],
      ['an isolate in a meeting title', 'PUT', meetingUrl, { ...settings, title: '\u2067會議\u2069' }],
      // PGlite would read it back without a leading byte order mark.
      ['a byte order mark before a title', 'PUT', meetingUrl, { ...settings, title: '\ufeff會議' }],
    ];
    const answers: [string, number, string][] = [];
    for (const [name, method, url, body] of cases) {
      const res = await call(method, url, url === '/api/policy' ? admin : attendee, body);
      answers.push([name, res.statusCode, (res.json() as { code: string }).code]);
    }
    expect(answers).toEqual(cases.map(([name]) => [name, 400, expect.stringMatching(/^invalid_/)]));
    // Line breaks and tabs are text, and a well-formed astral character is too.
    expect((await call('PUT', meetingUrl, chair, { ...settings, reminder: '第一行\n第二行\t𠀀' })).statusCode).toBe(
      201,
    );
  });

  it('limits the request rate per user', async () => {
    await app.close();
    app = await build([TENANT], 5);
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) {
      codes.push((await call('GET', '/api/policy', attendee)).statusCode);
    }
    expect(codes.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(codes[5]).toBe(429);
    expect((await call('GET', '/api/policy', chair)).statusCode).toBe(200);
  });

  it('bounds how many meetings one user creates in a day; changing one of them is not creating', async () => {
    await app.close();
    app = await buildApp({ db, events: inProcessEventBus(), verifier: entraVerifier(entra), meetingsPerDay: 3 });
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) {
      codes.push((await call('PUT', `/api/meetings/day-${i}`, chair, settings)).statusCode);
    }
    expect(codes).toEqual([201, 201, 201, 429]);
    expect((await call('PUT', '/api/meetings/day-9', chair, settings)).json()).toMatchObject({
      code: 'too_many_meetings',
    });
    expect((await call('PUT', '/api/meetings/day-0', chair, { ...settings, level: '密' })).statusCode).toBe(200);
    expect((await call('PUT', '/api/meetings/day-9', attendee, settings)).statusCode).toBe(201);
  });

  it('lists a bounded roster, and says when there is more', async () => {
    await app.close();
    app = await buildApp({ db, events: inProcessEventBus(), verifier: entraVerifier(entra), rosterLimit: 3 });
    await call('PUT', meetingUrl, chair, settings);
    const roster = async () =>
      (await call('GET', `${meetingUrl}/acknowledgements`, chair)).json() as {
        acknowledgements: { oid: string }[];
        truncated?: boolean;
      };
    for (let i = 0; i < 3; i++) {
      await call('POST', `${meetingUrl}/acknowledgements`, await entra.token({ oid: `r-${i}` }), {});
    }
    expect(await roster()).toEqual({ acknowledgements: expect.any(Array) });
    await call('POST', `${meetingUrl}/acknowledgements`, await entra.token({ oid: 'r-3' }), {});
    const full = await roster();
    expect(full.acknowledgements.map((a) => a.oid)).toHaveLength(3);
    expect(full.truncated).toBe(true);
  });

  it('pages through a sender’s receipts, newest first, each once', async () => {
    const parts = [{ level: '密', length: 1, sha256: 'd'.repeat(64) }];
    const ids = Array.from({ length: 7 }, (_, i) => `P-${i}`);
    // Several in one statement share a creation time: the id breaks the tie.
    await db.query(
      `INSERT INTO paper_receipts (id, tenant_id, sender, recipients, parts, status, created_at)
       SELECT id, $2, $3, '["a@x.tw"]', $4, 'pending', now() - (n % 3) * interval '1 minute'
         FROM unnest($1::text[]) WITH ORDINALITY AS t(id, n)`,
      [ids, TENANT, ATTENDEE, JSON.stringify(parts)],
    );
    const seen: string[] = [];
    let url: string | null = '/api/receipts?limit=3';
    let pages = 0;
    while (url) {
      const res = await call('GET', url, attendee);
      expect(res.statusCode).toBe(200);
      const page = res.json() as { receipts: { id: string; createdAt: string }[]; next?: string };
      seen.push(...page.receipts.map((r) => r.id));
      pages++;
      url = page.next ? `/api/receipts?limit=3&before=${encodeURIComponent(page.next)}` : null;
    }
    expect(pages).toBe(3);
    expect([...seen].sort()).toEqual(ids);
    const all = (await call('GET', '/api/receipts', attendee)).json() as { receipts: { id: string }[]; next?: string };
    expect(all.receipts.map((r) => r.id)).toEqual(seen);
    expect(all.next).toBeUndefined();
    for (const bad of ['limit=0', 'limit=501', 'limit=x', 'before=abc', 'other=1']) {
      expect((await call('GET', `/api/receipts?${bad}`, attendee)).statusCode).toBe(400);
    }
  });

  it('counts requests that fail authentication (per address) or validation (per user) against the limit', async () => {
    await app.close();
    app = await build([TENANT], 5);
    const bad = await entra.token({ aud: 'api://someone-else' });
    const unauthenticated: number[] = [];
    const invalid: number[] = [];
    for (let i = 0; i < 7; i++) {
      unauthenticated.push((await call('GET', '/api/policy', bad)).statusCode);
      invalid.push((await call('PUT', meetingUrl, attendee, { title: 1 })).statusCode);
    }
    expect(unauthenticated).toEqual([401, 401, 401, 401, 401, 429, 429]);
    expect(invalid).toEqual([400, 400, 400, 400, 400, 429, 429]);
  });

  it('behind a trusted proxy, limits each client by its forwarded address', async () => {
    const flood = async (forwardedFor: string): Promise<number[]> => {
      const codes: number[] = [];
      for (let i = 0; i < 6; i++) {
        codes.push(
          (await app.inject({ method: 'GET', url: '/api/policy', headers: { 'x-forwarded-for': forwardedFor } }))
            .statusCode,
        );
      }
      return codes;
    };
    for (const [trustProxy, second] of [
      [['127.0.0.1'], [401, 401, 401, 401, 401, 429]],
      [undefined, [429, 429, 429, 429, 429, 429]],
    ] as const) {
      await app.close();
      app = await buildApp(
        { db, events: inProcessEventBus(), verifier: entraVerifier(entra), rateLimitPerMinute: 5 },
        trustProxy ? { trustProxy } : {},
      );
      expect(await flood('10.1.1.1')).toEqual([401, 401, 401, 401, 401, 429]);
      expect(await flood('10.2.2.2')).toEqual(second);
    }
  });
});
