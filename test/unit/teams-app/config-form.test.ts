import { DEFAULT_REMINDER, type MeetingView } from '../../../src/shared/api';
import { checkForm, DEFAULT_FORM, formFromMeeting, toSettings } from '../../../teams-app/shared/config-form';

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
    };
    expect(formFromMeeting(meeting)).toEqual({
      sensitive: false,
      title: '會議',
      level: '極機密',
      reminder: '請保密',
      spokesperson: '',
    });
    expect(formFromMeeting({ ...meeting, level: 'TOP' as MeetingView['level'] }).level).toBe('機敏');
  });
});
