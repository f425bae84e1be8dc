/**
 * Server configuration: read from the environment here and nowhere else. A bad value stops start-up with a message
 * that names the variable.
 */

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
  };
  readonly bot: { readonly appId: string | null; readonly appPassword: string | null };
  readonly tls: { readonly cert: string | null; readonly key: string | null };
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

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function optional(env: NodeJS.ProcessEnv, name: string): string | null {
  const v = env[name];
  return v === undefined || v.trim() === '' ? null : v.trim();
}

function url(env: NodeJS.ProcessEnv, name: string, protocols: readonly string[]): string | null {
  const v = optional(env, name);
  if (v === null) {
    return null;
  }
  let parsed: URL;
  try {
    parsed = new URL(v);
  } catch {
    throw new ConfigError(name, `not a URL: ${JSON.stringify(v.slice(0, 100))}`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.join(' or ')}`);
  }
  return v;
}

/** Reads and validates the configuration. @throws {ConfigError} naming the variable. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const portText = optional(env, 'PORT') ?? '3000';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    throw new ConfigError('PORT', `must be a port number 1–65535, not ${JSON.stringify(portText)}`);
  }
  const tenantIds = (optional(env, 'AUTH_TENANT_IDS') ?? '')
    .split(',')
    .map((t) => t.trim())
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
  const cert = optional(env, 'TLS_CERT');
  const key = optional(env, 'TLS_KEY');
  if ((cert === null) !== (key === null)) {
    throw new ConfigError(cert === null ? 'TLS_CERT' : 'TLS_KEY', 'TLS_CERT and TLS_KEY go together');
  }
  return {
    port,
    host: optional(env, 'HOST') ?? 'localhost',
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    dataDir: optional(env, 'DATA_DIR') ?? './data',
    publicUrl: url(env, 'PUBLIC_URL', ['https:', 'http:']),
    auth: {
      clientId,
      tenantIds,
      jwksUrl: url(env, 'AUTH_JWKS_URL', ['https:', 'http:']),
      issuer: optional(env, 'AUTH_ISSUER'),
      audience: optional(env, 'AUTH_AUDIENCE'),
    },
    bot: { appId: optional(env, 'BOT_APP_ID'), appPassword: optional(env, 'BOT_APP_PASSWORD') },
    tls: { cert, key },
  };
}
