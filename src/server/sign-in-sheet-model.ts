/**
 * The sign-in sheet as data, and what the PDF and CSV renderings share: the secrecy sentences, the totals, the
 * meeting date, Taiwan time and the file name. The guidance (機敏會議資訊保密之道, 策進作為三) asks that the sign-in
 * sheet carry 「本會議因具機敏性質，與會人員應行保密。」; both renderings print it on its own, whatever the chair's reminder
 * says, and then the chair's reminder in full.
 */
import { createHash } from 'node:crypto';

import { type Level, LEVEL_ENGLISH } from '../core';
import { DEFAULT_REMINDER, type Invitee, type InviteeList } from '../shared/api';
import { CONTROL_OR_BIDI, INVISIBLE_IN_TITLE, UNPAIRED_SURROGATE } from '../shared/text-rules';

/**
 * Rows the PDF lists per section; beyond this it says how many more there are and that the CSV lists them all. A
 * bound on the PDF's pages and on the memory pdf-lib holds while it lays them out (every drawn line is an object until
 * the file is saved); the CSV is streamed and has none.
 */
export const MAX_SHEET_ROWS = 5000;

export interface SheetAttendee {
  readonly oid: string;
  readonly name: string;
  readonly upn: string | null;
  readonly acknowledgedAt: Date;
  /** The level the attendee acknowledged; null for an acknowledgement from before versions were recorded. */
  readonly level: string | null;
  /** SHA-256 of the reminder text the attendee acknowledged; null as for `level`. */
  readonly reminderSha256: string | null;
  /** Given for the meeting's current level and reminder; false means an earlier (or unrecorded) version. */
  readonly current: boolean;
  /** On the invitee list (by id or account); false for someone who acknowledged without being invited. */
  readonly invited: boolean;
}

export interface SignInSheet {
  readonly meeting: {
    readonly id: string;
    readonly title: string;
    readonly level: Level;
    readonly reminder: string;
    readonly reminderSha256: string;
    readonly spokesperson: string | null;
    readonly configuredAt: Date;
    /** When the meeting is held, as the chair gave it: both or neither. */
    readonly startsAt: Date | null;
    readonly endsAt: Date | null;
    readonly place: string | null;
  };
  readonly chair: { readonly name: string; readonly upn: string | null };
  /**
   * In the order they acknowledged: for the PDF the first {@link MAX_SHEET_ROWS}; the CSV is given none here and
   * streams every row from the store instead.
   */
  readonly acknowledged: readonly SheetAttendee[];
  readonly acknowledgedTotal: number;
  /** The first and last acknowledgement's time, over all of them (not just those listed); null before anyone has. */
  readonly acknowledgedSpan: { readonly first: Date; readonly last: Date } | null;
  /** Of `acknowledgedTotal`, those given for an earlier level or reminder (the attendee has not seen the current). */
  readonly earlierVersionTotal: number;
  /** Of `acknowledgedTotal`, those not on the invitee list. */
  readonly uninvitedTotal: number;
  /** Invitees with no acknowledgement; the PDF lists at most {@link MAX_SHEET_ROWS}, the CSV all. */
  readonly unacknowledged: readonly Invitee[];
  readonly unacknowledgedTotal: number;
  /** The invitee list's length: who is expected (應到). */
  readonly inviteeTotal: number;
  readonly inviteeSource: InviteeList['source'];
  /** The invitee list was cut off at a bound: 應到 and 未確認 count only the part that was read. */
  readonly inviteesTruncated: boolean;
  readonly generatedAt: Date;
  /**
   * The audit event that records this export: its hash is the chain's head at export; `rowsSha256`
   * ({@link listedRowsSha256}) is in the event's data, so the listed rows can be checked against the log.
   */
  readonly audit: { readonly hash: string; readonly seq: number; readonly rowsSha256: string };
}

/**
 * SHA-256 (hex) over every acknowledgement of the meeting at export, in the sheet's order: per row `oid TAB
 * acknowledged-at (ISO 8601 UTC) TAB level TAB reminder SHA-256 LF`, the version fields empty when not recorded. The
 * audit chain's hash alone says when the sheet was made, not what it listed; this does, and names no one (the audit
 * event may keep it), so a copy with a row added, dropped or re-dated no longer matches the log. It covers the full
 * list, which the CSV carries, also when the PDF lists only the first {@link MAX_SHEET_ROWS}: a PDF and a CSV made
 * together carry the same hash. Fed a page at a time, so no export holds every row at once.
 */
export class RowsHasher {
  readonly #hash = createHash('sha256');
  update(rows: readonly SheetAttendee[]): void {
    for (const r of rows) {
      this.#hash.update(
        `${r.oid}\t${r.acknowledgedAt.toISOString()}\t${r.level ?? ''}\t${r.reminderSha256 ?? ''}\n`,
        'utf8',
      );
    }
  }
  digest(): string {
    return this.#hash.digest('hex');
  }
}

/** {@link RowsHasher} over rows held in memory. */
export function listedRowsSha256(rows: readonly SheetAttendee[]): string {
  const hasher = new RowsHasher();
  hasher.update(rows);
  return hasher.digest();
}

/** Everyone expected to sign (應到): the invitees. Someone who acknowledged without being invited is not expected. */
export const expectedTotal = (sheet: SignInSheet): number => sheet.inviteeTotal;

/** What the sheet says of an acknowledgement by someone not on the invitee list. */
export const NOT_INVITED_NOTE = '非受邀者';
export const NOT_INVITED_LEGEND =
  '非受邀者：不在受邀名單中，不計入應到人數 / not invited: not on the invitee list, not counted as expected';

/** The acknowledgement line of the totals, e.g. `已確認 9 人（受邀者 5 人、非受邀者 4 人）`. */
export function acknowledgedTotals(sheet: SignInSheet): { zh: string; en: string } {
  const n = sheet.acknowledgedTotal;
  const out = sheet.uninvitedTotal;
  return out === 0
    ? { zh: `已確認 ${n} 人`, en: `Acknowledged ${n}` }
    : {
        zh: `已確認 ${n} 人（受邀者 ${n - out} 人、非受邀者 ${out} 人）`,
        en: `Acknowledged ${n} (${n - out} invited, ${out} not invited)`,
      };
}

const compact = (s: string): string => s.replace(/\s+/g, '');

/**
 * The chair's own reminder, to print beside the guidance's sentence; null when it is only that sentence (then it is
 * printed once). The sentence itself is always printed on its own, so however long the chair's text, it is never lost
 * in it.
 */
export function chairReminder(reminder: string): string | null {
  const text = reminder.trim();
  return compact(text) === compact(DEFAULT_REMINDER) ? null : text;
}

export const SECRECY_ENGLISH = 'This meeting is sensitive in nature; every attendee shall keep it confidential.';

export const levelLabel = (level: Level): string => `${level} ${LEVEL_ENGLISH[level]}`;

/** What the sheet says of an acknowledgement given for an earlier version, e.g. `先前版本（密）`. */
export const earlierVersionNote = (a: SheetAttendee): string =>
  a.level ? `先前版本（${a.level}）` : '先前版本（未記錄）';
export const EARLIER_VERSION_LEGEND =
  '先前版本：此人確認的是主席修改密等或提醒內容前的版本，尚未確認現行內容 / earlier version: acknowledged before the chair ' +
  'changed the level or the reminder; the current one is not acknowledged yet';

export const SOURCE_LABEL: Readonly<Record<SignInSheet['inviteeSource'], string>> = {
  graph: '會議成員（Microsoft Graph） / meeting members (Microsoft Graph)',
  chair: '主席提供之名單 / the list the chair gave',
};

/** What the sheet says of an invitee list that was cut off. */
export const INVITEES_TRUNCATED_NOTE =
  '名單過長，僅取得一部分：應到與未確認人數僅計入已取得者，實際人數更多 / ' +
  'the list was too long and only part of it was read: expected and not-yet counts cover that part only';

/** The invitee list's source, and whether it is complete. */
export const inviteeListLabel = (sheet: Pick<SignInSheet, 'inviteeSource' | 'inviteesTruncated'>): string[] => [
  SOURCE_LABEL[sheet.inviteeSource],
  ...(sheet.inviteesTruncated ? [INVITEES_TRUNCATED_NOTE] : []),
];

/** Taiwan has kept UTC+8 without daylight saving since 1979, so the offset is fixed and needs no time-zone data. */
const TAIPEI_OFFSET_MS = 8 * 3600_000;
const taipeiParts = (d: Date): string[] => {
  const t = new Date(d.getTime() + TAIPEI_OFFSET_MS).toISOString();
  return [t.slice(0, 10), t.slice(11, 19)];
};

/** `2025-03-05 14:03:22` in Asia/Taipei. */
export const taipeiDateTime = (d: Date): string => taipeiParts(d).join(' ');
export const taipeiDate = (d: Date): string => taipeiParts(d)[0] as string;

/** `中華民國114年3月5日`: the date as government documents print it. */
export function rocDate(d: Date): string {
  const [y, m, day] = taipeiDate(d).split('-').map(Number) as [number, number, number];
  return `中華民國${y - 1911}年${m}月${day}日`;
}

/**
 * The meeting's date: the day the chair said it is held. Without that, when people acknowledged (the meeting was
 * under way then); before anyone has, the day the chair configured it. The sheet says which.
 */
export function meetingDate(sheet: SignInSheet): { readonly text: string; readonly basis: string } {
  const { startsAt, endsAt } = sheet.meeting;
  if (startsAt !== null && endsAt !== null) {
    const text =
      taipeiDate(startsAt) === taipeiDate(endsAt)
        ? `${taipeiDate(startsAt)}（${rocDate(startsAt)}）`
        : `${taipeiDate(startsAt)} – ${taipeiDate(endsAt)}`;
    return { text, basis: '主席所定 / as set by the chair' };
  }
  if (sheet.acknowledgedSpan === null) {
    const d = sheet.meeting.configuredAt;
    return { text: `${taipeiDate(d)}（${rocDate(d)}）`, basis: '設定日期 / date configured' };
  }
  const { first, last } = sheet.acknowledgedSpan;
  const text =
    taipeiDate(first) === taipeiDate(last)
      ? `${taipeiDate(first)}（${rocDate(first)}）`
      : `${taipeiDate(first)} – ${taipeiDate(last)}`;
  return { text, basis: '依確認時間 / by acknowledgement time' };
}

/** What the sheet prints for a time or place the chair did not give. */
export const NOT_GIVEN = '未填 / not given';

/** 「14:00–16:00」 in Taiwan time (the date too when it ends on another day); null when the chair gave no time. */
export function meetingTime(sheet: SignInSheet): string | null {
  const { startsAt, endsAt } = sheet.meeting;
  if (startsAt === null || endsAt === null) {
    return null;
  }
  const [startDay, startClock] = taipeiDateTime(startsAt).split(' ') as [string, string];
  const [endDay, endClock] = taipeiDateTime(endsAt).split(' ') as [string, string];
  const hm = (clock: string): string => clock.slice(0, 5);
  return startDay === endDay
    ? `${hm(startClock)}–${hm(endClock)} (Asia/Taipei)`
    : `${startDay} ${hm(startClock)} – ${endDay} ${hm(endClock)} (Asia/Taipei)`;
}

const LINE_BREAKS = /[\p{Cc}\p{Zl}\p{Zp}]+/gu;
const INVISIBLE_IN_TITLE_ALL = new RegExp(INVISIBLE_IN_TITLE.source, 'gu');
const CONTROL_OR_BIDI_ALL = new RegExp(CONTROL_OR_BIDI.source, 'g');
const UNPAIRED_SURROGATE_ALL = new RegExp(UNPAIRED_SURROGATE.source, 'g');

/**
 * Titles, names and accounts on the sheet, on one line. The same characters as the API's rule for titles and names
 * (src/shared/text-rules.ts), handled differently because the sheet prints what is already stored: rows from before
 * the rule, and names a token or Graph vouched for (shown as U+FFFD on the way in, see asDisplayText), cannot be
 * refused, so line breaks and controls become a space and the invisible characters are dropped, rather than drawn as
 * blanks a reader cannot see or as missing-glyph boxes.
 */
export function cleanText(s: string): string {
  return s
    .replace(LINE_BREAKS, ' ')
    .replace(INVISIBLE_IN_TITLE_ALL, '')
    .replace(CONTROL_OR_BIDI_ALL, '')
    .replace(UNPAIRED_SURROGATE_ALL, '')
    .trim();
}

/** The download's name: an ASCII one for old clients and the UTF-8 one (RFC 5987) with the meeting title. */
export function sheetFileNames(sheet: SignInSheet, extension: 'pdf' | 'csv'): { ascii: string; utf8: string } {
  const day = taipeiDate(sheet.generatedAt).replace(/-/g, '');
  const title = [...cleanText(sheet.meeting.title).replace(/[\\/:*?"<>|]+/g, ' ')]
    .slice(0, 60)
    .join('')
    .trim()
    .replace(/\s+/g, ' ');
  return {
    ascii: `sign-in-sheet-${day}.${extension}`,
    utf8: `簽到表-${title ? `${title}-` : ''}${day}.${extension}`,
  };
}

/** `content-disposition` with both names (RFC 6266, RFC 5987 `filename*`). */
export function contentDisposition(names: { ascii: string; utf8: string }): string {
  const encoded = encodeURIComponent(names.utf8).replace(
    /['()*]/g,
    (c) => `%${(c.codePointAt(0) as number).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${names.ascii}"; filename*=UTF-8''${encoded}`;
}
