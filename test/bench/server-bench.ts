/**
 * Server benchmarks: acknowledgements per second with p50/p99 latency (autocannon, 64 connections, distinct users)
 * against PGlite and PostgreSQL, each beside a baseline of GET /healthz on the same server in the same run; and the
 * fan-out latency from an acknowledgement to the chair's SSE event with 1,000 attendees.
 * Run: npm run bench -- server
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import autocannon from 'autocannon';

import { loadAuditKey } from '../../src/server/audit-key';
import { sealPending } from '../../src/server/store/audit';
import { AUDIENCE, type FakeEntra, startFakeEntra, TENANT } from '../fakes/entra';
import { freePort } from '../support/net';
import { startPostgres } from '../support/postgres';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
const agent = new Agent({ rejectUnauthorized: false, keepAlive: true, maxSockets: 256 });

function send(url: string, method: string, token: string, body?: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      url,
      {
        agent,
        method,
        headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json' } : {}) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function run(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/** The server under test runs in its own process, as deployed, so the load generator does not share its event loop. */
async function start(entra: FakeEntra, databaseUrl?: string): Promise<Server> {
  const port = await freePort();
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'sg-bench-')),
    AUTH_JWKS_URL: entra.jwksUrl,
    AUTH_ISSUER: entra.issuer,
    AUTH_AUDIENCE: AUDIENCE,
    AUTH_TENANT_IDS: TENANT,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
  // SG_BENCH_NODE_ARGS adds flags to the server's node (e.g. --cpu-prof --cpu-prof-dir=/tmp/prof to profile it).
  const nodeArgs = (process.env.SG_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', path.join(__dirname, '..', '..', 'src', 'server', 'main.ts')],
    { env, stdio: 'ignore' },
  );
  const url = `https://127.0.0.1:${port}`;
  // Up to two minutes: on a loaded machine PGlite, the fonts and the migrations take a minute to come up.
  for (let i = 0; i < 1200; i++) {
    try {
      if ((await send(`${url}/healthz`, 'GET', '')) === 200) {
        return {
          url,
          cpuMs: () => processCpuMs(child.pid),
          // Waits for the exit, so a profile the server writes on its way out is complete.
          close: () =>
            new Promise<void>((resolve) => {
              child.once('exit', () => resolve());
              child.kill('SIGTERM');
            }),
        };
      }
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('server did not start');
}

interface Server {
  readonly url: string;
  /** CPU time the server process has used (user + system), in ms; NaN where /proc cannot tell. */
  cpuMs(): number;
  close(): Promise<void>;
}

/**
 * A process's CPU time from /proc (Linux; 10 ms ticks). On a machine shared with other work, requests per second move
 * with the neighbours' load; the server's CPU time per request does not, so it is printed beside each rate.
 */
function processCpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /s, '')
      .split(' ');
    // After the command name: state is field 3, utime 14 and stime 15 (1-based, man 5 proc).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

/** Runs `fn` and reports the server CPU it cost per request answered. */
async function measured(server: Server, fn: () => Promise<autocannon.Result>) {
  const before = server.cpuMs();
  const result = await fn();
  const total = result.requests.total;
  return { result, cpuUsPerRequest: ((server.cpuMs() - before) * 1000) / total };
}

async function ackRun(server: Server, meeting: string, tokens: string[], extra: Partial<autocannon.Options>) {
  let i = 0;
  return run({
    url: `${server.url}/api/meetings/${meeting}/acknowledgements`,
    connections: 64,
    duration: 5,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          headers: { ...req.headers, authorization: `Bearer ${tokens[i++ % tokens.length]}` },
        }),
      },
    ],
    ...extra,
  });
}

/**
 * Two views of the same server. Saturation (64 connections, as fast as it answers) gives the most acknowledgements
 * per second; there, latency is only queueing (connections ÷ throughput), so it says nothing about the p99 target.
 * The p99 target is measured where it means something: at the target rate, 2,000 acknowledgements a second offered,
 * each by a user who has not acknowledged yet (a fresh meeting per run).
 */
async function ackThroughput(
  label: string,
  server: Server,
  tokens: string[],
  chair: string,
  saturatedOnly = false,
): Promise<void> {
  for (const m of ['bench', 'bench-rate']) {
    await send(`${server.url}/api/meetings/${m}`, 'PUT', chair, { title: m, level: '密', reminder: 'r' });
  }
  const { result: base, cpuUsPerRequest: baseCpu } = await measured(server, () =>
    run({ url: `${server.url}/healthz`, connections: 64, duration: 3 }),
  );
  const { result: acks, cpuUsPerRequest: ackCpu } = await measured(server, () => ackRun(server, 'bench', tokens, {}));
  console.log(
    `  ${label.padEnd(10)} acknowledgements, saturated: ${acks.requests.average.toFixed(0)}/s (p50 ${acks.latency.p50} ms, p99 ${acks.latency.p99} ms; ` +
      `${acks['2xx']} 2xx, ${acks.non2xx} non-2xx, ${acks.errors} errors) vs GET /healthz ${base.requests.average.toFixed(0)}/s → ratio ` +
      `${(acks.requests.average / base.requests.average).toFixed(2)}; server CPU ${ackCpu.toFixed(0)} µs per acknowledgement ` +
      `vs ${baseCpu.toFixed(0)} µs per GET /healthz → ratio ${(baseCpu / ackCpu).toFixed(2)}`,
  );
  const seal = sealCpuUs();
  console.log(
    `  ${label.padEnd(10)} audit row signature (Ed25519 + HMAC, what each acknowledgement's pending audit row now costs): ` +
      `${seal.toFixed(1)} µs CPU → ratio ${(seal / baseCpu).toFixed(2)} of a GET /healthz, ${(seal / ackCpu).toFixed(2)} of an acknowledgement`,
  );
  if (saturatedOnly) {
    return;
  }
  await settle();
  const offered = 2000;
  const paced = await ackRun(server, 'bench-rate', tokens, { overallRate: offered });
  console.log(
    `  ${label.padEnd(10)} acknowledgements at ${offered}/s offered: ${paced.requests.average.toFixed(0)}/s served, p50 ${paced.latency.p50} ms, ` +
      `p99 ${paced.latency.p99} ms (${paced['2xx']} 2xx, ${paced.non2xx} non-2xx, ${paced.errors} errors)`,
  );
}

/** CPU µs to sign one pending acknowledgement row as the server does (median of 5 runs of 2,000). */
function sealCpuUs(): number {
  const key = loadAuditKey({ file: null, dataDir: mkdtempSync(path.join(tmpdir(), 'sg-bench-key-')) });
  const samples: number[] = [];
  for (let run = 0; run < 5; run++) {
    const t0 = process.cpuUsage();
    for (let i = 0; i < 2000; i++) {
      sealPending(key, {
        id: String(1_000_000 + i),
        at: new Date().toISOString(),
        tenantId: TENANT,
        actorOid: `user-${i}`,
        kind: 'acknowledgement',
        data: { meetingId: 'bench', client: null, level: '密', reminderSha256: 'a'.repeat(64) },
      });
    }
    const d = process.cpuUsage(t0);
    samples.push((d.user + d.system) / 2000);
  }
  samples.sort((a, b) => a - b);
  return samples[2] as number;
}

/** Lets the servers chain the audit backlog of the throughput run, so each figure measures its own scenario. */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 5000));

async function fanOut(
  label: string,
  chairServer: Server,
  ackServer: Server,
  chair: string,
  attendees: string[],
): Promise<void> {
  await send(`${chairServer.url}/api/meetings/fanout`, 'PUT', chair, { title: 'fanout', level: '密', reminder: 'r' });
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  await new Promise<void>((resolve, reject) => {
    const req = request(
      `${chairServer.url}/api/meetings/fanout/events`,
      { agent, headers: { authorization: `Bearer ${chair}` } },
      (res) => {
        let buf = '';
        res.on('data', (c: Buffer) => {
          buf += c.toString();
          if (buf.includes(': connected')) {
            resolve();
          }
          let m: RegExpExecArray | null;
          const re = /data: (.*)\n/g;
          while ((m = re.exec(buf)) !== null) {
            const oid = (JSON.parse(m[1] as string) as { oid: string }).oid;
            const t = sentAt.get(oid);
            if (t !== undefined) {
              latencies.push(performance.now() - t);
            }
            if (latencies.length === attendees.length) {
              req.destroy();
              done();
            }
          }
          buf = buf.slice(buf.lastIndexOf('\n\n') + 2);
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
  let next = 0;
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (next < attendees.length) {
        const k = next++;
        sentAt.set(`fan-${k}`, performance.now());
        await send(`${ackServer.url}/api/meetings/fanout/acknowledgements`, 'POST', attendees[k] as string, {});
      }
    }),
  );
  await Promise.race([finished, new Promise((r) => setTimeout(r, 30000))]);
  latencies.sort((a, b) => a - b);
  const pct = (p: number): string =>
    (latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? NaN).toFixed(1);
  console.log(
    `  ${label.padEnd(10)} fan-out to the chair, ${latencies.length}/${attendees.length} events: p50 ${pct(0.5)} ms, p95 ${pct(0.95)} ms, p99 ${pct(0.99)} ms`,
  );
}

/** One GET /healthz on a fresh TLS connection (handshake included, as a client arriving during a storm makes it). */
function freshRequestMs(url: string): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = request(`${url}/healthz`, { agent: false, rejectUnauthorized: false, timeout: 60_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200 ? performance.now() - t0 : NaN));
    });
    req.on('error', () => resolve(NaN));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** Sequential fresh-connection requests for `ms`, one every 200 ms: their latencies (NaN: failed). */
async function probe(url: string, ms: number): Promise<number[]> {
  const out: number[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    out.push(await freshRequestMs(url));
    await new Promise((r) => setTimeout(r, 200));
  }
  return out;
}

/**
 * A slow-headers storm in its own process (storm-child.ts), so its thousands of client sockets do not share the
 * event loop of the legitimate requests being timed.
 */
function slowHeadersStorm(port: number, sockets: number, addresses: readonly string[]) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'storm-child.ts'), String(port), String(sockets), addresses.join(',')],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  return {
    stop: (): Promise<number> =>
      new Promise((resolve) => {
        child.once('exit', () => resolve(Number(/opened (\d+)/.exec(out)?.[1] ?? NaN)));
        child.kill('SIGTERM');
      }),
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/**
 * Latency of a legitimate request (GET /healthz on a fresh TLS connection) during a 5,000-socket slow-headers storm,
 * as a ratio to the same request with no storm. From one address (one attacking machine), and spread over 50
 * addresses of 100 sockets each (below the per-address bound, which then does not help; the total bound does not
 * either at 5,000).
 */
export async function stormBench(): Promise<void> {
  const entra = await startFakeEntra();
  try {
    console.log(
      '\nserver under a slow-headers storm (5,000 TLS sockets; a legitimate GET /healthz on a fresh TLS connection every 200 ms)',
    );
    for (const [label, addresses] of [
      ['one address', ['127.0.0.2']],
      ['50 addresses', Array.from({ length: 50 }, (_, i) => `127.0.1.${i + 1}`)],
    ] as const) {
      const server = await start(entra);
      const base = await probe(server.url, 3000);
      const storm = slowHeadersStorm(Number(new URL(server.url).port), 5000, addresses);
      const during = await probe(server.url, 20_000);
      const opened = await storm.stop();
      const ok = during.filter((x) => !Number.isNaN(x));
      const b = median(base);
      console.log(
        `  ${label.padEnd(13)} no storm: median ${b.toFixed(1)} ms; storm: median ${median(ok).toFixed(1)} ms, ` +
          `max ${Math.max(...ok).toFixed(1)} ms, ${during.length - ok.length}/${during.length} failed, ` +
          `${opened} storm sockets opened → ratio median ${(median(ok) / b).toFixed(1)}, max ${(Math.max(...ok) / b).toFixed(1)}`,
      );
      await server.close();
    }
  } finally {
    await entra.close();
  }
}

/**
 * `saturatedOnly` (`npm run bench -- server-ack [runs]`): only PGlite's saturated acknowledgement rate beside its
 * baseline, `runs` times on fresh servers; a minute's bench becomes a quarter of one, for comparing one change.
 */
export async function serverBench(options: { saturatedOnly?: boolean; runs?: number } = {}): Promise<void> {
  const entra = await startFakeEntra();
  if (options.saturatedOnly) {
    try {
      console.log('\nserver, PGlite saturated acknowledgements only (HTTPS, 64 connections, distinct users)');
      const chair = await entra.token({ oid: 'chair' });
      const tokens = await Promise.all(Array.from({ length: 20000 }, (_, k) => entra.token({ oid: `user-${k}` })));
      for (let r = 0; r < (options.runs ?? 1); r++) {
        const lite = await start(entra);
        await ackThroughput('PGlite', lite, tokens, chair, true);
        await lite.close();
      }
    } finally {
      await entra.close();
      agent.destroy();
    }
    return;
  }
  const pg = await startPostgres();
  try {
    console.log(
      '\nserver (HTTPS, 64 connections, distinct users; ratio = acknowledgements/s ÷ GET /healthz/s on the same server)',
    );
    const chair = await entra.token({ oid: 'chair' });
    const tokens = await Promise.all(Array.from({ length: 20000 }, (_, k) => entra.token({ oid: `user-${k}` })));
    const attendees = await Promise.all(Array.from({ length: 1000 }, (_, k) => entra.token({ oid: `fan-${k}` })));
    const lite = await start(entra);
    await ackThroughput('PGlite', lite, tokens, chair);
    await settle();
    await fanOut('PGlite', lite, lite, chair, attendees);
    await lite.close();
    const a = await start(entra, pg.url);
    const b = await start(entra, pg.url);
    await ackThroughput('PostgreSQL', a, tokens, chair);
    await settle();
    await fanOut('PostgreSQL', a, b, chair, attendees);
    console.log(
      '  (PostgreSQL fan-out: the chair on one instance, acknowledgements through another, via LISTEN/NOTIFY)',
    );
    await a.close();
    await b.close();
  } finally {
    pg.stop();
    await entra.close();
  }
  try {
    await stormBench();
  } finally {
    agent.destroy();
  }
}
