import {
  formatAcknowledgedAt,
  formatTimeOfDay,
  signInSheetFileName,
  taipeiDate,
} from '../../../teams-app/shared/format';

describe('times in Taipei, in the page language', () => {
  // 2025-05-14 23:59:30 UTC is already 15 May in Taipei (UTC+8).
  const iso = '2025-05-14T23:59:30.000Z';

  it('zh-TW', () => {
    expect(formatAcknowledgedAt(iso, 'zh-TW')).toBe('2025/05/15 07:59:30（臺北時間）');
  });

  it('English', () => {
    expect(formatAcknowledgedAt(iso, 'en')).toBe('15 May 2025, 07:59:30 (Taipei time)');
  });

  it('time of day and the date roll over at Taipei midnight, not UTC', () => {
    expect(formatTimeOfDay(iso)).toBe('07:59:30');
    expect(taipeiDate(new Date('2025-05-14T15:59:59.000Z'))).toBe('2025-05-14');
    expect(taipeiDate(new Date('2025-05-14T16:00:00.000Z'))).toBe('2025-05-15');
  });

  it('leaves an unreadable time as it is rather than inventing one', () => {
    expect(formatAcknowledgedAt('not a time', 'zh-TW')).toBe('not a time');
    expect(formatTimeOfDay('')).toBe('');
  });
});

describe('the sign-in sheet file name', () => {
  const now = new Date('2025-05-14T02:00:00.000Z');

  it('names the sheet, the meeting and the Taipei date', () => {
    expect(signInSheetFileName('○○經營地區劃分及調整工作會議', 'pdf', now)).toBe(
      '簽到表_○○經營地區劃分及調整工作會議_2025-05-14.pdf',
    );
    expect(signInSheetFileName('Budget review', 'csv', now)).toBe('簽到表_Budget review_2025-05-14.csv');
  });

  it('replaces characters file systems refuse and trims what would hide the name', () => {
    expect(signInSheetFileName('a/b\\c:d*e?"f"<g>|h\u0007', 'pdf', now)).toBe('簽到表_a_b_c_d_e_f_g_h_2025-05-14.pdf');
    expect(signInSheetFileName('  ..會議..  ', 'pdf', now)).toBe('簽到表_會議_2025-05-14.pdf');
    expect(signInSheetFileName('///', 'pdf', now)).toBe('簽到表_2025-05-14.pdf');
  });

  it('keeps a long title to 60 characters without splitting a character', () => {
    const name = signInSheetFileName('機'.repeat(100) + '𠀀', 'pdf', now);
    expect(name).toBe(`簽到表_${'機'.repeat(60)}_2025-05-14.pdf`);
    const astral = signInSheetFileName('𠀀'.repeat(70), 'csv', now);
    expect(Array.from(astral.slice('簽到表_'.length)).slice(0, 60).join('')).toBe('𠀀'.repeat(60));
    expect(astral.endsWith('_2025-05-14.csv')).toBe(true);
  });
});
