/**
 * Bearer-token authentication: an Entra ID v2 access token (or a token from the configured issuer), checked for
 * signature against the JWKS, issuer, audience, expiry with a small skew, and the tenant allow-list. Only RS256 is
 * accepted, so `alg: none` and HMAC confusion cannot get through.
 */
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';

import type { ServerConfig } from './config';

export interface Caller {
  /** Entra object id of the user: the identity acknowledgements are recorded under. */
  readonly oid: string;
  readonly tenantId: string;
  readonly name: string;
  readonly upn: string | null;
  /** App roles granted in the Entra app registration (e.g. Policy.Admin). */
  readonly roles: readonly string[];
}

export class AuthError extends Error {
  constructor(
    readonly code: 'missing_token' | 'invalid_token' | 'foreign_tenant',
    message: string,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

export interface TokenVerifier {
  verify(authorization: string | undefined): Promise<Caller>;
}

/** Clock skew tolerated on exp/nbf, in seconds. */
const CLOCK_SKEW = 60;
const ENTRA_JWKS = 'https://login.microsoftonline.com/common/discovery/v2.0/keys';

export function createTokenVerifier(
  auth: Pick<ServerConfig['auth'], 'clientId' | 'tenantIds' | 'jwksUrl' | 'issuer' | 'audience'>,
): TokenVerifier {
  const jwks = createRemoteJWKSet(new URL(auth.jwksUrl ?? ENTRA_JWKS), {
    timeoutDuration: 5000,
    cooldownDuration: 30000,
  });
  const audience = auth.audience ?? (auth.clientId ? [auth.clientId, `api://${auth.clientId}`] : null);
  if (!audience) {
    throw new Error('AUTH_AUDIENCE or AUTH_CLIENT_ID must be set: tokens cannot be checked without an audience');
  }
  return {
    async verify(authorization) {
      const m = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(authorization ?? '');
      if (!authorization) {
        throw new AuthError('missing_token', '需要登入 / A bearer token is required');
      }
      if (!m) {
        throw new AuthError('invalid_token', '權杖格式錯誤 / Malformed bearer token');
      }
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(m[1] as string, jwks, {
          audience,
          algorithms: ['RS256'],
          clockTolerance: CLOCK_SKEW,
        }));
      } catch (e) {
        const reason = e instanceof errors.JWTExpired ? 'expired' : e instanceof errors.JOSEError ? e.code : 'invalid';
        throw new AuthError('invalid_token', `權杖無效 / Invalid token (${reason})`);
      }
      const tid = typeof payload.tid === 'string' ? payload.tid : '';
      // Entra v2 issuers name the tenant; a configured issuer may contain {tenantid} the same way.
      const expectedIssuer = (auth.issuer ?? 'https://login.microsoftonline.com/{tenantid}/v2.0').replace(
        '{tenantid}',
        tid,
      );
      if (payload.iss !== expectedIssuer) {
        throw new AuthError('invalid_token', '權杖簽發者不符 / Token issuer not accepted');
      }
      if (!tid || (auth.tenantIds.length > 0 && !auth.tenantIds.includes(tid.toLowerCase()))) {
        throw new AuthError('foreign_tenant', '不接受此租用戶 / Tenant not allowed');
      }
      if (typeof payload.oid !== 'string' || payload.oid.length === 0 || payload.oid.length > 64) {
        throw new AuthError('invalid_token', '權杖缺少使用者識別 / Token has no user object id');
      }
      return {
        oid: payload.oid,
        tenantId: tid.toLowerCase(),
        name: typeof payload.name === 'string' ? payload.name.slice(0, 200) : payload.oid,
        upn: typeof payload.preferred_username === 'string' ? payload.preferred_username.slice(0, 320) : null,
        roles: Array.isArray(payload.roles)
          ? payload.roles.filter((r): r is string => typeof r === 'string').slice(0, 50)
          : [],
      };
    },
  };
}
