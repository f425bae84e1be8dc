import {
  checkReference,
  fillDetails,
  printable,
  receiptDetailsFor,
  receiptDetailsStore,
  REFERENCE_MAX_CHARS,
} from '../../../../addin/taskpane/services/receipt-details';
import { renderReceiptPage } from '../../../../src/server/receipt-print';

describe('what the 簽收單 prints from the sender’s computer', () => {
  it('takes a 文號 of visible characters on one line, within its bound, and names what it refuses', () => {
    expect(checkReference('  府授人字第1150012345號 ')).toEqual({ ok: true, value: '府授人字第1150012345號' });
    expect(checkReference('')).toEqual({ ok: true, value: '' });
    expect(checkReference('字'.repeat(REFERENCE_MAX_CHARS))).toMatchObject({ ok: true });
    expect(checkReference('字'.repeat(REFERENCE_MAX_CHARS + 1))).toEqual({ ok: false, reason: 'too-long' });
    // Characters counted, not UTF-16 units: 40 supplementary-plane characters are 40.
    expect(checkReference('𠀀'.repeat(REFERENCE_MAX_CHARS))).toMatchObject({ ok: true });
    for (const [typed, codePoint] of [
      ['府授\u202e人字', 'U+202E'],
      ['府授\u200b人字', 'U+200B'],
      ['府授\n人字', 'U+000A'],
      ['府授\u0007人字', 'U+0007'],
      ['府授\u3164人字', 'U+3164'],
    ] as const) {
      expect(checkReference(typed)).toEqual({ ok: false, reason: 'character', codePoint });
    }
  });

  it('keeps names and file names visible and on one line, and bounded', () => {
    expect(printable('陳\u202e顧問\u200b', 100)).toBe('陳顧問');
    expect(printable(' 王\n科長\t', 100)).toBe('王 科長');
    expect(printable('甲'.repeat(300), 255)).toBe(`${'甲'.repeat(254)}…`);
  });

  it('matches names to the receipt’s recipients by address and leaves a subject with a finding out', () => {
    const base = {
      recipients: ['wang@example.gov.tw', 'chen@partner.com.tw', 'dl@example.gov.tw'],
      people: [
        { emailAddress: 'Chen@Partner.com.tw', displayName: '陳顧問' },
        { emailAddress: 'wang@example.gov.tw', displayName: '王科長' },
        { emailAddress: 'dl@example.gov.tw', displayName: 'dl@example.gov.tw' },
      ],
      subject: '第三季協調會議',
      bodyPartCount: 2,
      attachmentNames: ['附件二.pdf'],
    };
    expect(receiptDetailsFor({ ...base, findings: [{ location: 'body' }] })).toEqual({
      recipientNames: ['王科長', '陳顧問', ''],
      subject: '第三季協調會議',
      partNames: [null, null, '附件二.pdf'],
      reference: '',
    });
    expect(receiptDetailsFor({ ...base, findings: [{ location: 'subject' }] }).subject).toBeNull();
  });

  it('fills the server’s cells, escaped, and says when this computer does not hold them', () => {
    const html = renderReceiptPage(
      {
        id: 'SG-20261208-7K3QXM',
        recipients: ['wang@example.gov.tw'],
        parts: [{ level: '機密', lengthAtMost: 4096, commitment: 'ab'.repeat(32), kind: 'attachment' }],
        status: 'pending',
        createdAt: new Date('2026-12-08T01:00:00Z'),
      },
      { name: '林承辦', upn: null },
    );
    const filled = fillDetails(html, {
      recipientNames: ['<img src=x onerror=alert(1)>'],
      subject: '</td><script>alert(1)</script>',
      partNames: ['a&b.pdf'],
      reference: '',
    });
    expect(filled).not.toMatch(/<script|<img/);
    expect(filled).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(filled).toContain('<td data-local-field="part-name:1">a&#38;b.pdf</td>');
    expect(filled).toContain('<td data-local-field="reference">—</td>');
    expect(filled).not.toMatch(/data-local-field="[^"]+">（由發文人電腦填入）/);

    const withheld = fillDetails(html, { recipientNames: [], subject: null, partNames: [], reference: '' });
    expect(withheld).toContain('<td data-local-field="subject">（主旨含密等標示，不列印）');

    const elsewhere = fillDetails(html, null);
    expect(elsewhere.match(/本電腦未保存/g)).toHaveLength(5); // subject, 文號, file name, the name twice
  });

  it('keeps them under the receipt number, and reads back only what has their shape', () => {
    const store = new Map<string, string>();
    const details = receiptDetailsStore(() => ({
      getItem: (k) => store.get(k) ?? null,
      setItem: (k, v) => void store.set(k, v),
    }));
    const d = { recipientNames: ['王科長'], subject: null, partNames: [null], reference: '府授人字第1號' };
    expect(details.save('SG-1', d)).toBe(true);
    expect(details.load('SG-1')).toEqual(d);
    expect(details.load('SG-2')).toBeNull();
    store.set('sg.receipt-details.v1.SG-3', '{"recipientNames":[1]}');
    expect(details.load('SG-3')).toBeNull();
    const full = receiptDetailsStore(() => ({
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    }));
    expect(full.save('SG-1', d)).toBe(false);
  });
});
