/**
 * Bearer-token authentication: an Entra ID v2 access token (or a token from the configured issuer), checked for
 * signature against the JWKS, issuer, audience, expiry with a small skew, and the tenant allow-list. Only RS256 is
 * accepted, so `alg: none` and HMAC confusion cannot get through. Only a user's delegated access token for this API
 * is a caller: it must carry the API's scope in `scp`. An app-only token (client credentials: `idtyp: "app"`, no
 * `scp`) would otherwise act as any service principal, and an ID token (audience the bare client id, no `scp`) is
 * proof of sign-in to the client, not a grant to call the API.
 *
 * A v1 access token for this API (issuer `https://sts.windows.net/<tid>/`, `ver: "1.0"`, audience the Application ID
 * URI) means the app registration still asks Entra for v1 tokens: every call would fail the same way until an admin
 * changes it. Such a token is answered `token_v1`, not `invalid_token`, and the fix is logged once per verifier (one
 * per server process), but only once its signature has been checked: a forged token learns nothing from its claims,
 * and cannot fill the log or send an operator to fix a registration that is fine.
 */
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify, type JWTVerifyGetKey } from 'jose';

import { DEFAULT_API_SCOPE, ENTRA_ISSUER, perTenantIssuer, type ServerConfig } from './config';
import { asDisplayText, badString } from './text-input';

export interface Caller {
  /** Entra object id of the user: the identity acknowledgements are recorded under. */
  readonly oid: string;
  readonly tenantId: string;
  readonly name: string;
  readonly upn: string | null;
  /** App roles granted in the Entra app registration (e.g. Policy.Admin). */
  readonly roles: readonly string[];
  /** When the token expires: what it opened (a live stream) ends then. */
  readonly expiresAt?: Date;
}

export class AuthError extends Error {
  constructor(
    readonly code: 'missing_token' | 'invalid_token' | 'foreign_tenant' | 'token_v1',
    message: string,
    /** What the operator must do, for the server's log; set on the first such error of a verifier only. */
    readonly operatorNote: string | null = null,
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
/**
 * The oldest `iat` accepted. Entra access tokens live 60–90 minutes, and up to 28 hours when continuous access
 * evaluation is on; an older token is a replayed one whatever its `exp` says.
 */
const MAX_TOKEN_AGE = '28h';
const ENTRA_JWKS = 'https://login.microsoftonline.com/common/discovery/v2.0/keys';

/** Entra ID v1 issuers, `https://sts.windows.net/<tenant>/` (sts.chinacloudapi.cn for the China cloud). */
const V1_ISSUER = /^https:\/\/sts\.(windows\.net|chinacloudapi\.cn)\/[^/]+\/$/;

export const TOKEN_V1_MESSAGE =
  '權杖為 v1 格式：應用程式註冊須改為發出 v2 權杖 / A v1 access token: the app registration must be changed to issue v2 tokens';

/** The fix, for the operator: logged once, not answered to callers. */
export const TOKEN_V1_FIX =
  'Entra issued a v1 access token for this API: its app registration still asks for v1 tokens, so every call is ' +
  "refused (401 token_v1) until an admin sets api.requestedAccessTokenVersion to 2 in the app registration's Manifest " +
  '(accessTokenAcceptedVersion in the older Azure AD Graph format), then users sign in again; `secrecy-guard entra ' +
  'check` checks the exported registration. / 應用程式註冊仍要求 v1 權杖：請在 Entra「資訊清單」將 ' +
  'requestedAccessTokenVersion（舊格式 accessTokenAcceptedVersion）設為 2。';

/** Whether verified claims are those of an Entra v1 access token. */
function isV1Token(payload: JWTPayload): boolean {
  return payload.ver === '1.0' || (typeof payload.iss === 'string' && V1_ISSUER.test(payload.iss));
}

export function createTokenVerifier(
  auth: Pick<ServerConfig['auth'], 'clientId' | 'tenantIds' | 'jwksUrl' | 'issuer' | 'audience'> & {
    /** The delegated scope a caller's token must carry. @default DEFAULT_API_SCOPE */
    readonly scope?: string;
  },
  /** The issuer's keys when they are in this process (local mode's development issuer), instead of `jwksUrl`. */
  keys?: JWTVerifyGetKey,
): TokenVerifier {
  const scope = auth.scope ?? DEFAULT_API_SCOPE;
  const issuerTemplate = auth.issuer ?? ENTRA_ISSUER;
  const tenantIds = auth.tenantIds.map((t) => t.toLowerCase());
  if (tenantIds.length === 0 && perTenantIssuer(auth.issuer)) {
    throw new Error('AUTH_TENANT_IDS must list the allowed tenants: with a per-tenant issuer any tenant would pass');
  }
  const jwks =
    keys ??
    createRemoteJWKSet(new URL(auth.jwksUrl ?? ENTRA_JWKS), {
      timeoutDuration: 5000,
      cooldownDuration: 30000,
    });
  const audience = auth.audience ?? (auth.clientId ? [auth.clientId, `api://${auth.clientId}`] : null);
  if (!audience) {
    throw new Error('AUTH_AUDIENCE or AUTH_CLIENT_ID must be set: tokens cannot be checked without an audience');
  }
  const audiences = (Array.isArray(audience) ? audience : [audience]).map((a) => a.toLowerCase());
  const clientId = auth.clientId?.toLowerCase() ?? null;
  /**
   * Whether a token is meant for this API: one of the configured audiences, or the Application ID URI
   * `api://<host>/<client id>`, which is the audience of a v1 token (a v2 token's is the client id). A v1 token for
   * anything else (a Graph token sent by mistake) is just not ours.
   */
  const forThisApi = (aud: unknown): boolean =>
    (Array.isArray(aud) ? aud : [aud]).some(
      (a) =>
        typeof a === 'string' &&
        (audiences.includes(a.toLowerCase()) ||
          (clientId !== null && a.toLowerCase().startsWith('api://') && a.toLowerCase().endsWith(`/${clientId}`))),
    );
  let v1Logged = false;
  /**
   * The answer to a v1 token whose signature checked out and which names this API: `foreign_tenant` still comes first
   * (another tenant's users must not reach the log), then `token_v1`, with the fix for the log the first time.
   */
  const v1Refusal = (payload: JWTPayload): AuthError => {
    const tid = typeof payload.tid === 'string' ? payload.tid.toLowerCase() : '';
    if (!tid || badString(tid) || (tenantIds.length > 0 && !tenantIds.includes(tid))) {
      return new AuthError('foreign_tenant', '不接受此租用戶 / Tenant not allowed');
    }
    const note = v1Logged ? null : TOKEN_V1_FIX;
    v1Logged = true;
    return new AuthError('token_v1', TOKEN_V1_MESSAGE, note);
  };
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
          requiredClaims: ['exp', 'iat', 'tid', 'oid'],
          maxTokenAge: MAX_TOKEN_AGE,
        }));
      } catch (e) {
        // jose checks the signature before any claim: these two errors come only with a verified payload. A v1
        // token fails here on its audience (the Application ID URI) or, like any token, on time or a missing claim.
        if (
          (e instanceof errors.JWTClaimValidationFailed || e instanceof errors.JWTExpired) &&
          isV1Token(e.payload) &&
          forThisApi(e.payload.aud)
        ) {
          throw v1Refusal(e.payload);
        }
        const reason = e instanceof errors.JWTExpired ? 'expired' : e instanceof errors.JOSEError ? e.code : 'invalid';
        throw new AuthError('invalid_token', `權杖無效 / Invalid token (${reason})`);
      }
      if (isV1Token(payload)) {
        // The audience matched (AUTH_AUDIENCE set to the Application ID URI): the issuer check would refuse it blindly.
        throw v1Refusal(payload);
      }
      const tid = typeof payload.tid === 'string' ? payload.tid : '';
      // Entra v2 issuers name the tenant; a configured issuer may contain {tenantid} the same way.
      const expectedIssuer = issuerTemplate.replaceAll('{tenantid}', tid);
      if (payload.iss !== expectedIssuer) {
        throw new AuthError('invalid_token', '權杖簽發者不符 / Token issuer not accepted');
      }
      if (!tid || badString(tid) || (tenantIds.length > 0 && !tenantIds.includes(tid.toLowerCase()))) {
        throw new AuthError('foreign_tenant', '不接受此租用戶 / Tenant not allowed');
      }
      if (
        typeof payload.oid !== 'string' ||
        payload.oid.length === 0 ||
        payload.oid.length > 64 ||
        badString(payload.oid)
      ) {
        throw new AuthError('invalid_token', '權杖缺少使用者識別 / Token has no user object id');
      }
      const scopes = typeof payload.scp === 'string' ? payload.scp.split(' ') : [];
      if (payload.idtyp === 'app' || !scopes.includes(scope)) {
        throw new AuthError(
          'invalid_token',
          `權杖非使用者存取本服務之權杖 / Not a user's access token for this API (needs scope ${scope})`,
        );
      }
      return {
        oid: payload.oid,
        tenantId: tid.toLowerCase(),
        name: typeof payload.name === 'string' ? asDisplayText(payload.name, 200) : payload.oid,
        upn: typeof payload.preferred_username === 'string' ? asDisplayText(payload.preferred_username, 320) : null,
        roles: Array.isArray(payload.roles)
          ? payload.roles.filter((r): r is string => typeof r === 'string').slice(0, 50)
          : [],
        expiresAt: new Date((payload.exp as number) * 1000),
      };
    },
  };
}
