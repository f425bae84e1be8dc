/** `secrecy-guard audit-log verify`: walks the hash chain in the configured store and reports the first broken link. */
import { type ConfigError, readConfig } from '../server/config';
import { auditHead, type ChainAnchor, verifyAuditChain } from '../server/store/audit';
import { openDb, storeTarget } from '../server/store/db';
import { migrate } from '../server/store/migrations';
import type { Io } from './main';

export const AUDIT_USAGE = `用法 Usage: npm run --silent audit-log -- verify [--expect-head HASH] [--min-seq N] [--json]

  以 DATABASE_URL（PostgreSQL）或 DATA_DIR（內建 PGlite，預設 ./data；請先停止伺服器）指定資料庫。
  The store is DATABASE_URL (PostgreSQL) or DATA_DIR (embedded PGlite, default ./data; stop the server first).

  --expect-head HASH  先前記錄之稽核鏈頭（伺服器日誌每分鐘記錄一次），須仍在鏈中
                      a head recorded earlier (the server logs it each minute it changes); it must still be in the chain
  --min-seq N         鏈至少須有 N 筆事件 / the chain must have at least N events
  --json              輸出 JSON / print JSON

  僅憑鏈本身無法察覺刪除最後幾筆、或自某筆起以新雜湊重寫；與先前記錄之鏈頭比對即可察覺。
  The links alone cannot show the last events deleted, or a rewrite from some event on with fresh hashes; an
  anchor recorded outside the store can.

結束代碼 Exit codes: 0 稽核鏈完整 chain intact; 1 稽核鏈斷裂或不符 chain broken or short of the anchor; 2 用法或連線錯誤 usage or connection error
`;

/** The verify options, or a usage message. */
function parseVerifyArgs(args: readonly string[]): { json: boolean; anchor: ChainAnchor } | string {
  let json = false;
  const anchor: { head?: string; minSeq?: number } = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--json') {
      json = true;
    } else if (a === '--expect-head') {
      const v = args[++i];
      if (v === undefined || !/^[0-9a-f]{64}$/.test(v)) {
        return '--expect-head 需要 64 位十六進位雜湊 / --expect-head needs a 64-hex-digit hash';
      }
      anchor.head = v;
    } else if (a === '--min-seq') {
      const v = args[++i];
      if (v === undefined || !/^\d{1,15}$/.test(v)) {
        return '--min-seq 需要非負整數 / --min-seq needs a whole number';
      }
      anchor.minSeq = Number(v);
    } else {
      return `未知的參數 / unknown argument: ${a}`;
    }
  }
  return { json, anchor };
}

export async function runAuditLog(
  argv: readonly string[],
  io: Io,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const [command, ...rest] = argv;
  const parsed = command === 'verify' ? parseVerifyArgs(rest) : null;
  if (parsed === null || typeof parsed === 'string') {
    const why =
      command === undefined
        ? '請指定子指令 / give a subcommand'
        : (parsed ?? `未知的子指令 / unknown subcommand: ${command}`);
    io.stderr(`secrecy-guard: ${why}\n\n${AUDIT_USAGE}`);
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
    db = await openDb(storeTarget(config));
    await migrate(db);
  } catch (e) {
    io.stderr(`secrecy-guard: 無法開啟資料庫 / cannot open the store: ${(e as Error).message}\n`);
    return 2;
  }
  try {
    const report = await verifyAuditChain(db, 1000, parsed.anchor);
    const head = report.ok || report.anchor ? await auditHead(db) : null;
    if (parsed.json) {
      io.stdout(JSON.stringify(head ? { ...report, head } : report) + '\n');
    } else if (report.ok) {
      io.stdout(
        `稽核鏈完整 / Audit chain intact: ${report.events} events${head ? `; head #${head.seq} ${head.hash}` : ''}\n`,
      );
    } else if (report.anchor) {
      io.stdout(
        `稽核鏈與先前記錄不符 / Audit chain short of the anchor: ${report.anchor} (${report.events} events verified${head ? `, head #${head.seq} ${head.hash}` : ''})\n`,
      );
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
