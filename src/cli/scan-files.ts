/**
 * The file side of the `scan` command: turns paths into messages for `src/core` and collects one result per file.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

import {
  type AttachmentInput,
  decide,
  type Finding,
  type Level,
  type MessageInput,
  type Policy,
  recipientScope,
  scanMessage,
  type Unscannable,
  verdictFor,
  type VerdictKind,
} from '../core';
import {
  blocksWhatIsLeft,
  budgetFor,
  declaredHtmlCharset,
  decodeText,
  extractFile,
  type ExtractOptions,
  type ExtractProgress,
  parseEml,
  sniff,
} from '../extract';
import { nodePdfOptions } from './pdf-loader';

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
  // Unread, but its name is still read: 「機密_底價.xlsx」 too large to open is marked all the same.
  const { findings, unscannable } = scanMessage(
    { attachments: [{ name: path.basename(file), segments: [], unscannable: [{ location: 'file', reason, detail }] }] },
    policy,
  );
  const v = verdictFor(findings, unscannable, recipientScope(recipients, policy), policy);
  return { path: file, verdict: v.verdict, level: v.level, findings: v.findings, unscannable: v.unscannable };
}

export interface ScanOptions {
  /** Called as parts of a file are read, for progress on large attachments. */
  readonly onProgress?: (progress: ExtractProgress) => void;
}

/**
 * Reads one file and decides it. Mail is a message; .txt and .html are a body, as if typed into a mail; every other
 * file is an attachment. I/O failures are thrown for the caller to report; content problems are results.
 */
export async function scanFile(
  file: string,
  policy: Policy,
  recipients: readonly string[],
  scanOptions: ScanOptions = {},
): Promise<ScanResult> {
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
  const bytes = new Uint8Array(await fs.readFile(file));
  const budget = budgetFor(policy.limits);
  const name = path.basename(file);
  const options: ExtractOptions = {
    limits: budget.limits,
    expired: budget.expired,
    offClock: budget.offClock,
    remainingMs: budget.remainingMs,
    pdf: nodePdfOptions(),
    conclusive: blocksWhatIsLeft(name, policy, [recipientScope(recipients, policy)]),
    ...(scanOptions.onProgress ? { onProgress: scanOptions.onProgress } : {}),
  };
  // The bytes say what the file is; the name only breaks a tie among plain text (a mail without the usual headers
  // named .eml, XHTML named .html). A .docx renamed .txt is a .docx.
  const kind = sniff(bytes, name);
  const asMail = kind === 'eml' || (/\.eml$/i.test(name) && (kind === 'text' || kind === 'unknown'));
  const asHtml = kind === 'html' || (kind === 'xml' && /\.x?html?$/i.test(name));
  let message: MessageInput;
  // A mail or a body read from a file still has the file's name, which the core reads as an attachment's.
  const ownName: AttachmentInput = { name, segments: [] };
  if (asMail) {
    const parsed = await parseEml(bytes, options);
    message = { ...parsed, attachments: [ownName, ...parsed.attachments] };
  } else if (kind === 'text' || asHtml) {
    const decoded = decodeText(bytes, asHtml ? declaredHtmlCharset(bytes) : null);
    if (!decoded.ok) {
      return unscannableResult(file, decoded.reason, decoded.detail, policy, recipients);
    }
    message = {
      ...(asHtml ? { bodyHtml: decoded.text } : { bodyText: decoded.text }),
      attachments: [ownName],
    };
  } else {
    const extracted = await extractFile(name, bytes, options);
    message = {
      attachments: [
        { name, segments: extracted.segments, unscannable: extracted.unscannable, labels: extracted.labels },
      ],
    };
  }
  const v = decide({ ...message, recipients }, policy);
  return { path: file, verdict: v.verdict, level: v.level, findings: v.findings, unscannable: v.unscannable };
}
