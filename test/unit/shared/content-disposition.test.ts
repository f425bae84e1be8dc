import fc from 'fast-check';

import { contentDisposition } from '../../../src/server/sign-in-sheet-model';
import { fileNameFromContentDisposition as fileName } from '../../../src/shared/content-disposition';

describe('fileNameFromContentDisposition (RFC 6266, RFC 5987 filename*)', () => {
  it('reads back the name the server sends, whatever the title', () => {
    expect(
      fileName(contentDisposition({ ascii: 'sign-in-sheet-20250514.pdf', utf8: '簽到表-○○工作會議-20250514.pdf' })),
    ).toBe('簽到表-○○工作會議-20250514.pdf');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), (title) => {
        const utf8 = `簽到表-${title.replace(/[\\/\p{Cc}]/gu, '_')}-20250514.csv`;
        const name = fileName(contentDisposition({ ascii: 'sign-in-sheet-20250514.csv', utf8 }));
        expect(name).not.toBeNull();
        expect(name).toBe(utf8.trim());
      }),
    );
  });

  it('filename* wins over filename, in either order; without it, filename (token or quoted string)', () => {
    expect(fileName(`attachment; filename*=UTF-8''%E7%B0%BD.pdf; filename="a.pdf"`)).toBe('簽.pdf');
    expect(fileName('attachment; filename="a \\"b\\".pdf"')).toBe('a "b".pdf');
    expect(fileName('attachment; filename=plain.csv')).toBe('plain.csv');
    expect(fileName("ATTACHMENT; FILENAME*=utf-8'zh-TW'%E7%B0%BD.pdf")).toBe('簽.pdf');
    expect(fileName("attachment; filename*=ISO-8859-1''caf%E9.pdf")).toBe('café.pdf');
  });

  it('a broken or unknown filename* falls back to filename; nothing readable gives null', () => {
    expect(fileName(`attachment; filename*=UTF-8''%E7%B0.pdf; filename="a.pdf"`)).toBe('a.pdf');
    expect(fileName(`attachment; filename*=KOI8-R''%E7.pdf; filename="a.pdf"`)).toBe('a.pdf');
    expect(fileName('attachment')).toBeNull();
    expect(fileName('')).toBeNull();
    expect(fileName(null)).toBeNull();
    expect(fileName('attachment; filename="unterminated')).toBeNull();
    expect(fileName('attachment; filename=""')).toBeNull();
  });

  it('never a path, a control character, a direction override, or . and ..', () => {
    expect(fileName('attachment; filename="../../etc/passwd"')).toBe('passwd');
    expect(fileName(`attachment; filename*=UTF-8''..%5C..%5Cevil.pdf`)).toBe('evil.pdf');
    expect(fileName(`attachment; filename*=UTF-8''a%0D%0Ab.pdf`)).toBe('a b.pdf');
    expect(fileName(`attachment; filename*=UTF-8''%E2%80%AEfdp.exe`)).toBe('fdp.exe');
    expect(fileName('attachment; filename=".."')).toBeNull();
  });
});
