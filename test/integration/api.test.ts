import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';

import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';

import { DEFAULT_POLICY } from '../../src/core';
import { buildApp, inProcessEventBus } from '../../src/server/app';
import { chainPending, verifyAuditChain } from '../../src/server/store/audit';
import type { Db } from '../../src/server/store/db';
import { migrate } from '../../src/server/store/migrations';
import { type FakeEntra, FOREIGN_TENANT, startFakeEntra, TENANT } from '../fakes/entra';
import { entraVerifier } from '../support/entra-verifier';
import { openStore, STORES } from '../support/stores';

const CHAIR = '00000000-0000-0000-0000-00000000c4a1';
const ATTENDEE = '00000000-0000-0000-0000-0000000a77e1';
const MEETING = '19:meeting_NjA3ZjQ5ZTQtYmU2@thread.v2';
const meetingUrl = `/api/meetings/${encodeURIComponent(MEETING)}`;
const settings = {
  title: '○○地區劃分協調會議',
  level: '機密',
  reminder: '本會議因具機敏性質，與會人員應行保密。',
  spokesperson: '李發言人',
};

let entra: FakeEntra;
beforeAll(async () => {
  entra = await startFakeEntra();
});
afterAll(async () => {
  await entra.close();
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

  const call = (method: 'GET' | 'PUT' | 'POST', url: string, token?: string, payload?: unknown) =>
    app.inject({
      method,
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });

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

    it.each([
      ['no token', async () => undefined, 'missing_token'],
      ['an expired token', () => entra.token({ expiresIn: -3600 }), 'invalid_token'],
      ['the wrong audience', () => entra.token({ aud: 'api://someone-else' }), 'invalid_token'],
      ['the wrong issuer', () => entra.token({ iss: 'https://evil.example/v2.0' }), 'invalid_token'],
      ['a foreign tenant', () => entra.token({ tid: FOREIGN_TENANT }), 'foreign_tenant'],
      ['a bad signature', () => entra.foreignKeyToken(), 'invalid_token'],
      ['alg none', async () => entra.unsignedToken(), 'invalid_token'],
      ['a malformed header', async () => 'not-a-jwt', 'invalid_token'],
    ])('%s → 401', async (_name, token, code) => {
      const t = await token();
      const res = await call('GET', meetingUrl, t);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code });
      expect(res.headers['www-authenticate']).toBe('Bearer');
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

    it('another allowed tenant sees nothing → 404', async () => {
      await app.close();
      app = await build([TENANT, FOREIGN_TENANT]);
      const outsider = await entra.token({ oid: CHAIR, tid: FOREIGN_TENANT });
      expect((await call('GET', meetingUrl, outsider)).statusCode).toBe(404);
      expect((await call('POST', `${meetingUrl}/acknowledgements`, outsider, {})).statusCode).toBe(404);
      expect((await call('PUT', meetingUrl, outsider, settings)).statusCode).toBe(404);
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
      removed: [{ level: '密', length: 18, sha256: 'a'.repeat(64) }],
    });
    expect(ok.statusCode).toBe(202);
    for (const bad of [
      { kind: 'decision', verdict: 'block', subject: '【機密】預算' },
      { kind: 'decision', verdict: 'block', rules: ['portion', '本會議因具機敏性質'] },
      {
        kind: 'decision',
        verdict: 'block',
        removed: [{ level: '密', length: 1, sha256: 'a'.repeat(64), text: '地區劃分草案' }],
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

  it('keeps paper-delivery receipts: level, length and hash of each part, the sender only, forward-only status', async () => {
    const receipt = {
      id: 'R-115-0042',
      recipients: ['partner@example.com'],
      parts: [{ level: '密', length: 18, sha256: 'b'.repeat(64) }],
    };
    expect((await call('POST', '/api/receipts', attendee, receipt)).statusCode).toBe(201);
    expect((await call('POST', '/api/receipts', attendee, receipt)).statusCode).toBe(409);
    expect(
      (
        await call('POST', '/api/receipts', attendee, {
          ...receipt,
          id: 'R-2',
          parts: [{ level: '密', length: 1, sha256: 'b'.repeat(64), text: '草案' }],
        })
      ).statusCode,
    ).toBe(400);
    const mine = (await call('GET', '/api/receipts', attendee)).json() as {
      receipts: { id: string; status: string; parts: unknown }[];
    };
    expect(mine.receipts).toEqual([
      expect.objectContaining({ id: 'R-115-0042', status: 'pending', parts: receipt.parts }),
    ]);
    expect(((await call('GET', '/api/receipts', chair)).json() as { receipts: unknown[] }).receipts).toEqual([]);
    expect((await call('PUT', '/api/receipts/R-115-0042/status', chair, { status: 'sent' })).statusCode).toBe(404);
    expect((await call('PUT', '/api/receipts/R-115-0042/status', attendee, { status: 'signed' })).statusCode).toBe(409);
    expect((await call('PUT', '/api/receipts/R-115-0042/status', attendee, { status: 'sent' })).json()).toEqual({
      id: 'R-115-0042',
      status: 'sent',
    });
    expect((await call('PUT', '/api/receipts/R-115-0042/status', attendee, { status: 'signed' })).statusCode).toBe(200);
    expect((await call('PUT', '/api/receipts/R-115-0042/status', attendee, { status: 'cancelled' })).statusCode).toBe(
      409,
    );
    expect(await verifyAuditChain(db)).toEqual({ ok: true, events: 3 });
    const kinds = (await db.query<{ kind: string }>('SELECT kind FROM audit_events ORDER BY seq')).rows.map(
      (r) => r.kind,
    );
    expect(kinds).toEqual(['receipt.created', 'receipt.sent', 'receipt.signed']);
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

  it('garbage bodies and parameters never cause a 500', async () => {
    await call('PUT', meetingUrl, chair, settings);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('PUT', 'POST', 'GET') as fc.Arbitrary<'PUT' | 'POST' | 'GET'>,
        fc.constantFrom(
          meetingUrl,
          `${meetingUrl}/acknowledgements`,
          '/api/audit',
          '/api/policy',
          '/api/receipts',
          '/api/receipts/R-1/status',
        ),
        fc.oneof(
          fc.string({ maxLength: 40 }).map((s) => `/api/meetings/${encodeURIComponent(s)}`),
          fc.constant(null),
        ),
        fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.string({ maxLength: 200 })),
        async (method, url, altUrl, body) => {
          const res = await app.inject({
            method,
            url: altUrl ?? url,
            headers: {
              authorization: `Bearer ${attendee}`,
              'content-type': typeof body === 'string' ? 'application/json' : 'application/json',
            },
            payload: typeof body === 'string' ? body : JSON.stringify(body),
          });
          expect(res.statusCode).toBeLessThan(500);
          if (res.statusCode >= 400) {
            expect(res.json()).toEqual({ code: expect.any(String), message: expect.any(String) });
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
