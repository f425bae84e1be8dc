/**
 * Embedded PGlite is one process's database: a second process opening the same folder (`audit-log verify` while the
 * server runs, or a second server) reads pages mid-write and aborts, or worse, writes. Whoever opens a PGlite folder
 * takes this lock file beside it first, and a second opener is refused with a message naming the holder.
 */
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export class StoreInUseError extends Error {
  constructor(
    readonly holder: { readonly pid: number; readonly who: string; readonly since: string },
    readonly lockFile: string,
  ) {
    super(
      `內建資料庫正由另一個程序使用（${holder.who}，pid ${holder.pid}，自 ${holder.since}）；PGlite 只能由一個程序開啟 / ` +
        `The embedded store is in use by ${holder.who} (pid ${holder.pid}, since ${holder.since}); PGlite can be opened ` +
        `by one process only. 若該程序已不存在，刪除 / If no such process runs, delete ${lockFile}`,
    );
    this.name = 'StoreInUseError';
  }
}

/** Lock files this process holds, so its own pid in a file it did not write (a container's pid 1 again) is stale. */
const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock for the PGlite folder `dir`, as `who` ('the server', 'audit-log verify'); returns its release. */
export function lockEmbeddedStore(dir: string, who: string): () => void {
  const file = `${dir}.lock`;
  mkdirSync(path.dirname(file), { recursive: true });
  const mine = JSON.stringify({ pid: process.pid, who, since: new Date().toISOString() });
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, mine, { flag: 'wx', mode: 0o600 });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) {
        throw e;
      }
    }
    let holder: { pid: number; who: string; since: string } | null = null;
    try {
      holder = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; who: string; since: string };
    } catch {
      // unreadable or half-written: treated as stale below
    }
    const stale =
      !holder || !Number.isInteger(holder.pid) || !alive(holder.pid) || (holder.pid === process.pid && !held.has(file));
    if (!stale && holder) {
      throw new StoreInUseError(holder, file);
    }
    unlinkSync(file);
  }
  held.add(file);
  return () => {
    held.delete(file);
    try {
      if (readFileSync(file, 'utf8') === mine) {
        unlinkSync(file);
      }
    } catch {
      // already gone
    }
  };
}
