/**
 * DATA_DIR must be writable before anything opens in it: PGlite on a read-only or unwritable folder otherwise fails
 * deep inside its WebAssembly file system (or on the first write, as a 500), naming neither the folder nor the cause.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import * as path from 'node:path';

import { ConfigError } from '../config';

const REASONS: Readonly<Record<string, readonly [zh: string, en: string]>> = {
  EROFS: ['唯讀檔案系統', 'read-only file system'],
  EACCES: ['此帳號沒有寫入權限', 'this user may not write there'],
  EPERM: ['此帳號沒有寫入權限', 'this user may not write there'],
  ENOSPC: ['磁碟已滿', 'the disk is full'],
  EDQUOT: ['磁碟配額已滿', 'the disk quota is used up'],
  ENOTDIR: ['路徑中有檔案而非資料夾', 'a part of the path is a file, not a folder'],
  EEXIST: ['路徑中有檔案而非資料夾', 'a part of the path is a file, not a folder'],
};

/** Creates `dir` if need be and writes, syncs and removes a small file in it; throws a ConfigError naming it if not. */
export function assertWritableDir(dir: string, variable = 'DATA_DIR'): void {
  const folder = path.resolve(dir);
  try {
    mkdirSync(folder, { recursive: true });
    const probe = path.join(folder, `.write-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
    const fd = openSync(probe, 'wx');
    try {
      writeSync(fd, 'secrecy-guard');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
      rmSync(probe, { force: true });
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'unknown';
    const [zh, en] = REASONS[code] ?? ['無法寫入', 'it cannot be written'];
    throw new ConfigError(
      variable,
      `資料夾 ${folder} 無法寫入（${zh}，${code}）；請改用可寫入的資料夾或修正權限 / ` +
        `the folder ${folder} is not writable (${en}, ${code}); point ${variable} at a writable folder or fix its permissions`,
    );
  }
}
