/**
 * Run by onsend-bench.ts, one sample per process, so nothing this process compiled before can serve the script: no
 * V8 compilation cache (a fresh isolate) and no code cache (the script is compiled from its source, no cachedData).
 * Arguments: `script <file> <prelude file>` compiles and runs the on-send script in a new context made ES2016 by the
 * prelude, as the JS-only runtime loads it; `json <file>` parses a JSON document of the same length, the baseline.
 * Prints {compileMs, runMs, cpuMs}: wall time of compiling and of running (JSON.parse: all of it is compileMs), and
 * the process's CPU time for both together, which a loaded machine's waiting for a core does not inflate.
 */
import { readFileSync } from 'node:fs';
import * as vm from 'node:vm';

const [kind, file, preludeFile] = process.argv.slice(2) as [string, string, string | undefined];
const source = readFileSync(file, 'utf8');
const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;
const cpuMs = (c0: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(c0);
  return (d.user + d.system) / 1000;
};
if (kind === 'json') {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  JSON.parse(source);
  process.stdout.write(JSON.stringify({ compileMs: ms(t0), runMs: 0, cpuMs: cpuMs(c0) }));
} else {
  const context = vm.createContext({ Office: { actions: { associate: () => undefined } } });
  vm.runInContext(readFileSync(preludeFile as string, 'utf8'), context);
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const script = new vm.Script(source, { filename: 'launchevent.js' });
  const compileMs = ms(t0);
  const t1 = process.hrtime.bigint();
  script.runInContext(context);
  const runMs = ms(t1);
  process.stdout.write(JSON.stringify({ compileMs, runMs, cpuMs: cpuMs(c0) }));
}
