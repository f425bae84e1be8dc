/**
 * The threads embedded PGlite runs on (src/server/store/pglite-thread.mjs), caught as they start, so a test can end
 * one under a running store as a crash or an out-of-memory would. Nothing in the server hands its thread out.
 */
import type * as WorkerThreads from 'node:worker_threads';
import type { Worker, WorkerOptions } from 'node:worker_threads';

export function catchPgliteThreads(): { readonly threads: Worker[]; restore(): void } {
  // The module object itself, which db.ts reads `Worker` from at each use (an `import * as` would be a copy of it).
  const workerThreads = jest.requireActual<typeof WorkerThreads>('node:worker_threads');
  const threads: Worker[] = [];
  const RealWorker = workerThreads.Worker;
  const spy = jest
    .spyOn(workerThreads, 'Worker')
    .mockImplementation((filename: string | URL, options?: WorkerOptions) => {
      const worker = new RealWorker(filename, options);
      if (String(filename).endsWith('pglite-thread.mjs')) {
        threads.push(worker);
      }
      return worker;
    });
  return { threads, restore: () => spy.mockRestore() };
}
