import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';

import { SEND_SLICE_BYTES } from '../../src/server/http';
import { choosePdfFonts, type PdfFontChoice } from '../../src/server/pdf-font';
import { PAGE_ROWS } from '../../src/server/sign-in-sheet';
import { renderSignInSheetCsv } from '../../src/server/sign-in-sheet-csv';
import { MAX_SHEET_ROWS, type SignInSheet, taipeiDate } from '../../src/server/sign-in-sheet-model';
import { HANDOVER_ROWS } from '../../src/server/sign-in-sheet-pdf-worker';
import { verifyAuditChain } from '../../src/server/store/audit';
import { createApiClient, DEFAULT_REMINDER, type InviteeList } from '../../src/shared/api';
import { type FakeEntra, FOREIGN_TENANT, startFakeEntra, TENANT } from '../fakes/entra';
import { type FakeGraph, startFakeGraph } from '../fakes/graph';
import { CHAIR, graphOptions, meetingSettings, teamsMeetingId, useMeetingTest } from '../support/meeting-app';
import { STORES } from '../support/stores';

const run = promisify(execFile);
const THREAD = '19:meeting_ZmY1YjQ2ZDMtNDQ2Yy00ZjVkLWIwN2MtOGQ1MzE0ZmM0NmY1@thread.v2';
const MEETING = teamsMeetingId(THREAD);
const url = `/api/meetings/${encodeURIComponent(MEETING)}`;
const oid = (n: number): string => `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`;

/** Attendees who acknowledge: common names, one with a CNS Ext-B character (𠀋), one with a character no font has. */
const ATTENDEES = [
  { oid: oid(1), name: '陳志明', upn: 'chen.cm@example.gov.tw' },
  { oid: oid(2), name: '林怡君', upn: 'lin.yc@example.gov.tw' },
  { oid: oid(3), name: '黃𠀋華', upn: 'huang@example.gov.tw' },
  { oid: oid(4), name: '張淑芬', upn: 'chang.sf@example.gov.tw' },
  { oid: oid(5), name: '吳建宏😀', upn: 'wu.ch@example.gov.tw' },
];
/** Invited (members of the meeting chat) but never acknowledging. */
const ABSENT = [
  { oid: oid(6), name: '趙雅婷', upn: 'chao.yt@example.gov.tw' },
  { oid: oid(7), name: '周俊傑', upn: 'chou.cc@partner.example.com' },
];

let entra: FakeEntra;
let graph: FakeGraph;
let fonts: PdfFontChoice;
let work: string;
beforeAll(async () => {
  entra = await startFakeEntra();
  graph = await startFakeGraph(entra);
  fonts = choosePdfFonts(null);
  work = mkdtempSync(path.join(tmpdir(), 'sg-sheet-'));
});
afterAll(async () => {
  await graph.close();
  await entra.close();
  rmSync(work, { recursive: true, force: true });
});

async function pdfText(pdf: Buffer, options: readonly string[] = []): Promise<{ text: string; pages: number }> {
  const file = path.join(work, `${Math.random().toString(36).slice(2)}.pdf`);
  writeFileSync(file, pdf);
  const { stdout: text } = await run('pdftotext', [...options, '-enc', 'UTF-8', file, '-'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const { stdout: info } = await run('pdfinfo', [file]);
  return { text, pages: Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]) };
}

/** RFC 4180: quoted fields with doubled quotes, commas and line breaks inside quotes, CRLF between records. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
    } else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else {
      if (c === '\n' || c === '\r' || c === '"') {
        throw new Error(`bare ${JSON.stringify(c)} outside quotes at ${i}`);
      }
      field += c;
    }
  }
  if (field !== '' || record.length > 0) {
    throw new Error('the last record does not end with CRLF');
  }
  return records;
}

/** What a spreadsheet runs as a formula, as the guard must see it: ASCII, full-width and small forms, or a control first. */
const FORMULA_PREFIXES = ['=', '+', '-', '@', '\t', '\r', '\n', '＝', '＋', '－', '＠', '﹦', '﹢', '﹣', '﹫'];
const STARTS_A_FORMULA = /^[=+\-@\t\r\n＝＋－＠﹦﹢﹣﹫]/;

describe('CSV formula guard', () => {
  it.each(FORMULA_PREFIXES.map((p) => [JSON.stringify(p), p]))(
    'every field starting with %s comes out defused, and every one-line field cleaned',
    (_label, prefix) => {
      const v = (field: string): string => `${prefix}HYPERLINK("http://evil.example","${field}")\u202e\u200b`;
      const at = new Date(Date.UTC(2025, 2, 5, 6));
      const sheet: SignInSheet = {
        meeting: {
          id: 'm',
          title: v('title'),
          level: '機密',
          reminder: v('reminder'),
          reminderSha256: 'cd'.repeat(32),
          spokesperson: v('spokesperson'),
          configuredAt: at,
          startsAt: at,
          endsAt: new Date(at.getTime() + 3600_000),
          place: v('place'),
        },
        chair: { name: v('chair'), upn: v('chair-upn') },
        acknowledged: [
          {
            oid: 'o1',
            name: v('name'),
            upn: v('upn'),
            acknowledgedAt: at,
            level: '機密',
            reminderSha256: 'cd'.repeat(32),
            current: true,
            invited: false,
          },
        ],
        acknowledgedTotal: 1,
        acknowledgedSpan: { first: at, last: at },
        earlierVersionTotal: 0,
        uninvitedTotal: 1,
        unacknowledged: [{ oid: 'o2', name: v('invitee'), upn: v('invitee-upn') }],
        unacknowledgedTotal: 1,
        inviteeTotal: 1,
        inviteeSource: 'graph',
        inviteesTruncated: false,
        generatedAt: at,
        audit: { hash: 'ab'.repeat(32), seq: 1, rowsSha256: 'ef'.repeat(32) },
      };
      const records = parseCsv(renderSignInSheetCsv(sheet).subarray(3).toString('utf8'));
      const cells = records.flat();
      // Every field's text is there, each in a cell the guard has seen.
      for (const field of [
        'title',
        'reminder',
        'spokesperson',
        'place',
        'chair',
        'chair-upn',
        'name',
        'upn',
        'invitee',
      ]) {
        const found = cells.filter((c) => c.includes(`"${field}")`));
        expect(found.length).toBeGreaterThan(0);
        for (const c of found) {
          expect(STARTS_A_FORMULA.test(c)).toBe(false);
          expect(c.includes('HYPERLINK')).toBe(true);
        }
      }
      for (const c of cells) {
        expect(STARTS_A_FORMULA.test(c)).toBe(false);
      }
      // One-line fields are cleaned: no bidi override, no zero-width, no control; only the chair's reminder keeps
      // its own line breaks.
      for (const c of cells.filter((x) => !x.includes('"reminder")'))) {
        expect(c).not.toMatch(/[\u202e\u200b\p{Cc}]/u);
      }
    },
  );
});

describe.each(STORES)('sign-in sheet on %s', (kind) => {
  const t = useMeetingTest(kind, () => ({
    entra,
    graph,
    thread: THREAD,
    members: [
      { userId: CHAIR, displayName: '王主席', email: 'chair@example.gov.tw' },
      ...[...ATTENDEES, ...ABSENT].map((a) => ({ userId: a.oid, displayName: a.name, email: a.upn })),
    ],
    meetingUrl: url,
    defaults: { pdfFonts: fonts },
  }));

  const acknowledgeAll = async (): Promise<void> => {
    for (const a of ATTENDEES) {
      const res = await t.call('POST', `${url}/acknowledgements`, await entra.token(a), { client: 'teams-side-panel' });
      expect(res.statusCode).toBe(201);
    }
  };
  const lastEvent = async (): Promise<{ kind: string; hash: string; seq: number; data: Record<string, unknown> }> => {
    const row = (
      await t.db.query<{ kind: string; hash: string; seq: string | number; data: unknown }>(
        'SELECT kind, hash, seq, data FROM audit_events ORDER BY seq DESC LIMIT 1',
      )
    ).rows[0];
    const data = typeof row?.data === 'string' ? JSON.parse(row.data) : row?.data;
    return {
      kind: row?.kind ?? '',
      hash: row?.hash ?? '',
      seq: Number(row?.seq),
      data: data as Record<string, unknown>,
    };
  };

  /** The rows' hash recomputed from the table, independently of the server's code: oid, time, level, reminder hash. */
  const listedRowsFromStore = async (): Promise<string> => {
    const rows = (
      await t.db.query<{
        user_oid: string;
        acknowledged_at: Date | string;
        level: string | null;
        reminder_sha256: string | null;
      }>(
        'SELECT user_oid, acknowledged_at, level, reminder_sha256 FROM acknowledgements WHERE meeting_id = $1 ORDER BY acknowledged_at, user_oid',
        [MEETING],
      )
    ).rows;
    const hash = createHash('sha256');
    for (const r of rows) {
      hash.update(
        [r.user_oid, new Date(r.acknowledged_at).toISOString(), r.level ?? '', r.reminder_sha256 ?? ''].join('\t') +
          '\n',
      );
    }
    return hash.digest('hex');
  };

  it('the chair gets the PDF: the sentence, title, every name, the invitees not yet acknowledged, totals, spokesperson and audit hash', async () => {
    await acknowledgeAll();
    const res = await t.call('GET', `${url}/sign-in-sheet.pdf`, t.chair);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="sign-in-sheet-\d{8}\.pdf"; filename\*=UTF-8''%E7%B0%BD%E5%88%B0%E8%A1%A8-/,
    );
    expect(res.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const { text, pages } = await pdfText(res.rawPayload);
    const flat = text.replace(/\s+/g, '');

    expect(text).toContain(meetingSettings.reminder);
    expect(text).toContain(DEFAULT_REMINDER);
    expect(text).toContain(meetingSettings.title);
    expect(text).toContain('機密');
    expect(text).toContain(meetingSettings.spokesperson);
    for (const a of ATTENDEES.slice(0, 4)) {
      expect(text).toContain(a.name);
      expect(text).toContain(a.upn);
    }
    // A character no installed font has is drawn as 〓, visibly, and the sheet says so.
    expect(text).toContain('吳建宏〓');
    expect(flat).toContain('字型缺字');
    for (const a of ABSENT) {
      expect(text).toContain(a.name);
    }
    expect(flat).toContain('已確認5人／應到8人');
    expect(text).toContain('Acknowledged 5; 8 expected (3 not yet)');
    expect(text).toContain('第 1 頁，共 1 頁');
    expect(pages).toBe(1);

    const event = await lastEvent();
    expect(event.kind).toBe('sign-in-sheet.exported');
    expect(text).toContain(event.hash);
    expect(event.data).toEqual({
      meetingId: MEETING,
      format: 'pdf',
      acknowledged: 5,
      earlierVersion: 0,
      uninvited: 0,
      unacknowledged: 3,
      expected: 8,
      inviteeSource: 'graph',
      rowsSha256: await listedRowsFromStore(),
    });
    // The rows' hash is printed too, so a copy can be checked against the log.
    expect(text).toContain(event.data.rowsSha256 as string);
    // The hash on the sheet covers every acknowledgement it lists: they were chained before the export.
    expect(await verifyAuditChain(t.db)).toEqual({ ok: true, events: event.seq });
    const kinds = (await t.db.query<{ kind: string }>('SELECT kind FROM audit_events ORDER BY seq')).rows.map(
      (r) => r.kind,
    );
    expect(kinds).toEqual([
      'meeting.chair-assigned',
      ...ATTENDEES.map(() => 'acknowledgement'),
      'sign-in-sheet.exported',
    ]);
  });

  it("prints the meeting's date, time and place as the chair gave them, and a signature column for every attendee", async () => {
    const when = {
      startsAt: '2026-12-08T14:00:00+08:00',
      endsAt: '2026-12-08T16:30:00+08:00',
      place: '本部第一會議室',
    };
    expect((await t.call('PUT', url, t.chair, { ...meetingSettings, ...when })).statusCode).toBe(200);
    await acknowledgeAll();

    const pdf = (await t.call('GET', `${url}/sign-in-sheet.pdf`, t.chair)).rawPayload;
    const { text } = await pdfText(pdf);
    const flat = text.replace(/\s+/g, '');
    // The chair's day, not the day the acknowledgements fell on (today), the ROC date and the hours, on one line.
    const dateLine = (await pdfText(pdf, ['-layout'])).text.split('\n').find((l) => l.includes('會議日期'));
    expect(dateLine?.replace(/\s+/g, ' ')).toMatch(
      /Date 2026-12-08（中華民國115年12月8日） ?14:00–16:30 \(Asia\/Taipei\)$/,
    );
    expect(flat).toContain('會議地點Place本部第一會議室');
    // Both tables, the acknowledged and the not yet, have the column: everyone on the sheet signs it.
    expect(flat).toContain(
      '已確認名單Acknowledged序號姓名帳號確認時間備註簽名No.NameAccountAcknowledged(Asia/Taipei)NoteSignature',
    );
    expect(flat).toContain('未確認之受邀者Inviteesnotyetacknowledged序號姓名帳號簽名No.NameAccountSignature');

    const records = parseCsv(
      (await t.call('GET', `${url}/sign-in-sheet.csv`, t.chair)).rawPayload.subarray(3).toString('utf8'),
    );
    const header = new Map(records.slice(0, 24).map((r) => [r[0], r.slice(1)]));
    expect(header.get('會議日期 Date')?.slice(0, 2)).toEqual([
      '2026-12-08（中華民國115年12月8日）',
      '主席所定 / as set by the chair',
    ]);
    expect(header.get('會議時間 Time')?.[0]).toBe('14:00–16:30 (Asia/Taipei)');
    expect(header.get('會議地點 Place')?.[0]).toBe('本部第一會議室');
    const columns = records.find((r) => r[0] === '序號 No.');
    expect(columns?.at(-1)).toBe('簽名 Signature');

    // Without them, the sheet says they were not given rather than printing nothing.
    expect((await t.call('PUT', url, t.chair, meetingSettings)).statusCode).toBe(200);
    const plain = (await pdfText((await t.call('GET', `${url}/sign-in-sheet.pdf`, t.chair)).rawPayload)).text.replace(
      /\s+/g,
      '',
    );
    expect(plain).toContain('依確認時間');
    expect(plain).not.toContain('14:00–16:30');
    expect(plain).toContain('會議地點Place未填/notgiven');
  });

  it('the guidance’s sentence stands on its own and the chair’s longest reminder is printed whole', async () => {
    // 2,000 characters (the most the server takes) that already contain the sentence, at the very end.
    const filler = '與會人員注意事項：'.repeat(40);
    const rule = '會議資料不得攜出。';
    const rules = Math.floor((2000 - filler.length - DEFAULT_REMINDER.length) / rule.length);
    const reminder = `${filler}${rule.repeat(rules)}${DEFAULT_REMINDER}`;
    expect(reminder.length).toBeLessThanOrEqual(2000);
    expect((await t.call('PUT', url, t.chair, { ...meetingSettings, reminder })).statusCode).toBe(200);
    await acknowledgeAll();
    const res = await t.call('GET', `${url}/sign-in-sheet.pdf`, t.chair);
    expect(res.statusCode).toBe(200);
    const { text } = await pdfText(res.rawPayload);
    // The running foot and head of each page stand between two lines of the reminder where a page breaks it.
    const flat = text
      .replace(/\s+/g, '')
      .replace(/稽核雜湊Audithash:[0-9a-f]{64}產製Generated[-\d:()A-Za-z/]+第\d+頁，共\d+頁·Page\d+of\d+/g, '')
      .split(`機密Confidential會議簽到表·${meetingSettings.title}`)
      .join('');
    const count = (s: string): number => flat.split(s).length - 1;
    // The sentence at the top of the notice, and again where the chair's text ends (it runs onto the next page, past
    // the page's footer): nothing is cut off.
    expect(count(DEFAULT_REMINDER)).toBe(2);
    expect(flat.indexOf(DEFAULT_REMINDER)).toBeLessThan(flat.indexOf(filler));
    expect([count('與會人員注意事項：'), count(rule)]).toEqual([40, rules]);
    expect(count('…')).toBe(0);
    // The sentence is printed once when it is all the chair wrote.
    expect((await t.call('PUT', url, t.chair, { ...meetingSettings, reminder: DEFAULT_REMINDER })).statusCode).toBe(
      200,
    );
    const again = (await pdfText((await t.call('GET', `${url}/sign-in-sheet.pdf`, t.chair)).rawPayload)).text;
    expect(again.replace(/\s+/g, '').split(DEFAULT_REMINDER).length - 1).toBe(1);
  });

  it('marks acknowledgements of an earlier level or reminder, on the PDF and in the CSV, until renewed', async () => {
    await acknowledgeAll();
    // The chair raises the level after everyone acknowledged 機密.
    expect((await t.call('PUT', url, t.chair, { ...meetingSettings, level: '絕對機密' })).statusCode).toBe(200);
    const view = (await t.call('GET', url, await entra.token(ATTENDEES[0]))).json() as {
      level: string;
      reminderSha256: string;
    };
    // One attendee, shown the new level, acknowledges again.
    const renewed = await t.call('POST', `${url}/acknowledgements`, await entra.token(ATTENDEES[0]), {
      level: view.level,
      reminderSha256: view.reminderSha256,
    });
    expect(renewed.statusCode).toBe(201);

    const { text } = await pdfText((await t.call('GET', `${url}/sign-in-sheet.pdf`, t.chair)).rawPayload);
    const flat = text.replace(/\s+/g, '');
    expect(flat).toContain('其中4人確認的是先前版本');
    expect(flat.split('先前版本（機密）').length - 1).toBe(4);
    expect(flat).toContain('尚未確認現行內容');
    expect((await lastEvent()).data).toMatchObject({ acknowledged: 5, earlierVersion: 4 });

    const csv = parseCsv((await t.call('GET', `${url}/sign-in-sheet.csv`, t.chair)).rawPayload.subarray(3).toString());
    const start = csv.findIndex((r) => r[0] === '序號 No.');
    const rows = csv.slice(start + 1).filter((r) => r[5] !== '未確認 not yet');
    const oldSha = createHash('sha256').update(meetingSettings.reminder, 'utf8').digest('hex');
    // The renewal is the latest acknowledgement; the others still say what they were given for.
    expect(rows.map((r) => [r[1], r[5], r[6], r[7]])).toEqual([
      ...ATTENDEES.slice(1).map((a) => [a.name, '已確認先前版本 acknowledged an earlier version', '機密', oldSha]),
      [ATTENDEES[0]?.name, '已確認 acknowledged', '絕對機密', view.reminderSha256],
    ]);
    expect(csv.find((r) => r[0] === '提醒 SHA-256 Reminder (SHA-256)')?.[1]).toBe(view.reminderSha256);
    expect(csv.find((r) => r[0] === '其中先前版本 Of which an earlier version')?.[1]).toBe('4');
  });

  it('a sheet of 1,000 attendees runs over many pages, headings repeated, and every name comes back', async () => {
    await t.start({ graph: null });
    const surnames = [...'王李張劉陳楊黃趙吳周徐孫馬朱胡郭何高林羅'];
    const given = [...'志明怡君淑芬建宏家豪雅婷俊傑美玲冠宇宗翰佩珊承恩'];
    const names = Array.from(
      { length: 1000 },
      (_, i) => `${surnames[i % 20]}${given[Math.floor(i / 20) % 25]}${given[Math.floor(i / 500) % 25]}`,
    );
    expect(new Set(names).size).toBe(1000);
    await t.db.query(
      `INSERT INTO acknowledgements (meeting_id, tenant_id, user_oid, display_name, upn, acknowledged_at)
       SELECT $1, $2, 'bulk-' || n, name, 'user' || n || '@example.gov.tw', now() - interval '1 hour' + n * interval '1 second'
         FROM unnest($3::text[]) WITH ORDINALITY AS t(name, n)`,
      [MEETING, TENANT, names],
    );
    const latecomer = { oid: oid(900), name: '蔡依林', upn: 'tsai@example.gov.tw' };
    // Opening the meeting makes nobody an invitee: the chair names the latecomer, who has not acknowledged yet.
    await t.call('GET', url, await entra.token(latecomer));
    const listed = await t.call('PUT', `${url}/invitees`, t.chair, {
      invitees: [{ name: latecomer.name, upn: latecomer.upn, oid: latecomer.oid }],
    });
    expect(listed.statusCode).toBe(200);

    // Not timed here: the 1,000-attendee PDF's time is a figure of `npm run bench -- signin`.
    const res = await t.call('GET', `${url}/sign-in-sheet.pdf`, t.chair);
    expect(res.statusCode).toBe(200);
    const { text, pages } = await pdfText(res.rawPayload);
    const tokens = new Set(text.split(/\s+/));
    expect(names.filter((n) => !tokens.has(n))).toEqual([]);
    expect(tokens.has(latecomer.name)).toBe(true);
    expect(pages).toBeGreaterThan(20);
    expect(text).toContain(`第 ${pages} 頁，共 ${pages} 頁`);
    // Every page after the first that holds acknowledgements starts with the repeated heading.
    expect(text.split('已確認名單（續）').length - 1).toBeGreaterThanOrEqual(pages - 2);
    // Only the chair's list says who was invited: the 1,000 were never listed, the latecomer was.
    expect(text.replace(/\s+/g, '')).toContain('已確認1000人（受邀者0人、非受邀者1000人）／應到1人（未確認1人）');
    console.log(`sign-in sheet PDF, 1,000 attendees on ${kind}: ${pages} pages, ${res.rawPayload.length} bytes`);
  }, 120_000);

  it('the CSV lists every one of 12,000 acknowledgements; the PDF lists its bound and says the full list is in the CSV', async () => {
    const n = 12_000;
    expect(n).toBeGreaterThan(MAX_SHEET_ROWS);
    await t.start({ graph: null });
    // Straight into the store, two to a millisecond (the sheet orders by the microsecond, then by oid).
    await t.db.query(
      `INSERT INTO acknowledgements (meeting_id, tenant_id, user_oid, display_name, upn, acknowledged_at, level, reminder_sha256)
       SELECT $1, $2, 'bulk-' || lpad(n::text, 5, '0'), '與會者' || n, 'user' || n || '@example.gov.tw',
              now() - interval '3 hours' + (n / 2) * interval '1 millisecond' + (n % 2) * interval '1 microsecond',
              CASE WHEN n % 3 = 0 THEN '密' END, NULL
         FROM generate_series(1, $3::int) AS n`,
      [MEETING, TENANT, n],
    );

    const res = await t.call('GET', `${url}/sign-in-sheet.csv`, t.chair);
    expect(res.statusCode).toBe(200);
    const records = parseCsv(res.rawPayload.subarray(3).toString('utf8'));
    const header = new Map(records.slice(0, 24).map((r) => [r[0], r.slice(1)]));
    expect(header.get('已確認 Acknowledged')?.[0]).toBe(String(n));
    expect(header.get('其中先前版本 Of which an earlier version')?.[0]).toBe(String(n));
    const start = records.findIndex((r) => r[0] === '序號 No.');
    const rows = records.slice(start + 1).filter((r) => r[5] !== '未確認 not yet');
    expect(rows).toHaveLength(n);
    expect(rows.map((r) => r[0])).toEqual(Array.from({ length: n }, (_, i) => String(i + 1)));
    expect(new Set(rows.map((r) => r[1])).size).toBe(n);
    // In the store's order, and what the rows hash in the header and the audit event covers.
    expect(rows.map((r) => r[3])).toEqual([...rows.map((r) => r[3] as string)].sort());
    const { data } = await lastEvent();
    expect(data).toMatchObject({ format: 'csv', acknowledged: n });
    expect(data.rowsSha256).toBe(await listedRowsFromStore());
    expect(header.get('名單雜湊 Rows SHA-256')?.[0]).toBe(data.rowsSha256);
    expect(res.payload).not.toContain('匯出期間名單有變動');

    // The roster, read a page at a time, still gives its bound in order and says it is cut.
    const roster = (await t.call('GET', `${url}/acknowledgements`, t.chair)).json() as {
      acknowledgements: { oid: string }[];
      truncated?: boolean;
    };
    expect(roster.truncated).toBe(true);
    expect(roster.acknowledgements.map((a) => a.oid)).toEqual(
      Array.from({ length: 10_000 }, (_, i) => `bulk-${String(i + 1).padStart(5, '0')}`),
    );

    const pdf = await t.call('GET', `${url}/sign-in-sheet.pdf`, t.chair);
    expect(pdf.statusCode).toBe(200);
    const flat = (await pdfText(pdf.rawPayload)).text.replace(/\s+/g, '');
    expect(flat).toContain(`已確認${n}人`);
    const more = n - MAX_SHEET_ROWS;
    expect(flat).toContain(`另有${more}位已確認者未列出，完整名單見CSV簽到表`);
    expect(flat).toContain(`${more}morenotlisted;thefulllistisintheCSVsign-insheet`);
    // The PDF and the CSV made together carry the same rows hash: the PDF's covers the full list too.
    expect((await lastEvent()).data.rowsSha256).toBe(data.rowsSha256);
  }, 600_000);

  it("a large roster is serialised and sent, and a large PDF's rows handed to its thread and the PDF sent, a slice at a time with the main loop turning between", async () => {
    const n = 3_000;
    await t.start({ graph: null });
    await t.db.query(
      `INSERT INTO acknowledgements (meeting_id, tenant_id, user_oid, display_name, upn, acknowledged_at)
       SELECT $1, $2, 'slice-' || lpad(n::text, 5, '0'), '與會者' || n, NULL,
              now() - interval '3 hours' + n * interval '1 millisecond'
         FROM generate_series(1, $3::int) AS n`,
      [MEETING, TENANT, n],
    );
    // The main loop's turns, counted; each slice notes the count when it was made.
    let turns = 0;
    let counting = true;
    const count = (): void => {
      turns++;
      if (counting) {
        setImmediate(count);
      }
    };
    setImmediate(count);
    const slices: { rows: number; turn: number }[] = [];
    const stringify = JSON.stringify;
    const serialise = jest.spyOn(JSON, 'stringify').mockImplementation((value: unknown, ...rest: unknown[]) => {
      const rows = Array.isArray(value)
        ? value
        : ((value as { acknowledgements?: unknown } | null)?.acknowledgements ?? null);
      if (Array.isArray(rows) && rows.some((r) => (r as { acknowledgedAt?: unknown } | null)?.acknowledgedAt)) {
        slices.push({ rows: rows.length, turn: turns });
      }
      return (stringify as (...a: unknown[]) => string)(value, ...rest);
    });
    // What goes out on the socket, per answer: slices, a turn apart.
    const written = new Map<string, { bytes: number; turn: number }[]>();
    const write = ServerResponse.prototype.write;
    const writeSpy = jest.spyOn(ServerResponse.prototype, 'write').mockImplementation(function (
      this: ServerResponse,
      chunk: unknown,
      ...rest: unknown[]
    ) {
      const path = this.req?.url ?? '';
      const bytes = typeof chunk === 'string' ? Buffer.byteLength(chunk) : (chunk as Uint8Array).byteLength;
      written.set(path, [...(written.get(path) ?? []), { bytes, turn: turns }]);
      return (write as (this: ServerResponse, ...a: unknown[]) => boolean).call(this, chunk, ...rest);
    });
    const inSlicesATurnApart = (path: string, total: number): void => {
      const writes = [...written.entries()].find(([p]) => p.endsWith(path))?.[1] ?? [];
      expect(writes.reduce((sum, x) => sum + x.bytes, 0)).toBe(total);
      expect(Math.max(...writes.map((x) => x.bytes))).toBeLessThanOrEqual(SEND_SLICE_BYTES);
      expect(writes.every((x, i) => i === 0 || x.turn > (writes[i - 1] as { turn: number }).turn)).toBe(true);
    };
    const handed: { rows: number; turn: number }[] = [];
    const post = Worker.prototype.postMessage;
    const postMessage = jest.spyOn(Worker.prototype, 'postMessage').mockImplementation(function (
      this: Worker,
      message: unknown,
      ...rest: unknown[]
    ) {
      const m = message as { sheet?: { acknowledged: unknown[] }; rows?: unknown[]; list?: string };
      if (m.sheet) {
        handed.push({ rows: m.sheet.acknowledged.length, turn: turns });
      } else if (m.rows && m.list === 'acknowledged') {
        handed.push({ rows: m.rows.length, turn: turns });
      }
      (post as (this: Worker, ...a: unknown[]) => void).call(this, message, ...rest);
    });
    try {
      const roster = await t.call('GET', `${url}/acknowledgements`, t.chair);
      const body = roster.json() as { acknowledgements: { oid: string; current: boolean }[]; truncated?: boolean };
      expect(body.acknowledgements.map((a) => a.oid)).toEqual(
        Array.from({ length: n }, (_, i) => `slice-${String(i + 1).padStart(5, '0')}`),
      );
      expect(body.truncated).toBeUndefined();
      expect(Number(roster.headers['content-length'])).toBe(roster.rawPayload.length);
      inSlicesATurnApart('/acknowledgements', roster.rawPayload.length);
      expect(Math.max(...slices.map((x) => x.rows))).toBeLessThanOrEqual(PAGE_ROWS);
      expect(slices.reduce((sum, x) => sum + x.rows, 0)).toBe(n);
      expect(slices.every((x, i) => i === 0 || x.turn > (slices[i - 1] as { turn: number }).turn)).toBe(true);

      const pdf = await t.call('GET', `${url}/sign-in-sheet.pdf`, t.chair);
      expect(pdf.statusCode).toBe(200);
      expect((await pdfText(pdf.rawPayload)).text.replace(/\s+/g, '')).toContain(`已確認${n}人`);
      inSlicesATurnApart('/sign-in-sheet.pdf', pdf.rawPayload.length);
      expect(Math.max(...handed.map((x) => x.rows))).toBeLessThanOrEqual(HANDOVER_ROWS);
      expect(handed.reduce((sum, x) => sum + x.rows, 0)).toBe(n);
      expect(handed.every((x, i) => i === 0 || x.turn > (handed[i - 1] as { turn: number }).turn)).toBe(true);
    } finally {
      counting = false;
      serialise.mockRestore();
      postMessage.mockRestore();
      writeSpy.mockRestore();
    }
  }, 300_000);

  it('at most two PDFs are made at once and four wait; the rest get 503 busy with Retry-After, and are not audited', async () => {
    await acknowledgeAll();
    const before = (
      await t.db.query<{ n: string | number }>(
        "SELECT count(*) AS n FROM audit_events WHERE kind = 'sign-in-sheet.exported'",
      )
    ).rows[0]?.n;
    const results = await Promise.all(
      Array.from({ length: 8 }, () => t.call('GET', `${url}/sign-in-sheet.pdf`, t.chair)),
    );
    const ok = results.filter((r) => r.statusCode === 200);
    const busy = results.filter((r) => r.statusCode === 503);
    expect(ok).toHaveLength(6);
    expect(busy).toHaveLength(2);
    for (const r of busy) {
      expect(r.json()).toMatchObject({ code: 'busy' });
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    }
    for (const r of ok) {
      expect((await pdfText(r.rawPayload)).text).toContain(DEFAULT_REMINDER);
    }
    // Chaining may record pending acknowledgements too; the exports recorded are the ones made.
    const after = (
      await t.db.query<{ n: string | number }>(
        "SELECT count(*) AS n FROM audit_events WHERE kind = 'sign-in-sheet.exported'",
      )
    ).rows[0]?.n;
    expect(Number(after) - Number(before)).toBe(6);
    // Turns are given back: the next export is made.
    expect((await t.call('GET', `${url}/sign-in-sheet.pdf`, t.chair)).statusCode).toBe(200);
  }, 300_000);

  it('an invitee list cut off at its bound is said to be incomplete, on the PDF, in the CSV and in the audit event', async () => {
    // More members than Graph's paging bound lets the server read, one member a page.
    graph.setChat(THREAD, [
      { userId: CHAIR, displayName: '王主席', email: 'chair@example.gov.tw' },
      ...ATTENDEES.map((a) => ({ userId: a.oid, displayName: a.name, email: a.upn })),
      ...Array.from({ length: 60 }, (_, i) => ({ userId: oid(500 + i), displayName: `列席者${i}`, email: null })),
    ]);
    graph.pageSize = 1;
    await acknowledgeAll();
    const pdf = await t.call('GET', `${url}/sign-in-sheet.pdf`, t.chair);
    expect(pdf.statusCode).toBe(200);
    const flat = (await pdfText(pdf.rawPayload)).text.replace(/\s+/g, '');
    expect(flat).toContain('名單過長，僅取得一部分：應到與未確認人數僅計入已取得者，實際人數更多');
    expect((await lastEvent()).data).toMatchObject({ inviteesTruncated: true });
    const csv = (await t.call('GET', `${url}/sign-in-sheet.csv`, t.chair)).payload;
    expect(csv).toMatch(/受邀名單來源 Invitee list,[^\r]*,名單過長，僅取得一部分/);
    // A complete list says nothing of the kind.
    graph.pageSize = 100;
    await t.start({ graph: graphOptions(entra, graph) });
    const complete = (await t.call('GET', `${url}/sign-in-sheet.csv`, t.chair)).payload;
    expect(complete).not.toContain('名單過長');
    expect((await lastEvent()).data).not.toHaveProperty('inviteesTruncated');
  });

  it('a long account wraps in its column at its punctuation (before @, after . - _), never inside a name', async () => {
    const upn = 'lin-shu-fen.secretary.personnel@personnel-department.example.gov.tw';
    const res = await t.call(
      'POST',
      `${url}/acknowledgements`,
      await entra.token({ oid: oid(40), name: '林淑芬', upn }),
      {},
    );
    expect(res.statusCode).toBe(201);
    // In layout mode: its reading mode joins a line ending in "-" to the next without the hyphen, as if the word
    // had been hyphenated, which would hide where the account was really broken.
    const { text } = await pdfText((await t.call('GET', `${url}/sign-in-sheet.pdf`, t.chair)).rawPayload, ['-layout']);
    // Each printed line's cells, as the layout puts them: runs of text apart by two or more spaces.
    const cells = text.split('\n').map((l) => l.trim().split(/\s{2,}/));
    const first = cells.findIndex((c) => c.some((x) => x.startsWith('lin-shu-fen') && upn.startsWith(x)));
    expect(first).toBeGreaterThanOrEqual(0);
    const parts: string[] = [];
    let rest = upn;
    for (const line of cells.slice(first, first + 6)) {
      const part = line.find((x) => x.length > 0 && rest.startsWith(x));
      if (part !== undefined && rest.length > 0) {
        parts.push(part);
        rest = rest.slice(part.length);
      }
    }
    expect(parts.join('')).toBe(upn);
    expect(parts.length).toBeGreaterThan(1);
    for (const [i, part] of parts.slice(0, -1).entries()) {
      expect(/[.\-_]$/.test(part) || (parts[i + 1] as string).startsWith('@')).toBe(true);
    }
  });

  it('CSV: a BOM, CRLF, RFC 4180 quoting, formulas defused, and a row for everyone', async () => {
    const tricky = [
      { oid: oid(11), name: '=HYPERLINK("http://evil.example","點我")', upn: 'a@example.gov.tw' },
      { oid: oid(12), name: '+886-2-1234', upn: 'b@example.gov.tw' },
      { oid: oid(13), name: '-王,大明', upn: '@c@example.gov.tw' },
      { oid: oid(14), name: '陳 "阿明"\n二行', upn: 'd@example.gov.tw' },
    ];
    const reminder = '第一行，含逗號\n第二行「引號」"quoted"';
    expect((await t.call('PUT', url, t.chair, { ...meetingSettings, reminder })).statusCode).toBe(200);
    await acknowledgeAll();
    for (const person of tricky) {
      await t.call('POST', `${url}/acknowledgements`, await entra.token(person), {});
    }

    const res = await t.call('GET', `${url}/sign-in-sheet.csv`, t.chair);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/filename="sign-in-sheet-\d{8}\.csv"; filename\*=UTF-8''/);
    const bytes = res.rawPayload;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.subarray(3).toString('utf8');
    // parseCsv refuses a bare LF or CR outside quotes, so every record ends in CRLF.
    const records = parseCsv(text);
    expect(new Set(records.map((r) => r.length))).toEqual(new Set([10]));

    const header = new Map(records.slice(0, 24).map((r) => [r[0], r.slice(1)]));
    expect(header.get('會議名稱 Meeting')?.[0]).toBe(meetingSettings.title);
    // The guidance's sentence on its own row, the chair's reminder whole on the next.
    const notices = records.filter((r) => /^(保密警語|主席提醒) /.test(r[0] as string)).map((r) => r.slice(0, 2));
    expect(notices).toEqual([
      ['保密警語 Confidentiality', DEFAULT_REMINDER],
      ["主席提醒 Chair's reminder", reminder],
    ]);
    expect(header.get('已確認 Acknowledged')?.[0]).toBe('9');
    // Expected are the invitees (8); the four who acknowledged without an invitation are counted and flagged apart.
    expect(header.get('應到 Expected')?.[0]).toBe('8');
    expect(header.get('其中非受邀者 Of which not invited')?.[0]).toBe('4');
    expect(header.get('發言人 Spokesperson')?.[0]).toBe(meetingSettings.spokesperson);
    const event = await lastEvent();
    expect(header.get('稽核雜湊 Audit hash')?.[0]).toBe(event.hash);
    expect(event.data).toMatchObject({ format: 'csv', acknowledged: 9, uninvited: 4, expected: 8 });

    const start = records.findIndex((r) => r[0] === '序號 No.');
    const rows = records.slice(start + 1);
    expect(rows).toHaveLength(12);
    const acknowledged = rows.filter((r) => r[5] === '已確認 acknowledged');
    expect(acknowledged.map((r) => r[8])).toEqual([
      ...ATTENDEES.map(() => '是 yes'),
      ...tricky.map(() => '否 not invited'),
    ]);
    expect(acknowledged.map((r) => r[1])).toEqual([
      ...ATTENDEES.map((a) => a.name),
      `'=HYPERLINK("http://evil.example","點我")`,
      `'+886-2-1234`,
      `'-王,大明`,
      // A line break in a name from the token is shown as U+FFFD, as every invisible character in a name is.
      '陳 "阿明"\uFFFD二行',
    ]);
    expect(acknowledged[7]?.[2]).toBe(`'@c@example.gov.tw`);
    for (const r of acknowledged) {
      expect(new Date(r[3] as string).toISOString()).toBe(r[3]);
      expect(r[4]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    }
    // The local time is Taipei's: eight hours ahead of UTC.
    const first = acknowledged[0] as string[];
    expect(new Date(`${first[4]?.replace(' ', 'T')}+08:00`).getTime()).toBe(
      Math.floor(new Date(first[3] as string).getTime() / 1000) * 1000,
    );
    // The invitees not yet acknowledged are exactly what the invitees route lists, less those who acknowledged.
    const list = (await t.call('GET', `${url}/invitees`, t.chair)).json() as InviteeList;
    const acked = new Set([...ATTENDEES, ...tricky].map((a) => a.oid));
    expect(rows.filter((r) => r[5] === '未確認 not yet').map((r) => r[1])).toEqual(
      list.invitees.filter((i) => !acked.has(i.oid as string)).map((i) => i.name),
    );

    // The PDF says the same: expected are the invitees, and each uninvited acknowledgement is marked.
    const pdf = (await pdfText((await t.call('GET', `${url}/sign-in-sheet.pdf`, t.chair)).rawPayload)).text;
    const flat = pdf.replace(/\s+/g, '');
    expect(flat).toContain('已確認9人（受邀者5人、非受邀者4人）／應到8人（未確認3人）');
    expect(flat.split('非受邀者').length - 1).toBe(4 + 2);
    expect(flat).toContain('不計入應到人數');
  });

  it('only the chair: an attendee gets 403, another tenant 404, no token 401', async () => {
    await t.start({ graph: null, tenantIds: [TENANT, FOREIGN_TENANT] });
    const attendee = await entra.token(ATTENDEES[0]);
    const outsider = await entra.token({ oid: CHAIR, tid: FOREIGN_TENANT });
    for (const ext of ['pdf', 'csv']) {
      const sheet = `${url}/sign-in-sheet.${ext}`;
      expect((await t.call('GET', sheet, attendee)).json()).toMatchObject({ code: 'not_chair' });
      expect((await t.call('GET', sheet, outsider)).json()).toMatchObject({ code: 'meeting_not_found' });
      expect((await t.call('GET', sheet)).statusCode).toBe(401);
    }
    expect((await t.call('GET', '/api/meetings/no-such-meeting/sign-in-sheet.csv', t.chair)).statusCode).toBe(404);
    expect((await lastEvent()).kind).toBe('meeting.chair-assigned');
  });

  it('without a font the PDF answers 503 with the reason, records nothing, and the CSV still works', async () => {
    await t.start({ graph: null, pdfFonts: { status: 'none', searched: ['/nowhere/TW-Sung-98_1.ttf'] } });
    await acknowledgeAll();
    const pdf = await t.call('GET', `${url}/sign-in-sheet.pdf`, t.chair);
    expect(pdf.statusCode).toBe(503);
    expect(pdf.json()).toMatchObject({ code: 'pdf_font_missing' });
    expect(pdf.json().message).toContain('CSV');
    expect((await t.call('GET', `${url}/sign-in-sheet.pdf`, await entra.token(ATTENDEES[0]))).statusCode).toBe(403);
    const csv = await t.call('GET', `${url}/sign-in-sheet.csv`, t.chair);
    expect(csv.statusCode).toBe(200);
    const formats = (
      await t.db.query<{ data: unknown }>("SELECT data FROM audit_events WHERE kind = 'sign-in-sheet.exported'")
    ).rows.map((r) => (typeof r.data === 'string' ? JSON.parse(r.data) : r.data).format);
    expect(formats).toEqual(['csv']);
  });

  it('the typed client the Teams pages use reads the invitees and both exports of a Teams-shaped meeting id', async () => {
    await acknowledgeAll();
    const baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const client = createApiClient({
      baseUrl,
      fetch: (u, init) => fetch(u, init),
      getToken: async () => t.chair,
    });
    expect(MEETING).toMatch(/[+/=]/);
    const list = await client.invitees(MEETING);
    expect(list.source).toBe('graph');
    expect(list.invitees.map((i) => i.name)).toEqual(['王主席', ...[...ATTENDEES, ...ABSENT].map((a) => a.name)]);
    const pdf = await client.signInSheet(MEETING, 'pdf');
    expect((await pdfText(Buffer.from(pdf.bytes))).text).toContain(DEFAULT_REMINDER);
    const csv = await client.signInSheet(MEETING, 'csv');
    expect(Buffer.from(csv.bytes).toString('utf8').startsWith('\ufeff會議簽到表')).toBe(true);
    // The file names are the server's, read from its content-disposition (filename*).
    const day = taipeiDate(new Date()).replace(/-/g, '');
    expect(pdf.fileName).toBe(`簽到表-${meetingSettings.title}-${day}.pdf`);
    expect(csv.fileName).toBe(`簽到表-${meetingSettings.title}-${day}.csv`);
  });

  it('exports are limited to 20 a minute per chair', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 21; i++) {
      codes.push((await t.call('GET', `${url}/sign-in-sheet.csv`, t.chair)).statusCode);
    }
    expect(codes.slice(0, 20).every((c) => c === 200)).toBe(true);
    expect(codes[20]).toBe(429);
  });

  it('the export audit event names no one, and its rows hash follows the listed rows', async () => {
    await acknowledgeAll();
    const csv = (await t.call('GET', `${url}/sign-in-sheet.csv`, t.chair)).payload;
    const { data } = await lastEvent();
    expect(data.rowsSha256).toBe(await listedRowsFromStore());
    expect(csv).toContain(`名單雜湊 Rows SHA-256,${data.rowsSha256 as string}`);
    // One more acknowledgement: a different list, a different hash.
    await t.call('POST', `${url}/acknowledgements`, await entra.token(ABSENT[0] as (typeof ABSENT)[number]), {});
    await t.call('GET', `${url}/sign-in-sheet.csv`, t.chair);
    const after = (await lastEvent()).data.rowsSha256;
    expect(after).toBe(await listedRowsFromStore());
    expect(after).not.toBe(data.rowsSha256);
    const json = JSON.stringify(data);
    for (const a of [...ATTENDEES, ...ABSENT]) {
      expect(json).not.toContain(a.name);
      expect(json).not.toContain(a.upn);
      expect(json).not.toContain(a.oid);
    }
  });
});
