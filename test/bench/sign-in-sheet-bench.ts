/**
 * Sign-in sheet benchmarks: PDF generation for 10 and 1,000 attendees against CSV generation of the same roster (the
 * baseline), the longest the event loop waits while a 1,000-attendee PDF is made; and, against the real server on
 * PGlite with a 10,000-acknowledgement meeting, the longest /healthz answer while the roster, the PDF and the CSV are
 * made (against an idle /healthz), idle RSS and peak RSS. (Opening a meeting no longer records a participant, so that
 * cost is gone from here.)
 * Run: npm run bench -- signin
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { promisify } from 'node:util';

import { resolvePdfFonts } from '../../src/server/pdf-font';
import { renderSignInSheetCsv } from '../../src/server/sign-in-sheet-csv';
import type { SignInSheet } from '../../src/server/sign-in-sheet-model';
import { renderSignInSheetPdf } from '../../src/server/sign-in-sheet-pdf';
import { AUDIENCE, startFakeEntra, TENANT } from '../fakes/entra';
import { freePort } from '../support/net';
import { medianMs } from './extract-bench';

const SURNAMES = [...'王李張劉陳楊黃趙吳周徐孫馬朱胡郭何高林羅'];
const GIVEN = [...'志明怡君淑芬建宏家豪雅婷俊傑美玲冠宇宗翰佩珊承恩'];

function sheet(attendees: number): SignInSheet {
  const at = Date.UTC(2025, 2, 5, 6, 0, 0);
  return {
    meeting: {
      id: 'bench',
      title: '○○經營地區劃分及調整工作會議',
      level: '機密',
      reminder: '會議資料及內容不得任意發表或提供外界。',
      reminderSha256: 'cd'.repeat(32),
      spokesperson: '李發言人',
      configuredAt: new Date(at),
      startsAt: new Date(at),
      endsAt: new Date(at + 2 * 3600_000),
      place: '本部第一會議室',
    },
    chair: { name: '王主席', upn: 'chair@example.gov.tw' },
    acknowledged: Array.from({ length: attendees }, (_, i) => ({
      oid: `oid-${i}`,
      name: `${SURNAMES[i % 20]}${GIVEN[Math.floor(i / 20) % 25]}${GIVEN[Math.floor(i / 500) % 25]}`,
      upn: `user${i}@example.gov.tw`,
      acknowledgedAt: new Date(at + i * 1000),
      level: '機密',
      reminderSha256: 'cd'.repeat(32),
      current: true,
      invited: true,
    })),
    acknowledgedTotal: attendees,
    acknowledgedSpan: attendees > 0 ? { first: new Date(at), last: new Date(at + (attendees - 1) * 1000) } : null,
    earlierVersionTotal: 0,
    uninvitedTotal: 0,
    unacknowledged: Array.from({ length: Math.ceil(attendees / 20) }, (_, i) => ({
      oid: `absent-${i}`,
      name: `${SURNAMES[(i + 7) % 20]}${GIVEN[(i + 3) % 25]}${GIVEN[(i + 11) % 25]}`,
      upn: `absent${i}@example.gov.tw`,
    })),
    unacknowledgedTotal: Math.ceil(attendees / 20),
    inviteeTotal: attendees + Math.ceil(attendees / 20),
    inviteeSource: 'graph',
    inviteesTruncated: false,
    generatedAt: new Date(at + 7200_000),
    audit: { hash: 'ab'.repeat(32), seq: 4242, rowsSha256: 'ef'.repeat(32) },
  };
}

export async function signInSheetBench(): Promise<void> {
  console.log('\nsign-in sheet (ratio = PDF ÷ CSV of the same roster, both made in this process)');
  const t0 = process.hrtime.bigint();
  const fonts = resolvePdfFonts(null);
  const resolveMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (fonts.status !== 'found') {
    console.log('  no CJK font found: install fonts-cns11643-sung (scripts/setup.sh) to measure the PDF');
    return;
  }
  console.log(
    `  font found and parsed at start-up: ${fonts.fonts.primary.postscriptName} in ${resolveMs.toFixed(0)} ms (once per process)`,
  );
  for (const n of [10, 1000]) {
    const s = sheet(n);
    const cold = process.hrtime.bigint();
    const pdf = await renderSignInSheetPdf(s, fonts.fonts);
    const coldMs = Number(process.hrtime.bigint() - cold) / 1e6;
    const runs = n > 100 ? 5 : 15;
    const pdfMs = await medianMs(() => renderSignInSheetPdf(s, fonts.fonts), runs);
    renderSignInSheetCsv(s);
    const csvMs = await medianMs(() => renderSignInSheetCsv(s), runs * 5);
    const csv = renderSignInSheetCsv(s);
    console.log(
      `  ${String(n).padStart(5)} attendees: PDF ${pdfMs.toFixed(1)} ms (first ${coldMs.toFixed(0)} ms), ${(pdf.length / 1024).toFixed(0)} KB; ` +
        `CSV ${csvMs.toFixed(2)} ms, ${(csv.length / 1024).toFixed(0)} KB → ratio ${(pdfMs / csvMs).toFixed(0)}×`,
    );
  }
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  await renderSignInSheetPdf(sheet(1000), fonts.fonts);
  delay.disable();
  console.log(
    `  event loop while a 1,000-attendee PDF is made: longest wait ${(delay.max / 1e6).toFixed(0)} ms ` +
      `(the layout yields every 100 rows; pdf-lib's save yields between objects)`,
  );
}

const agent = new Agent({ rejectUnauthorized: false, keepAlive: true, maxSockets: 64 });

/** One GET: status, body size and milliseconds. */
function get(url: string, token?: string): Promise<{ status: number; bytes: number; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = request(url, { agent, headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, ms: performance.now() - t0 }));
    });
    // A request cut off counts as status 0, so one failure is reported and the run goes on.
    req.on('error', () => resolve({ status: 0, bytes: 0, ms: performance.now() - t0 }));
    req.end();
  });
}

/** VmRSS and VmHWM (peak) of a process, in MB; writing 5 to clear_refs resets the peak (Linux). */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}
const resetPeak = (pid: number): void => writeFileSync(`/proc/${pid}/clear_refs`, '5');

/** Asks /healthz one after another until `work` settles: the longest answer is how long the event loop was held. */
async function healthzDuring<T>(base: string, work: Promise<T>): Promise<{ result: T; longest: number; n: number }> {
  let done = false;
  const settled = work.finally(() => (done = true));
  let longest = 0;
  let n = 0;
  while (!done) {
    longest = Math.max(longest, (await get(`${base}/healthz`)).ms);
    n++;
  }
  return { result: await settled, longest, n };
}

/** The server as deployed (main.ts under tsx, PGlite in DATA_DIR) with one meeting of `rows` acknowledgements. */
export async function signInSheetServerBench(rows = 10_000): Promise<void> {
  console.log(
    `\nsign-in sheet on the running server (PGlite, one meeting of ${rows.toLocaleString('en')} acknowledgements)`,
  );
  const entra = await startFakeEntra();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sg-sheet-bench-'));
  const chairOid = 'bench-chair';
  const meeting = 'bench-meeting';
  const tsx = ['--import', 'tsx'];
  await promisify(execFile)(process.execPath, [
    ...tsx,
    path.join(__dirname, 'sheet-seed.ts'),
    path.join(dataDir, 'pglite'),
    TENANT,
    chairOid,
    meeting,
    String(rows),
  ]);
  const port = await freePort();
  // SG_BENCH_NODE_ARGS adds flags to the server's node (e.g. --cpu-prof --cpu-prof-dir=/tmp/prof to profile it).
  const nodeArgs = (process.env.SG_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(
    process.execPath,
    [...nodeArgs, ...tsx, path.join(__dirname, '..', '..', 'src', 'server', 'main.ts')],
    {
      env: {
        ...(process.env as Record<string, string>),
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        AUTH_JWKS_URL: entra.jwksUrl,
        AUTH_ISSUER: entra.issuer,
        AUTH_AUDIENCE: AUDIENCE,
        AUTH_TENANT_IDS: TENANT,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  // The server's last words, shown if it dies mid-run.
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-4000)));
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM') {
      console.log(`  the server exited (${code ?? signal}):\n${stderr}`);
    }
  });
  const pid = child.pid as number;
  const base = `https://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await get(`${base}/healthz`)).status === 200) {
          break;
        }
      } catch (e) {
        if (i > 600) {
          throw e;
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const chair = await entra.token({ oid: chairOid });
    const sheet = `${base}/api/meetings/${meeting}`;
    await new Promise((r) => setTimeout(r, 2000));
    const idle: number[] = [];
    for (let i = 0; i < 200; i++) {
      idle.push((await get(`${base}/healthz`)).ms);
    }
    idle.sort((a, b) => a - b);
    const idleMedian = idle[100] as number;
    const idleMax = idle[199] as number;
    console.log(
      `  idle: RSS ${memory(pid).rss.toFixed(0)} MB; /healthz median ${idleMedian.toFixed(2)} ms, longest of 200 ${idleMax.toFixed(1)} ms`,
    );
    const during = async (what: string, url: string): Promise<void> => {
      resetPeak(pid);
      const before = memory(pid).rss;
      const { result, longest, n } = await healthzDuring(base, get(url, chair));
      console.log(
        `  ${what.padEnd(20)} ${result.status} ${(result.bytes / 1024).toFixed(0).padStart(6)} KB in ${result.ms.toFixed(0).padStart(5)} ms; ` +
          `longest /healthz meanwhile ${longest.toFixed(1)} ms (${n} asked) = ${(longest / idleMedian).toFixed(0)}× idle median; ` +
          `RSS ${before.toFixed(0)} → peak ${memory(pid).peak.toFixed(0)} MB`,
      );
    };
    await during('roster', `${sheet}/acknowledgements`);
    await during('CSV', `${sheet}/sign-in-sheet.csv`);
    await during('PDF (first)', `${sheet}/sign-in-sheet.pdf`);
    await during('PDF', `${sheet}/sign-in-sheet.pdf`);
    resetPeak(pid);
    const four = await healthzDuring(
      base,
      Promise.all(Array.from({ length: 4 }, () => get(`${sheet}/sign-in-sheet.pdf`, chair))),
    );
    console.log(
      `  4 PDFs at once:      statuses ${four.result.map((r) => r.status).join(' ')}, last done in ${Math.max(...four.result.map((r) => r.ms)).toFixed(0)} ms; ` +
        `longest /healthz ${four.longest.toFixed(1)} ms; peak RSS ${memory(pid).peak.toFixed(0)} MB; after: RSS ${memory(pid).rss.toFixed(0)} MB`,
    );
    // Idle PDF threads are ended after 30 s, and their memory with them.
    await new Promise((r) => setTimeout(r, 35_000));
    console.log(`  35 s later:          RSS ${memory(pid).rss.toFixed(0)} MB`);
  } finally {
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
    await entra.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
