/**
 * The sign-in sheet as CSV for Excel: UTF-8 with a byte-order mark (without it Excel reads the file as the ANSI code
 * page and the names come out garbled), CRLF line ends, RFC 4180 quoting, and every record the same width. Cells that
 * a spreadsheet would run as a formula are defused with a leading apostrophe.
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
  NOT_INVITED_LEGEND,
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
] as const;

const INVITED = '是 yes';
const NOT_INVITED = '否 not invited';

export const STATUS_ACKNOWLEDGED = '已確認 acknowledged';
export const STATUS_EARLIER_VERSION = '已確認先前版本 acknowledged an earlier version';
export const STATUS_NOT_YET = '未確認 not yet';

/** Characters that start a formula in Excel, LibreOffice or Google Sheets (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | null): string {
  let text = value === null ? '' : String(value);
  if (FORMULA_START.test(text)) {
    text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function record(cells: readonly (string | number | null)[]): string {
  const padded = [...cells];
  while (padded.length < COLUMNS.length) {
    padded.push(null);
  }
  return padded.map(csvCell).join(',');
}

export function renderSignInSheetCsv(sheet: SignInSheet): Buffer {
  const m = sheet.meeting;
  const date = meetingDate(sheet);
  const expected = expectedTotal(sheet);
  const reminder = chairReminder(m.reminder);
  const lines: string[] = [
    record(['會議簽到表 Meeting sign-in sheet']),
    record(['會議名稱 Meeting', cleanText(m.title)]),
    record(['會議日期 Date', date.text, date.basis]),
    record(['密等 Level', levelLabel(m.level)]),
    record(['保密警語 Confidentiality', DEFAULT_REMINDER]),
    ...(reminder === null ? [] : [record(["主席提醒 Chair's reminder", reminder])]),
    record(['發言人 Spokesperson', m.spokesperson ?? '未指定 / not named']),
    record(['主席 Chair', cleanText(sheet.chair.name), sheet.chair.upn]),
    record(['提醒 SHA-256 Reminder (SHA-256)', m.reminderSha256]),
    record(['已確認 Acknowledged', sheet.acknowledgedTotal]),
    record(['其中非受邀者 Of which not invited', sheet.uninvitedTotal, NOT_INVITED_LEGEND]),
    record(['其中先前版本 Of which an earlier version', sheet.earlierVersionTotal, EARLIER_VERSION_LEGEND]),
    record(['應到 Expected', expected]),
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
  ];
  let n = 0;
  for (const a of sheet.acknowledged) {
    n++;
    lines.push(
      record([
        n,
        cleanText(a.name),
        a.upn,
        a.acknowledgedAt.toISOString(),
        taipeiDateTime(a.acknowledgedAt),
        a.current ? STATUS_ACKNOWLEDGED : STATUS_EARLIER_VERSION,
        a.level,
        a.reminderSha256,
        a.invited ? INVITED : NOT_INVITED,
      ]),
    );
  }
  if (sheet.acknowledgedTotal > sheet.acknowledged.length) {
    const more = sheet.acknowledgedTotal - sheet.acknowledged.length;
    lines.push(record(['…', `另有 ${more} 位已確認者未列出 / ${more} more acknowledged, not listed`]));
  }
  for (const i of sheet.unacknowledged) {
    n++;
    lines.push(record([n, cleanText(i.name), i.upn, null, null, STATUS_NOT_YET, null, null, INVITED]));
  }
  if (sheet.unacknowledgedTotal > sheet.unacknowledged.length) {
    const more = sheet.unacknowledgedTotal - sheet.unacknowledged.length;
    lines.push(record(['…', `另有 ${more} 位未確認者未列出 / ${more} more not yet acknowledged, not listed`]));
  }
  return Buffer.from(`\ufeff${lines.join('\r\n')}\r\n`, 'utf8');
}
