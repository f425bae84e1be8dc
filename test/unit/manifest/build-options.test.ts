import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { unzipSync } from 'fflate';

import { ManifestOptionError, readManifestOptions } from '../../../manifest/options';
import { buildConfigInto } from '../../support/web-build';

interface Result {
  code: number;
  output: string;
}

/** The real build: webpack-cli with the project's config, only the `manifest` configuration, into `outDir`. */
async function webpackManifest(outDir: string, env: Record<string, string>): Promise<Result> {
  const cleanEnv = { ...process.env };
  for (const name of ['PUBLIC_URL', 'AUTH_CLIENT_ID', 'SEND_MODE']) {
    delete cleanEnv[name];
  }
  try {
    const { stdout, stderr } = await buildConfigInto('manifest', outDir, { ...cleanEnv, ...env });
    return { code: 0, output: stdout + stderr };
  } catch (e) {
    const failure = e as { code: number; stdout: string; stderr: string };
    return { code: failure.code, output: failure.stdout + failure.stderr };
  }
}

describe('build options', () => {
  it('accept the defaults: https://localhost:3000, a placeholder client id, block', () => {
    expect(readManifestOptions({})).toEqual({
      publicUrl: 'https://localhost:3000',
      host: 'localhost:3000',
      clientId: '00000000-0000-0000-0000-000000000000',
      clientIdIsPlaceholder: true,
      sendMode: 'block',
    });
    expect(readManifestOptions({ PUBLIC_URL: 'https://sg.example.gov.tw/', SEND_MODE: 'softBlock' })).toMatchObject({
      publicUrl: 'https://sg.example.gov.tw',
      host: 'sg.example.gov.tw',
      sendMode: 'softBlock',
    });
  });

  it('without PUBLIC_URL follow the local server’s PORT, as the add-in build does', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the build helper is CommonJS, like webpack.config.js
    const { publicUrlFromEnv } = require('../../../scripts/build/public-url.cjs') as {
      publicUrlFromEnv(env: Record<string, string | undefined>): string;
    };
    for (const env of [{ PORT: '3456' }, { PORT: '3456', PUBLIC_URL: 'https://sg.example.gov.tw/' }, {}]) {
      expect(readManifestOptions(env).publicUrl).toBe(publicUrlFromEnv(env));
    }
    expect(readManifestOptions({ PORT: '3456' })).toMatchObject({
      publicUrl: 'https://localhost:3456',
      host: 'localhost:3456',
    });
  });

  it.each([
    [{ SEND_MODE: 'promptUser' }, 'SEND_MODE', /must be one of block, softBlock, not "promptUser"/],
    [{ SEND_MODE: 'Block' }, 'SEND_MODE', /not "Block"/],
    [{ PUBLIC_URL: 'http://sg.example.gov.tw' }, 'PUBLIC_URL', /must be an https:\/\/ URL/],
    [{ PUBLIC_URL: 'sg.example.gov.tw' }, 'PUBLIC_URL', /not a URL/],
    [{ PUBLIC_URL: 'https://sg.example.gov.tw/?x=1' }, 'PUBLIC_URL', /without query/],
    // The pages call the API at their own origin's root: a path prefix would break every page.
    [
      { PUBLIC_URL: 'https://sg.example.gov.tw/pilot' },
      'PUBLIC_URL',
      /must be an origin without a path, e\.g\. https:\/\/sg\.example\.gov\.tw,/,
    ],
    [{ PUBLIC_URL: 'https://sg.example.gov.tw/sg/' }, 'PUBLIC_URL', /without a path/],
    [{ AUTH_CLIENT_ID: 'my-app' }, 'AUTH_CLIENT_ID', /Entra application \(client\) GUID/],
  ])('reject %j naming %s', (env, variable, message) => {
    let error: unknown;
    try {
      readManifestOptions(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ManifestOptionError);
    expect((error as ManifestOptionError).variable).toBe(variable);
    expect((error as Error).message).toMatch(message);
  });
});

describe('webpack build of the manifests', () => {
  const dirs: string[] = [];
  const outDir = (): string => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sg-manifest-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('PUBLIC_URL, AUTH_CLIENT_ID and SEND_MODE change what it writes', async () => {
    const [a, b] = [outDir(), outDir()];
    const clientId = '3f6a8c2e-1b4d-4e7f-9a0b-5c6d7e8f9a0b';
    const [first, second] = await Promise.all([
      webpackManifest(a, {}),
      webpackManifest(b, { PUBLIC_URL: 'https://sg.example.gov.tw', AUTH_CLIENT_ID: clientId, SEND_MODE: 'softBlock' }),
    ]);
    expect(first).toMatchObject({ code: 0 });
    expect(second).toMatchObject({ code: 0 });
    expect(first.output).toMatch(/AUTH_CLIENT_ID is not set/);
    expect(second.output).not.toMatch(/AUTH_CLIENT_ID is not set/);

    const read = (dir: string, name: string): string => readFileSync(path.join(dir, name), 'utf8');
    const [jsonA, jsonB] = [read(a, 'manifest/manifest.json'), read(b, 'manifest/manifest.json')];
    expect(jsonA).toContain('"configurationUrl": "https://localhost:3000/teams/config.html"');
    expect(jsonB).toContain('"configurationUrl": "https://sg.example.gov.tw/teams/config.html"');
    expect(jsonB).not.toContain('localhost');
    expect(jsonA).toContain('"sendMode": "block"');
    expect(jsonB).toContain('"sendMode": "softBlock"');
    expect(jsonB).toContain(`"resource": "api://sg.example.gov.tw/${clientId}"`);
    const [xmlA, xmlB] = [read(a, 'manifest/manifest.xml'), read(b, 'manifest/manifest.xml')];
    expect(xmlA).toContain('SendMode="Block"');
    expect(xmlB).toContain('SendMode="SoftBlock"');
    expect(xmlB).toContain('https://sg.example.gov.tw/addin/commands.html');
    expect(xmlB).not.toContain('localhost');
    // The well-known file classic Outlook reads before it gives the on-send script a token, at the origin's root.
    expect(JSON.parse(read(a, '.well-known/microsoft-officeaddins-allowed.json'))).toEqual({
      allowed: ['https://localhost:3000/addin/launchevent.js'],
    });
    expect(JSON.parse(read(b, '.well-known/microsoft-officeaddins-allowed.json'))).toEqual({
      allowed: ['https://sg.example.gov.tw/addin/launchevent.js'],
    });
    // The Entra app registration follows PUBLIC_URL and AUTH_CLIENT_ID like the manifests' SSO resource.
    const registration = (dir: string) =>
      JSON.parse(read(dir, 'entra/app-registration.json')) as {
        appId: string;
        identifierUris: string[];
        spa: { redirectUris: string[] };
        api: { requestedAccessTokenVersion: number };
      };
    expect(registration(a)).toMatchObject({
      appId: '00000000-0000-0000-0000-000000000000',
      identifierUris: ['api://localhost:3000/00000000-0000-0000-0000-000000000000'],
      spa: { redirectUris: ['brk-multihub://localhost:3000'] },
      api: { requestedAccessTokenVersion: 2 },
    });
    expect(registration(b)).toMatchObject({
      appId: clientId,
      identifierUris: [`api://sg.example.gov.tw/${clientId}`],
      spa: { redirectUris: ['brk-multihub://sg.example.gov.tw'] },
      api: { requestedAccessTokenVersion: 2 },
    });
    // The package carries the same manifest as the loose file.
    const zipped = unzipSync(new Uint8Array(readFileSync(path.join(b, 'app-package.zip'))));
    expect(Buffer.from(zipped['manifest.json'] as Uint8Array).toString('utf8')).toBe(jsonB);
  }, 240_000);

  it('a bad SEND_MODE or a PUBLIC_URL with a path fails the build with a message that names it', async () => {
    const [mode, path] = await Promise.all([
      webpackManifest(outDir(), { SEND_MODE: 'hard' }),
      webpackManifest(outDir(), { PUBLIC_URL: 'https://sg.example.gov.tw/pilot/' }),
    ]);
    expect(mode.code).not.toBe(0);
    expect(mode.output).toMatch(/SEND_MODE: must be one of block, softBlock, not "hard"/);
    expect(path.code).not.toBe(0);
    expect(path.output).toMatch(/PUBLIC_URL: must be an origin without a path/);
  }, 240_000);

  it('cleans only its own outputs in dist/', async () => {
    const dir = outDir();
    const others = ['addin/commands.html', 'teams/config.html', 'core/secrecy-guard-core.js', '.build-stamp'];
    const mine = ['manifest/stale.json', 'manifest/icons/old.png', '.well-known/stale.json', 'entra/stale.json'];
    for (const name of [...others, ...mine]) {
      const file = path.join(dir, name);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, 'x');
    }
    expect((await webpackManifest(dir, {})).code).toBe(0);
    const exists = (name: string): boolean => existsSync(path.join(dir, name));
    expect(others.filter((name) => !exists(name))).toEqual([]);
    expect(mine.filter(exists)).toEqual([]);
    expect(exists('manifest/manifest.json') && exists('app-package.zip')).toBe(true);
    expect(exists('entra/app-registration.json')).toBe(true);
  }, 240_000);
});
