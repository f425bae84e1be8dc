import { ConfigError, readConfig } from '../../../src/server/config';

describe('server configuration', () => {
  it('has the documented defaults: port 3000 and embedded PGlite in ./data', () => {
    expect(readConfig({})).toMatchObject({
      port: 3000,
      host: 'localhost',
      databaseUrl: null,
      dataDir: './data',
      publicUrl: null,
    });
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
      TLS_CERT: '/c.pem',
      TLS_KEY: '/k.pem',
    });
    expect(c.auth.tenantIds).toHaveLength(2);
    expect(c).toMatchObject({
      port: 8443,
      databaseUrl: 'postgres://sg@db:5432/sg',
      tls: { cert: '/c.pem', key: '/k.pem' },
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
  ])('%j fails naming %s', (env, variable) => {
    expect(() => readConfig(env)).toThrow(ConfigError);
    expect(() => readConfig(env)).toThrow(new RegExp(variable));
  });
});
