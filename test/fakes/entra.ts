/**
 * A fake Entra ID: a local issuer with its own RSA key, serving a JWKS over HTTP like
 * login.microsoftonline.com/common/discovery/v2.0/keys, and issuing v2 access tokens with the claims the server reads
 * (oid, tid, name, preferred_username) and the delegated scope `scp: "access_as_user"` that Teams SSO, nested app auth
 * and Office SSO tokens for the API carry. It can also mint every kind of bad token the authorisation matrix needs:
 * app-only (client credentials: `idtyp: "app"`, roles, no `scp`), ID tokens (audience the bare client id, `nonce`, no
 * `scp`), tokens missing a claim, not yet valid, too old, signed by another key, HS256 with the public key, `alg: none`.
 * And v1 access tokens, as Entra issues them while the app registration's requestedAccessTokenVersion is unset or 1:
 * issuer `https://sts.windows.net/<tid>/`, `ver: "1.0"`, audience the Application ID URI, `upn` and `unique_name`
 * instead of `preferred_username`, `appid`/`appidacr` instead of `azp`/`azpacr`; signed with the same keys as v2.
 *
 * Its token endpoint, `POST /{tenant}/oauth2/v2.0/token`, does the on-behalf-of exchange as Entra v2 documents it
 * (grant_type jwt-bearer, requested_token_use on_behalf_of): the assertion must be a token this issuer signed for the
 * API, for that tenant, and the client id and secret must match; the answer is a token for the resource the scope
 * names (Graph), with `scp`. Errors carry Entra's `{ error, error_description: "AADSTS…", error_codes }`.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';

import { exportJWK, exportSPKI, generateKeyPair, type JWK, jwtVerify, type KeyLike, SignJWT } from 'jose';

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const FOREIGN_TENANT = '0c2b6f5a-1d3e-4f5a-8b9c-0d1e2f3a4b5c';
export const AUDIENCE = 'api://secrecy-guard-test';
/** The app registration the server exchanges tokens as. */
export const CLIENT_ID = '5e3f1c2a-7b4d-4e8f-9a0b-1c2d3e4f5a6b';
export const CLIENT_SECRET = 'fake~client.secret_0123456789';
const OBO_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** The delegated scope the API exposes, as Teams SSO requires it named. */
export const API_SCOPE = 'access_as_user';

/** The Application ID URI, `api://<host>/<client id>`: the audience of a v1 token for the API (v2: the client id). */
export const APP_ID_URI = `api://sg.example.gov.tw/${CLIENT_ID}`;
/** Teams desktop and mobile: the client a Teams SSO token names in `appid` (v1) or `azp` (v2). */
const TEAMS_CLIENT_ID = '1fec8e78-bce4-4aaf-ab1b-5451cc387264';

export interface TokenOptions {
  oid?: string;
  name?: string;
  upn?: string;
  tid?: string;
  aud?: string;
  iss?: string;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
  /** Seconds from now of `iat` (default −10); far negative for a token issued long ago. */
  issuedAt?: number;
  /** Seconds from now of `nbf` (default −10); positive for a token not yet valid. */
  notBefore?: number;
  roles?: string[];
  /** The delegated scopes, space-separated (default `access_as_user`); null for a token without `scp`. */
  scp?: string | null;
  /** Claims to leave out of the token. */
  omit?: readonly ('oid' | 'tid' | 'exp' | 'iat' | 'nbf')[];
}

export interface FakeEntra {
  readonly jwksUrl: string;
  /** The issuer template the server is configured with. */
  readonly issuer: string;
  token(options?: TokenOptions): Promise<string>;
  /** Signed by a key that is not in the JWKS. */
  foreignKeyToken(options?: TokenOptions): Promise<string>;
  /** `alg: none`, no signature. */
  unsignedToken(options?: TokenOptions): string;
  /** HS256 with the issuer's public key (as PEM) as the HMAC secret: the algorithm-confusion attack. */
  publicKeyHmacToken(options?: TokenOptions): Promise<string>;
  /**
   * An app-only token from the client-credentials grant, as Entra v2 issues it for an application calling the API:
   * `idtyp: "app"`, the app's roles, the service principal's `oid`, and no `scp`.
   */
  appToken(options?: TokenOptions): Promise<string>;
  /** A v2 ID token: audience the bare client id, a `nonce`, the user's claims, and no `scp`. */
  idToken(options?: TokenOptions): Promise<string>;
  /** A v1 access token for the API (audience {@link APP_ID_URI} unless `aud` says otherwise), properly signed. */
  v1Token(options?: TokenOptions): Promise<string>;
  /** The same v1 token signed by a key that is not in the JWKS: a forgery. */
  foreignKeyV1Token(options?: TokenOptions): Promise<string>;
  /** Counts JWKS fetches, to show keys are cached. */
  readonly jwksRequests: () => number;
  /** The token endpoint template, with `{tenantid}` as Entra's is. */
  readonly tokenUrl: string;
  /** Counts token-endpoint requests (every grant, refused or not). */
  readonly tokenRequests: () => number;
  /** Makes the on-behalf-of exchange for this user answer `consent_required` (AADSTS65001), as before admin consent. */
  requireConsent(oid: string): void;
  close(): Promise<void>;
}

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

export async function startFakeEntra(): Promise<FakeEntra> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const other = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' };
  let requests = 0;
  let tokenRequests = 0;
  const needsConsent = new Set<string>();
  const server: Server = createServer((req, res) => {
    if (req.url === '/discovery/v2.0/keys') {
      requests++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
      return;
    }
    const tokenPath = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(req.url ?? '');
    if (tokenPath && req.method === 'POST') {
      tokenRequests++;
      void readForm(req).then(async (form) => {
        const answer = await exchange(decodeURIComponent(tokenPath[1] as string), form);
        res.writeHead(answer.status, {
          'content-type': 'application/json; charset=utf-8',
          'cache-control': 'no-store',
        });
        res.end(JSON.stringify(answer.body));
      });
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const issuerTemplate = `${base}/{tenantid}/v2.0`;

  const refuse = (status: number, error: string, aadsts: number, description: string, suberror?: string) => ({
    status,
    body: {
      error,
      error_description: `AADSTS${aadsts}: ${description} Trace ID: 00000000-0000-0000-0000-000000000000`,
      error_codes: [aadsts],
      timestamp: new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z',
      trace_id: '00000000-0000-0000-0000-000000000000',
      correlation_id: '00000000-0000-0000-0000-000000000000',
      ...(suberror ? { suberror } : {}),
    },
  });
  /** The on-behalf-of flow, checked in the order Entra reports its errors: grant, client, assertion, scope, consent. */
  const exchange = async (tenant: string, form: URLSearchParams): Promise<{ status: number; body: object }> => {
    if (form.get('grant_type') !== OBO_GRANT) {
      return refuse(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    }
    if (form.get('requested_token_use') !== 'on_behalf_of') {
      return refuse(
        400,
        'invalid_request',
        900144,
        "The request body must contain the 'requested_token_use' parameter.",
      );
    }
    if (form.get('client_id') !== CLIENT_ID) {
      return refuse(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${form.get('client_id')}' was not found in the directory.`,
      );
    }
    if (form.get('client_secret') !== CLIENT_SECRET) {
      return refuse(401, 'invalid_client', 7000215, 'Invalid client secret provided.');
    }
    let user: Record<string, unknown>;
    try {
      ({ payload: user } = await jwtVerify(form.get('assertion') ?? '', publicKey, {
        audience: AUDIENCE,
        issuer: issuerTemplate.replace('{tenantid}', tenant),
        algorithms: ['RS256'],
      }));
    } catch {
      return refuse(400, 'invalid_grant', 50013, 'Assertion failed signature validation.');
    }
    const scopes = (form.get('scope') ?? '').split(' ').filter((s) => s.length > 0);
    const resources = new Set(scopes.map((s) => s.slice(0, s.lastIndexOf('/'))));
    if (scopes.length === 0 || resources.size !== 1 || [...resources][0] === '') {
      return refuse(400, 'invalid_scope', 70011, "The provided value for the input parameter 'scope' is not valid.");
    }
    if (needsConsent.has(user.oid as string)) {
      return refuse(
        400,
        'invalid_grant',
        65001,
        'The user or administrator has not consented to use the application.',
        'consent_required',
      );
    }
    const resource = [...resources][0] as string;
    const scp = scopes.map((s) => s.slice(resource.length + 1)).join(' ');
    const now = Math.floor(Date.now() / 1000);
    const access = await new SignJWT({
      oid: user.oid,
      tid: user.tid,
      name: user.name,
      upn: user.preferred_username,
      scp,
      appid: CLIENT_ID,
      ver: '1.0',
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'test-key-1', typ: 'JWT' })
      .setIssuer(issuerTemplate.replace('{tenantid}', tenant))
      .setAudience(resource)
      .setIssuedAt(now)
      .setNotBefore(now - 10)
      .setExpirationTime(now + 3600)
      .sign(privateKey);
    return {
      status: 200,
      body: {
        token_type: 'Bearer',
        scope: scopes.join(' '),
        expires_in: 3599,
        ext_expires_in: 3599,
        access_token: access,
      },
    };
  };
  const claims = (o: TokenOptions): Record<string, unknown> => {
    const now = Math.floor(Date.now() / 1000);
    const tid = o.tid ?? TENANT;
    const all: Record<string, unknown> = {
      oid: o.oid ?? '00000000-0000-0000-0000-00000000c4a1',
      tid,
      name: o.name ?? '王主席',
      preferred_username: o.upn ?? 'chair@example.gov.tw',
      ver: '2.0',
      ...(o.scp === null ? {} : { scp: o.scp ?? API_SCOPE }),
      ...(o.roles ? { roles: o.roles } : {}),
      iss: o.iss ?? issuerTemplate.replace('{tenantid}', tid),
      aud: o.aud ?? AUDIENCE,
      iat: now + (o.issuedAt ?? -10),
      nbf: now + (o.notBefore ?? -10),
      exp: now + (o.expiresIn ?? 3600),
    };
    for (const k of o.omit ?? []) {
      delete all[k];
    }
    return all;
  };
  const sign = (o: TokenOptions, key: KeyLike, kid: string, extra: Record<string, unknown> = {}): Promise<string> =>
    new SignJWT({ ...claims(o), ...extra }).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(key);
  /** A v1 access token's claims: Entra v1's issuer, version, user and client claims in place of v2's. */
  const v1 = (o: TokenOptions): [TokenOptions, Record<string, unknown>] => {
    const tid = o.tid ?? TENANT;
    const upn = o.upn ?? 'chair@example.gov.tw';
    return [
      { aud: APP_ID_URI, iss: `https://sts.windows.net/${tid}/`, ...o },
      {
        ver: '1.0',
        preferred_username: undefined,
        upn,
        unique_name: upn,
        appid: TEAMS_CLIENT_ID,
        appidacr: '0',
        acr: '1',
        amr: ['pwd'],
      },
    ];
  };
  const publicPem = new TextEncoder().encode(await exportSPKI(publicKey));
  return {
    jwksUrl: `${base}/discovery/v2.0/keys`,
    issuer: issuerTemplate,
    token: (o = {}) => sign(o, privateKey, 'test-key-1'),
    foreignKeyToken: (o = {}) => sign(o, other.privateKey, 'test-key-1'),
    unsignedToken: (o = {}) => {
      const enc = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
      return `${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims(o))}.`;
    },
    publicKeyHmacToken: (o = {}) =>
      new SignJWT(claims(o)).setProtectedHeader({ alg: 'HS256', kid: 'test-key-1', typ: 'JWT' }).sign(publicPem),
    appToken: (o = {}) =>
      sign(
        { oid: '00000000-0000-0000-0000-0000000a9901', roles: ['Policy.Admin'], ...o, scp: null },
        privateKey,
        'test-key-1',
        { idtyp: 'app', azp: CLIENT_ID, azpacr: '1', name: undefined, preferred_username: undefined },
      ),
    idToken: (o = {}) => sign({ aud: CLIENT_ID, ...o, scp: null }, privateKey, 'test-key-1', { nonce: 'n-0S6_WzA2Mj' }),
    v1Token: (o = {}) => sign(v1(o)[0], privateKey, 'test-key-1', v1(o)[1]),
    foreignKeyV1Token: (o = {}) => sign(v1(o)[0], other.privateKey, 'test-key-1', v1(o)[1]),
    jwksRequests: () => requests,
    tokenUrl: `${base}/{tenantid}/oauth2/v2.0/token`,
    tokenRequests: () => tokenRequests,
    requireConsent: (oid) => {
      needsConsent.add(oid);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
