/**
 * v1 access tokens: what an app registration still on v1 tokens (requestedAccessTokenVersion unset or 1) gets. The
 * server names it (401 `token_v1`) and logs the fix once, but only for a token whose signature checks out.
 */
import type { FastifyInstance } from 'fastify';

import { buildApp, inProcessEventBus } from '../../src/server/app';
import { AuthError, createTokenVerifier, TOKEN_V1_FIX, type TokenVerifier } from '../../src/server/auth';
import type { Db } from '../../src/server/store/db';
import { migrate } from '../../src/server/store/migrations';
import {
  APP_ID_URI,
  AUDIENCE,
  CLIENT_ID,
  type FakeEntra,
  FOREIGN_TENANT,
  startFakeEntra,
  TENANT,
} from '../fakes/entra';
import { entraVerifier } from '../support/entra-verifier';
import { openStore } from '../support/stores';

let entra: FakeEntra;
beforeAll(async () => {
  entra = await startFakeEntra();
});
afterAll(async () => {
  await entra.close();
});

/** The verifier as production configures it: AUTH_CLIENT_ID only, Entra's issuer template (here the fake's). */
const byClientId = (): TokenVerifier => entraVerifier(entra, [TENANT], { clientId: CLIENT_ID });

async function refusal(verifier: TokenVerifier, token: string): Promise<AuthError> {
  const error = await verifier.verify(`Bearer ${token}`).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthError);
  return error as AuthError;
}

describe('v1 access tokens', () => {
  it('a genuine v1 token for this API (audience the Application ID URI) is token_v1, not invalid_token', async () => {
    const e = await refusal(byClientId(), await entra.v1Token());
    expect(e.code).toBe('token_v1');
    expect(e.message).toMatch(/^權杖為 v1 格式.* \/ A v1 access token/);
  });

  it('names the fix for the log on the first v1 token of a verifier only', async () => {
    const verifier = byClientId();
    const first = await refusal(verifier, await entra.v1Token());
    const second = await refusal(verifier, await entra.v1Token({ oid: '00000000-0000-0000-0000-0000000a77e1' }));
    expect([first.code, second.code]).toEqual(['token_v1', 'token_v1']);
    expect(first.operatorNote).toBe(TOKEN_V1_FIX);
    expect(first.operatorNote).toMatch(/requestedAccessTokenVersion to 2/);
    expect(first.operatorNote).toMatch(/accessTokenAcceptedVersion/);
    expect(second.operatorNote).toBeNull();
  });

  it('is recognised by its issuer alone, or by ver alone, also when the audience was configured to match', async () => {
    // AUTH_AUDIENCE set to the Application ID URI: the token passes the audience check and meets the issuer check.
    const verifier = entraVerifier(entra, [TENANT]);
    expect((await refusal(verifier, await entra.v1Token({ aud: AUDIENCE }))).code).toBe('token_v1');
    expect((await refusal(verifier, await entra.token({ iss: `https://sts.windows.net/${TENANT}/` }))).code).toBe(
      'token_v1',
    );
    const v2Issuer = entra.issuer.replace('{tenantid}', TENANT);
    expect((await refusal(verifier, await entra.v1Token({ aud: AUDIENCE, iss: v2Issuer }))).code).toBe('token_v1');
  });

  it('an expired v1 token is still token_v1: a fresh one would be v1 too', async () => {
    expect((await refusal(byClientId(), await entra.v1Token({ expiresIn: -3600 }))).code).toBe('token_v1');
  });

  it('a forged v1 token gets invalid_token, and does not use up the log line', async () => {
    const verifier = byClientId();
    const forged = await refusal(verifier, await entra.foreignKeyV1Token());
    expect([forged.code, forged.operatorNote]).toEqual(['invalid_token', null]);
    expect(forged.message).toMatch(/ERR_JWS_SIGNATURE_VERIFICATION_FAILED/);
    // The first genuine one still carries the fix.
    expect((await refusal(verifier, await entra.v1Token())).operatorNote).toBe(TOKEN_V1_FIX);
  });

  it('a v1 token for another resource (a Graph token sent by mistake) is just invalid, and logs nothing', async () => {
    const e = await refusal(byClientId(), await entra.v1Token({ aud: 'https://graph.microsoft.com' }));
    expect([e.code, e.operatorNote]).toEqual(['invalid_token', null]);
  });

  it('a v1 token from a tenant not allowed is foreign_tenant, and logs nothing', async () => {
    const verifier = byClientId();
    const e = await refusal(verifier, await entra.v1Token({ tid: FOREIGN_TENANT }));
    expect([e.code, e.operatorNote]).toEqual(['foreign_tenant', null]);
    expect((await refusal(verifier, await entra.v1Token())).operatorNote).toBe(TOKEN_V1_FIX);
  });

  it('v2 tokens are unaffected', async () => {
    await expect(byClientId().verify(`Bearer ${await entra.token({ aud: CLIENT_ID })}`)).resolves.toMatchObject({
      tenantId: TENANT,
    });
    expect(APP_ID_URI).toBe(`api://sg.example.gov.tw/${CLIENT_ID}`);
  });
});

describe('the server and v1 tokens', () => {
  let db: Db;
  let app: FastifyInstance;
  const lines: string[] = [];
  beforeAll(async () => {
    db = await openStore('pglite');
    await migrate(db);
    app = await buildApp({
      db,
      events: inProcessEventBus(),
      verifier: createTokenVerifier({
        clientId: CLIENT_ID,
        tenantIds: [TENANT],
        jwksUrl: entra.jwksUrl,
        issuer: entra.issuer,
        audience: null,
      }),
      logger: { level: 'warn', stream: { write: (line: string) => void lines.push(line) } },
    });
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('answers 401 token_v1 to every v1 request, and logs the fix once per process', async () => {
    const get = async (token: string) =>
      app.inject({ method: 'GET', url: '/api/policy', headers: { authorization: `Bearer ${token}` } });
    const forged = await get(await entra.foreignKeyV1Token());
    expect([forged.statusCode, forged.json<{ code: string }>().code]).toEqual([401, 'invalid_token']);
    for (let i = 0; i < 3; i++) {
      const res = await get(await entra.v1Token());
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.json()).toEqual({ code: 'token_v1', message: expect.stringMatching(/v1/) as unknown });
    }
    const fixes = lines.filter((l) => l.includes('requestedAccessTokenVersion'));
    expect(fixes).toHaveLength(1);
    expect(JSON.parse(fixes[0] as string)).toMatchObject({ level: 40, code: 'token_v1', msg: TOKEN_V1_FIX });
  });
});
