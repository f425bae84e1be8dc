/**
 * Hostile input, route by route: each property starts from a request the route's schema accepts and changes one
 * field (or one token claim) to any code point, a lone surrogate, a control, bidi or invisible character, another
 * type, or nothing. Every answer is a 2xx, or a 4xx with `{ code, message }`; never a 5xx, a 3xx or another shape.
 * A 2xx stored exactly what was sent: the test reads it back through the API (or the audit row, which no route
 * serves).
 */
import fc from 'fast-check';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { decodeJwt } from 'jose';

import { DEFAULT_POLICY, LENGTH_BUCKETS, LEVELS, UNSCANNABLE_REASONS } from '../../src/core';
import type { Db } from '../../src/server/store/db';
import { badTitleOrName, findUncleanText } from '../../src/server/text-input';
import { AUDIT_POLICY_SOURCES } from '../../src/shared/api';
import { type FakeEntra, startFakeEntra } from '../fakes/entra';
import { openUnlimitedApi } from '../support/api-app';
import { STORES } from '../support/stores';

const CHAIR = '00000000-0000-0000-0000-00000000c4a1';
const SENDER = '00000000-0000-0000-0000-0000000a77e1';
const ADMIN = '00000000-0000-0000-0000-0000000ad314';
/** Runs per property: enough to meet each kind of hostile character several times, few enough for ~10 s a store. */
const RUNS = 200;

/** Characters that have broken servers: NUL, controls, NEL, zero-width, bidi override and isolate, BOM, LS. */
const NASTY = ['\u0000', '\u0007', '\u001b', '\u0085', '\u200b', '\u202e', '\u2067', '\ufeff', '\u2028', '\r\n', '\t'];
/** One unit of hostile text: any code point, a whole grapheme cluster, a lone surrogate, or a known troublemaker. */
const hostileUnit = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.constantFrom(...NASTY) },
);
const hostileText = (maxLength: number): fc.Arbitrary<string> => fc.string({ unit: hostileUnit, maxLength });
/** Printable text (any script, combining marks, emoji sequences): what a user types, which must round-trip. */
const goodText = (minLength: number, maxLength: number): fc.Arbitrary<string> =>
  fc.string({ unit: 'grapheme', minLength, maxLength }).filter((s) => s.trim().length >= minLength);
const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.string({ unit: 'binary', maxLength: 5 }), { maxLength: 3 }),
);
const MISSING = Symbol('missing');

type Body = Record<string, unknown>;

/**
 * A valid body, or the same with one field replaced by hostile text, another type, or nothing, or with an extra
 * property whose name is hostile. `paths` name nested fields by their path (`recipients.0`).
 */
function oneFieldChanged(valid: fc.Arbitrary<Body>, paths: readonly string[]): fc.Arbitrary<Body> {
  const change = fc.oneof(
    { weight: 2, arbitrary: fc.constant(null) },
    {
      weight: 4,
      arbitrary: fc.record({
        path: fc.constantFrom(...paths),
        value: fc.oneof(
          { weight: 4, arbitrary: hostileText(60) },
          { weight: 1, arbitrary: hostileText(3000) },
          { weight: 2, arbitrary: wrongType },
          { weight: 1, arbitrary: fc.constant<unknown>(MISSING) },
        ),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ path: hostileText(12), value: fc.constant<unknown>(1), extra: fc.constant(true) }),
    },
  );
  return fc.tuple(valid, change).map(([body, c]) => {
    if (!c) {
      return body;
    }
    const copy = structuredClone(body);
    if ('extra' in c) {
      copy[c.path] = c.value;
      return copy;
    }
    const keys = c.path.split('.');
    let at: Record<string, unknown> = copy;
    keys.slice(0, -1).forEach((k, i) => {
      // An optional field left out by the valid body: put the hostile value where it would have been.
      at[k] ??= /^\d+$/.test(keys[i + 1] as string) ? [] : {};
      at = at[k] as Record<string, unknown>;
    });
    const last = keys[keys.length - 1] as string;
    if (c.value === MISSING) {
      delete at[last];
    } else {
      at[last] = c.value;
    }
    return copy;
  });
}

/**
 * A path segment as a client would send it: percent-encoded UTF-8, a lone surrogate as its WTF-8 bytes (which no
 * decoder accepts). {@link hostileSegment} adds escapes that are not UTF-8 at all, or not escapes.
 */
function pathSegment(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    out +=
      ch.length === 1 && c >= 0xd800 && c <= 0xdfff
        ? `%${(0xe0 | (c >> 12)).toString(16)}%${(0x80 | ((c >> 6) & 0x3f)).toString(16)}%${(0x80 | (c & 0x3f)).toString(16)}`
        : encodeURIComponent(ch);
  }
  return out;
}
const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  hostileText(40).map(pathSegment),
  fc.constantFrom('%FF', '%C0%AF', '%00', '%2F..%2F', '..', '%', '%zz', 'a%2fb', ''),
);

/** How a property's requests fared: a property whose valid shapes never pass, or whose changes never bite, checks little. */
interface Tally {
  stored: number;
  refused: number;
}
const tally = (): Tally => ({ stored: 0, refused: 0 });
function expectBothOutcomes(t: Tally, atLeast: number): void {
  expect(t.stored).toBeGreaterThanOrEqual(atLeast);
  expect(t.refused).toBeGreaterThanOrEqual(atLeast);
}

/** A 4xx answer is the API's error: exactly `{ code, message }`, both text. */
function expectRefusalOrSuccess(res: LightMyRequestResponse, what: string, outcomes?: Tally): boolean {
  const ok = res.statusCode >= 200 && res.statusCode < 300;
  if (outcomes) {
    outcomes[ok ? 'stored' : 'refused']++;
  }
  if (!ok) {
    expect([what, res.statusCode >= 400 && res.statusCode < 500 ? '4xx' : res.statusCode]).toEqual([what, '4xx']);
    expect(res.json()).toEqual({ code: expect.any(String), message: expect.any(String) });
  }
  return ok;
}

/**
 * A claim as the roster shows it: clean text as signed; otherwise each character that is not clean text or that a
 * name must not hold (a control, a bidi control or mark, a lone surrogate, a zero-width or tag character, a line
 * break) shown as U+FFFD and every other one kept in place; never longer than `maxUnits`. A zero-width joiner may stay
 * inside an emoji sequence, so a character a name must not hold on its own is either kept or replaced, and what is
 * shown is a clean name.
 */
function expectShownAs(shown: string | null | undefined, claim: string, maxUnits: number): void {
  if (claim.length <= maxUnits && !badTitleOrName(claim)) {
    expect(shown).toBe(claim);
    return;
  }
  expect(typeof shown).toBe('string');
  const got = Array.from(shown as string);
  expect(badTitleOrName(shown as string)).toBe(false);
  expect((shown as string).length).toBeLessThanOrEqual(maxUnits);
  const signed = Array.from(claim);
  if (claim.length <= maxUnits) {
    expect(got).toHaveLength(signed.length);
  }
  const sent = signed.slice(0, got.length);
  expect(got.map((c, i) => (c === sent[i] ? c : `${c}<${sent[i] ?? ''}`))).toEqual(
    sent.map((c, i) => (findUncleanText(c) === null && (!badTitleOrName(c) || got[i] === c) ? c : `\ufffd<${c}`)),
  );
}

let entra: FakeEntra;
beforeAll(async () => {
  entra = await startFakeEntra();
});
afterAll(async () => {
  await entra.close();
});

describe.each(STORES)('API under hostile input on %s', (kind) => {
  let db: Db;
  let app: FastifyInstance;
  let chair: string;
  let sender: string;
  let admin: string;
  // One store and app for the file: opening PGlite is most of a test's time, and each property uses its own ids.
  beforeAll(async () => {
    ({ db, app } = await openUnlimitedApi(kind, entra));
    chair = await entra.token({ oid: CHAIR });
    sender = await entra.token({ oid: SENDER });
    admin = await entra.token({ oid: ADMIN, roles: ['Policy.Admin'] });
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  const send = (method: 'GET' | 'PUT' | 'POST', url: string, token: string, body?: unknown) =>
    app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      // JSON.stringify writes a lone surrogate as an escape, so the server's parser meets it as it is.
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });

  const meetingId = fc.stringMatching(/^[A-Za-z0-9:@._=+-]{1,40}$/);

  it('PUT /api/meetings/:id stores the settings exactly as sent, or refuses them', async () => {
    const outcomes = tally();
    // The longest id the schema takes, every character percent-escaped in the path, reaches the route.
    const minimal = { title: 't', level: '密', reminder: 'r' };
    expect((await send('PUT', `/api/meetings/${'%3A'.repeat(512)}`, chair, minimal)).statusCode).toBe(201);
    expect((await send('GET', `/api/meetings/${':'.repeat(512)}`, chair)).json()).toMatchObject({
      id: ':'.repeat(512),
    });
    expectRefusalOrSuccess(await send('PUT', `/api/meetings/${'%3A'.repeat(513)}`, chair, minimal), 'a longer id');
    const settings = fc.record(
      {
        title: goodText(1, 120),
        level: fc.constantFrom(...LEVELS),
        reminder: goodText(1, 400),
        spokesperson: goodText(0, 60),
        sensitive: fc.boolean(),
      },
      { requiredKeys: ['title', 'level', 'reminder'] },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 5, arbitrary: meetingId.map(pathSegment) }, { weight: 1, arbitrary: hostileSegment }),
        oneFieldChanged(settings, ['title', 'level', 'reminder', 'spokesperson', 'sensitive']),
        async (id, body) => {
          const url = `/api/meetings/${id}`;
          if (!expectRefusalOrSuccess(await send('PUT', url, chair, body), `PUT ${url}`, outcomes)) {
            return;
          }
          expect((await send('GET', url, chair)).json()).toMatchObject({
            title: body.title,
            level: body.level,
            reminder: body.reminder,
            spokesperson: body.spokesperson ?? null,
            sensitive: body.sensitive ?? true,
          });
        },
      ),
      { numRuns: RUNS },
    );
    expectBothOutcomes(outcomes, RUNS / 8);
  });

  it('an acknowledgement records the name and address the token carries, and the client as sent', async () => {
    const outcomes = tally();
    const url = `/api/meetings/ack-meeting`;
    expect((await send('PUT', url, chair, { title: 't', level: '密', reminder: 'r' })).statusCode).toBe(201);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        // Entra signs the directory's display name and address, whatever an administrator typed into them.
        fc.oneof(goodText(1, 60), hostileText(60)),
        fc.oneof(
          goodText(1, 60).map((s) => `${s}@example.gov.tw`),
          hostileText(60),
        ),
        oneFieldChanged(fc.record({ client: fc.stringMatching(/^[A-Za-z0-9 ._/-]{0,64}$/) }, { requiredKeys: [] }), [
          'client',
        ]),
        async (name, upn, body) => {
          const oid = `ack-${n++}`;
          const token = await entra.token({ oid, name, upn });
          if (
            !expectRefusalOrSuccess(await send('POST', `${url}/acknowledgements`, token, body), 'acknowledge', outcomes)
          ) {
            return;
          }
          // What the signed token says (JSON.stringify escapes a lone surrogate, so the server meets it as it is).
          const claims = decodeJwt(token);
          const roster = (await send('GET', `${url}/acknowledgements`, chair)).json() as {
            acknowledgements: { oid: string; name: string; upn: string | null }[];
          };
          const entry = roster.acknowledgements.find((a) => a.oid === oid);
          expectShownAs(entry?.name, claims.name as string, 200);
          expectShownAs(entry?.upn, claims.preferred_username as string, 320);
          const stored = await db.query<{ client: string | null }>(
            'SELECT client FROM acknowledgements WHERE user_oid = $1',
            [oid],
          );
          expect(stored.rows).toEqual([{ client: body.client ?? null }]);
        },
      ),
      { numRuns: RUNS },
    );
    expectBothOutcomes(outcomes, RUNS / 8);
  });

  it('POST /api/audit records the event exactly as sent, or refuses it', async () => {
    const outcomes = tally();
    const sha = fc.stringMatching(/^[0-9a-f]{64}$/);
    const event = fc
      .record(
        {
          kind: fc.constantFrom('decision', 'override', 'strip', 'scan-error'),
          verdict: fc.constantFrom('allow', 'warn', 'strip', 'block'),
          level: fc.constantFrom(...LEVELS, null),
          scope: fc.constantFrom('internal', 'external'),
          rules: fc.uniqueArray(fc.constantFrom('portion', 'watermark', 'level.mi', 'custom.r-1', 'label'), {
            maxLength: 4,
          }),
          unscannable: fc.uniqueArray(fc.constantFrom(...UNSCANNABLE_REASONS), { maxLength: 2 }),
          findingCount: fc.nat(100000),
          bodyBytes: fc.nat(1e9),
          removed: fc.array(
            fc.record({
              level: fc.constantFrom(...LEVELS),
              lengthAtMost: fc.constantFrom(...LENGTH_BUCKETS),
              commitment: sha,
              kind: fc.constantFrom('text', 'attachment'),
            }),
            { maxLength: 2 },
          ),
          messageIdHash: sha,
          policySource: fc.constantFrom(...AUDIT_POLICY_SOURCES),
          policyFingerprint: fc.stringMatching(/^[0-9a-f]{16}$/),
          client: fc.stringMatching(/^[A-Za-z0-9 ._/-]{0,64}$/),
          justification: goodText(10, 200).filter((s) => !/[密]/.test(s)),
        },
        { requiredKeys: ['kind', 'verdict'] },
      )
      .map((e) => {
        // Only an override carries a justification.
        const { justification, ...rest } = e;
        return e.kind === 'override' && justification !== undefined ? { ...rest, justification } : rest;
      });
    await fc.assert(
      fc.asyncProperty(
        oneFieldChanged(event, [
          'kind',
          'verdict',
          'level',
          'scope',
          'rules.0',
          'client',
          'justification',
          'messageIdHash',
          'policySource',
          'policyFingerprint',
        ]),
        async (body) => {
          if (!expectRefusalOrSuccess(await send('POST', '/api/audit', sender, body), 'POST /api/audit', outcomes)) {
            return;
          }
          const last = (
            await db.query<{ kind: string; actor_oid: string; data: unknown }>(
              'SELECT kind, actor_oid, data FROM audit_pending ORDER BY id DESC LIMIT 1',
            )
          ).rows[0];
          const data = typeof last?.data === 'string' ? JSON.parse(last.data) : last?.data;
          expect({ ...last, data }).toEqual({ kind: `mail.${body.kind as string}`, actor_oid: SENDER, data: body });
        },
      ),
      { numRuns: RUNS },
    );
    expectBothOutcomes(outcomes, RUNS / 8);
  });

  it('POST /api/receipts keeps the recipients and parts exactly as sent, or refuses them', async () => {
    const outcomes = tally();
    const address = fc
      .tuple(goodText(1, 20), goodText(1, 20))
      .map(([local, domain]) => `${local.replace(/[\s@]/gu, 'x')}@${domain.replace(/[\s@]/gu, 'x')}.tw`);
    const receipt = fc.record({
      recipients: fc.array(address, { minLength: 1, maxLength: 3 }),
      parts: fc.array(
        fc.record({
          level: fc.constantFrom(...LEVELS),
          lengthAtMost: fc.constantFrom(...LENGTH_BUCKETS),
          commitment: fc.stringMatching(/^[0-9a-f]{64}$/),
          kind: fc.constantFrom('text', 'attachment'),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    });
    await fc.assert(
      fc.asyncProperty(
        oneFieldChanged(receipt, ['recipients.0', 'parts.0.level', 'parts.0.commitment', 'parts.0.kind']),
        async (body) => {
          const res = await send('POST', '/api/receipts', sender, body);
          if (!expectRefusalOrSuccess(res, 'POST /api/receipts', outcomes)) {
            return;
          }
          const { id } = res.json() as { id: string };
          const listed = (await send('GET', '/api/receipts', sender)).json() as { receipts: { id: string }[] };
          expect(listed.receipts.find((r) => r.id === id)).toMatchObject({
            recipients: body.recipients,
            parts: body.parts,
            status: 'pending',
          });
        },
      ),
      { numRuns: RUNS },
    );
    expectBothOutcomes(outcomes, RUNS / 8);
  });

  it('PUT /api/receipts/:id/status moves a receipt forward only, or refuses', async () => {
    const outcomes = tally();
    const FORWARD: Record<string, string[]> = { pending: ['sent', 'cancelled'], sent: ['signed', 'cancelled'] };
    const parts = [{ level: '密', lengthAtMost: 64, commitment: 'e'.repeat(64), kind: 'text' }];
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await send('POST', '/api/receipts', sender, { recipients: ['a@x.tw'], parts });
      expect(res.statusCode).toBe(201);
      ids.push((res.json() as { id: string }).id);
    }
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constantFrom(...ids, 'S-3'), hostileSegment),
        oneFieldChanged(fc.record({ status: fc.constantFrom('sent', 'signed', 'cancelled') }), ['status']),
        async (id, body) => {
          const before = (await send('GET', '/api/receipts', sender)).json() as {
            receipts: { id: string; status: string }[];
          };
          const res = await send('PUT', `/api/receipts/${id}/status`, sender, body);
          if (!expectRefusalOrSuccess(res, `PUT status of ${id}`, outcomes)) {
            return;
          }
          const was = before.receipts.find((r) => r.id === id)?.status ?? 'absent';
          expect([id, was, FORWARD[was]]).toEqual([id, was, expect.arrayContaining([body.status])]);
          const after = (await send('GET', '/api/receipts', sender)).json() as {
            receipts: { id: string; status: string }[];
          };
          expect(after.receipts.find((r) => r.id === id)?.status).toBe(body.status);
        },
      ),
      { numRuns: RUNS },
    );
    expectBothOutcomes(outcomes, 2);
  });

  it('PUT /api/policy stores the policy exactly as sent, or refuses it', async () => {
    const outcomes = tally();
    let version = 1;
    const policy = fc
      .record({
        name: goodText(1, 100),
        keyword: goodText(1, 50),
        description: goodText(0, 200),
        pattern: fc.constantFrom('機密\\s*會議', '[0-9]{3}-[0-9]{4}', '(?:極機密|絕對機密)'),
        labelName: goodText(0, 100),
        level: fc.constantFrom(...LEVELS),
      })
      .map((p) => ({
        ...structuredClone(DEFAULT_POLICY),
        version: ++version,
        name: p.name,
        internalDomains: ['example.gov.tw'],
        customRules: [
          { id: 'kw', level: p.level, keywords: [p.keyword], description: p.description },
          { id: 're', level: p.level, pattern: p.pattern },
        ],
        sensitivityLabels: [{ id: '6c1f2d3e-4a5b-4c7d-8e9f-0a1b2c3d4e5f', level: p.level, name: p.labelName }],
      }));
    await fc.assert(
      fc.asyncProperty(
        oneFieldChanged(policy as fc.Arbitrary<Body>, [
          'name',
          'internalDomains.0',
          'customRules.0.keywords.0',
          'customRules.0.description',
          'customRules.1.pattern',
          'sensitivityLabels.0.name',
        ]),
        async (body) => {
          if (!expectRefusalOrSuccess(await send('PUT', '/api/policy', admin, body), 'PUT /api/policy', outcomes)) {
            return;
          }
          expect((await send('GET', '/api/policy', admin)).json()).toEqual(body);
        },
      ),
      { numRuns: RUNS },
    );
    expectBothOutcomes(outcomes, RUNS / 8);
  });

  it('GET routes answer hostile parameters and queries with a 2xx or a 4xx error', async () => {
    await send('PUT', '/api/meetings/m-1', chair, { title: 't', level: '密', reminder: 'r' });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          (s: string) => `/api/meetings/${s}`,
          (s: string) => `/api/meetings/${s}/acknowledgements`,
          (s: string) => `/api/meetings/m-1/${s}`,
          (s: string) => `/api/receipts?limit=${s}`,
          (s: string) => `/api/receipts?before=${s}`,
          (s: string) => `/api/receipts?${s}=1`,
          (s: string) => `/api/receipts/${s}/print`,
          (s: string) => `/api/${s}`,
        ),
        hostileSegment,
        async (route, segment) => {
          const url = route(segment);
          expectRefusalOrSuccess(await send('GET', url, chair), `GET ${url}`);
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it('a body that is not a JSON object, under any content type, is refused with a 4xx error', async () => {
    await send('PUT', '/api/meetings/m-1', chair, { title: 't', level: '密', reminder: 'r' });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          ['PUT', '/api/meetings/m-1'],
          ['POST', '/api/meetings/m-1/acknowledgements'],
          ['POST', '/api/audit'],
          ['POST', '/api/receipts'],
          ['PUT', '/api/policy'],
        ),
        fc.constantFrom(
          'application/json',
          'application/json; charset=latin1',
          'text/plain',
          'application/x-www-form-urlencoded',
          null,
        ),
        fc.oneof(
          hostileText(200),
          fc
            .jsonValue({ maxDepth: 2 })
            .filter((v) => v === null || typeof v !== 'object' || Array.isArray(v))
            .map((v) => JSON.stringify(v)),
          fc.constantFrom(
            '{',
            '{"title":',
            '[]',
            '{"__proto__":{"x":1}}',
            '{"constructor":{"prototype":{}}}',
            '\ufeff{}',
          ),
        ),
        async ([method, url], contentType, payload) => {
          const res = await app.inject({
            method: method as 'PUT' | 'POST',
            url: url as string,
            headers: {
              authorization: `Bearer ${method === 'PUT' && url === '/api/policy' ? admin : chair}`,
              ...(contentType ? { 'content-type': contentType } : {}),
            },
            payload,
          });
          // An acknowledgement's body is optional: sent as JSON `null`, it is no body.
          if (expectRefusalOrSuccess(res, `${method as string} ${url as string} ${payload}`)) {
            expect([url, payload]).toEqual(['/api/meetings/m-1/acknowledgements', expect.anything()]);
          }
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });
});
