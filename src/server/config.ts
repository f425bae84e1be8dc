/**
 * Server configuration: read from the environment here and nowhere else. A bad value stops start-up with a message
 * that names the variable.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { isIP } from 'node:net';

import { type ConnectionLimits, DEFAULT_CONNECTION_LIMITS } from './connections';

export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  /** PostgreSQL for scale-out; unset means embedded PGlite in `dataDir`. */
  readonly databaseUrl: string | null;
  readonly dataDir: string;
  readonly publicUrl: string | null;
  readonly auth: {
    readonly clientId: string | null;
    readonly tenantIds: readonly string[];
    readonly jwksUrl: string | null;
    readonly issuer: string | null;
    readonly audience: string | null;
    /** The delegated scope the API exposes; a caller's access token must carry it in `scp`. */
    readonly scope: string;
    /** The app's client secret, for the on-behalf-of exchange that lets the server read Graph as the chair. */
    readonly clientSecret: string | null;
    /** The Entra v2 token endpoint; `{tenantid}` is replaced by the caller's tenant. */
    readonly tokenUrl: string;
  };
  /** Microsoft Graph: the origin (and path prefix) before `/v1.0`; another cloud's Graph for sovereign tenants. */
  readonly graph: { readonly baseUrl: string };
  /** A CJK font file for the PDF sign-in sheet; null means the system fonts are searched. */
  readonly pdfFont: string | null;
  readonly bot: { readonly appId: string | null; readonly appPassword: string | null };
  readonly tls: { readonly cert: string | null; readonly key: string | null };
  /**
   * The reverse proxies or load balancers in front: how many hops, or their addresses and CIDR ranges. Their
   * X-Forwarded-For then names each client, so limits apply per client rather than to the whole agency at once.
   */
  readonly trustProxy: number | readonly string[] | null;
  /**
   * Signed checkpoints of the audit chain. `signingKey`: an Ed25519 private key (PKCS #8 PEM); null means one generated
   * into DATA_DIR on first start. Every instance on one PostgreSQL must be given the same file.
   */
  readonly audit: {
    readonly signingKey: string | null;
    readonly checkpointEvents: number;
    readonly checkpointSeconds: number;
  };
  /**
   * Connections held at once (`MAX_CONNECTIONS`, `MAX_CONNECTIONS_PER_IP`; 0 turns a bound off). Behind a proxy
   * (`TRUST_PROXY`) every connection comes from the proxy, so the per-address bound is off unless set: the proxy
   * bounds its clients.
   */
  readonly connections: ConnectionLimits;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`設定錯誤 / Configuration error: ${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** The scope Teams SSO requires the API to expose (`api://<host>/<client id>/access_as_user`). */
export const DEFAULT_API_SCOPE = 'access_as_user';

/** Entra ID v2's issuer: one per tenant, `{tenantid}` standing for the token's `tid`. */
export const ENTRA_ISSUER = 'https://login.microsoftonline.com/{tenantid}/v2.0';

/** Whether an issuer (null: the Entra default) admits every tenant that can get a token, so needs an allow-list. */
export function perTenantIssuer(issuer: string | null): boolean {
  return (issuer ?? ENTRA_ISSUER).includes('{tenantid}');
}

/** Entra ID v2's token endpoint, per tenant. */
export const ENTRA_TOKEN_URL = 'https://login.microsoftonline.com/{tenantid}/oauth2/v2.0/token';
export const GRAPH_BASE_URL = 'https://graph.microsoft.com';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function optional(env: NodeJS.ProcessEnv, name: string): string | null {
  const v = env[name];
  return v === undefined || v.trim() === '' ? null : v.trim();
}

function url(
  env: NodeJS.ProcessEnv,
  name: string,
  protocols: readonly string[],
  options: { secret?: boolean } = {},
): string | null {
  const v = optional(env, name);
  if (v === null) {
    return null;
  }
  parseUrl(name, v, protocols, options);
  return v;
}

/** `secret`: the value may hold a password, so an error never repeats it (errors end up in logs). */
function parseUrl(name: string, v: string, protocols: readonly string[], options: { secret?: boolean } = {}): URL {
  let parsed: URL;
  try {
    parsed = new URL(v);
  } catch {
    throw new ConfigError(
      name,
      options.secret
        ? 'not a URL (value not shown: it may hold a password)'
        : `not a URL: ${JSON.stringify(v.slice(0, 100))}`,
    );
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.join(' or ')}`);
  }
  return parsed;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** HTTPS, or plain HTTP only on the loopback interface (tests and local fakes). */
function httpsOrLoopback(name: string, v: string, why: string): URL {
  const parsed = parseUrl(name, v, ['https:', 'http:']);
  if (parsed.protocol === 'http:' && !LOOPBACK.has(parsed.hostname)) {
    throw new ConfigError(name, `must be https:// (plain http only on localhost): ${why}`);
  }
  return parsed;
}

/**
 * An endpoint that receives a secret or a bearer token: HTTPS, or plain HTTP only on the loopback interface, and no
 * query or fragment, since paths are appended to it.
 */
function secretEndpoint(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const v = optional(env, name);
  if (v === null) {
    return fallback;
  }
  const parsed = httpsOrLoopback(name, v, 'it carries secrets and tokens');
  if (parsed.search || parsed.hash || parsed.username || parsed.password) {
    throw new ConfigError(name, 'must not carry a query, fragment or user name');
  }
  return v.replace(/\/+$/, '');
}

/** A file the server must be able to read at start-up. */
function readableFile(env: NodeJS.ProcessEnv, name: string): string | null {
  const v = optional(env, name);
  if (v === null) {
    return null;
  }
  try {
    accessSync(v, constants.R_OK);
    if (!statSync(v).isFile()) {
      throw new Error('not a file');
    }
  } catch (e) {
    throw new ConfigError(
      name,
      `cannot read ${JSON.stringify(v.slice(0, 200))} (${(e as Error).message.slice(0, 100)})`,
    );
  }
  return v;
}

function trustProxy(env: NodeJS.ProcessEnv): number | string[] | null {
  const v = optional(env, 'TRUST_PROXY');
  if (v === null) {
    return null;
  }
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    if (hops < 1 || hops > 10) {
      throw new ConfigError('TRUST_PROXY', 'a hop count is 1 to 10');
    }
    return hops;
  }
  const entries = v.split(',').map((e) => e.trim());
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address);
    const maxPrefix = family === 6 ? 128 : 32;
    if (family === 0 || (prefix !== undefined && !(/^\d+$/.test(prefix) && Number(prefix) <= maxPrefix))) {
      throw new ConfigError(
        'TRUST_PROXY',
        `give a hop count or the proxies' addresses or CIDR ranges, comma-separated, not ${JSON.stringify(entry.slice(0, 60))}`,
      );
    }
  }
  return entries;
}

/** A whole number from `min` to `max`, or the fallback when unset; `note` says what a special value means. */
function wholeNumber(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
  note = '',
): number {
  const v = optional(env, name);
  if (v === null) {
    return fallback;
  }
  if (!/^\d{1,9}$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new ConfigError(name, `must be a whole number ${min}–${max}${note}, not ${JSON.stringify(v.slice(0, 40))}`);
  }
  return Number(v);
}

const NO_BOUND = ' (0: no bound)';

/** Reads and validates the configuration. @throws {ConfigError} naming the variable. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const portText = optional(env, 'PORT') ?? '3000';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    throw new ConfigError('PORT', `must be a port number 1–65535, not ${JSON.stringify(portText)}`);
  }
  // Lower case, as Entra writes `tid`: an allow-list copied in upper case from a portal must still match.
  const tenantIds = (optional(env, 'AUTH_TENANT_IDS') ?? '')
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t.length > 0);
  for (const t of tenantIds) {
    if (!GUID.test(t)) {
      throw new ConfigError('AUTH_TENANT_IDS', `not a tenant GUID: ${JSON.stringify(t)}`);
    }
  }
  const clientId = optional(env, 'AUTH_CLIENT_ID');
  if (clientId !== null && !GUID.test(clientId)) {
    throw new ConfigError('AUTH_CLIENT_ID', 'must be the Entra application (client) GUID');
  }
  const clientSecret = optional(env, 'AUTH_CLIENT_SECRET');
  if (clientSecret !== null) {
    if (clientId === null) {
      throw new ConfigError('AUTH_CLIENT_SECRET', 'needs AUTH_CLIENT_ID: the secret belongs to that app registration');
    }
    if (clientSecret.length > 1024 || /[\s\p{Cc}]/u.test(clientSecret)) {
      throw new ConfigError('AUTH_CLIENT_SECRET', 'must be one line without spaces, at most 1,024 characters');
    }
  }
  const audience = optional(env, 'AUTH_AUDIENCE');
  const issuer = optional(env, 'AUTH_ISSUER');
  // With a per-tenant issuer (Entra's default), an empty allow-list would admit any tenant: anyone can create one,
  // register or consent to the app, and sign in. Without auth settings nothing is admitted, so nothing is needed.
  if ((clientId !== null || audience !== null) && tenantIds.length === 0 && perTenantIssuer(issuer)) {
    throw new ConfigError(
      'AUTH_TENANT_IDS',
      'list the allowed tenant GUIDs (comma-separated): with a per-tenant issuer, every tenant would be let in',
    );
  }
  const jwksText = optional(env, 'AUTH_JWKS_URL');
  if (jwksText !== null) {
    httpsOrLoopback('AUTH_JWKS_URL', jwksText, 'the signing keys decide who is signed in');
  }
  const scope = optional(env, 'AUTH_SCOPE') ?? DEFAULT_API_SCOPE;
  if (!/^[\x21\x23-\x5b\x5d-\x7e]{1,200}$/.test(scope) || scope.includes('/')) {
    // RFC 6749 scope-token characters; the bare name as it appears in `scp`, not the `api://…/name` form.
    throw new ConfigError('AUTH_SCOPE', 'must be the scope name as tokens carry it in scp, e.g. access_as_user');
  }
  const tokenUrl = secretEndpoint(env, 'AUTH_TOKEN_URL', ENTRA_TOKEN_URL);
  const graphBaseUrl = secretEndpoint(env, 'GRAPH_BASE_URL', GRAPH_BASE_URL);
  if (/\/v1\.0$|\/beta$/.test(graphBaseUrl)) {
    throw new ConfigError('GRAPH_BASE_URL', 'give the origin without the version (the server calls /v1.0 itself)');
  }
  if ((optional(env, 'TLS_CERT') === null) !== (optional(env, 'TLS_KEY') === null)) {
    throw new ConfigError(
      optional(env, 'TLS_CERT') === null ? 'TLS_CERT' : 'TLS_KEY',
      'TLS_CERT and TLS_KEY go together',
    );
  }
  const cert = readableFile(env, 'TLS_CERT');
  const key = readableFile(env, 'TLS_KEY');
  const proxies = trustProxy(env);
  return {
    port,
    host: optional(env, 'HOST') ?? 'localhost',
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:'], { secret: true }),
    dataDir: optional(env, 'DATA_DIR') ?? './data',
    publicUrl: url(env, 'PUBLIC_URL', ['https:', 'http:']),
    auth: {
      clientId,
      tenantIds,
      jwksUrl: jwksText,
      issuer,
      audience,
      scope,
      clientSecret,
      tokenUrl,
    },
    graph: { baseUrl: graphBaseUrl },
    pdfFont: readableFile(env, 'PDF_FONT'),
    bot: { appId: optional(env, 'BOT_APP_ID'), appPassword: optional(env, 'BOT_APP_PASSWORD') },
    tls: { cert, key },
    audit: {
      signingKey: readableFile(env, 'AUDIT_SIGNING_KEY'),
      checkpointEvents: wholeNumber(env, 'AUDIT_CHECKPOINT_EVENTS', 1000, 1, 10_000_000),
      checkpointSeconds: wholeNumber(env, 'AUDIT_CHECKPOINT_SECONDS', 60, 1, 86_400),
    },
    trustProxy: proxies,
    connections: {
      total: wholeNumber(env, 'MAX_CONNECTIONS', DEFAULT_CONNECTION_LIMITS.total, 0, 1_000_000, NO_BOUND),
      perAddress: wholeNumber(
        env,
        'MAX_CONNECTIONS_PER_IP',
        proxies === null ? DEFAULT_CONNECTION_LIMITS.perAddress : 0,
        0,
        1_000_000,
        NO_BOUND,
      ),
    },
  };
}
