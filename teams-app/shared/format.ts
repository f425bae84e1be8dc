/** Formatting for people: times in Taipei time in the page's language, and the sign-in sheet's file name. */
import type { Locale } from '../../src/shared/i18n';

export const MEETING_TIME_ZONE = 'Asia/Taipei';

/** Calendar fields in Taipei, from numeric parts only: ICU's spacing and punctuation differ between browsers. */
const TAIPEI_PARTS = new Intl.DateTimeFormat('en-GB', {
  timeZone: MEETING_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

interface TaipeiTime {
  readonly year: string;
  readonly month: string;
  readonly day: string;
  readonly hour: string;
  readonly minute: string;
  readonly second: string;
}

function inTaipei(date: Date): TaipeiTime {
  const parts = TAIPEI_PARTS.formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  return {
    year: part('year'),
    month: part('month'),
    day: part('day'),
    hour: part('hour'),
    minute: part('minute'),
    second: part('second'),
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

const parse = (iso: string): Date | null => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
};

/** An acknowledgement time, e.g. `2025/05/14 10:32:05（臺北時間）` or `14 May 2025, 10:32:05 (Taipei time)`. */
export function formatAcknowledgedAt(iso: string, locale: Locale): string {
  const date = parse(iso);
  if (!date) {
    return iso;
  }
  const t = inTaipei(date);
  const time = `${t.hour}:${t.minute}:${t.second}`;
  return locale === 'zh-TW'
    ? `${t.year}/${t.month}/${t.day} ${time}（臺北時間）`
    : `${Number(t.day)} ${MONTHS[Number(t.month) - 1] ?? t.month} ${t.year}, ${time} (Taipei time)`;
}

/** Just the time of day, for the compact roster at side-panel width: `10:32:05`. */
export function formatTimeOfDay(iso: string): string {
  const date = parse(iso);
  if (!date) {
    return iso;
  }
  const t = inTaipei(date);
  return `${t.hour}:${t.minute}:${t.second}`;
}

/** The calendar date in Taipei, `YYYY-MM-DD`. */
export function taipeiDate(date: Date): string {
  const t = inTaipei(date);
  return `${t.year}-${t.month}-${t.day}`;
}

/**
 * The sign-in sheet's file name: `簽到表_<title>_<YYYY-MM-DD>.pdf`, with characters that Windows, macOS or Teams
 * refuse in a file name replaced, and the title shortened so the whole name stays well under any limit.
 */
export function signInSheetFileName(title: string, format: 'pdf' | 'csv', now: Date): string {
  const safeTitle = Array.from(
    title
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f<>:"/\\|?*]+/g, '_')
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/^[.\s_]+|[.\s_]+$/g, ''),
  )
    .slice(0, 60)
    .join('');
  return `簽到表_${safeTitle ? `${safeTitle}_` : ''}${taipeiDate(now)}.${format}`;
}
