/**
 * The API as the meeting tests build it: the real app on a real store, tokens from the fake Entra, and optionally the
 * fake Graph behind the on-behalf-of exchange.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

import { buildApp, inProcessEventBus } from '../../src/server/app';
import { createTokenVerifier } from '../../src/server/auth';
import type { GraphOptions } from '../../src/server/graph';
import type { PdfFontChoice } from '../../src/server/pdf-font';
import type { Db } from '../../src/server/store/db';
import { migrate } from '../../src/server/store/migrations';
import { AUDIENCE, CLIENT_ID, CLIENT_SECRET, type FakeEntra, TENANT } from '../fakes/entra';
import type { FakeGraph, FakeMember } from '../fakes/graph';
import { openStore, type StoreKind } from './stores';

export const CHAIR = '00000000-0000-0000-0000-00000000c4a1';

/** A Teams meeting id as a tab's context gives it: base64 of `0#<meeting chat thread>#0`. */
export const teamsMeetingId = (thread: string): string => Buffer.from(`0#${thread}#0`).toString('base64');

export const meetingSettings = {
  title: '○○經營地區劃分及調整工作會議',
  level: '機密',
  reminder: '會議資料及內容不得任意發表或提供外界。',
  spokesperson: '李發言人',
};

export function graphOptions(entra: FakeEntra, graph: FakeGraph, timeoutMs = 3000): GraphOptions {
  return {
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    tokenUrl: entra.tokenUrl,
    baseUrl: graph.baseUrl,
    timeoutMs,
  };
}

export async function buildMeetingApp(
  db: Db,
  entra: FakeEntra,
  options: { graph?: GraphOptions | null; pdfFonts?: PdfFontChoice; tenantIds?: string[] } = {},
): Promise<FastifyInstance> {
  return buildApp({
    db,
    events: inProcessEventBus(),
    verifier: createTokenVerifier({
      clientId: null,
      tenantIds: options.tenantIds ?? [TENANT],
      jwksUrl: entra.jwksUrl,
      issuer: entra.issuer,
      audience: AUDIENCE,
    }),
    graph: options.graph ?? null,
    ...(options.pdfFonts ? { pdfFonts: options.pdfFonts } : {}),
  });
}

export function caller(app: FastifyInstance) {
  return (
    method: 'GET' | 'PUT' | 'POST',
    url: string,
    token?: string,
    payload?: unknown,
  ): Promise<LightMyRequestResponse> =>
    app.inject({
      method,
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
}

type Options = Parameters<typeof buildMeetingApp>[2];

export interface MeetingTest {
  db: Db;
  app: FastifyInstance;
  call: ReturnType<typeof caller>;
  /** The chair's token; the chair configured the meeting before each test. */
  chair: string;
  /** Rebuilds the app on the same store with other options (Graph, fonts, tenants). */
  start(options?: Options): Promise<void>;
}

/**
 * Before each test: a fresh store, the fake Graph holding the meeting chat with `members`, the app with Graph
 * configured, and the meeting configured by the chair. After: app and store closed.
 */
export function useMeetingTest(
  kind: StoreKind,
  fixture: () => {
    entra: FakeEntra;
    graph: FakeGraph;
    thread: string;
    members: readonly FakeMember[];
    meetingUrl: string;
    defaults?: Options;
  },
): MeetingTest {
  const t = {} as MeetingTest;
  t.start = async (options = {}) => {
    const f = fixture();
    await t.app?.close();
    t.app = await buildMeetingApp(t.db, f.entra, { ...f.defaults, ...options });
    t.call = caller(t.app);
  };
  beforeEach(async () => {
    const f = fixture();
    t.db = await openStore(kind);
    await migrate(t.db);
    f.graph.reset();
    f.graph.setChat(f.thread, f.members);
    await t.start({ graph: graphOptions(f.entra, f.graph) });
    t.chair = await f.entra.token({ oid: CHAIR });
    expect((await t.call('PUT', f.meetingUrl, t.chair, meetingSettings)).statusCode).toBe(201);
  });
  afterEach(async () => {
    await t.app.close();
    await t.db.close();
    t.app = undefined as unknown as FastifyInstance;
  });
  return t;
}
