/**
 * The API as the meeting tests build it: the real app on a real store, tokens from the fake Entra, and optionally the
 * fake Graph behind the on-behalf-of exchange.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

import { buildApp, inProcessEventBus } from '../../src/server/app';
import { createTokenVerifier } from '../../src/server/auth';
import type { GraphOptions } from '../../src/server/graph';
import type { PdfFontResolution } from '../../src/server/pdf-font';
import type { Db } from '../../src/server/store/db';
import { AUDIENCE, CLIENT_ID, CLIENT_SECRET, type FakeEntra, TENANT } from '../fakes/entra';
import type { FakeGraph } from '../fakes/graph';

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
  options: { graph?: GraphOptions | null; pdfFonts?: PdfFontResolution; tenantIds?: string[] } = {},
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
