import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

import { DEFAULT_REMINDER, type MeetingSettings, type MeetingView } from '../../../src/shared/api';
import {
  checkForm,
  type ConfigFormValues,
  DEFAULT_FORM,
  formFromMeeting,
  localDateTime,
  prefillForm,
  toSettings,
} from '../../../teams-app/shared/config-form';

/** Which parts of the form prefilling changed. */
const prefilledFields = (before: ConfigFormValues, after: ConfigFormValues): ('title' | 'schedule')[] => [
  ...(before.title !== after.title ? ['title' as const] : []),
  ...(before.date !== after.date ? ['schedule' as const] : []),
];

const root = path.resolve(__dirname, '..', '..', '..');

describe('the chair configuration form', () => {
  it('starts as the guidance says: sensitive, the sign-in sheet sentence, a title still to fill in', () => {
    expect(DEFAULT_FORM).toMatchObject({ sensitive: true, reminder: DEFAULT_REMINDER, title: '' });
    expect(checkForm(DEFAULT_FORM)).toEqual({ valid: false, problems: { title: { kind: 'required' } } });
  });

  it('is valid with a title; whitespace alone is not a title or a reminder', () => {
    expect(checkForm({ ...DEFAULT_FORM, title: '協調會議' }).valid).toBe(true);
    expect(checkForm({ ...DEFAULT_FORM, title: '  ', reminder: '\n' }).problems).toEqual({
      title: { kind: 'required' },
      reminder: { kind: 'required' },
    });
  });

  it("enforces the server's limits, counting characters as code points", () => {
    const ok = { ...DEFAULT_FORM, title: '𠀀'.repeat(500), spokesperson: '李'.repeat(200) };
    expect(checkForm(ok).valid).toBe(true);
    expect(checkForm({ ...ok, title: '𠀀'.repeat(501) }).problems.title).toEqual({ kind: 'too-long', max: 500 });
    expect(checkForm({ ...ok, spokesperson: '李'.repeat(201) }).problems.spokesperson).toEqual({
      kind: 'too-long',
      max: 200,
    });
    expect(checkForm({ ...ok, reminder: 'x'.repeat(2001) }).problems.reminder).toEqual({ kind: 'too-long', max: 2000 });
  });

  it('builds the request body trimmed, leaving out an empty spokesperson', () => {
    expect(toSettings({ ...DEFAULT_FORM, title: ' 會議 ', level: '機密', spokesperson: '  ' })).toEqual({
      title: '會議',
      level: '機密',
      reminder: DEFAULT_REMINDER,
      sensitive: true,
    });
    expect(toSettings({ ...DEFAULT_FORM, title: '會議', spokesperson: ' 李發言人 ' }).spokesperson).toBe('李發言人');
  });

  it('loads existing settings, falling back to the lowest level for one it does not know', () => {
    const meeting: MeetingView = {
      id: 'm',
      title: '會議',
      sensitive: false,
      level: '極機密',
      reminder: '請保密',
      spokesperson: null,
      isChair: true,
      acknowledgement: null,
      reminderSha256: '0'.repeat(64),
      startsAt: null,
      endsAt: null,
      place: null,
    };
    expect(formFromMeeting(meeting)).toEqual({
      sensitive: false,
      title: '會議',
      level: '極機密',
      reminder: '請保密',
      spokesperson: '',
      date: '',
      startTime: '',
      endTime: '',
      place: '',
    });
    expect(formFromMeeting({ ...meeting, level: 'TOP' as MeetingView['level'] }).level).toBe('機敏');
  });

  describe("the meeting's time and place", () => {
    const form = { ...DEFAULT_FORM, title: '會議', date: '2026-12-08', startTime: '14:00', endTime: '16:30' };
    const stored: MeetingView = {
      id: 'm',
      title: '會議',
      sensitive: true,
      level: '機密',
      reminder: DEFAULT_REMINDER,
      reminderSha256: '0'.repeat(64),
      spokesperson: null,
      isChair: true,
      acknowledgement: null,
      startsAt: '2026-12-08T06:00:00.000Z',
      endsAt: '2026-12-08T08:30:00.000Z',
      place: '第一會議室',
    };

    /**
     * The form's answers in a browser set to `zone`: a child process, since the time zone is read at process start
     * (Jest's process.env is its own copy, and setting TZ on it changes nothing).
     */
    function inZone(zone: string): { sent: MeetingSettings; read: ConfigFormValues } {
      const script = `
        const f = require(${JSON.stringify(path.join(root, 'teams-app', 'shared', 'config-form.ts'))});
        const form = ${JSON.stringify({ ...form, place: ' 第一會議室 ' })};
        process.stdout.write(JSON.stringify({ sent: f.toSettings(form), read: f.formFromMeeting(${JSON.stringify(stored)}) }));`;
      const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], {
        env: { ...process.env, TZ: zone },
        encoding: 'utf8',
      });
      return JSON.parse(out) as { sent: MeetingSettings; read: ConfigFormValues };
    }

    it("sends the chair's day and times in the chair's own time zone, with its offset, and reads them back", () => {
      const taipei = inZone('Asia/Taipei');
      expect(taipei.sent).toMatchObject({
        startsAt: '2026-12-08T14:00:00+08:00',
        endsAt: '2026-12-08T16:30:00+08:00',
        place: '第一會議室',
      });
      expect(taipei.read).toMatchObject({
        date: '2026-12-08',
        startTime: '14:00',
        endTime: '16:30',
        place: '第一會議室',
      });
      const newYork = inZone('America/New_York');
      expect(newYork.sent).toMatchObject({
        startsAt: '2026-12-08T14:00:00-05:00',
        endsAt: '2026-12-08T16:30:00-05:00',
      });
      expect(new Date(newYork.sent.startsAt as string).toISOString()).toBe('2026-12-08T19:00:00.000Z');
      // The same stored moment is the New York chair's morning (and the evening before, at 01:00).
      expect(newYork.read).toMatchObject({ date: '2026-12-08', startTime: '01:00', endTime: '03:30' });
    }, 240_000);

    it('is all or nothing: a day without times, or times without a day, is named and nothing half is sent', () => {
      expect(checkForm({ ...form, date: '', startTime: '', endTime: '' }).valid).toBe(true);
      expect(checkForm(form).valid).toBe(true);
      expect(checkForm({ ...form, startTime: '', endTime: '' }).problems).toEqual({
        startTime: { kind: 'schedule-incomplete' },
      });
      expect(checkForm({ ...form, date: '' }).problems).toEqual({ date: { kind: 'schedule-incomplete' } });
      expect(checkForm({ ...form, endTime: '' }).problems).toEqual({ endTime: { kind: 'schedule-incomplete' } });
      expect(toSettings({ ...form, endTime: '' })).not.toHaveProperty('startsAt');
      expect(checkForm({ ...form, date: '2026-02-30' }).problems).toEqual({ date: { kind: 'schedule-incomplete' } });
    });

    it('names an end that is not after the start', () => {
      expect(checkForm({ ...form, endTime: '14:00' }).problems).toEqual({ endTime: { kind: 'ends-before-start' } });
      expect(checkForm({ ...form, endTime: '09:00' }).problems).toEqual({ endTime: { kind: 'ends-before-start' } });
      expect(toSettings({ ...form, endTime: '09:00' })).not.toHaveProperty('endsAt');
    });

    it('bounds the place as the server does', () => {
      expect(checkForm({ ...form, place: '室'.repeat(200) }).valid).toBe(true);
      expect(checkForm({ ...form, place: '室'.repeat(201) }).problems).toEqual({
        place: { kind: 'too-long', max: 200 },
      });
    });

    it('refuses a day or time that is not one', () => {
      expect(localDateTime('2026-12-08', '14:00')).toMatch(/^2026-12-08T14:00:00[+-]\d{2}:\d{2}$/);
      for (const [date, time] of [
        ['2026-13-01', '10:00'],
        ['2026-12-08', '25:00'],
        ['08/12/2026', '10:00'],
        ['2026-12-08', '10'],
      ] as const) {
        expect(localDateTime(date, time)).toBeNull();
      }
    });
  });

  describe('prefilled from Teams', () => {
    // Times built in this process's own zone, so the expected fields hold wherever the test runs.
    const at = (h: number, m = 0, day = 8): string => new Date(2026, 11, day, h, m).toISOString();
    const teams = { prefilled: true, title: '第三季預算協調會議', startsAt: at(14), endsAt: at(16, 30) } as const;

    it('fills the empty name, day and times', () => {
      const filled = prefillForm(DEFAULT_FORM, teams);
      expect(filled).toEqual({
        ...DEFAULT_FORM,
        title: '第三季預算協調會議',
        date: '2026-12-08',
        startTime: '14:00',
        endTime: '16:30',
      });
      expect(checkForm(filled).valid).toBe(true);
      expect(prefilledFields(DEFAULT_FORM, filled)).toEqual(['title', 'schedule']);
    });

    it('never overwrites what the chair typed or stored, and fills the rest', () => {
      const typed = { ...DEFAULT_FORM, title: '主席自訂名稱' };
      expect(prefillForm(typed, teams)).toEqual({ ...typed, date: '2026-12-08', startTime: '14:00', endTime: '16:30' });
      // Any of the day and times given: none of them is touched (half a prefill would mix two meetings' times).
      const halfTyped = { ...DEFAULT_FORM, startTime: '09:00' };
      expect(prefillForm(halfTyped, teams)).toEqual({ ...halfTyped, title: '第三季預算協調會議' });
      expect(prefilledFields(halfTyped, prefillForm(halfTyped, teams))).toEqual(['title']);
    });

    // The same object, not an equal one: the page tells from it that nothing was filled.
    it('fills nothing from a failed or empty answer, a meeting over two days, or a name past the limit', () => {
      expect(prefillForm(DEFAULT_FORM, { prefilled: false, reason: 'forbidden' })).toBe(DEFAULT_FORM);
      expect(prefillForm(DEFAULT_FORM, { prefilled: true, title: null, startsAt: null, endsAt: null })).toBe(
        DEFAULT_FORM,
      );
      expect(prefillForm(DEFAULT_FORM, { ...teams, title: '  ', endsAt: at(1, 0, 9) })).toBe(DEFAULT_FORM);
      expect(prefillForm(DEFAULT_FORM, { ...teams, title: '名'.repeat(501), startsAt: null, endsAt: null })).toBe(
        DEFAULT_FORM,
      );
    });
  });
});
