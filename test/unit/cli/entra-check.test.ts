import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

import { ENTRA_REGISTRATION } from '../../../manifest/build';
import { runEntra } from '../../../src/cli/entra';
import { APP_ROLES, GRAPH_DELEGATED_PERMISSIONS, PRE_AUTHORIZED_CLIENTS } from '../../../src/shared/entra-registration';
import { buildManifests } from '../../support/manifest-build';

const root = path.resolve(__dirname, '..', '..', '..');
const CLIENT_ID = '5e3f1c2a-7b4d-4e8f-9a0b-1c2d3e4f5a6b';
const PUBLIC_URL = 'https://sg.example.gov.tw';
const ENV = { PUBLIC_URL, AUTH_CLIENT_ID: CLIENT_ID };

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The registration exactly as the build writes it to dist/entra/app-registration.json, parsed afresh. */
function generated(): Doc {
  const bytes = buildManifests(ENV).files[ENTRA_REGISTRATION];
  if (!bytes) {
    throw new Error(`the build wrote no ${ENTRA_REGISTRATION}`);
  }
  return JSON.parse(bytes.toString('utf8')) as Doc;
}

/**
 * The same registration in the Azure AD Graph format, converted by the deprecation article's attribute table
 * (accessTokenAcceptedVersion, oauth2Permissions, preAuthorizedApplications with permissionIds, replyUrlsWithType).
 */
function asAzureAdGraph(doc: Doc): Doc {
  const { api, spa, ...rest } = doc;
  return {
    ...rest,
    accessTokenAcceptedVersion: api.requestedAccessTokenVersion,
    oauth2Permissions: api.oauth2PermissionScopes,
    preAuthorizedApplications: api.preAuthorizedApplications.map((p: Doc) => ({
      appId: p.appId,
      permissionIds: p.delegatedPermissionIds,
    })),
    replyUrlsWithType: spa.redirectUris.map((url: string) => ({ url, type: 'Spa' })),
  };
}

const dir = mkdtempSync(path.join(tmpdir(), 'sg-entra-'));
let files = 0;
function write(content: string): string {
  const file = path.join(dir, `registration-${files++}.json`);
  writeFileSync(file, content);
  return file;
}

async function check(
  doc: Doc | string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = ENV,
): Promise<{ code: number; out: string; err: string }> {
  const file = write(typeof doc === 'string' ? doc : JSON.stringify(doc));
  let out = '';
  let err = '';
  const code = await runEntra(['check', ...args, file], { stdout: (s) => (out += s), stderr: (s) => (err += s) }, env);
  return { code, out, err };
}

/** The `[setting]` keys the check printed, in order. */
const settingsIn = (out: string): string[] => [...out.matchAll(/^ {2}\[([^\]]+)\]$/gm)].map((m) => m[1] as string);

describe('entra check', () => {
  it('passes the registration the build generates, in either manifest format', async () => {
    const graph = await check(generated());
    expect([graph.code, graph.err]).toEqual([0, '']);
    expect(graph.out).toMatch(/^✓ 應用程式註冊設定正確 \/ The app registration has every setting/);
    expect(graph.out).toMatch(/Microsoft Graph 格式/);
    const legacy = await check(asAzureAdGraph(generated()));
    expect([legacy.code, legacy.err]).toEqual([0, '']);
    expect(legacy.out).toMatch(/Azure AD Graph 格式/);
  });

  it('reads PUBLIC_URL and AUTH_CLIENT_ID, and --public-url and --client-id over them', async () => {
    const other = {
      PUBLIC_URL: 'https://other.example.gov.tw',
      AUTH_CLIENT_ID: '11111111-2222-4333-8444-555555555555',
    };
    const wrong = await check(generated(), [], other);
    expect(wrong.code).toBe(1);
    expect(settingsIn(wrong.out)).toEqual(['appId', 'identifierUri', 'spaRedirect']);
    const flags = await check(
      generated(),
      ['--public-url', PUBLIC_URL, `--client-id=${CLIENT_ID.toUpperCase()}`],
      other,
    );
    expect(flags.code).toBe(0);
  });

  /** Each case breaks one setting of the generated registration; the check must name exactly that setting. */
  const cases: [string, (d: Doc) => void, string, RegExp][] = [
    [
      'no access token version (null means v1)',
      (d) => (d.api.requestedAccessTokenVersion = null),
      'accessTokenVersion',
      /api\.requestedAccessTokenVersion 設為 2[\s\S]*set api\.requestedAccessTokenVersion to 2/,
    ],
    [
      'access token version 1',
      (d) => (d.api.requestedAccessTokenVersion = 1),
      'accessTokenVersion',
      /目前：1[\s\S]*found: 1/,
    ],
    [
      'the portal’s default Application ID URI api://<client id>',
      (d) => (d.identifierUris = [`api://${CLIENT_ID}`]),
      'identifierUri',
      /缺少應用程式識別碼 URI api:\/\/sg\.example\.gov\.tw\/5e3f1c2a[\s\S]*found: api:\/\/5e3f1c2a/,
    ],
    [
      'no access_as_user scope',
      (d) => (d.api.oauth2PermissionScopes = []),
      'scope',
      /缺少委派範圍 access_as_user[\s\S]*The delegated scope access_as_user is missing/,
    ],
    [
      'the scope disabled',
      (d) => (d.api.oauth2PermissionScopes[0].isEnabled = false),
      'scope',
      /access_as_user 已停用[\s\S]*is disabled/,
    ],
    ...PRE_AUTHORIZED_CLIENTS.map((client): [string, (d: Doc) => void, string, RegExp] => [
      `${client.en} not pre-authorized`,
      (d) =>
        (d.api.preAuthorizedApplications = d.api.preAuthorizedApplications.filter(
          (p: Doc) => p.appId !== client.appId,
        )),
      `preAuthorized:${client.appId}`,
      new RegExp(`${client.zh}（${client.appId}）未預先授權[\\s\\S]*is not pre-authorized for access_as_user`),
    ]),
    [
      'Teams web pre-authorized for another scope id',
      (d) => {
        const teamsWeb = d.api.preAuthorizedApplications.find((p: Doc) => p.appId.startsWith('5e3ce6c0'));
        teamsWeb.delegatedPermissionIds = ['00000000-0000-0000-0000-0000000000aa'];
      },
      'preAuthorized:5e3ce6c0-2b1f-4285-8d4b-75ee78787346',
      /Teams on the web \(5e3ce6c0/,
    ],
    [
      'no nested app authentication redirect',
      (d) => (d.spa.redirectUris = []),
      'spaRedirect',
      /缺少單頁應用程式 \(SPA\) 重新導向 URI brk-multihub:\/\/sg\.example\.gov\.tw[\s\S]*Single-page application/,
    ],
    [
      'the NAA redirect registered as a web redirect',
      (d) => {
        d.web = { redirectUris: d.spa.redirectUris };
        d.spa.redirectUris = [];
      },
      'spaRedirect',
      /以外的平台[\s\S]*registered under another platform/,
    ],
    ...APP_ROLES.map((role): [string, (d: Doc) => void, string, RegExp] => [
      `no ${role.value} app role`,
      (d) => (d.appRoles = d.appRoles.filter((r: Doc) => r.value !== role.value)),
      `appRole:${role.value}`,
      new RegExp(`缺少應用程式角色 ${role.value}[\\s\\S]*The app role ${role.value} is missing`),
    ]),
    [
      'Policy.Admin assignable to applications only',
      (d) => (d.appRoles[0].allowedMemberTypes = ['Application']),
      'appRole:Policy.Admin',
      /cannot be assigned to users and groups/,
    ],
    ...GRAPH_DELEGATED_PERMISSIONS.map((permission): [string, (d: Doc) => void, string, RegExp] => [
      `no Graph ${permission.value}`,
      (d) =>
        (d.requiredResourceAccess[0].resourceAccess = d.requiredResourceAccess[0].resourceAccess.filter(
          (a: Doc) => a.id !== permission.id,
        )),
      `graphPermission:${permission.value}`,
      new RegExp(`委派權限 ${permission.value}[\\s\\S]*delegated permission ${permission.value} \\(${permission.id}`),
    ]),
    [
      'ChatMember.Read requested as an application permission',
      (d) =>
        (d.requiredResourceAccess[0].resourceAccess = d.requiredResourceAccess[0].resourceAccess.map((a: Doc) =>
          a.id === 'c5a9e2b1-faf6-41d4-8875-d381aa549b24' ? { ...a, type: 'Role' } : a,
        )),
      'graphPermission:ChatMember.Read',
      /ChatMember\.Read/,
    ],
    [
      'another app’s export',
      (d) => (d.appId = '99999999-8888-4777-8666-555555555555'),
      'appId',
      /99999999-8888-4777-8666-555555555555，不是設定的 5e3f1c2a[\s\S]*another app/,
    ],
  ];

  it.each(cases)('%s → exit 1, naming that setting in zh-TW then English', async (_name, breakIt, setting, message) => {
    const doc = generated();
    breakIt(doc);
    const { code, out, err } = await check(doc);
    expect(err).toBe('');
    expect(code).toBe(1);
    expect(settingsIn(out)).toEqual([setting]);
    expect(out).toMatch(message);
    // The item: its key, then its zh-TW line, then its English line.
    const lines = out.split('\n');
    const at = lines.indexOf(`  [${setting}]`);
    expect(lines[at + 1]).toMatch(/[\u4e00-\u9fff]/);
    expect(lines[at + 2]).toMatch(/^ {2}[A-Z][\x20-\x7e’]*$/);
  });

  it('checks the legacy format’s own attributes, and says which one to set', async () => {
    const doc = asAzureAdGraph(generated());
    doc.accessTokenAcceptedVersion = null;
    doc.replyUrlsWithType = [{ url: 'brk-multihub://sg.example.gov.tw', type: 'Web' }];
    const { code, out } = await check(doc);
    expect(code).toBe(1);
    expect(settingsIn(out)).toEqual(['accessTokenVersion', 'spaRedirect']);
    expect(out).toMatch(/accessTokenAcceptedVersion 設為 2/);
    expect(out).toMatch(/set accessTokenAcceptedVersion to 2/);
  });

  it('lists every missing setting of an empty registration at once', async () => {
    const { code, out } = await check({ appId: CLIENT_ID, identifierUris: [] });
    expect(code).toBe(1);
    expect(settingsIn(out)).toHaveLength(
      3 + PRE_AUTHORIZED_CLIENTS.length + 1 + APP_ROLES.length + GRAPH_DELEGATED_PERMISSIONS.length,
    );
  });

  it.each([
    ['bad JSON', '{ "appId": ', /不是有效的 JSON \/ is not valid JSON/],
    ['a JSON array', '[]', /不是 JSON 物件 \/ Not a JSON object/],
    ['JSON that is no registration', '{ "name": "something else" }', /Not an app registration manifest/],
  ])('%s → exit 2 with a clear message', async (_name, content, message) => {
    const { code, out, err } = await check(content);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(message);
  });

  it('exit 2 for a file it cannot read, a missing client id, or a bad option', async () => {
    const io = { out: '', err: '' };
    const sink = { stdout: (s: string) => (io.out += s), stderr: (s: string) => (io.err += s) };
    expect(await runEntra(['check', path.join(dir, 'nope.json')], sink, ENV)).toBe(2);
    expect(io.err).toMatch(/無法讀取 \/ Cannot read .*nope\.json: ENOENT/);
    expect((await check(generated(), [], { PUBLIC_URL })).code).toBe(2);
    const noId = await check(generated(), [], { PUBLIC_URL });
    expect(noId.err).toMatch(/set AUTH_CLIENT_ID or give --client-id/);
    expect((await check(generated(), ['--client-id', 'not-a-guid'])).err).toMatch(/must be the application/);
    expect((await check(generated(), ['--public-url', 'http://sg.example.gov.tw'])).err).toMatch(/must be https/);
    expect((await check(generated(), ['--frobnicate'])).code).toBe(2);
    expect(await runEntra(['verify'], sink, ENV)).toBe(2);
  });

  it('runs as the README says: npx secrecy-guard entra check', async () => {
    const run = promisify(execFile);
    const file = write(JSON.stringify(generated()));
    const env = { ...process.env, ...ENV };
    const ok = await run(process.execPath, [path.join(root, 'bin', 'secrecy-guard.cjs'), 'entra', 'check', file], {
      cwd: root,
      env,
    });
    expect(ok.stdout).toMatch(/^✓/);
    const broken = generated();
    broken.api.requestedAccessTokenVersion = 1;
    await expect(
      run(
        process.execPath,
        [path.join(root, 'bin', 'secrecy-guard.cjs'), 'entra', 'check', write(JSON.stringify(broken))],
        {
          cwd: root,
          env,
        },
      ),
    ).rejects.toMatchObject({ code: 1 });
  });
});
