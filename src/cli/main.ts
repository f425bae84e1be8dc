/**
 * `secrecy-guard` command line.
 *   scan [--policy FILE] [--to a@x,b@y] [--json] PATH...
 *   audit-log verify …, entra check FILE (their own exit codes: see their usage)
 * Exit codes: 0 every result is allow; 1 any result is not; 2 usage or I/O error.
 */
import { promises as fs } from 'node:fs';

import { DEFAULT_POLICY, parsePolicy, type Policy, PolicyError } from '../core';
import { runAuditLog } from './audit-log';
import { runEntra } from './entra';
import { formatTable } from './format';
import { stopPdfThread } from './pdf-loader';
import { expandPaths, ioMessage, type ScanError, scanFile, type ScanResult, UsageError } from './scan-files';

export const USAGE = `用法 Usage: npm run --silent scan -- [--policy FILE] [--to a@x,b@y] [--json] PATH...
       npm run --silent audit-log -- verify [--expect-head HASH] [--min-seq N] [--json]
       npx secrecy-guard entra check [--public-url URL] [--client-id GUID] FILE
       (or: npx secrecy-guard scan|audit-log|entra …; entra check --help explains it)

  PATH            檔案或目錄（遞迴）；類型依內容判斷，不依副檔名 / files or directories (recursive); the type is
                  read from the content, not the name:
                    郵件 mail: .eml（含附件 with attachments）、winmail.dat (TNEF)
                    文書 documents: .docx .xlsx .pptx（含 macro 版 and macro-enabled）、.odt .ods .odp、
                      .fodt .fods .fodp、.pdf、.rtf、公文交換 .di（XML）
                    文字 text: .txt .html .xml .csv .json 等，UTF-8、UTF-16、Big5、GB18030；純 base64 亦解開 base64 of a file
                    壓縮檔 archives: .zip（逐一掃描 every entry）
                  無法完整讀取、一律不放行 never allowed as unreadable: .doc .xls .ppt .msg（舊版二進位 legacy binary；
                    可讀的文字仍會檢查 readable text is still scanned）、圖片 images（無 OCR no OCR）、加密 encrypted files、
                    其他未知類型 any other type
  --policy FILE   政策 JSON 檔（預設：內建政策） / policy JSON (default: the built-in policy)
  --to LIST       收件者，以逗號分隔；未指定時視為外部 / recipients, comma-separated; none means external
  --json          輸出 JSON / print JSON
  --help          顯示本說明 / show this help

結束代碼 Exit codes: 0 全部放行 all allow; 1 有任何非放行結果 any not allow; 2 用法或讀寫錯誤 usage or I/O error
`;

export interface ScanArgs {
  policyFile?: string;
  recipients: string[];
  json: boolean;
  paths: string[];
  help: boolean;
}

export function parseScanArgs(argv: readonly string[]): ScanArgs {
  const args: ScanArgs = { recipients: [], json: false, paths: [], help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) {
        throw new UsageError(`${a} 需要一個值 / ${a} needs a value`);
      }
      return v;
    };
    if (a === '--json') {
      args.json = true;
    } else if (a === '--help' || a === '-h') {
      args.help = true;
    } else if (a === '--policy') {
      args.policyFile = value();
    } else if (a.startsWith('--policy=')) {
      args.policyFile = a.slice('--policy='.length);
    } else if (a === '--to' || a.startsWith('--to=')) {
      const list = a === '--to' ? value() : a.slice('--to='.length);
      const parts = list
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
      if (parts.length === 0) {
        throw new UsageError('--to 需要至少一個收件者 / --to needs at least one recipient');
      }
      if (args.recipients.length + parts.length > 1000) {
        throw new UsageError('收件者過多 / Too many recipients (max 1000)');
      }
      args.recipients.push(...parts);
    } else if (a === '--') {
      continue;
    } else if (a.startsWith('-') && a !== '-') {
      throw new UsageError(`未知的選項 / Unknown option: ${a}`);
    } else {
      args.paths.push(a);
    }
  }
  if (!args.help && args.paths.length === 0) {
    throw new UsageError('請指定至少一個路徑 / Give at least one PATH');
  }
  return args;
}

async function loadPolicy(file: string | undefined): Promise<Policy> {
  if (file === undefined) {
    return DEFAULT_POLICY;
  }
  let raw: string;
  try {
    raw = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`政策檔 / Policy file ${file}: ${ioMessage(e)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch (e) {
    throw new UsageError(`政策檔不是有效的 JSON / Policy file ${file} is not valid JSON: ${(e as Error).message}`);
  }
  try {
    return parsePolicy(data);
  } catch (e) {
    if (e instanceof PolicyError) {
      throw new UsageError(`${file}: ${e.message}`);
    }
    throw e;
  }
}

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

/** Runs `scan` and returns the exit code. */
export async function runScan(argv: readonly string[], io: Io): Promise<number> {
  let args: ScanArgs;
  let policy: Policy;
  try {
    args = parseScanArgs(argv);
    if (args.help) {
      io.stdout(USAGE);
      return 0;
    }
    policy = await loadPolicy(args.policyFile);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`secrecy-guard: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }
  const errors: ScanError[] = [];
  const results: ScanResult[] = [];
  let files: string[];
  try {
    files = await expandPaths(args.paths, errors);
  } catch (e) {
    io.stderr(`secrecy-guard: ${(e as Error).message}\n`);
    return 2;
  }
  for (const file of files) {
    try {
      results.push(await scanFile(file, policy, args.recipients));
    } catch (e) {
      errors.push({ path: file, message: ioMessage(e) });
    }
  }
  if (args.json) {
    const doc = { results, ...(errors.length ? { errors } : {}) };
    io.stdout(JSON.stringify(doc, null, 2) + '\n');
  } else {
    io.stdout(formatTable(results, errors));
  }
  for (const e of errors) {
    io.stderr(`secrecy-guard: ${e.path}: ${e.message}\n`);
  }
  if (errors.length > 0) {
    return 2;
  }
  return results.every((r) => r.verdict === 'allow') ? 0 : 1;
}

export async function main(argv: readonly string[]): Promise<number> {
  const io: Io = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) };
  const [command, ...rest] = argv;
  if (command === 'scan') {
    return runScan(rest, io);
  }
  if (command === 'audit-log') {
    return runAuditLog(rest, io);
  }
  if (command === 'entra') {
    return runEntra(rest, io);
  }
  if (command === undefined || command === '--help' || command === '-h') {
    io.stdout(USAGE);
    return command === undefined ? 2 : 0;
  }
  io.stderr(`secrecy-guard: 未知的指令 / Unknown command: ${command}\n\n${USAGE}`);
  return 2;
}

if (require.main === module) {
  // Until main settles the exit code is an error: if the event loop empties first (work that can never finish, as a
  // PDF thread gone without a word once caused), the process must not end silently as 0, "all allow".
  process.exitCode = 2;
  let settled = false;
  process.on('beforeExit', () => {
    if (!settled) {
      settled = true;
      process.stderr.write('secrecy-guard: 內部錯誤，掃描未完成 / internal error: the scan never finished\n');
      process.exitCode = 2;
    }
  });
  main(process.argv.slice(2))
    .then(
      (code) => {
        process.exitCode = code;
      },
      (e: unknown) => {
        process.stderr.write(`secrecy-guard: 內部錯誤 / internal error: ${(e as Error).stack ?? String(e)}\n`);
        process.exitCode = 2;
      },
    )
    .finally(() => {
      settled = true;
      // Whatever is left on the PDF thread (a close it never answered) must not keep the process from exiting.
      stopPdfThread();
    });
}
