/**
 * A fake Entra ID: a local issuer with its own RSA key, serving a JWKS over HTTP like
 * login.microsoftonline.com/common/discovery/v2.0/keys, and issuing v2 access tokens with the claims the server reads
 * (oid, tid, name, preferred_username). It can also mint every kind of bad token the authorisation matrix needs.
 */
import { createServer, type Server } from 'node:http';

import { exportJWK, generateKeyPair, type JWK, type KeyLike, SignJWT } from 'jose';

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const FOREIGN_TENANT = '0c2b6f5a-1d3e-4f5a-8b9c-0d1e2f3a4b5c';
export const AUDIENCE = 'api://secrecy-guard-test';

export interface TokenOptions {
  oid?: string;
  name?: string;
  upn?: string;
  tid?: string;
  aud?: string;
  iss?: string;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
  roles?: string[];
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
  /** Counts JWKS fetches, to show keys are cached. */
  readonly jwksRequests: () => number;
  close(): Promise<void>;
}

export async function startFakeEntra(): Promise<FakeEntra> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const other = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' };
  let requests = 0;
  const server: Server = createServer((req, res) => {
    if (req.url === '/discovery/v2.0/keys') {
      requests++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const issuerTemplate = `${base}/{tenantid}/v2.0`;
  const claims = (o: TokenOptions): Record<string, unknown> => ({
    oid: o.oid ?? '00000000-0000-0000-0000-00000000c4a1',
    tid: o.tid ?? TENANT,
    name: o.name ?? '王主席',
    preferred_username: o.upn ?? 'chair@example.gov.tw',
    ver: '2.0',
    ...(o.roles ? { roles: o.roles } : {}),
  });
  const sign = async (o: TokenOptions, key: KeyLike, kid: string): Promise<string> => {
    const tid = o.tid ?? TENANT;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT(claims(o))
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(o.iss ?? issuerTemplate.replace('{tenantid}', tid))
      .setAudience(o.aud ?? AUDIENCE)
      .setIssuedAt(now - 10)
      .setNotBefore(now - 10)
      .setExpirationTime(now + (o.expiresIn ?? 3600))
      .sign(key);
  };
  return {
    jwksUrl: `${base}/discovery/v2.0/keys`,
    issuer: issuerTemplate,
    token: (o = {}) => sign(o, privateKey, 'test-key-1'),
    foreignKeyToken: (o = {}) => sign(o, other.privateKey, 'test-key-1'),
    unsignedToken: (o = {}) => {
      const enc = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
      const now = Math.floor(Date.now() / 1000);
      const tid = o.tid ?? TENANT;
      return `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ ...claims(o), iss: issuerTemplate.replace('{tenantid}', tid), aud: AUDIENCE, exp: now + 3600 })}.`;
    },
    jwksRequests: () => requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
