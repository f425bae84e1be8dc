/**
 * Local mode on the real server: with no AUTH_* setting the development issuer hands out tokens the API accepts, and
 * the playground and its link are served; with AUTH_* configured none of that exists, and a local-mode token is
 * refused. `npm start`'s own entry point refuses to start local mode on a non-loopback HOST or PUBLIC_URL.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { decodeJwt, decodeProtectedHeader } from 'jose';

import { LOCAL_MODE, readConfig } from '../../src/server/config';
import { type RunningServer, startServer } from '../../src/server/main';
import { LOCAL_MODE_PATHS } from '../../src/shared/app-ids';
import { AUDIENCE, type FakeEntra, startFakeEntra, TENANT } from '../fakes/entra';
import { httpsCall as call, insecureAgent } from '../support/https-call';
import { freePort } from '../support/net';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { LANDING_PAGE } = require('../../scripts/build/site-webpack.cjs') as { LANDING_PAGE: string };

jest.setTimeout(120_000);

const root = path.resolve(__dirname, '..', '..');
const dirs: string[] = [];
const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};

/** A dist/ with the real landing page and a playground page, so serving is tested without a web build. */
function staticDir(): string {
  const dir = tempDir('sg-local-dist-');
  writeFileSync(path.join(dir, 'index.html'), LANDING_PAGE);
  mkdirSync(path.join(dir, 'playground'));
  writeFileSync(path.join(dir, 'playground', 'index.html'), '<!doctype html><title>playground</title>');
  writeFileSync(path.join(dir, 'playground', 'taskpane.html'), '<!doctype html><title>pane shell</title>');
  return dir;
}

const USER = { oid: '00000000-0000-0000-0000-0000000005e1', name: '林承辦', upn: 'lin@example.gov.tw' };

let entra: FakeEntra;
let local: RunningServer;
let configured: RunningServer;

beforeAll(async () => {
  entra = await startFakeEntra();
  const dist = staticDir();
  local = await startServer(
    readConfig({ PORT: String(await freePort()), HOST: '127.0.0.1', DATA_DIR: tempDir('sg-local-') }),
    { staticDir: dist, logger: false },
  );
  configured = await startServer(
    readConfig({
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      DATA_DIR: tempDir('sg-auth-'),
      AUTH_JWKS_URL: entra.jwksUrl,
      AUTH_ISSUER: entra.issuer,
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_TENANT_IDS: TENANT,
    }),
    { staticDir: dist, logger: false },
  );
});

afterAll(async () => {
  await local?.close();
  await configured?.close();
  await entra?.close();
  insecureAgent.destroy();
  for (const dir of dirs) {
    rmSync(dir, { recursive: true, force: true });
  }
});

const localToken = async (): Promise<string> => {
  const res = await call(`${local.url}${LOCAL_MODE_PATHS.issuerToken}`, { method: 'POST', body: USER });
  expect(res.status).toBe(200);
  return (JSON.parse(res.body) as { access_token: string }).access_token;
};

describe('local mode', () => {
  it("issues tokens for the development tenant that the server's API accepts", async () => {
    const token = await localToken();
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      tid: LOCAL_MODE.tenantId,
      iss: LOCAL_MODE.issuer,
      aud: LOCAL_MODE.audience,
      oid: USER.oid,
      scp: 'access_as_user',
    });
    expect((await call(`${local.url}/api/receipts`)).status).toBe(401);
    const mine = await call(`${local.url}/api/receipts`, { token });
    expect(mine.status).toBe(200);
    expect(JSON.parse(mine.body)).toEqual({ receipts: [] });
    // The keys are published as a JWKS, public parts only.
    const keys = JSON.parse((await call(`${local.url}${LOCAL_MODE_PATHS.issuerKeys}`)).body) as {
      keys: Record<string, unknown>[];
    };
    expect(keys.keys).toHaveLength(1);
    expect(keys.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', kid: decodeProtectedHeader(token).kid });
    expect(keys.keys[0]).not.toHaveProperty('d');
  });

  it('generates its keys per run: a token from another run is refused', async () => {
    const other = await startServer(
      readConfig({ PORT: String(await freePort()), HOST: '127.0.0.1', DATA_DIR: tempDir('sg-local2-') }),
      { staticDir: staticDir(), logger: false },
    );
    try {
      const fromOther = await other.localIssuer?.issue(USER);
      expect(fromOther).toBeDefined();
      expect((await call(`${local.url}/api/receipts`, { token: fromOther })).status).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('answers only a peer on this machine that calls it by a loopback name (no DNS rebinding)', async () => {
    for (const host of ['evil.example', 'evil.example:3000', '192.168.1.20']) {
      const token = await call(`${local.url}${LOCAL_MODE_PATHS.issuerToken}`, { method: 'POST', body: USER, host });
      expect({ host, status: token.status }).toEqual({ host, status: 403 });
      expect(token.body).not.toMatch(/access_token/);
      const keys = await call(`${local.url}${LOCAL_MODE_PATHS.issuerKeys}`, { host });
      expect({ host, status: keys.status }).toEqual({ host, status: 403 });
    }
    for (const host of ['localhost:3000', '127.0.0.1', '[::1]:3000']) {
      const ok = await call(`${local.url}${LOCAL_MODE_PATHS.issuerToken}`, { method: 'POST', body: USER, host });
      expect({ host, status: ok.status }).toEqual({ host, status: 200 });
    }
  });

  it('refuses a token request that is not one user', async () => {
    for (const body of [{}, { ...USER, roles: ['Policy.Admin'] }, { ...USER, upn: 'no at sign' }]) {
      expect((await call(`${local.url}${LOCAL_MODE_PATHS.issuerToken}`, { method: 'POST', body })).status).toBe(400);
    }
  });

  it('serves the playground and links it from the landing page', async () => {
    const landing = await call(`${local.url}/`);
    expect(landing.status).toBe(200);
    expect(landing.body).toContain(`href="${LOCAL_MODE_PATHS.playground}"`);
    expect((await call(`${local.url}/index.html`)).body).toContain(`href="${LOCAL_MODE_PATHS.playground}"`);
    expect((await call(`${local.url}${LOCAL_MODE_PATHS.playground}`)).body).toContain('<title>playground</title>');
    expect((await call(`${local.url}${LOCAL_MODE_PATHS.paneShell}`)).body).toContain('<title>pane shell</title>');
  });
});

describe('with AUTH_* configured, local mode is off entirely', () => {
  it('has no issuer, no playground and no link, and refuses a local-mode token', async () => {
    expect(configured.localIssuer).toBeNull();
    for (const p of [LOCAL_MODE_PATHS.issuerKeys, LOCAL_MODE_PATHS.paneShell]) {
      expect({ p, status: (await call(`${configured.url}${p}`)).status }).toEqual({ p, status: 404 });
    }
    const token = await call(`${configured.url}${LOCAL_MODE_PATHS.issuerToken}`, { method: 'POST', body: USER });
    expect(token.status).toBe(404);
    for (const p of [
      '/playground/',
      '/playground/index.html',
      '/playground',
      '//playground/index.html',
      '/addin/../playground/index.html',
      '/%70layground/index.html',
    ]) {
      const res = await call(`${configured.url}${p}`);
      expect({ p, status: res.status }).toEqual({ p, status: 404 });
      expect(res.body).not.toContain('<title>playground</title>');
    }
    const landing = await call(`${configured.url}/`);
    expect(landing.status).toBe(200);
    expect(landing.body).toContain('機敏守門員');
    expect(landing.body).not.toContain(`href="${LOCAL_MODE_PATHS.playground}`);
    expect(landing.body).not.toMatch(/本機模式|Local mode/);
    // A token the local issuer signed, for the development tenant, is not a token here.
    expect((await call(`${configured.url}/api/receipts`, { token: await localToken() })).status).toBe(401);
    // The configured issuer's tokens are.
    expect((await call(`${configured.url}/api/receipts`, { token: await entra.token() })).status).toBe(200);
  });
});

describe('npm start', () => {
  /** Runs the server's entry point as `npm start` does, and returns how it exited and what it said. */
  const start = (env: Record<string, string>): Promise<{ code: number | null; stderr: string }> =>
    new Promise((resolve) => {
      const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AUTH_')));
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'server', 'main.ts')], {
        env: { ...inherited, DATA_DIR: tempDir('sg-start-'), PORT: '1', ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('exit', (code) => resolve({ code, stderr }));
    });

  it.each([
    [{ HOST: '0.0.0.0' }, 'HOST'],
    [{ PUBLIC_URL: 'https://sg.example.gov.tw' }, 'PUBLIC_URL'],
  ])('refuses local mode on %j with exit 2, naming the fix', async (env, variable) => {
    const { code, stderr } = await start(env);
    expect(code).toBe(2);
    expect(stderr).toContain(variable);
    expect(stderr).toMatch(/AUTH_CLIENT_ID and AUTH_TENANT_IDS/);
  });
});
