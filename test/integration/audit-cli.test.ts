import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { runAuditLog } from '../../src/cli/audit-log';
import { appendAudit } from '../../src/server/store/audit';
import { openDb } from '../../src/server/store/db';
import { migrate } from '../../src/server/store/migrations';
import { freshPostgresUrl, STORES } from '../support/stores';

async function run(argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runAuditLog(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) }, env);
  return { code, out, err };
}

describe.each(STORES)('audit-log verify on %s', (kind) => {
  it('reports an intact chain, then the first broken link after tampering', async () => {
    const env: NodeJS.ProcessEnv =
      kind === 'pglite'
        ? { DATA_DIR: path.join(mkdtempSync(path.join(tmpdir(), 'sg-data-')), 'data') }
        : { DATABASE_URL: await freshPostgresUrl() };
    const db = await openDb(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { dataDir: env.DATA_DIR as string });
    await migrate(db);
    for (let i = 0; i < 6; i++) {
      await appendAudit(db, { tenantId: 't', actorOid: 'u', kind: 'decision', data: { n: i } });
    }
    await db.close();

    expect(await run(['verify'], env)).toMatchObject({
      code: 0,
      out: expect.stringMatching(/Audit chain intact: 6 events/),
    });

    const again = await openDb(
      env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { dataDir: env.DATA_DIR as string },
    );
    await again.query(`UPDATE audit_events SET kind = 'override' WHERE seq = 4`);
    await again.close();
    const broken = await run(['verify', '--json'], env);
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.out)).toMatchObject({ ok: false, events: 3, broken: { seq: 4 } });
  });
});

describe('the secrecy-guard command', () => {
  it('runs audit-log verify from bin/ with DATA_DIR, as installed', () => {
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'sg-bin-')), 'data');
    const out = execFileSync(
      path.resolve(__dirname, '../../bin/secrecy-guard.cjs'),
      ['audit-log', 'verify', '--json'],
      {
        env: { ...process.env, DATA_DIR: dataDir },
        encoding: 'utf8',
      },
    );
    expect(JSON.parse(out)).toEqual({ ok: true, events: 0 });
  });
});

describe('audit-log usage', () => {
  it('rejects unknown subcommands and bad configuration with exit 2', async () => {
    expect(await run(['frobnicate'], {})).toMatchObject({ code: 2, err: expect.stringMatching(/Usage/) });
    expect(await run(['verify'], { DATABASE_URL: 'mysql://x' })).toMatchObject({
      code: 2,
      err: expect.stringMatching(/DATABASE_URL/),
    });
  });
});
