/**
 * The sign-in sheet as CSV for Excel: UTF-8 with a byte-order mark (without it Excel reads the file as the ANSI code
 * page and the names come out garbled), CRLF line ends, RFC 4180 quoting, and every record the same width. Every cell
 * goes through one guard ({@link csvCell}): one a spreadsheet would run as a formula is defused with a leading
 * apostrophe. Built in pieces (head, rows a page at a time, tail), so the route can stream a meeting of any size.
 */
import { DEFAULT_REMINDER } from '../shared/api';
import {
  chairReminder,
  cleanText,
  EARLIER_VERSION_LEGEND,
  expectedTotal,
  inviteeListLabel,
  levelLabel,
  meetingDate,
  meetingTime,
  NOT_GIVEN,
  NOT_INVITED_LEGEND,
  type SheetAttendee,
  type SignInSheet,
  taipeiDateTime,
} from './sign-in-sheet-model';

const COLUMNS = [
  '序號 No.',
  '姓名 Name',
  '帳號 Account',
  '確認時間 Acknowledged at (ISO 8601)',
  '確認時間 Acknowledged at (Asia/Taipei)',
  '狀態 Status',
  '確認之密等 Level acknowledged',
  '確認之提醒 SHA-256 Reminder acknowledged (SHA-256)',
  '受邀 Invited',
  // Empty: a printed CSV is signed like the PDF, by everyone on it.
  '簽名 Signature',
] as const;

const INVITED = '是 yes';
const NOT_INVITED = '否 not invited';

export const STATUS_ACKNOWLEDGED = '已確認 acknowledged';
export const STATUS_EARLIER_VERSION = '已確認先前版本 acknowledged an earlier version';
export const STATUS_NOT_YET = '未確認 not yet';

/**
 * What makes a spreadsheet run a cell as a formula (OWASP "CSV injection"): =, +, - and @, in their full-width and
 * small forms too (NFKC folds ＝＋－＠ and ﹦﹢﹣﹫ to them; an IME types the full-width ones, and a spreadsheet may fold
 * them the same way), or a tab, CR or LF first, after which Excel and LibreOffice read what follows as the cell.
 */
const FORMULA_START = /^[=+\-@\t\r\n]/;

/**
 * The one guard every cell goes through: a cell that would start a formula gets a leading apostrophe, and a cell with a
 * quote, comma or line break is quoted (RFC 4180).
 */
export function csvCell(value: string | number | null): string {
  let text = value === null ? '' : String(value);
  const first = text.codePointAt(0);
  if (first !== undefined && FORMULA_START.test(String.fromCodePoint(first).normalize('NFKC'))) {
    text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record, padded to the table's width, with its CRLF. */
function record(cells: readonly (string | number | null)[]): string {
  const padded = [...cells];
  while (padded.length < COLUMNS.length) {
    padded.push(null);
  }
  return `${padded.map(csvCell).join(',')}\r\n`;
}

/** A name, an account, a title: one line, cleaned (cleanText); absent stays empty. */
const line = (s: string | null): string | null => (s === null ? null : cleanText(s));

/** The byte-order mark, the meeting, the totals, the audit hashes and the table's column headings. */
export function csvHead(sheet: SignInSheet): string {
  const m = sheet.meeting;
  const date = meetingDate(sheet);
  const reminder = chairReminder(m.reminder);
  return [
    '\ufeff',
    record(['會議簽到表 Meeting sign-in sheet']),
    record(['會議名稱 Meeting', line(m.title)]),
    record(['會議日期 Date', date.text, date.basis]),
    record(['會議時間 Time', meetingTime(sheet) ?? NOT_GIVEN]),
    record(['會議地點 Place', line(m.place) || NOT_GIVEN]),
    record(['密等 Level', levelLabel(m.level)]),
    record(['保密警語 Confidentiality', DEFAULT_REMINDER]),
    // The chair's text keeps its paragraphs: it is one quoted cell, and the guard still looks at its start.
    ...(reminder === null ? [] : [record(["主席提醒 Chair's reminder", reminder])]),
    record(['發言人 Spokesperson', line(m.spokesperson) || '未指定 / not named']),
    record(['主席 Chair', line(sheet.chair.name), line(sheet.chair.upn)]),
    record(['提醒 SHA-256 Reminder (SHA-256)', m.reminderSha256]),
    record(['已確認 Acknowledged', sheet.acknowledgedTotal]),
    record(['其中非受邀者 Of which not invited', sheet.uninvitedTotal, NOT_INVITED_LEGEND]),
    record(['其中先前版本 Of which an earlier version', sheet.earlierVersionTotal, EARLIER_VERSION_LEGEND]),
    record(['應到 Expected', expectedTotal(sheet)]),
    record(['未確認 Not yet', sheet.unacknowledgedTotal]),
    record(['受邀名單來源 Invitee list', ...inviteeListLabel(sheet)]),
    record([
      '產製時間 Generated',
      sheet.generatedAt.toISOString(),
      `${taipeiDateTime(sheet.generatedAt)} (Asia/Taipei)`,
    ]),
    record(['稽核雜湊 Audit hash', sheet.audit.hash, `seq ${sheet.audit.seq}`]),
    record(['名單雜湊 Rows SHA-256', sheet.audit.rowsSha256]),
    record([]),
    record(COLUMNS),
  ].join('');
}

/** Acknowledgements numbered from `from` + 1. */
export function csvAcknowledgedRows(rows: readonly SheetAttendee[], from: number): string {
  let n = from;
  let out = '';
  for (const a of rows) {
    n++;
    out += record([
      n,
      line(a.name),
      line(a.upn),
      a.acknowledgedAt.toISOString(),
      taipeiDateTime(a.acknowledgedAt),
      a.current ? STATUS_ACKNOWLEDGED : STATUS_EARLIER_VERSION,
      a.level,
      a.reminderSha256,
      a.invited ? INVITED : NOT_INVITED,
    ]);
  }
  return out;
}

/** What the CSV says when the acknowledgements changed while it was streamed: its rows hash no longer matches. */
export const CSV_CHANGED_NOTE =
  '匯出期間名單有變動：以上名單與「名單雜湊」及稽核紀錄不符，請重新匯出 / the list changed during the export: the rows ' +
  'above do not match the rows SHA-256 and the audit record; export again';

/**
 * After the acknowledgements (`listed` of them, numbered 1…listed): the invitees not yet acknowledged, every one.
 * `changed` when the rows streamed are not the ones the head's hash covers.
 */
export function csvTail(sheet: SignInSheet, listed: number, changed: boolean): string {
  let out = changed ? record(['!', CSV_CHANGED_NOTE]) : '';
  let n = listed;
  for (const i of sheet.unacknowledged) {
    n++;
    out += record([n, line(i.name), line(i.upn), null, null, STATUS_NOT_YET, null, null, INVITED]);
  }
  if (sheet.unacknowledgedTotal > sheet.unacknowledged.length) {
    const more = sheet.unacknowledgedTotal - sheet.unacknowledged.length;
    out += record(['…', `另有 ${more} 位未確認者未列出 / ${more} more not yet acknowledged, not listed`]);
  }
  return out;
}

/** The whole CSV of a sheet whose acknowledgements are all in memory (`sheet.acknowledged`). */
export function renderSignInSheetCsv(sheet: SignInSheet): Buffer {
  return Buffer.from(
    csvHead(sheet) + csvAcknowledgedRows(sheet.acknowledged, 0) + csvTail(sheet, sheet.acknowledged.length, false),
    'utf8',
  );
}
