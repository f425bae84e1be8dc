import { ConfigError, ENTRA_TOKEN_URL, GRAPH_BASE_URL, LOCAL_MODE, readConfig } from '../../../src/server/config';
import { DEFAULT_CONNECTION_LIMITS } from '../../../src/server/connections';

const CLIENT = '11111111-2222-3333-4444-555555555555';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const FONT = '/usr/share/fonts/truetype/cns11643/TW-Sung-98_1.ttf';

describe('server configuration', () => {
  it('has the documented defaults: port 3000 and embedded PGlite in ./data', () => {
    expect(readConfig({})).toMatchObject({
      port: 3000,
      host: 'localhost',
      databaseUrl: null,
      dataDir: './data',
      publicUrl: null,
      pdfFont: null,
      auth: { clientSecret: null, tokenUrl: ENTRA_TOKEN_URL, scope: 'access_as_user' },
      graph: { baseUrl: GRAPH_BASE_URL },
    });
  });

  it('reads the Graph and PDF settings: secret, endpoint overrides (loopback may be plain http), font', () => {
    const c = readConfig({
      AUTH_CLIENT_ID: CLIENT,
      AUTH_TENANT_IDS: TENANT,
      AUTH_CLIENT_SECRET: 'abc~DEF.123_-',
      AUTH_TOKEN_URL: 'https://login.microsoftonline.us/{tenantid}/oauth2/v2.0/token',
      GRAPH_BASE_URL: 'https://graph.microsoft.us/',
      PDF_FONT: FONT,
    });
    expect(c).toMatchObject({
      auth: {
        clientSecret: 'abc~DEF.123_-',
        tokenUrl: 'https://login.microsoftonline.us/{tenantid}/oauth2/v2.0/token',
      },
      graph: { baseUrl: 'https://graph.microsoft.us' },
      pdfFont: FONT,
    });
    expect(readConfig({ GRAPH_BASE_URL: 'http://127.0.0.1:8080' }).graph.baseUrl).toBe('http://127.0.0.1:8080');
  });

  it('reads the scope a caller’s token must carry', () => {
    expect(readConfig({ AUTH_SCOPE: 'Meetings.Acknowledge' }).auth.scope).toBe('Meetings.Acknowledge');
  });

  it('needs the tenant allow-list once auth is configured with a per-tenant issuer (the Entra default)', () => {
    // Without auth settings the server starts and refuses every /api call: nothing to allow-list yet.
    expect(readConfig({}).auth.tenantIds).toEqual([]);
    for (const env of [
      { AUTH_CLIENT_ID: CLIENT },
      { AUTH_AUDIENCE: 'api://sg' },
      { AUTH_AUDIENCE: 'api://sg', AUTH_ISSUER: 'https://login.example/{tenantid}/v2.0' },
      { AUTH_AUDIENCE: 'api://sg', AUTH_TENANT_IDS: ' , ' },
    ]) {
      expect(() => readConfig(env)).toThrow(/AUTH_TENANT_IDS/);
    }
    // A fixed issuer names its one tenant itself.
    expect(
      readConfig({ AUTH_AUDIENCE: 'api://sg', AUTH_ISSUER: 'https://login.example/fixed/v2.0' }).auth.tenantIds,
    ).toEqual([]);
  });

  it('keeps tenant ids in lower case, as tokens carry them', () => {
    expect(
      readConfig({ AUTH_CLIENT_ID: CLIENT, AUTH_TENANT_IDS: `${TENANT.toUpperCase()}, ${CLIENT}` }).auth.tenantIds,
    ).toEqual([TENANT, CLIENT]);
  });

  it('takes the JWKS over HTTPS, or plain HTTP only on the loopback interface', () => {
    expect(readConfig({ AUTH_JWKS_URL: 'http://127.0.0.1:8080/keys' }).auth.jwksUrl).toBe('http://127.0.0.1:8080/keys');
    expect(readConfig({ AUTH_JWKS_URL: 'https://login.example/keys?appid=x' }).auth.jwksUrl).toBe(
      'https://login.example/keys?appid=x',
    );
  });

  it('reads the trusted proxies as a hop count or addresses and ranges', () => {
    expect(readConfig({}).trustProxy).toBeNull();
    expect(readConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(readConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.10, fd00::/8' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '192.168.1.10',
      'fd00::/8',
    ]);
  });

  it('bounds connections per address and in total; behind a proxy only in total unless told', () => {
    expect(readConfig({}).connections).toEqual(DEFAULT_CONNECTION_LIMITS);
    expect(readConfig({ MAX_CONNECTIONS: '500', MAX_CONNECTIONS_PER_IP: '0' }).connections).toEqual({
      total: 500,
      perAddress: 0,
    });
    expect(readConfig({ TRUST_PROXY: '1' }).connections).toEqual({
      total: DEFAULT_CONNECTION_LIMITS.total,
      perAddress: 0,
    });
    expect(readConfig({ TRUST_PROXY: '1', MAX_CONNECTIONS_PER_IP: '64' }).connections.perAddress).toBe(64);
    expect(() => readConfig({ MAX_CONNECTIONS: 'lots' })).toThrow(/MAX_CONNECTIONS/);
    expect(() => readConfig({ MAX_CONNECTIONS_PER_IP: '-1' })).toThrow(/MAX_CONNECTIONS_PER_IP/);
  });

  it('never echoes a DATABASE_URL it cannot parse, which may hold a password', () => {
    let message = '';
    try {
      readConfig({ DATABASE_URL: 'postgres://sg:S3cret pass@db host/sg' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/DATABASE_URL/);
    expect(message).not.toContain('S3cret');
    let wrongScheme = '';
    try {
      readConfig({ DATABASE_URL: 'mysql://sg:S3cret@db/sg' });
    } catch (e) {
      wrongScheme = (e as Error).message;
    }
    expect(wrongScheme).toMatch(/DATABASE_URL/);
    expect(wrongScheme).not.toContain('S3cret');
  });

  it('reads every variable', () => {
    const c = readConfig({
      PORT: '8443',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://sg@db:5432/sg',
      DATA_DIR: '/var/lib/sg',
      PUBLIC_URL: 'https://sg.example.gov.tw',
      AUTH_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
      AUTH_TENANT_IDS: '11111111-2222-3333-4444-555555555555, 66666666-7777-8888-9999-000000000000',
      AUTH_JWKS_URL: 'https://login.example/keys',
      AUTH_ISSUER: 'https://login.example/v2.0',
      AUTH_AUDIENCE: 'api://sg',
      TLS_CERT: FONT,
      TLS_KEY: FONT,
    });
    expect(c.auth.tenantIds).toHaveLength(2);
    expect(c).toMatchObject({
      port: 8443,
      databaseUrl: 'postgres://sg@db:5432/sg',
      tls: { cert: FONT, key: FONT },
    });
  });

  it.each([
    [{ PORT: 'http' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ PUBLIC_URL: 'ftp://x' }, 'PUBLIC_URL'],
    [{ AUTH_TENANT_IDS: 'contoso' }, 'AUTH_TENANT_IDS'],
    [{ AUTH_CLIENT_ID: 'x' }, 'AUTH_CLIENT_ID'],
    [{ TLS_CERT: '/c.pem' }, 'TLS_KEY'],
    [{ TLS_CERT: '/nowhere/c.pem', TLS_KEY: FONT }, 'TLS_CERT'],
    [{ TLS_CERT: FONT, TLS_KEY: '/nowhere/k.pem' }, 'TLS_KEY'],
    [{ PDF_FONT: '/nowhere/TW-Sung-98_1.ttf' }, 'PDF_FONT'],
    [{ PDF_FONT: '/usr/share/fonts' }, 'PDF_FONT'],
    [{ AUTH_CLIENT_SECRET: 'secret' }, 'AUTH_CLIENT_SECRET'],
    [{ AUTH_CLIENT_ID: CLIENT, AUTH_CLIENT_SECRET: 'two words' }, 'AUTH_CLIENT_SECRET'],
    [{ AUTH_CLIENT_ID: CLIENT, AUTH_CLIENT_SECRET: 'x'.repeat(1025) }, 'AUTH_CLIENT_SECRET'],
    [{ AUTH_TOKEN_URL: 'not a url' }, 'AUTH_TOKEN_URL'],
    [{ AUTH_TOKEN_URL: 'http://login.example/{tenantid}/oauth2/v2.0/token' }, 'AUTH_TOKEN_URL'],
    [{ AUTH_TOKEN_URL: 'ftp://login.example/token' }, 'AUTH_TOKEN_URL'],
    [{ GRAPH_BASE_URL: 'https://graph.example/v1.0' }, 'GRAPH_BASE_URL'],
    [{ GRAPH_BASE_URL: 'https://graph.example/?x=1' }, 'GRAPH_BASE_URL'],
    [{ GRAPH_BASE_URL: 'http://graph.example' }, 'GRAPH_BASE_URL'],
    [{ AUTH_SCOPE: 'api://sg.example.gov.tw/11111111-2222-3333-4444-555555555555/access_as_user' }, 'AUTH_SCOPE'],
    [{ AUTH_SCOPE: 'two scopes' }, 'AUTH_SCOPE'],
    [{ AUTH_JWKS_URL: 'http://login.example/keys' }, 'AUTH_JWKS_URL'],
    [{ TRUST_PROXY: 'true' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '0' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '10.0.0.0/33' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: 'proxy.example' }, 'TRUST_PROXY'],
    [{ AUTH_JWKS_URL: 'ftp://login.example/keys' }, 'AUTH_JWKS_URL'],
  ])('%j fails naming %s', (env, variable) => {
    expect(() => readConfig(env)).toThrow(ConfigError);
    expect(() => readConfig(env)).toThrow(new RegExp(variable));
  });
});

describe('local mode (no AUTH_* setting)', () => {
  const variableOf = (env: Record<string, string>): string => {
    try {
      readConfig(env);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return `${(e as ConfigError).variable}: ${(e as Error).message}`;
    }
    return 'accepted';
  };

  it('is on with no AUTH_* setting, on every loopback address', () => {
    expect(readConfig({}).localMode).toBe(true);
    for (const HOST of ['localhost', '127.0.0.1', '127.0.0.2', '::1', '[::1]', 'LOCALHOST']) {
      expect(readConfig({ HOST }).localMode).toBe(true);
    }
    for (const PUBLIC_URL of ['https://localhost:3000', 'https://127.0.0.1:8443/', 'https://[::1]:3000']) {
      expect(readConfig({ PUBLIC_URL }).localMode).toBe(true);
    }
    // Blank values are unset, as everywhere else in the configuration.
    expect(readConfig({ AUTH_CLIENT_ID: '  ', AUTH_TENANT_IDS: '' }).localMode).toBe(true);
  });

  it.each([['0.0.0.0'], ['::'], ['192.168.1.20'], ['sg.example.gov.tw'], ['localhost.example.gov.tw'], ['128.0.0.1']])(
    'refuses HOST=%s and names the fix: configure AUTH_*',
    (HOST) => {
      const refused = variableOf({ HOST });
      expect(refused).toMatch(/^HOST: /);
      expect(refused).toMatch(/本機模式/);
      expect(refused).toMatch(/AUTH_CLIENT_ID and AUTH_TENANT_IDS/);
    },
  );

  it.each([['https://sg.example.gov.tw'], ['https://localhost.example.gov.tw'], ['https://10.0.0.5:3000']])(
    'refuses PUBLIC_URL=%s and names the fix: configure AUTH_*',
    (PUBLIC_URL) => {
      const refused = variableOf({ PUBLIC_URL });
      expect(refused).toMatch(/^PUBLIC_URL: /);
      expect(refused).toMatch(/AUTH_CLIENT_ID and AUTH_TENANT_IDS/);
    },
  );

  it.each([
    ['AUTH_CLIENT_ID', { AUTH_CLIENT_ID: CLIENT, AUTH_TENANT_IDS: TENANT }],
    ['AUTH_AUDIENCE', { AUTH_AUDIENCE: 'api://sg', AUTH_TENANT_IDS: TENANT }],
    // Settings that alone configure nothing still turn local mode off: a half-configured deployment is not local.
    ['AUTH_TENANT_IDS alone', { AUTH_TENANT_IDS: TENANT }],
    ['AUTH_SCOPE alone', { AUTH_SCOPE: 'access_as_user' }],
    ['AUTH_JWKS_URL alone', { AUTH_JWKS_URL: 'https://login.example/keys' }],
  ])('is off entirely with %s, and then any HOST and PUBLIC_URL are allowed', (_name, auth) => {
    const c = readConfig({ ...auth, HOST: '0.0.0.0', PUBLIC_URL: 'https://sg.example.gov.tw' });
    expect(c.localMode).toBe(false);
    expect(c.host).toBe('0.0.0.0');
  });

  it('has a development tenant no real tenant can have, and it cannot be configured as an allowed tenant', () => {
    // A GUID, so every check on `tid` applies to it as to a real one; version nibble 0 (no generator makes it; Entra's
    // tenant ids are version 4).
    expect(LOCAL_MODE.tenantId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-0[0-9a-f]{3}-[0-7][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new URL(LOCAL_MODE.issuer).hostname).toMatch(/\.invalid$/);
    expect(LOCAL_MODE.issuer).toContain(LOCAL_MODE.tenantId);
    expect(variableOf({ AUTH_CLIENT_ID: CLIENT, AUTH_TENANT_IDS: `${TENANT},${LOCAL_MODE.tenantId}` })).toMatch(
      /^AUTH_TENANT_IDS: .*local-mode/,
    );
    expect(variableOf({ AUTH_CLIENT_ID: CLIENT, AUTH_TENANT_IDS: LOCAL_MODE.tenantId.toUpperCase() })).toMatch(
      /^AUTH_TENANT_IDS: /,
    );
  });
});
