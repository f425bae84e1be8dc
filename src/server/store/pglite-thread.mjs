/**
 * Embedded PGlite on a worker thread of its own (see PgliteDb in db.ts). PGlite is PostgreSQL compiled to WebAssembly
 * and runs every query synchronously on the thread that owns it: on the server's main thread, each page of a 10,000-row
 * roster held up /healthz and every acknowledgement behind it. Here only this thread waits.
 * Plain JS started without the parent's loader flags (as sign-in-sheet-pdf-thread.mjs is), so it loads the same under
 * `tsx src/server/main.ts`, the audit-log command and Jest. PGlite's own mutexes order the work, exactly as they did
 * in-process: a plain query waits while a transaction is open, and a transaction's queries run inside it.
 */
/* eslint-disable @typescript-eslint/explicit-function-return-type -- plain JS, which has no return types to write */
import { parentPort, workerData } from 'node:worker_threads';

import { PGlite } from '@electric-sql/pglite';

/**
 * An error as it crosses to the main thread: name, message and stack, and every field PostgreSQL's or Node's errors
 * carry (code, severity, constraint, table, errno, syscall...), which failure.ts classifies and summarises.
 */
function portable(e) {
  if (!(e instanceof Error)) {
    return { name: 'Error', message: String(e), fields: {} };
  }
  const fields = {};
  for (const [key, value] of Object.entries(e)) {
    try {
      fields[key] = structuredClone(value);
    } catch {
      // A field that cannot cross (a function in queryOptions) says nothing about the failure.
    }
  }
  return { name: e.name, message: e.message, stack: e.stack, fields };
}

/** Open transactions by id: each waits for the main thread's verdict (commit or roll back) before it ends. */
const transactions = new Map();
let nextTx = 1;
const rollback = Symbol('rollback');

let pg;

async function handle(msg) {
  switch (msg.op) {
    case 'query': {
      const on = msg.tx === undefined ? pg : transactions.get(msg.tx)?.tx;
      if (!on) {
        throw new Error('Transaction is closed');
      }
      return (await on.query(msg.sql, msg.params)).rows;
    }
    case 'exec': {
      const on = msg.tx === undefined ? pg : transactions.get(msg.tx)?.tx;
      if (!on) {
        throw new Error('Transaction is closed');
      }
      await on.exec(msg.sql);
      return undefined;
    }
    case 'begin':
      return new Promise((opened, failed) => {
        const id = nextTx++;
        const entry = { tx: null, verdict: null, done: null };
        const decided = new Promise((resolve) => (entry.verdict = resolve));
        transactions.set(id, entry);
        let isOpen = false;
        entry.done = pg
          .transaction(async (tx) => {
            entry.tx = tx;
            isOpen = true;
            opened(id);
            if (!(await decided)) {
              throw rollback;
            }
          })
          .then(
            () => undefined,
            (e) => {
              if (e !== rollback) {
                throw e;
              }
            },
          )
          .finally(() => {
            entry.tx = null;
            transactions.delete(id);
          });
        // A transaction that never opened (BEGIN failed) reports here; one that did, when the main thread ends it.
        entry.done.catch((e) => {
          if (!isOpen) {
            failed(e);
          }
        });
      });
    case 'end': {
      const entry = transactions.get(msg.tx);
      if (!entry) {
        throw new Error('Transaction is closed');
      }
      entry.verdict(msg.commit);
      await entry.done;
      return undefined;
    }
    case 'close':
      await pg.close();
      return undefined;
    default:
      throw new Error(`unknown operation ${msg.op}`);
  }
}

try {
  pg = workerData.dataDir ? new PGlite(workerData.dataDir) : new PGlite();
  await pg.waitReady;
} catch (e) {
  parentPort.postMessage({ startError: portable(e) });
  process.exit(1);
}

parentPort.on('message', (msg) => {
  handle(msg).then(
    (result) => parentPort.postMessage({ id: msg.id, result }),
    (e) => parentPort.postMessage({ id: msg.id, error: portable(e) }),
  );
});
parentPort.postMessage({ ready: true });
