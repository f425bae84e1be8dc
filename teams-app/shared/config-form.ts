/** The chair's configuration form as values, checks and the request body: no React, no Teams. */
import { isLevel, type Level } from '../../src/core/levels';
import { DEFAULT_REMINDER, type MeetingPrefill, type MeetingSettings, type MeetingView } from '../../src/shared/api';

export interface ConfigFormValues {
  readonly sensitive: boolean;
  readonly title: string;
  readonly level: Level;
  readonly reminder: string;
  readonly spokesperson: string;
  /** The meeting's day and times in the chair's own time zone, as `<input type="date|time">` give them; '' if not. */
  readonly date: string;
  readonly startTime: string;
  readonly endTime: string;
  readonly place: string;
}

/** The server's limits (`PUT /api/meetings/{id}`), in characters as JSON Schema counts them (code points). */
export const FIELD_LIMITS = { title: 500, reminder: 2000, spokesperson: 200, place: 200 } as const;
export type LimitedField = keyof typeof FIELD_LIMITS;
export type ScheduleField = 'date' | 'startTime' | 'endTime';

export type FieldProblem =
  | { readonly kind: 'required' }
  | { readonly kind: 'too-long'; readonly max: number }
  /** Some of the day, start and end are given, not all: the sheet would print half a time. */
  | { readonly kind: 'schedule-incomplete' }
  | { readonly kind: 'ends-before-start' };

export interface FormCheck {
  readonly valid: boolean;
  readonly problems: Partial<Record<LimitedField | ScheduleField, FieldProblem>>;
}

/** A new sensitive meeting: the guidance's sentence as the reminder, the lowest level. */
export const DEFAULT_FORM: ConfigFormValues = {
  sensitive: true,
  title: '',
  level: '機敏',
  reminder: DEFAULT_REMINDER,
  spokesperson: '',
  date: '',
  startTime: '',
  endTime: '',
  place: '',
};

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2})$/;
const pad = (n: number): string => String(n).padStart(2, '0');

/** A day and a clock time in this browser's time zone, as RFC 3339 with its offset then; null if either is bad. */
export function localDateTime(date: string, time: string): string | null {
  const d = DATE.exec(date);
  const t = TIME.exec(time);
  if (!d || !t) {
    return null;
  }
  const at = new Date(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(t[1]), Number(t[2]));
  // Date rolls 2026-02-30 over into March and 25:00 into the next day; a field that does not come back is not one.
  const back = [at.getFullYear(), at.getMonth() + 1, at.getDate(), at.getHours(), at.getMinutes()];
  if (back.join() !== [d[1], d[2], d[3], t[1], t[2]].map(Number).join()) {
    return null;
  }
  const offset = -at.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${date}T${time}:00${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** The form's fields for a stored time, in this browser's time zone. */
function localFields(iso: string): { date: string; time: string } {
  const at = new Date(iso);
  return {
    date: `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`,
    time: `${pad(at.getHours())}:${pad(at.getMinutes())}`,
  };
}

export function formFromMeeting(m: MeetingView): ConfigFormValues {
  return {
    sensitive: m.sensitive,
    title: m.title,
    level: isLevel(m.level) ? m.level : DEFAULT_FORM.level,
    reminder: m.reminder,
    spokesperson: m.spokesperson ?? '',
    ...(m.startsAt && m.endsAt
      ? {
          date: localFields(m.startsAt).date,
          startTime: localFields(m.startsAt).time,
          endTime: localFields(m.endsAt).time,
        }
      : { date: '', startTime: '', endTime: '' }),
    place: m.place ?? '',
  };
}

const length = (s: string): number => Array.from(s).length;

/**
 * The form with what Teams knows of the meeting filled into the fields the chair left empty, never over what they
 * typed or stored: the name when the name is empty; the day and times when all three are empty and the meeting starts
 * and ends on one day here (the form has one day for both ends). Within the server's bounds, or not at all.
 */
export function prefillForm(v: ConfigFormValues, prefill: MeetingPrefill): ConfigFormValues {
  if (!prefill.prefilled) {
    return v;
  }
  let next = v;
  const title = prefill.title?.trim() ?? '';
  if (v.title.trim() === '' && title !== '' && length(title) <= FIELD_LIMITS.title) {
    next = { ...next, title };
  }
  if (v.date === '' && v.startTime === '' && v.endTime === '' && prefill.startsAt && prefill.endsAt) {
    const start = localFields(prefill.startsAt);
    const end = localFields(prefill.endsAt);
    if (start.date === end.date && start.time < end.time) {
      next = { ...next, date: start.date, startTime: start.time, endTime: end.time };
    }
  }
  return next;
}

export function checkForm(v: ConfigFormValues): FormCheck {
  const problems: FormCheck['problems'] = {};
  const required: readonly LimitedField[] = ['title', 'reminder'];
  for (const field of Object.keys(FIELD_LIMITS) as LimitedField[]) {
    const value = v[field].trim();
    if (required.includes(field) && value === '') {
      problems[field] = { kind: 'required' };
    } else if (length(value) > FIELD_LIMITS[field]) {
      problems[field] = { kind: 'too-long', max: FIELD_LIMITS[field] };
    }
  }
  const schedule = scheduleOf(v);
  if (schedule === 'incomplete') {
    const missing = (['date', 'startTime', 'endTime'] as const).find((f) => v[f] === '') ?? 'date';
    problems[missing] = { kind: 'schedule-incomplete' };
  } else if (schedule === 'ends-before-start') {
    problems.endTime = { kind: 'ends-before-start' };
  }
  return { valid: Object.keys(problems).length === 0, problems };
}

/**
 * The times to send: none when none is given, both when all three fields are; the form's own day for both ends (a
 * meeting over several days is set through the API).
 */
function scheduleOf(
  v: ConfigFormValues,
): { startsAt: string; endsAt: string } | null | 'incomplete' | 'ends-before-start' {
  const given = [v.date, v.startTime, v.endTime].filter((x) => x !== '').length;
  if (given === 0) {
    return null;
  }
  const startsAt = localDateTime(v.date, v.startTime);
  const endsAt = localDateTime(v.date, v.endTime);
  if (given < 3 || startsAt === null || endsAt === null) {
    return 'incomplete';
  }
  return Date.parse(endsAt) > Date.parse(startsAt) ? { startsAt, endsAt } : 'ends-before-start';
}

/** The request body; an empty spokesperson or place is left out rather than stored as "", as is an unfinished time. */
export function toSettings(v: ConfigFormValues): MeetingSettings {
  const spokesperson = v.spokesperson.trim();
  const place = v.place.trim();
  const schedule = scheduleOf(v);
  return {
    title: v.title.trim(),
    level: v.level,
    reminder: v.reminder.trim(),
    sensitive: v.sensitive,
    ...(spokesperson ? { spokesperson } : {}),
    ...(schedule !== null && typeof schedule === 'object' ? schedule : {}),
    ...(place ? { place } : {}),
  };
}
