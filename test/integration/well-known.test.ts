/**
 * The server serves the built `/.well-known/microsoft-officeaddins-allowed.json` from dist/ (classic Outlook reads it
 * before it lets the on-send script get a token or make a request): the static files include dot folders.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { readConfig } from '../../src/server/config';
import { type RunningServer, startServer } from '../../src/server/main';
import { OFFICE_ADDINS_ALLOWED_PATH } from '../../src/shared/app-ids';
import { freePort } from '../support/net';

const insecure = new Agent({ rejectUnauthorized: false });

function get(url: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { agent: insecure }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    })
      .on('error', reject)
      .end();
  });
}

const dirs: string[] = [];
let server: RunningServer;

afterAll(async () => {
  await server?.close();
  insecure.destroy();
  for (const dir of dirs) {
    rmSync(dir, { recursive: true, force: true });
  }
});

it(`serves ${OFFICE_ADDINS_ALLOWED_PATH} from dist/ as JSON`, async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sg-wk-data-'));
  const staticDir = mkdtempSync(path.join(tmpdir(), 'sg-wk-dist-'));
  dirs.push(dataDir, staticDir);
  const allowed = { allowed: ['https://sg.example.gov.tw/addin/launchevent.js'] };
  mkdirSync(path.join(staticDir, '.well-known'));
  writeFileSync(path.join(staticDir, OFFICE_ADDINS_ALLOWED_PATH), JSON.stringify(allowed));
  server = await startServer(readConfig({ PORT: String(await freePort()), HOST: '127.0.0.1', DATA_DIR: dataDir }), {
    staticDir,
    logger: false,
  });
  const res = await get(`${server.url}${OFFICE_ADDINS_ALLOWED_PATH}`);
  expect(res.status).toBe(200);
  expect(res.type).toMatch(/^application\/json/);
  expect(JSON.parse(res.body)).toEqual(allowed);
});
