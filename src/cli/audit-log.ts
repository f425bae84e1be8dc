/**
 * `secrecy-guard audit-log verify`: walks the hash chain in the configured store and reports the first broken link;
 * with `--public-key`, checks the signed checkpoints and the pending rows' signatures, and counts what is unsealed.
 */
import { type AuditPublicKey, readAuditPublicKey } from '../server/audit-key';
import { type ConfigError, readConfig } from '../server/config';
import { auditHead, type ChainAnchor, verifySealedAuditChain } from '../server/store/audit';
import { openDb, storeTarget } from '../server/store/db';
import { migrate } from '../server/store/migrations';
import { lockEmbeddedStore, StoreInUseError } from '../server/store/store-lock';
import type { Io } from './main';

export const AUDIT_USAGE = `用法 Usage: npm run --silent audit-log -- verify [--public-key FILE]... [--expect-sealed | --max-unsealed N]
                                               [--expect-head HASH] [--min-seq N] [--json]

  以 DATABASE_URL（PostgreSQL）或 DATA_DIR（內建 PGlite，預設 ./data）指定資料庫。內建 PGlite 只能由一個程序
  開啟：伺服器執行中時本指令會拒絕並說明，請先停止伺服器（停止時會簽署最後的檢查點）。
  The store is DATABASE_URL (PostgreSQL) or DATA_DIR (embedded PGlite, default ./data). Embedded PGlite opens in one
  process only: while the server runs this refuses, saying so; stop the server first (it signs a last checkpoint).

  --public-key FILE   稽核簽章公鑰（PEM，由政風單位保管）；可多次指定（金鑰輪替後新舊公鑰並列）
                      the audit signing public key (PEM, kept by the 政風 office); repeat it for keys rotated out
  --expect-sealed     最後檢查點之後不得有未封存事件 / no events may follow the last checkpoint (same as --max-unsealed 0)
  --max-unsealed N    最後檢查點之後至多 N 筆未封存事件 / at most N events may follow the last checkpoint
  --expect-head HASH  先前記錄之稽核鏈頭（伺服器日誌每分鐘記錄一次），須仍在鏈中
                      a head recorded earlier (the server logs it each minute it changes); it must still be in the chain
  --min-seq N         鏈至少須有 N 筆事件 / the chain must have at least N events
  --json              輸出 JSON / print JSON

  未指定 --public-key 時只檢查雜湊鏈本身：能寫入資料庫者可在鏈尾附加、截斷或以新雜湊重寫而不被察覺。
  Without --public-key only the links are checked: whoever can write the database can append to, truncate or rewrite
  the tail with fresh hashes unseen. The signed checkpoints catch that; events after the last one are "unsealed".

結束代碼 Exit codes: 0 稽核鏈完整 chain intact; 1 稽核鏈斷裂、簽章不符或未封存過多 chain broken, a signature fails, or too
  much unsealed; 2 用法、連線錯誤或資料庫使用中 usage, connection error, or the embedded store in use
`;

interface VerifyArgs {
  json: boolean;
  anchor: ChainAnchor;
  publicKeyFiles: string[];
  maxUnsealed: number | null;
}

/** The verify options, or a usage message. */
function parseVerifyArgs(args: readonly string[]): VerifyArgs | string {
  let json = false;
  const anchor: { head?: string; minSeq?: number } = {};
  const publicKeyFiles: string[] = [];
  let maxUnsealed: number | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--json') {
      json = true;
    } else if (a === '--public-key') {
      const v = args[++i];
      if (v === undefined || v.startsWith('--')) {
        return '--public-key 需要公鑰檔路徑 / --public-key needs a PEM file';
      }
      publicKeyFiles.push(v);
    } else if (a === '--expect-sealed') {
      maxUnsealed = 0;
    } else if (a === '--max-unsealed') {
      const v = args[++i];
      if (v === undefined || !/^\d{1,15}$/.test(v)) {
        return '--max-unsealed 需要非負整數 / --max-unsealed needs a whole number';
      }
      maxUnsealed = Number(v);
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
  if (maxUnsealed !== null && publicKeyFiles.length === 0) {
    return '--expect-sealed／--max-unsealed 需要 --public-key / --expect-sealed and --max-unsealed need --public-key';
  }
  return { json, anchor, publicKeyFiles, maxUnsealed };
}

/** "3 分鐘前 / 3 minutes ago", roughly: how stale the last checkpoint is says whether the newest ones were deleted. */
function age(at: string, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - new Date(at).getTime()) / 1000));
  const [n, zh, en] =
    s < 120
      ? [s, '秒', 'seconds']
      : s < 7200
        ? [Math.round(s / 60), '分鐘', 'minutes']
        : s < 172800
          ? [Math.round(s / 3600), '小時', 'hours']
          : [Math.round(s / 86400), '天', 'days'];
  return `${n} ${zh}前 / ${n} ${en} ago`;
}

export async function runAuditLog(
  argv: readonly string[],
  io: Io,
  env: NodeJS.ProcessEnv = process.env,
  now: () => Date = () => new Date(),
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
  let keys: AuditPublicKey[];
  try {
    config = readConfig(env);
    keys = parsed.publicKeyFiles.map(readAuditPublicKey);
  } catch (e) {
    io.stderr(`secrecy-guard: ${(e as ConfigError).message}\n`);
    return 2;
  }
  const target = storeTarget(config);
  let unlock = (): void => undefined;
  let db;
  try {
    if (target.dataDir) {
      unlock = lockEmbeddedStore(target.dataDir, 'audit-log verify');
    }
    db = await openDb(target);
    await migrate(db);
  } catch (e) {
    unlock();
    if (e instanceof StoreInUseError) {
      io.stderr(
        `secrecy-guard: ${e.message}\n  伺服器執行中無法驗證內建資料庫：請先停止伺服器（停止時會簽署最後的檢查點）再執行 verify。\n` +
          `  The embedded store cannot be verified while the server runs: stop the server (it signs a last checkpoint), then verify.\n`,
      );
      return 2;
    }
    io.stderr(`secrecy-guard: 無法開啟資料庫 / cannot open the store: ${(e as Error).message}\n`);
    return 2;
  }
  try {
    const report = await verifySealedAuditChain(db, keys, parsed.anchor);
    const { seal } = report;
    const head = report.ok || report.anchor || seal.problem ? await auditHead(db) : null;
    const checked = keys.length > 0;
    const tooUnsealed = checked && parsed.maxUnsealed !== null && seal.unsealed > parsed.maxUnsealed;
    // Without a public key the checkpoints and signatures are not checked, so they cannot fail (the output says so).
    const chainOk = report.broken === undefined && report.anchor === undefined;
    const ok = chainOk && (!checked || seal.ok) && !tooUnsealed;
    if (parsed.json) {
      const chain: Omit<typeof report, 'seal'> & { seal?: unknown } = { ...report };
      delete chain.seal;
      io.stdout(
        JSON.stringify({
          ...chain,
          ok,
          ...(head ? { head } : {}),
          ...(checked
            ? { seal }
            : seal.checkpoints > 0
              ? { signaturesChecked: false, checkpoints: seal.checkpoints }
              : {}),
          ...(tooUnsealed ? { tooUnsealed: { unsealed: seal.unsealed, max: parsed.maxUnsealed } } : {}),
        }) + '\n',
      );
      return ok ? 0 : 1;
    }
    const lines: string[] = [];
    if (report.broken) {
      lines.push(
        `稽核鏈斷裂 / Audit chain broken at event ${report.broken.seq}: ${report.broken.reason} (${report.events} events verified before it)`,
      );
    } else if (report.anchor) {
      lines.push(
        `稽核鏈與先前記錄不符 / Audit chain short of the anchor: ${report.anchor} (${report.events} events verified${head ? `, head #${head.seq} ${head.hash}` : ''})`,
      );
    } else {
      lines.push(
        `稽核鏈完整 / Audit chain intact: ${report.events} events${head ? `; head #${head.seq} ${head.hash}` : ''}`,
      );
    }
    if (!checked) {
      lines.push(
        `未檢查簽章（未指定 --public-key）：鏈尾之附加、截斷或重寫無法察覺 / Signatures NOT checked (no --public-key): an appended, truncated or rewritten tail would pass (${seal.checkpoints} checkpoints in the store)`,
      );
    } else if (seal.problem) {
      lines.push(`簽章檢查失敗 / SIGNED CHECKPOINTS FAIL: ${seal.problem}`);
    } else if (seal.lastCheckpoint) {
      const c = seal.lastCheckpoint;
      lines.push(
        `已封存 / Sealed: ${seal.checkpoints} checkpoints verify; the last, #${c.n}, seals events 1–${c.seq}, signed ${c.at} (${age(c.at, now())}) by key ${c.keyId}`,
      );
    } else {
      lines.push('無任何檢查點 / No checkpoints: nothing is sealed yet');
    }
    if (checked) {
      lines.push(
        seal.unsealed === 0
          ? '未封存 / Unsealed: 0 events'
          : `未封存 / UNSEALED: ${seal.unsealed} events after the last checkpoint (#${(seal.lastCheckpoint?.seq ?? 0) + 1}–${report.events}); no signature vouches for them yet, they may have been appended, edited or cut in the store${tooUnsealed ? ` — more than --max-unsealed ${parsed.maxUnsealed}` : ''}`,
      );
    }
    lines.push(
      seal.pending.count === 0
        ? '待串鏈 / Pending: 0 rows'
        : `待串鏈 / PENDING: ${seal.pending.count} rows recorded but not yet in the chain (normally chained within a second; after a crash, at the next start)${checked ? `; ${seal.pending.signed} carry a valid signature, ${seal.pending.bad} do not` : '; signatures not checked'}`,
    );
    if (seal.rejected > 0) {
      lines.push(
        `已拒絕 / REJECTED: ${seal.rejected} pending rows failed the server's check and were not chained (audit_pending_rejected; each is an audit.pending-rejected event)`,
      );
    }
    lines.push(ok ? '結果 / Result: 通過 PASS' : '結果 / Result: 不通過 FAIL');
    io.stdout(lines.join('\n') + '\n');
    return ok ? 0 : 1;
  } finally {
    await db.close();
    unlock();
  }
}
