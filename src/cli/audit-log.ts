/** `secrecy-guard audit-log verify`: walks the hash chain in the configured store and reports the first broken link. */
import { type ConfigError, readConfig } from '../server/config';
import { verifyAuditChain } from '../server/store/audit';
import { openDb } from '../server/store/db';
import { migrate } from '../server/store/migrations';
import type { Io } from './main';

export const AUDIT_USAGE = `用法 Usage: npm run --silent audit-log -- verify [--json]

  以 DATABASE_URL（PostgreSQL）或 DATA_DIR（內建 PGlite，預設 ./data）指定資料庫。
  The store is DATABASE_URL (PostgreSQL) or DATA_DIR (embedded PGlite, default ./data).

結束代碼 Exit codes: 0 稽核鏈完整 chain intact; 1 稽核鏈斷裂 chain broken; 2 用法或連線錯誤 usage or connection error
`;

export async function runAuditLog(
  argv: readonly string[],
  io: Io,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const [command, ...rest] = argv;
  const json = rest.includes('--json');
  if (command !== 'verify' || rest.some((a) => a !== '--json')) {
    io.stderr(
      `secrecy-guard: ${command === undefined ? '請指定子指令 / give a subcommand' : `未知的參數 / unknown arguments: ${argv.join(' ')}`}\n\n${AUDIT_USAGE}`,
    );
    return 2;
  }
  let config;
  try {
    config = readConfig(env);
  } catch (e) {
    io.stderr(`secrecy-guard: ${(e as ConfigError).message}\n`);
    return 2;
  }
  let db;
  try {
    db = await openDb(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir });
    await migrate(db);
  } catch (e) {
    io.stderr(`secrecy-guard: 無法開啟資料庫 / cannot open the store: ${(e as Error).message}\n`);
    return 2;
  }
  try {
    const report = await verifyAuditChain(db);
    if (json) {
      io.stdout(JSON.stringify(report) + '\n');
    } else if (report.ok) {
      io.stdout(`稽核鏈完整 / Audit chain intact: ${report.events} events\n`);
    } else {
      io.stdout(
        `稽核鏈斷裂 / Audit chain broken at event ${report.broken?.seq}: ${report.broken?.reason} (${report.events} events verified before it)\n`,
      );
    }
    return report.ok ? 0 : 1;
  } finally {
    await db.close();
  }
}
