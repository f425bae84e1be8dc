/**
 * When and where a meeting is held, as the chair gives it: printed on the sign-in sheet, which the guidance makes the
 * record of who attended. Optional; both times or neither, so a sheet never prints half a time.
 */
import { HttpError } from './http';

/** RFC 3339 date-time with an offset: a time without a zone is a different moment in every browser. */
export const DATE_TIME_PATTERN =
  '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,3})?)?(?:Z|[+-]\\d{2}:\\d{2})$';
/** A meeting (or a conference of several days) longer than this is a typing error. */
export const MAX_MEETING_SPAN_MS = 7 * 24 * 3600 * 1000;
const EARLIEST = Date.UTC(2000, 0, 1);
const LATEST = Date.UTC(2100, 0, 1);

export interface MeetingSchedule {
  readonly startsAt: Date | null;
  readonly endsAt: Date | null;
}

function invalid(zh: string, en: string): HttpError {
  return new HttpError(400, 'invalid_schedule', `${zh} / ${en}`);
}

/**
 * One date-time, or a 400 naming it. The pattern has been checked by the schema; this refuses what the pattern lets
 * through and JavaScript would quietly roll over (2026-02-30 is 2026-03-02 to `Date`, 24:00 is the next day).
 */
function dateTime(field: string, text: string): Date {
  const [, y, mo, d, h, mi] = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(text) ?? [];
  const parts = [y, mo, d, h, mi].map(Number);
  const [year, month, day, hour, minute] = parts as [number, number, number, number, number];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  const t = Date.parse(text);
  if (
    Number.isNaN(t) ||
    calendar.getUTCMonth() !== month - 1 ||
    calendar.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    t < EARLIEST ||
    t >= LATEST
  ) {
    throw invalid(`${field} 不是有效的日期時間`, `${field} is not a valid date and time`);
  }
  return new Date(t);
}

export function meetingSchedule(startsAt: string | undefined, endsAt: string | undefined): MeetingSchedule {
  if (startsAt === undefined && endsAt === undefined) {
    return { startsAt: null, endsAt: null };
  }
  if (startsAt === undefined || endsAt === undefined) {
    throw invalid('會議開始與結束時間須一併提供', 'give both the start and the end of the meeting, or neither');
  }
  const start = dateTime('startsAt', startsAt);
  const end = dateTime('endsAt', endsAt);
  if (end.getTime() <= start.getTime()) {
    throw invalid('會議結束時間須晚於開始時間', 'the meeting must end after it starts');
  }
  if (end.getTime() - start.getTime() > MAX_MEETING_SPAN_MS) {
    throw invalid('會議期間不得超過 7 日', 'a meeting cannot last more than 7 days');
  }
  return { startsAt: start, endsAt: end };
}
