/**
 * Sign-in sheet benchmarks: PDF generation for 10 and 1,000 attendees against CSV generation of the same roster (the
 * baseline), and the longest the event loop waits while a 1,000-attendee PDF is made. (Opening a meeting no longer
 * records a participant, so that cost is gone from here.)
 * Run: npm run bench -- signin
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

import { resolvePdfFonts } from '../../src/server/pdf-font';
import { renderSignInSheetCsv } from '../../src/server/sign-in-sheet-csv';
import type { SignInSheet } from '../../src/server/sign-in-sheet-model';
import { renderSignInSheetPdf } from '../../src/server/sign-in-sheet-pdf';
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
