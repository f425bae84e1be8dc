/**
 * Bounds on what the API takes: JSON nested too deep has its own refusal, titles and names refuse invisible
 * characters, and policy versions can keep going up.
 */
import type { FastifyInstance } from 'fastify';

import { DEFAULT_POLICY, MAX_POLICY_VERSION } from '../../src/core';
import { MAX_POLICY_VERSION_STEP } from '../../src/server/app';
import type { Db } from '../../src/server/store/db';
import { asDisplayText, badTitleOrName } from '../../src/server/text-input';
import { type FakeEntra, startFakeEntra } from '../fakes/entra';
import { injector, openUnlimitedApi } from '../support/api-app';
import { STORES } from '../support/stores';

const CHAIR = '00000000-0000-0000-0000-00000000c4a1';
const ADMIN = '00000000-0000-0000-0000-0000000ad314';
const settings = { title: '○○地區劃分協調會議', level: '機密', reminder: '本會議應行保密。', spokesperson: '李發言人' };

/** Every character a title or a name must not hold, by the list: each one is tried in each field. */
const INVISIBLE: readonly [string, string][] = [
  ['LEFT-TO-RIGHT MARK', '\u200e'],
  ['RIGHT-TO-LEFT MARK', '\u200f'],
  ['ARABIC LETTER MARK', '\u061c'],
  ['ZERO WIDTH SPACE', '\u200b'],
  ['ZERO WIDTH NON-JOINER', '\u200c'],
  ['ZERO WIDTH JOINER (between letters)', '\u200d'],
  ['WORD JOINER', '\u2060'],
  ['ZERO WIDTH NO-BREAK SPACE', '\ufeff'],
  ['TAG LATIN SMALL LETTER A', '\u{e0061}'],
  ['LANGUAGE TAG', '\u{e0001}'],
  ['CANCEL TAG', '\u{e007f}'],
  ['unassigned tag block U+E0000', '\u{e0000}'],
  ['LINE SEPARATOR', '\u2028'],
  ['PARAGRAPH SEPARATOR', '\u2029'],
  ['INTERLINEAR ANNOTATION ANCHOR', '\ufff9'],
  ['INTERLINEAR ANNOTATION SEPARATOR', '\ufffa'],
  ['INTERLINEAR ANNOTATION TERMINATOR', '\ufffb'],
  ['SOFT HYPHEN', '\u00ad'],
  ['HANGUL FILLER', '\u3164'],
  ['a line feed', '\n'],
];

const nested = (depth: number): unknown => {
  let v: unknown = 'x';
  for (let i = 0; i < depth; i++) {
    v = { a: v };
  }
  return v;
};

let entra: FakeEntra;
beforeAll(async () => {
  entra = await startFakeEntra();
});
afterAll(async () => {
  await entra.close();
});

describe('titles and names, as text', () => {
  it.each(INVISIBLE)('refuses %s', (_name, ch) => {
    expect(badTitleOrName(`王${ch}主席`)).toBe(true);
    expect(badTitleOrName(`${ch}`)).toBe(true);
  });

  it('takes ordinary titles and names, emoji sequences included', () => {
    for (const ok of ['陳委員 (政風室)', 'Anne-Marie O’Neil', '👨‍👩‍👧 家庭日', '👩🏽‍💻 資訊室', '🏳️‍🌈', '會議 No.3']) {
      expect([ok, badTitleOrName(ok)]).toEqual([ok, false]);
    }
  });

  it("shows an invisible character in a token's or Graph's name as U+FFFD, where it was", () => {
    expect(asDisplayText('王\u200b主\u{e0061}席\u2028', 200)).toBe('王\ufffd主\ufffd席\ufffd');
    expect(asDisplayText('chen\u200f@example.gov.tw', 320)).toBe('chen\ufffd@example.gov.tw');
  });
});

describe.each(STORES)('input bounds on %s', (kind) => {
  let db: Db;
  let app: FastifyInstance;
  let chair: string;
  let admin: string;
  beforeAll(async () => {
    ({ db, app } = await openUnlimitedApi(kind, entra));
    chair = await entra.token({ oid: CHAIR });
    admin = await entra.token({ oid: ADMIN, roles: ['Policy.Admin'] });
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  const call = injector(() => app);

  it('JSON nested too deep is refused as json_too_deep, not as a character problem, on every body', async () => {
    const deep = nested(40);
    for (const [method, url] of [
      ['PUT', '/api/meetings/deep-1'],
      ['POST', '/api/audit'],
      ['POST', '/api/receipts'],
      ['PUT', '/api/policy'],
    ] as const) {
      const res = await call(method, url, admin, { ...settings, extra: deep });
      expect([url, res.statusCode, res.json().code]).toEqual([url, 400, 'json_too_deep']);
    }
    // A bad character in a shallow body still says so.
    const bad = await call('PUT', '/api/meetings/deep-2', chair, { ...settings, title: 'a\u0000b' });
    expect(bad.json()).toMatchObject({ code: 'invalid_characters' });
    // Nested within the bound, the body reaches the schema (which refuses the unknown property).
    const shallow = await call('PUT', '/api/meetings/deep-3', chair, { ...settings, extra: nested(20) });
    expect(shallow.json()).toMatchObject({ code: 'invalid_request' });
  });

  it.each(INVISIBLE)('a meeting title, a spokesperson and policy names holding %s are refused', async (_n, ch) => {
    const id = `/api/meetings/inv-${ch.codePointAt(0)?.toString(16)}`;
    for (const field of ['title', 'spokesperson'] as const) {
      const res = await call('PUT', id, chair, { ...settings, [field]: `王${ch}主席` });
      expect([field, res.statusCode, res.json().code]).toEqual([field, 400, 'invalid_characters']);
    }
    expect((await call('GET', id, chair)).statusCode).toBe(404);
    const policy = { ...DEFAULT_POLICY, version: 2, name: `政策${ch}` };
    expect((await call('PUT', '/api/policy', admin, policy)).json()).toMatchObject({ code: 'invalid_characters' });
    const label = {
      ...DEFAULT_POLICY,
      version: 2,
      sensitivityLabels: [{ id: '11111111-2222-3333-4444-555555555555', level: '密', name: `密${ch}` }],
    };
    expect((await call('PUT', '/api/policy', admin, label)).json()).toMatchObject({ code: 'invalid_characters' });
    expect((await call('GET', '/api/policy', admin)).json()).toMatchObject({ version: DEFAULT_POLICY.version });
  });

  it('a clean title and name are stored as sent', async () => {
    const res = await call('PUT', '/api/meetings/clean-1', chair, { ...settings, title: '👨‍👩‍👧 家庭日協調會' });
    expect(res.statusCode).toBe(201);
    expect((await call('GET', '/api/meetings/clean-1', chair)).json()).toMatchObject({ title: '👨‍👩‍👧 家庭日協調會' });
  });

  it('policy versions keep going up past 2^31 - 1, and one save cannot use up the range', async () => {
    const put = (version: number) => call('PUT', '/api/policy', admin, { ...DEFAULT_POLICY, version });
    // The highest version at once would leave no later one: refused, the policy unchanged.
    const all = await put(MAX_POLICY_VERSION);
    expect([all.statusCode, all.json().code]).toEqual([400, 'policy_version_jump']);
    // The old bound, then past it, then a date-and-time version, then the next second.
    for (const version of [2147483647, 2147483648, 20261207153000, 20261207153001]) {
      const res = await put(version);
      expect([version, res.statusCode]).toEqual([version, 200]);
      expect((await call('GET', '/api/policy', admin)).json()).toMatchObject({ version });
    }
    expect((await put(20261207153000)).statusCode).toBe(409);
    const step = 20261207153001 + MAX_POLICY_VERSION_STEP;
    expect((await put(step + 1)).statusCode).toBe(400);
    expect((await put(step)).statusCode).toBe(200);
    // Past what JSON carries exactly to the add-in: refused by the schema.
    expect((await put(MAX_POLICY_VERSION + 2)).statusCode).toBe(400);
    expect((await call('GET', '/api/policy', admin)).json()).toMatchObject({ version: step });
  });
});
