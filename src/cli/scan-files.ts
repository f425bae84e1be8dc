/**
 * The file side of the `scan` command: turns paths into messages for `src/core` and collects one result per file.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

import {
  decide,
  type Finding,
  type Level,
  type MessageInput,
  type Policy,
  recipientScope,
  type Unscannable,
  verdictFor,
  type VerdictKind,
} from '../core';
import { declaredHtmlCharset, decodeText, parseEml } from '../extract';

export interface ScanResult {
  readonly path: string;
  readonly verdict: VerdictKind;
  readonly level: Level | null;
  readonly findings: readonly Finding[];
  readonly unscannable: readonly Unscannable[];
}

export interface ScanError {
  readonly path: string;
  readonly message: string;
}

/** Directories are walked to at most this many files, so a mistaken `/` fails fast instead of running for hours. */
export const MAX_FILES = 100_000;

const TEXT_EXTENSIONS = new Set(['.txt', '.text']);
const HTML_EXTENSIONS = new Set(['.html', '.htm']);
const EML_EXTENSIONS = new Set(['.eml']);
/** Formats the document extractors will read; until then they are unscannable, never allowed. */
const PENDING_EXTENSIONS = new Set([
  '.odt', '.ods', '.odp', '.fodt', '.fods', '.fodp', '.docx', '.xlsx', '.pptx', '.doc', '.xls', '.ppt', '.pdf', '.zip',
  '.di', '.sw', '.si', '.rtf', '.csv', '.xml', '.json', '.md', '.msg', '.dat',
]); // prettier-ignore

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Expands directories (recursively, not following links) into a sorted list of files. */
export async function expandPaths(paths: readonly string[], errors: ScanError[]): Promise<string[]> {
  const files: string[] = [];
  const walk = async (p: string, top: boolean): Promise<void> => {
    let st;
    try {
      st = top ? await fs.stat(p) : await fs.lstat(p);
    } catch (e) {
      errors.push({ path: p, message: ioMessage(e) });
      return;
    }
    if (st.isDirectory()) {
      let entries: string[];
      try {
        entries = (await fs.readdir(p)).sort();
      } catch (e) {
        errors.push({ path: p, message: ioMessage(e) });
        return;
      }
      for (const e of entries) {
        await walk(path.join(p, e), false);
        if (files.length > MAX_FILES) {
          return;
        }
      }
    } else if (st.isFile()) {
      files.push(p);
    }
  };
  for (const p of paths) {
    await walk(p, true);
  }
  if (files.length > MAX_FILES) {
    throw new UsageError(`檔案過多，上限 ${MAX_FILES} 個 / Too many files: the limit is ${MAX_FILES}`);
  }
  return files;
}

export function ioMessage(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return '找不到檔案 / No such file or directory';
    case 'EACCES':
    case 'EPERM':
      return '沒有讀取權限 / Permission denied';
    case 'EISDIR':
      return '這是目錄 / Is a directory';
    default:
      return `無法讀取 / Cannot read: ${err.message ?? String(e)}`;
  }
}

function unscannableResult(
  file: string,
  reason: Unscannable['reason'],
  detail: string,
  policy: Policy,
  recipients: readonly string[],
): ScanResult {
  const v = verdictFor([], [{ location: 'file', reason, detail }], recipientScope(recipients, policy), policy);
  return { path: file, verdict: v.verdict, level: v.level, findings: v.findings, unscannable: v.unscannable };
}

/** Reads one file and decides it. I/O failures are thrown for the caller to report; content problems are results. */
export async function scanFile(file: string, policy: Policy, recipients: readonly string[]): Promise<ScanResult> {
  const st = await fs.stat(file);
  if (st.size > policy.limits.maxFileBytes) {
    return unscannableResult(
      file,
      'too-large',
      `${st.size} bytes > limit ${policy.limits.maxFileBytes}`,
      policy,
      recipients,
    );
  }
  const ext = path.extname(file).toLowerCase();
  const known = TEXT_EXTENSIONS.has(ext) || HTML_EXTENSIONS.has(ext) || EML_EXTENSIONS.has(ext);
  if (!known) {
    const reason = PENDING_EXTENSIONS.has(ext) ? 'unsupported-format' : 'unknown-type';
    return unscannableResult(file, reason, ext || '(no extension)', policy, recipients);
  }
  const bytes = new Uint8Array(await fs.readFile(file));
  let message: MessageInput;
  if (EML_EXTENSIONS.has(ext)) {
    message = await parseEml(bytes);
  } else {
    const decoded = decodeText(bytes, HTML_EXTENSIONS.has(ext) ? declaredHtmlCharset(bytes) : null);
    if (!decoded.ok) {
      return unscannableResult(file, decoded.reason, decoded.detail, policy, recipients);
    }
    message = HTML_EXTENSIONS.has(ext) ? { bodyHtml: decoded.text } : { bodyText: decoded.text };
  }
  const v = decide({ ...message, recipients }, policy);
  return { path: file, verdict: v.verdict, level: v.level, findings: v.findings, unscannable: v.unscannable };
}
