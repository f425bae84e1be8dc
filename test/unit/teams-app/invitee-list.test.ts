import { formatInviteeList, INVITEE_LIMITS, lineRange, parseInviteeList } from '../../../teams-app/shared/invitee-list';

describe("the chair's pasted list of expected attendees", () => {
  it('reads names, 「姓名 <upn>」 and rows copied from Excel (tab-separated, CRLF), skipping blank lines', () => {
    const pasted = '陳委員\r\n林科長 <lin@agency.gov.tw>\r\n\r\n張專員\tchang@agency.gov.tw\t資訊處\r\n  \r\n\t\r\n';
    expect(parseInviteeList(pasted)).toEqual({
      invitees: [
        { name: '陳委員' },
        { name: '林科長', upn: 'lin@agency.gov.tw' },
        { name: '張專員', upn: 'chang@agency.gov.tw' },
      ],
      errors: [],
      tooMany: false,
    });
  });

  it('takes the address from any later Excel cell, and a bare address as the name', () => {
    expect(parseInviteeList('王大明\t人事室\twang@agency.gov.tw\nli@agency.gov.tw').invitees).toEqual([
      { name: '王大明', upn: 'wang@agency.gov.tw' },
      { name: 'li@agency.gov.tw', upn: 'li@agency.gov.tw' },
    ]);
  });

  it('names the line of a second entry with the same address, whatever its case', () => {
    const parsed = parseInviteeList('林科長 <lin@agency.gov.tw>\n陳委員\n林 科長\tLIN@Agency.gov.tw');
    expect(parsed.invitees).toEqual([{ name: '林科長', upn: 'lin@agency.gov.tw' }, { name: '陳委員' }]);
    expect(parsed.errors).toEqual([{ line: 3, problem: { kind: 'duplicate', firstLine: 1 } }]);
  });

  it('refuses a zero-width space (U+200B) and other invisible characters, in the name or the address, by line', () => {
    const parsed = parseInviteeList('陳委員\n林\u200b科長\n張專員 <chang\u200e@agency.gov.tw>\n\u2028');
    expect(parsed.errors).toEqual([
      { line: 2, problem: { kind: 'invisible', codePoint: 'U+200B' } },
      { line: 3, problem: { kind: 'invisible', codePoint: 'U+200E' } },
      { line: 4, problem: { kind: 'invisible', codePoint: 'U+2028' } },
    ]);
    expect(parsed.invitees).toEqual([{ name: '陳委員' }]);
  });

  it('refuses a name past 200 characters (code points), a malformed address and a row with no name', () => {
    const parsed = parseInviteeList(
      `${'𠀀'.repeat(200)}\n${'李'.repeat(201)}\n王 <not-an-address>\n<>\n\tnot-an-address\n林 <a@b@c>`,
    );
    expect(parsed.invitees).toEqual([{ name: '𠀀'.repeat(200) }]);
    expect(parsed.errors).toEqual([
      { line: 2, problem: { kind: 'too-long', max: INVITEE_LIMITS.name } },
      { line: 3, problem: { kind: 'bad-address', address: 'not-an-address' } },
      { line: 4, problem: { kind: 'no-name' } },
      { line: 5, problem: { kind: 'no-name' } },
      { line: 6, problem: { kind: 'bad-address', address: 'a@b@c' } },
    ]);
  });

  it('takes 5,000 people and says when there are more', () => {
    const names = (n: number): string => Array.from({ length: n }, (_, i) => `委員${i}`).join('\n');
    expect(parseInviteeList(names(5000))).toMatchObject({ tooMany: false, errors: [] });
    expect(parseInviteeList(names(5000)).invitees).toHaveLength(5000);
    expect(parseInviteeList(names(5001)).tooMany).toBe(true);
  });

  it('writes a stored list back one person a line, and reads it back the same', () => {
    const stored = [
      { name: '林科長', upn: 'lin@agency.gov.tw' },
      { name: '陳委員', upn: null },
      { name: 'li@agency.gov.tw', upn: 'li@agency.gov.tw' },
    ];
    const text = formatInviteeList(stored);
    expect(text).toBe('林科長 <lin@agency.gov.tw>\n陳委員\nli@agency.gov.tw');
    expect(parseInviteeList(text).invitees).toEqual([
      { name: '林科長', upn: 'lin@agency.gov.tw' },
      { name: '陳委員' },
      { name: 'li@agency.gov.tw', upn: 'li@agency.gov.tw' },
    ]);
  });

  it('finds a line in the box to select it, with either line end', () => {
    const text = '甲\r\n乙乙\n丙';
    expect(lineRange(text, 1)).toEqual({ start: 0, end: 1 });
    expect(lineRange(text, 2)).toEqual({ start: 3, end: 5 });
    expect(text.slice(lineRange(text, 3).start, lineRange(text, 3).end)).toBe('丙');
  });
});
