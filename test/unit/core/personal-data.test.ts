import fc from 'fast-check';

import {
  findPersonalData,
  isValidNationalId,
  isValidResidentCertificate,
  isValidUbn,
} from '../../../src/core/personal-data';

/** An independent checksum, straight from the specification's arithmetic, to cross-check generated numbers. */
const LETTERS = 'ABCDEFGHJKLMNPQRSTUVXYWZIO';
const codeOf = (letter: string): number => 10 + LETTERS.indexOf(letter);
function referenceIdValid(id: string): boolean {
  const code = codeOf(id[0] as string);
  const second = /[A-D]/.test(id[1] as string) ? codeOf(id[1] as string) % 10 : Number(id[1]);
  const digits = [Math.floor(code / 10), code % 10, second, ...id.slice(2).split('').map(Number)];
  const weights = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1];
  return digits.reduce((s, d, i) => s + d * (weights[i] as number), 0) % 10 === 0;
}

describe('checksums (vectors from taiwan-markings.md §9)', () => {
  it('national ID', () => {
    expect(isValidNationalId('A123456789')).toBe(true);
    expect(isValidNationalId('F131104093')).toBe(true);
    expect(isValidNationalId('A123456788')).toBe(false);
    for (const bad of ['a123456789', 'A12345678', 'A1234567890', '', 'A323456789', 'Ａ123456789', 'A800000014']) {
      expect(isValidNationalId(bad)).toBe(false);
    }
  });

  it('resident certificates, new and legacy', () => {
    expect(isValidResidentCertificate('A800000014')).toBe(true);
    expect(isValidResidentCertificate('AC01234567')).toBe(true);
    expect(isValidResidentCertificate('AC01234568')).toBe(false);
    expect(isValidResidentCertificate('A123456789')).toBe(false);
    expect(isValidResidentCertificate('AE01234567')).toBe(false);
  });

  it.each([
    ['04595252', true, false],
    ['10458570', true, false],
    ['00501508', true, false],
    ['04595257', true, true],
    ['10458575', true, true],
    ['10458574', true, true],
    ['00501503', true, true],
    ['22099131', true, true],
    ['00501502', false, false],
  ])('統一編號 %s: current %s, pre-2023 %s', (ubn, current, old) => {
    expect(isValidUbn(ubn, 'current')).toBe(current);
    expect(isValidUbn(ubn, 'pre-2023')).toBe(old);
  });

  it('rejects malformed 統一編號', () => {
    for (const bad of ['1234567', '123456789', 'abcdefgh', '', '１０４５８５７５']) {
      expect(isValidUbn(bad, 'current')).toBe(false);
    }
  });

  it('property: the old rule implies the new one', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{8}$/), (ubn) => !isValidUbn(ubn, 'pre-2023') || isValidUbn(ubn, 'current')),
      { numRuns: 2000 },
    );
  });

  it('property: agrees with an independent checksum, and one changed digit breaks a valid ID', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...LETTERS.split('')),
        fc.constantFrom('1', '2', '8', '9', 'A', 'B', 'C', 'D'),
        fc.stringMatching(/^\d{8}$/),
        (l, s, rest) => {
          const id = l + s + rest;
          const valid = /[12]/.test(s) ? isValidNationalId(id) : isValidResidentCertificate(id);
          expect(valid).toBe(referenceIdValid(id));
          if (valid) {
            const i = 2 + (Number(rest[0]) % 8);
            const changed = id.slice(0, i) + String((Number(id[i]) + 1) % 10) + id.slice(i + 1);
            expect(/[12]/.test(s) ? isValidNationalId(changed) : isValidResidentCertificate(changed)).toBe(false);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('findPersonalData', () => {
  it('needs a context keyword near an ID number', () => {
    expect(findPersonalData('申請人：王小明，身分證字號：A123456789。')).toEqual([
      { rule: 'pii.national-id', start: 14, end: 24 },
    ]);
    expect(findPersonalData('訂單編號 A123456789 已出貨')).toEqual([]);
    expect(findPersonalData(`身分證 ${'x'.repeat(400)} A123456789`)).toEqual([]);
    expect(findPersonalData('居留證號碼 AC01234567')).toEqual([
      { rule: 'pii.resident-certificate', start: 6, end: 16 },
    ]);
  });

  it('does not take an ID out of a longer run', () => {
    expect(findPersonalData('身分證 XA123456789 A1234567890 1A123456789')).toEqual([]);
    expect(findPersonalData('身分證：A123456789號')).toHaveLength(1);
  });

  it('needs a 統一編號 keyword right before the number', () => {
    expect(findPersonalData('本公司統一編號：04595257')).toEqual([{ rule: 'pii.ubn', start: 8, end: 16 }]);
    expect(findPersonalData('電話 04595257')).toEqual([]);
    expect(findPersonalData(`統編${'。'.repeat(40)}04595257`)).toEqual([]);
    expect(findPersonalData('統編 00501502')).toEqual([]);
  });

  it('finds several and stays linear on a large text: the pattern steps grow with the text, not its square', () => {
    // Counted, not timed (the time is in `npm run bench -- text`): every regex step over the text goes through exec,
    // so four times the text must take four times the steps. A keyword lookup that walked every keyword for every
    // candidate would be 800 million steps at the larger size, and the test's own timeout would end it.
    const unit = '身分證 A123456789；統編 04595257；';
    const exec = jest.spyOn(RegExp.prototype, 'exec');
    try {
      const steps = [5000, 20000].map((n) => {
        exec.mockClear();
        expect(findPersonalData(unit.repeat(n))).toHaveLength(2 * n);
        return exec.mock.calls.length;
      });
      expect(steps[0]).toBeGreaterThan(0);
      expect(steps[1]).toBeLessThanOrEqual(4 * steps[0]! + 16);
    } finally {
      exec.mockRestore();
    }
  });
});
