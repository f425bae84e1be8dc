/**
 * Run by sign-in-sheet-bench.ts in its own process before the server starts on the same DATA_DIR: migrates the
 * embedded store and writes one meeting with N acknowledgements straight into it (PGlite allows one process at a time).
 * Args: <pglite dir> <tenant> <chair oid> <meeting id> <rows>
 */
import { openDb } from '../../src/server/store/db';
import { migrate } from '../../src/server/store/migrations';

async function main(): Promise<void> {
  const [dataDir, tenant, chair, meeting, rows] = process.argv.slice(2) as [string, string, string, string, string];
  const db = await openDb({ dataDir });
  try {
    await migrate(db);
    await db.query(
      `INSERT INTO meetings (id, tenant_id, title, level, reminder, spokesperson, chair_oid)
       VALUES ($1, $2, '○○經營地區劃分及調整工作會議', '機密', '會議資料及內容不得任意發表或提供外界。', '李發言人', $3)`,
      [meeting, tenant, chair],
    );
    const surnames = '王李張劉陳楊黃趙吳周徐孫馬朱胡郭何高林羅';
    const given = '志明怡君淑芬建宏家豪雅婷俊傑美玲冠宇宗翰佩珊承恩';
    await db.query(
      `INSERT INTO acknowledgements (meeting_id, tenant_id, user_oid, display_name, upn, acknowledged_at)
       SELECT $1, $2, 'oid-' || n,
              substr($4, n % 20 + 1, 1) || substr($5, (n / 20) % 25 + 1, 1) || substr($5, (n / 500) % 25 + 1, 1),
              'user' || n || '@example.gov.tw', now() - interval '3 hours' + n * interval '100 milliseconds'
         FROM generate_series(1, $3::int) AS n`,
      [meeting, tenant, Number(rows), surnames, given],
    );
  } finally {
    await db.close();
  }
}
void main().then(() => process.exit(0));
